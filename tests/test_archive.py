"""Archives as input (issue 16): locations and CC-NEWS listings, streamed records and their caps, the
language check, `scrapy crawl archive` over a CC-NEWS-shaped mirror on 127.0.0.1, the same row from
a replayed crawl and from an archive, and `scrapy extract` on a gzip bomb (issue 13, finding 6)."""

from __future__ import annotations

import gzip
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from w3lib.url import safe_url_string

from crawler.archive import (
    ArchiveSourceError,
    arabic_page,
    expand_sources,
    file_key,
    iter_pages,
    resolve,
    select_by_date,
)
from crawler.archive_files import FileLedger
from tests.archive_warcs import (
    CC_MONTH,
    ENGLISH_PAGE,
    MISLABELLED_PAGE,
    StaticServer,
    append_chunked,
    append_revisit_and_metadata,
    build_cc_news,
    fixture_page,
    write_records,
)

ROOT = Path(__file__).resolve().parents[1]
DAY = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
VOLATILE = ("fetched_at", "first_seen", "last_seen")


def run_scrapy(*args: str, cwd: Path = ROOT, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def stats_of(log: str) -> dict[str, int]:
    """The numeric stats of the crawl's final stats dump."""
    return {k: int(v) for k, v in re.findall(r"'([a-z_]+/[^']+)': (\d+)", log)}


def rows(store: Path, table: str = "articles") -> list[dict]:
    con = sqlite3.connect(store)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(f"select * from {table}")]  # noqa: S608 - our own table names
    finally:
        con.close()


# ----------------------------------------------------------------------------- locations


@pytest.mark.parametrize(("location", "resolved", "key"), [
    ("s3://commoncrawl/crawl-data/CC-NEWS/2025/03/CC-NEWS-20250301000000-00001.warc.gz",
     "https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/03/CC-NEWS-20250301000000-00001.warc.gz",
     "crawl-data/CC-NEWS/2025/03/CC-NEWS-20250301000000-00001.warc.gz"),
    ("https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/03/warc.paths.gz",
     "https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/03/warc.paths.gz",
     "crawl-data/CC-NEWS/2025/03/warc.paths.gz"),
    ("crawl-data/CC-NEWS/2025/03/CC-NEWS-20250301000000-00001.warc.gz",  # a listing's relative key
     "https://data.commoncrawl.org/crawl-data/CC-NEWS/2025/03/CC-NEWS-20250301000000-00001.warc.gz",
     "crawl-data/CC-NEWS/2025/03/CC-NEWS-20250301000000-00001.warc.gz"),
    ("https://archive.example.org/a.warc.gz", "https://archive.example.org/a.warc.gz",
     "https://archive.example.org/a.warc.gz"),
])
def test_common_crawl_locations_map_to_https_and_one_key(location, resolved, key):
    assert resolve(location) == resolved
    assert file_key(location) == key


def test_a_mirror_gives_the_same_key_and_other_buckets_are_refused(tmp_path):
    s3 = "s3://commoncrawl/crawl-data/CC-NEWS/2025/03/x.warc.gz"
    assert resolve(s3, "http://127.0.0.1:8000/") == "http://127.0.0.1:8000/crawl-data/CC-NEWS/2025/03/x.warc.gz"
    assert file_key(s3, "http://127.0.0.1:8000") == file_key(s3) == "crawl-data/CC-NEWS/2025/03/x.warc.gz"
    assert file_key("a.warc.gz") == str(Path("a.warc.gz").resolve())
    with pytest.raises(ArchiveSourceError, match="only s3://commoncrawl/"):
        resolve("s3://private-bucket/a.warc.gz")


def test_a_date_window_selects_the_cc_news_files_that_can_hold_it():
    names = [f"{CC_MONTH}/CC-NEWS-202503{d:02d}000000-{n:05d}.warc.gz" for n, d in enumerate((1, 2, 5, 9), 1)]
    since, until = datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 6, tzinfo=UTC)
    # the file of 2 March runs until the one of 5 March starts, so it can hold 3-4 March
    assert select_by_date(names, since, until) == names[1:3]
    assert select_by_date(names, None, None) == names
    assert select_by_date(["mine.warc.gz", *names], since, until) == ["mine.warc.gz", *names[1:3]]


def test_listing_and_cc_news_root_expand_from_a_mirror(tmp_path):
    build_cc_news(tmp_path)
    base = tmp_path.as_uri() + "/"
    listing = f"s3://commoncrawl/{CC_MONTH}/warc.paths.gz"
    files = expand_sources([listing], DAY.replace(hour=0), datetime(2025, 3, 2, 23, 59, tzinfo=UTC), base)
    assert [f.rsplit("/", 1)[-1] for f in files] == ["CC-NEWS-20250301000000-00001.warc.gz",
                                                     "CC-NEWS-20250302000000-00002.warc.gz"]
    assert expand_sources(["s3://commoncrawl/crawl-data/CC-NEWS/"], datetime(2025, 3, 4, tzinfo=UTC),
                          datetime(2025, 3, 31, tzinfo=UTC), base)[-1].endswith("CC-NEWS-20250305000000-00003.warc.gz")
    with pytest.raises(ArchiveSourceError, match="needs a date window"):
        expand_sources(["s3://commoncrawl/crawl-data/CC-NEWS/"], None, None, base)
    with pytest.raises(ArchiveSourceError, match="cannot open"):
        expand_sources([str(tmp_path / "missing.paths")])


# ------------------------------------------------------------------------------- records


def _all_kinds(path: Path) -> None:
    url, body = fixture_page("youm7", "story-7012345.html")
    write_records(path, [
        {"url": url, "body": body},
        {"url": "https://www.youm7.com/old", "status": 301, "body": b"", "headers": [("Location", url)]},
        {"url": "https://www.youm7.com/a.jpg", "content_type": "image/jpeg", "body": b"\xff\xd8" * 50},
        {"url": "https://other.example.com/2025/03/01/x-y-z-w/", "body": ENGLISH_PAGE},
        {"url": "https://www.youm7.com/gz", "body": gzip.compress(body, mtime=0), "headers": [("Content-Encoding", "gzip")]},
        {"url": "https://www.youm7.com/late", "body": body, "date": datetime(2025, 4, 1, tzinfo=UTC)},
    ], DAY)
    append_revisit_and_metadata(path, url, DAY)
    append_chunked(path, "https://www.youm7.com/chunked", body, DAY)


@pytest.mark.parametrize("compressed", [True, False])
def test_records_are_streamed_filtered_and_counted(tmp_path, compressed):
    path = tmp_path / "all.warc.gz"
    _all_kinds(path)
    if not compressed:  # the same file as plain WARC
        path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
        path = path.with_suffix("")
    counts: Counter = Counter()
    with path.open("rb") as fh:
        pages = list(iter_pages(fh, counts, max_size=1_000_000, until=datetime(2025, 3, 31, tzinfo=UTC)))
    _, body = fixture_page("youm7", "story-7012345.html")
    assert [p.url.rstrip("/").rsplit("/", 1)[-1] for p in pages] == ["7012345", "x-y-z-w", "gz", "chunked"]
    assert all(p.body in (body, ENGLISH_PAGE) for p in pages)  # gzip and chunked framing undone
    assert all(name.lower() not in (b"content-encoding", b"transfer-encoding") for p in pages for name, _ in p.headers)
    assert counts["archive/records/revisit"] == 1
    assert counts["archive/records/metadata"] == 1
    assert counts["archive/records/request"] == 6
    assert counts["archive/skipped/status"] == 1
    assert counts["archive/skipped/not_html"] == 1
    assert counts["archive/skipped/date"] == 1
    counts.clear()
    with path.open("rb") as fh:
        assert [p.url for p in iter_pages(fh, counts, hosts=("other.example.com",))] == \
            ["https://other.example.com/2025/03/01/x-y-z-w/"]
    assert counts["archive/skipped/host"] == 6


def test_payloads_and_content_encodings_are_capped(tmp_path):
    """A 1 KB record that inflates to 40 MB, and a payload over the cap, are refused without
    being held whole."""
    path = tmp_path / "bomb.warc.gz"
    bomb = gzip.compress(b"<html><body><p>" + b" " * (40 * 1024 * 1024), compresslevel=9)
    write_records(path, [
        {"url": "https://www.youm7.com/bomb", "body": bomb, "headers": [("Content-Encoding", "gzip")]},
        {"url": "https://www.youm7.com/big", "body": b"<p>" + b"x" * 300_000},
        {"url": "https://www.youm7.com/odd", "body": b"abc", "headers": [("Content-Encoding", "compress")]},
        {"url": "https://www.youm7.com/ok", "body": b"<html><body>ok</body></html>"},
    ], DAY)
    assert path.stat().st_size < 5_000
    counts: Counter = Counter()
    with path.open("rb") as fh:
        assert [p.url for p in iter_pages(fh, counts, max_size=200_000)] == ["https://www.youm7.com/ok"]
    assert counts["archive/skipped/too_large"] == 2
    assert counts["archive/skipped/encoding"] == 1


@pytest.mark.parametrize(("html", "headers", "expected"), [
    (b"<html lang='ar' dir='rtl'><body>whatever</body></html>", {}, (True, "lang")),
    (b"<html lang=\"ar-EG\"><body></body></html>", {}, (True, "lang")),
    (ENGLISH_PAGE, {}, (False, "lang")),
    (MISLABELLED_PAGE, {}, (True, "script_mislabelled")),
    ("<html><body><p>أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المحافظات الجنوبية</p></body></html>".encode(),
     {}, (True, "script")),
    (b"<html><body><p>The government announced a new plan for farmers in the south today.</p></body></html>",
     {}, (False, "script")),
    (b"<html><body><p>Le gouvernement a annonce un plan pour les agriculteurs.</p></body></html>",
     {"Content-Language": "fr"}, (False, "lang")),
    # Persian: the Arabic script, not the Arabic language (declared, or told by its letters)
    ("<html lang='fa'><body><p>دولت امروز برنامه جدیدی برای کشاورزان اعلام کرد</p></body></html>".encode(), {},
     (False, "lang")),
    ("<html><body><p>دولت امروز برنامه جدیدی برای کشاورزان استان‌های جنوبی اعلام کرد و گفت که پروژه "
     "شامل پل‌های جدید است و چند ماه طول می‌کشد تا کار آغاز شود</p></body></html>".encode(), {},
     (False, "script")),
    # a big inline script first: the text after it decides, not the script's Latin letters
    ("<html><body><script>var a = 'abcdefghijklmnopqrstuvwxyz'.repeat(500);</script>"
     "<p>أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المحافظات الجنوبية</p></body></html>".encode(),
     {}, (True, "script")),
])
def test_language_by_lang_attribute_then_script_share(html, headers, expected):
    response = HtmlResponse("https://e.com/a", body=html, headers=headers, encoding=None)
    assert arabic_page(response) == expected


# -------------------------------------------------------------------------- the crawl


def test_cc_news_month_over_loopback_stores_each_arabic_article_once_and_resumes(tmp_path):
    """`scrapy crawl archive` over s3:// paths mapped to a loopback mirror in CC-NEWS's layout: the
    listing's date window opens two of three files; English, non-article, redirect, image, revisit
    and late records are counted and skipped; the Arabic articles (an outlet module's, the generic
    chain's, gzip'd, chunked, lang="en" but Arabic) are stored; the files are done, and a second run
    opens neither."""
    mirror = tmp_path / "mirror"
    expected = build_cc_news(mirror)
    store = tmp_path / "store.sqlite3"
    args = ["crawl", "archive", "-a", f"warc=s3://commoncrawl/{CC_MONTH}/warc.paths.gz",
            "-a", "since=2025-03-01", "-a", "until=2025-03-02", "-s", f"SQLITE_PATH={store}",
            "-s", f"SPOOL_PATH={tmp_path / 'spool.jsonl'}", "-s", "PAGE_WORKERS=0"]
    with StaticServer(mirror) as server:
        first = run_scrapy(*args, "-s", f"ARCHIVE_CC_BASE={server.base}/")
        assert first.returncode == 0, first.stderr[-3000:]
        opened = [p for p in server.requests if p.endswith(".warc.gz")]
        assert sorted(p.rsplit("/", 1)[-1] for p in opened) == ["CC-NEWS-20250301000000-00001.warc.gz",
                                                                 "CC-NEWS-20250302000000-00002.warc.gz"]
        stored = {r["url"]: r for r in rows(store)}
        assert set(stored) == {safe_url_string(u) for u in expected["articles"]}, first.stderr[-3000:]
        stats = stats_of(first.stderr)
        assert stats["archive/not_arabic/lang"] == 1
        assert stats["archive/lang/script_mislabelled"] == 1
        assert stats["archive/not_article/url"] == 1  # the youm7 section page, never parsed
        assert stats["archive/records/revisit"] == 1
        assert stats["archive/skipped/date"] == 1
        assert stats["archive/skipped/status"] == 1 and stats["archive/skipped/not_html"] == 1
        assert stats["archive/files/done"] == 2
        assert {r["outlet"] for r in stored.values()} == {"youm7", "akhbar-example.net", "example-news.net"}
        # fetched_at is when the page was archived
        assert {r["fetched_at"][:10] for r in stored.values()} == {"2025-03-01", "2025-03-02"}
        ledger = rows(store, "archive_files")
        assert sorted(r["file"] for r in ledger) == expected["keys"][:2]
        assert {r["state"] for r in ledger} == {"done"}

        server.requests.clear()
        second = run_scrapy(*args, "-s", f"ARCHIVE_CC_BASE={server.base}/")
        assert second.returncode == 0, second.stderr[-3000:]
        assert not [p for p in server.requests if p.endswith(".warc.gz")]
        assert stats_of(second.stderr)["archive/files/skipped_done"] == 2
    assert len(rows(store)) == len(expected["articles"])


def test_an_article_from_a_replayed_crawl_and_from_the_archive_is_the_same_row(tmp_path):
    """The same pages reached by `scrapy crawl youm7` / `scrapy crawl generic` replayed from a WARC,
    and by `scrapy crawl archive` over that WARC: the same keys, every field equal (fetch times
    aside), and the archive run over the crawl's store adds no row and no version."""
    archive = tmp_path / "sites.warc.gz"
    build = subprocess.run([sys.executable, "demo/build_warc.py", str(ROOT / "tests/fixtures/sites/youm7"),
                            str(ROOT / "tests/fixtures/sites/generic"), "-o", str(archive)],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert build.returncode == 0, build.stderr

    def settings(store: Path) -> list[str]:
        return ["-s", f"SQLITE_PATH={store}", "-s", f"SPOOL_PATH={store.with_suffix('.spool')}", "-s", "PAGE_WORKERS=0"]

    crawled, archived = tmp_path / "crawl.sqlite3", tmp_path / "archive.sqlite3"
    for spider in (["youm7"], ["generic", "-a", "start=https://www.akhbar-example.net/feed/atom/"]):
        result = run_scrapy("crawl", *spider, "-s", f"REPLAY_WARC={archive}", *settings(crawled))
        assert result.returncode == 0, result.stderr[-3000:]
    result = run_scrapy("crawl", "archive", "-a", f"warc={archive}", *settings(archived))
    assert result.returncode == 0, result.stderr[-3000:]

    def by_key(store: Path) -> dict[str, dict]:
        out = {}
        for row in rows(store):
            for name in VOLATILE:
                row.pop(name)
            out[row["canonical_url"]] = row
        return out

    from_crawl, from_archive = by_key(crawled), by_key(archived)
    assert len(from_crawl) == 4  # three youm7 stories and the generic site's one
    assert from_archive == from_crawl

    versions = len(rows(crawled, "article_versions"))
    again = run_scrapy("crawl", "archive", "-a", f"warc={archive}", *settings(crawled))
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(rows(crawled)) == 4
    assert len(rows(crawled, "article_versions")) == versions


def test_file_ledger_claims_once_and_hands_a_dead_owners_file_over(tmp_path):
    ledger = FileLedger(f"sqlite:///{tmp_path / 'l.sqlite3'}")
    assert ledger.claim("f1", "task-a", "w1")
    assert not ledger.claim("f1", "task-b", "w2")  # someone else's, within the lease
    assert ledger.claim("f1", "task-a", "w2")  # the same task run again (its worker died)
    assert ledger.claim("f1", "task-b", "w2", lease=0)  # an expired claim
    ledger.finish("f1", "w2", records=10, articles=3, stats={"archive/records": 10})
    assert not ledger.claim("f1", "task-a", "w1")
    assert ledger.done(["f1", "f2"]) == {"f1"}
    (row,) = ledger.rows()
    assert (row["state"], row["attempts"], row["articles"]) == ("done", 3, 3)
    ledger.close()


def test_a_missing_warc_is_one_logged_error_and_not_done(tmp_path):
    store = tmp_path / "s.sqlite3"
    result = run_scrapy("crawl", "archive", "-a", f"warc={tmp_path / 'nope.warc.gz'}", "-s", f"SQLITE_PATH={store}",
                        "-s", f"SPOOL_PATH={tmp_path / 'spool'}")
    assert "cannot open" in result.stderr
    assert stats_of(result.stderr).get("archive/files/failed") == 1
    assert rows(store, "archive_files") == []


def test_archive_spider_needs_a_warc_argument():
    result = run_scrapy("crawl", "archive")
    assert result.returncode != 0
    assert "needs -a warc=" in result.stderr
