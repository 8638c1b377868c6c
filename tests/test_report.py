"""scrapy report: what the page shows for a store (articles per day, coverage, failures and drops
from the stored runs, attention, duplicates, latest articles), that it loads nothing and escapes
stored text, and the command's one-line errors. The page in a real browser:
tests/test_report_browser.py."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the report's charts need matplotlib (pip install -e '.[report]')")

from crawler.items import empty_article  # noqa: E402
from crawler.report import COVERAGE_FIELDS, MAX_DAYS, day_axis, gather, render, run_failures  # noqa: E402
from crawler.storage import ArticleStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def article(n: int, outlet: str, published: str | None, **fields) -> dict:
    r = empty_article()
    r.update(url=f"https://{outlet}.test/news/{n}", outlet=outlet, outlet_name={"youm7": "اليوم السابع",
                                                                                   "lbci": "إل بي سي آي"}[outlet],
             title=f"عنوان الخبر رقم {n} عن الطقس", body=f"نص الخبر رقم {n} " * 20, published_at=published)
    r.update(fields)
    return r


def fill(store: ArticleStore) -> None:
    store.upsert_many([
        article(1, "youm7", "2026-11-20T09:30:00+02:00", authors=["أحمد سامى"],
                published_raw="الجمعة، 20 نوفمبر 2026 09:30 ص"),
        article(2, "youm7", "2026-11-20T11:00:00+02:00"),
        article(3, "youm7", "2026-11-22T10:03:27.540+00:00", published_raw="2026-11-22T10:03:27.540Z"),
        article(4, "lbci", "2026-11-21T08:15:00+00:00", authors=["ريم نصر", "سامر الحلبي"]),
        # agency copy of youm7's first article
        article(5, "lbci", "2026-11-20T12:00:00+00:00", duplicate_of="https://youm7.test/news/1",
                duplicate_kind="near"),
        article(6, "lbci", None),  # undated
        article(7, "lbci", "2026-10-01T08:00:00+00:00"),  # before --since
    ])
    store.record_run("youm7", "youm7", {
        "response_received_count": 10, "item_scraped_count": 3, "store/rows_upserted": 3, "fetch/failed": 4,
        "fetch/failed/http_404": 3, "fetch/failed/timeout": 1, "validate/dropped/not_arabic": 2,
        "item_dropped_count": 2, "warc/replay_missing": 3, "finish_reason": "finished"},
        finished_at=datetime(2026, 11, 22, 12, tzinfo=UTC), finish_reason="finished")
    store.record_run("lbci", "lbci", {
        "response_received_count": 8, "item_scraped_count": 3, "store/rows_upserted": 3, "layout/pages": 3,
        "layout/miss/title": 2, "layout/fallback/title": 2, "monitors/failed": 1,
        "monitors/failures": ["LayoutDriftMonitor: lbci: selectors missed title on 67% of 3 article pages",
                              "a message with redis://:hunter2@10.0.0.5:6379/0 in it"]},
        finished_at=datetime(2026, 11, 22, 13, tzinfo=UTC), finish_reason="finished")
    # an older run, before --since: its 404s are counted as failed article fetches (no fetch/failed yet)
    store.record_run("youm7", "youm7", {"news/article_failed/http_500": 5, "item_scraped_count": 1},
                     finished_at=datetime(2026, 10, 2, tzinfo=UTC), finish_reason="finished")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite3"
    store = ArticleStore(f"sqlite:///{path}")
    fill(store)
    store.close()
    return path


def page(db: Path, since: str | None = None, outlets: list[str] | None = None) -> str:
    store = ArticleStore(f"sqlite:///{db}", create=False)
    try:
        runs_since = datetime.fromisoformat(since + "T00:00:00+00:00") if since else None
        return render(gather(store, since, outlets, runs_since))
    finally:
        store.close()


def ids(html: str, prefix: str) -> list[str]:
    return re.findall(rf'id="({re.escape(prefix)}[^"]*)"', html)


def test_articles_per_day_one_bar_segment_per_outlet_and_day(db: Path) -> None:
    html = page(db)
    assert sorted(ids(html, "per-day-day--")) == sorted([
        "per-day-day--youm7--2026-11-20", "per-day-day--youm7--2026-11-22", "per-day-day--lbci--2026-11-20",
        "per-day-day--lbci--2026-11-21", "per-day-day--lbci--2026-10-01", "per-day-day--lbci--undated"])
    assert 'id="chart-per-day"' in html and "<svg" in html


def test_coverage_heat_map_has_a_cell_per_outlet_and_field(db: Path) -> None:
    html = page(db)
    cells = ids(html, "coverage-cell--")
    assert len(cells) == 2 * len(COVERAGE_FIELDS)
    # authors: youm7 on 1 of its 3 articles, lbci on 1 of its 4
    authors = re.search(r'id="coverage-cell--youm7--authors".*?>(\d+)<', html, re.S)
    assert authors and authors.group(1) == "33"
    assert re.search(r'id="coverage-cell--lbci--authors".*?>(\d+)<', html, re.S).group(1) == "25"


def test_failures_and_drops_come_from_the_stored_runs(db: Path) -> None:
    html = page(db)
    assert set(ids(html, "failures-fail--")) == {
        "failures-fail--youm7--fetch-http_404", "failures-fail--youm7--fetch-timeout",
        "failures-fail--youm7--fetch-http_500", "failures-fail--youm7--dropped-not_arabic"}
    assert 'id="figure-failed-fetches"><dt>failed fetches</dt><dd>9</dd>' in html.replace(" class=bad", "")
    # since: the older run (its http_500) is left out, the newer one stays
    recent = page(db, since="2026-11-01")
    assert "failures-fail--youm7--fetch-http_500" not in recent and "failures-fail--youm7--fetch-http_404" in recent


def test_runs_before_fetch_failures_were_counted_give_their_failed_articles() -> None:
    assert run_failures({"news/article_failed": 5, "news/article_failed/http_500": 5}) == {"http_500": 5}
    assert run_failures({"fetch/failed": 2, "fetch/failed/dns": 2, "news/article_failed/dns": 1}) == {"dns": 2}


def test_attention_lists_failed_monitors_and_layout_fallback(db: Path) -> None:
    html = page(db)
    table = html[html.index('id=attention-table'):html.index("</table>", html.index('id=attention-table'))]
    assert "lbci" in table and "youm7" not in table
    assert "monitors failed in 1 of 1 run" in table
    assert "layout fell back to the generic chain in 1 run" in table
    assert "selectors missed title on 67% of 3 article pages" in table
    assert "hunter2" not in html  # a stat carrying a credential is never stored, so never shown


def test_duplicates_show_the_copy_and_its_original(db: Path) -> None:
    html = page(db)
    assert ids(html, "duplicates-dup--") == ["duplicates-dup--0"]
    table = html[html.index("id=duplicates-table"):]
    assert "lbci" in table and "youm7" in table and ">near<" in table
    assert "عنوان الخبر رقم 5 عن الطقس" in table and "عنوان الخبر رقم 1 عن الطقس" in table


def test_the_duplicates_table_is_bounded_but_counts_are_of_all(db: Path, monkeypatch) -> None:
    monkeypatch.setattr("crawler.report.MAX_DUPLICATES", 0)
    html = page(db)
    assert "the 0 most recent of 1" in html and ids(html, "duplicates-dup--") == ["duplicates-dup--0"]
    assert 'id="figure-duplicates"><dt>duplicates linked</dt><dd>1</dd>' in html


def test_latest_articles_show_arabic_right_to_left_with_the_printed_date(db: Path) -> None:
    html = page(db)
    latest = html[html.index("id=latest-table"):]
    assert '<div lang="ar" dir="rtl">عنوان الخبر رقم 3 عن الطقس</div>' in latest
    assert '<div lang="ar" dir="rtl">ريم نصر، سامر الحلبي</div>' in latest
    assert "الجمعة، 20 نوفمبر 2026 09:30 ص" in latest  # the date as the page printed it
    assert "2026-11-22T10:03:27+00:00" in latest  # shown to the second, the raw text keeps what the page said
    assert '<div lang="ar" dir="rtl">اليوم السابع</div>' in latest


def test_since_and_outlet_narrow_the_articles(db: Path) -> None:
    html = page(db, since="2026-11-01", outlets=["youm7"])
    assert not ids(html, "per-day-day--lbci") and ids(html, "per-day-day--youm7")
    assert 'id="figure-articles"><dt>articles</dt><dd>3</dd>' in html
    assert "lbci" not in html.split("<body>", 1)[1].split('id="latest"', 1)[1]


def test_the_page_loads_nothing_and_escapes_stored_text(tmp_path: Path) -> None:
    store = ArticleStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    store.upsert_many([article(1, "youm7", "2026-11-20T09:30:00+02:00",
                               title='<script>alert(1)</script><img src="https://evil.test/x.png">',
                               url="javascript:alert(1)")])
    html = render(gather(store))
    store.close()
    assert "<script" not in html and "<img" not in html and "<link" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"""(src|href)=["']?(https?:)?//""", html) is None
    assert "default-src 'none'" in html  # and the browser is told to load nothing


def test_an_empty_store_gives_a_page_that_says_so(tmp_path: Path) -> None:
    store = ArticleStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    html = render(gather(store))
    store.close()
    assert "No article in this selection." in html and "No run is stored" in html
    assert "<svg" not in html


def test_day_axis() -> None:
    days, note = day_axis({"a": {"2026-11-20": 2, "2026-11-23": 1}})
    assert days == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"] and note == ""  # zero days drawn
    days, note = day_axis({"a": {"2012-11-23": 1, "2026-11-20": 3, "": 2}})
    assert days == ["2012-11-23", "2026-11-20", ""]
    assert "only days with articles are shown" in note and "2 articles without a publication date" in note
    many = {"a": {f"20{10 + n // 12:02d}-{n % 12 + 1:02d}-01": 1 for n in range(MAX_DAYS + 5)}}
    days, note = day_axis(many)
    assert len(days) == MAX_DAYS and "5 articles of the 5 earliest days are not shown" in note


# ----- the command ---------------------------------------------------------------------------------


def report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "report", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_command_writes_the_page_beside_the_store(db: Path) -> None:
    done = report("-s", f"SQLITE_PATH={db}")
    assert done.returncode == 0, done.stderr
    out = db.with_name("report.html")
    assert done.stdout.startswith(f"report: {out} (") and "7 articles, 2 outlets, 3 runs)" in done.stdout
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert not list(db.parent.glob("*.part"))


@pytest.mark.parametrize("args, message", [
    (["--since", "last tuesday"], "scrapy report: --since: cannot read date 'last tuesday'"),
    (["--since", "2026-13-45"], "scrapy report: --since: cannot read date '2026-13-45'"),
    (["--since", " "], "scrapy report: --since needs a day (YYYY-MM-DD) or an ISO 8601 time"),
    (["--outlet", " , "], "scrapy report: --outlet needs one or more outlet slugs"),
    (["--outlet", "youm"], "scrapy report: --outlet: unknown outlet 'youm' (no outlet module, nothing stored under "
                           "it; did you mean youm7?)"),
    (["-o", ""], "scrapy report: -o needs a file name"),
    (["-o", "{tmp}"], "is a folder; name a file"),
    (["-o", "{tmp}/report.txt"], "the file name must end in .html or .htm"),
    (["-o", "{db}/report.html"], "is a file, not a folder"),
    (["extra"], "scrapy report: unexpected argument 'extra'"),
])
def test_bad_values_are_one_line_and_a_usage_exit(db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    args = [a.format(tmp=tmp_path, db=db) for a in args]
    done = report(*args, "-s", f"SQLITE_PATH={db}")
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert message in done.stderr
    assert not db.with_name("report.html").exists()


def test_a_missing_store_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "articles.sqlite3"
    done = report("-s", f"SQLITE_PATH={missing}", "-o", str(tmp_path / "r.html"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"scrapy report: no article store at {missing} (run a crawl first, or set " \
                                  "SQLITE_PATH / DATABASE_URL)"
    assert not (tmp_path / "typo").exists() and not (tmp_path / "r.html").exists()


def test_a_database_password_never_reaches_the_output(tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    done = report("-s", "DATABASE_URL=postgresql+psycopg://crawler:s3cret-pw@127.0.0.1:1/news", "-s", "STORE_TIMEOUT=2",
                  "-o", str(tmp_path / "r.html"))
    assert done.returncode == 1
    assert "s3cret-pw" not in done.stderr + done.stdout
    assert done.stderr.startswith("scrapy report: cannot open article store postgresql+psycopg://crawler:***@")
    assert len(done.stderr.strip().splitlines()) == 1


def test_sqlite_path_from_the_environment(db: Path, tmp_path: Path) -> None:
    """`export SQLITE_PATH=...` points the read commands at a store (the README's first hour)."""
    import os

    env = {**os.environ, "SQLITE_PATH": str(db)}
    done = subprocess.run([sys.executable, "-m", "scrapy", "summary"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split() == ["total", "7"]
