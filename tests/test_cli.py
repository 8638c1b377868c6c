"""The command line as a user meets it: `scrapy extract`, `scrapy summary`, `scrapy list`, and the
bundled demo archive staying in step with the fixture sites it is built from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sites import FIXTURES, load_manifest

ROOT = Path(__file__).resolve().parents[1]
DEMO_SITES = sorted(str(p) for p in FIXTURES.iterdir() if (p / "manifest.json").exists())


def scrapy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, capture_output=True, timeout=120)


def fixture_article(outlet: str) -> tuple[Path, dict]:
    gold_path = sorted((FIXTURES / outlet).glob("*.gold.json"))[0]
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    return gold_path.with_name(gold_path.name.replace(".gold.json", ".html")), gold


def test_list_shows_the_outlets():
    out = scrapy("list").stdout.decode().split()
    assert {"bbc-arabic", "youm7", "lbci"} <= set(out)


def test_extract_prints_one_utf8_json_object():
    page, gold = fixture_article("youm7")
    result = scrapy("extract", str(page), "--url", gold["url"])
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    text = result.stdout.decode("utf-8")
    assert text.count("\n") == 1 and "\\u06" not in text  # one line, Arabic not escaped
    item = json.loads(text)
    assert item["outlet"] == "youm7"
    assert item["title"] == gold["title"]
    assert set(item) >= {"url", "canonical_url", "body", "authors", "published_at", "published_raw", "related"}


def test_extract_uses_the_generic_chain_for_unknown_outlets():
    page, gold = fixture_article("generic")
    item = json.loads(scrapy("extract", str(page), "--url", gold["url"]).stdout)
    assert item["outlet"] in (None, "")
    assert item["title"] == gold["title"]


def test_extract_reads_a_record_of_a_warc(tmp_path):
    archive = tmp_path / "one.warc.gz"
    build = subprocess.run([sys.executable, "demo/build_warc.py", str(FIXTURES / "lbci"), "-o", str(archive)],
                           cwd=ROOT, capture_output=True, timeout=60)
    assert build.returncode == 0, build.stderr.decode()
    page, gold = fixture_article("lbci")
    from_html = json.loads(scrapy("extract", str(page), "--url", gold["url"]).stdout)
    from_warc = json.loads(scrapy("extract", str(archive), "--url", gold["url"]).stdout)
    for item in (from_html, from_warc):
        item.pop("fetched_at")
    assert from_warc == from_html

    missing = scrapy("extract", str(archive), "--url", "https://www.lbcgroup.tv/news/x/1/none/ar")
    assert missing.returncode != 0
    assert b"is not in" in missing.stderr and b"Traceback" not in missing.stderr


@pytest.mark.parametrize("args, message", [
    (["/no/such/page.html", "--url", "https://www.youm7.com/story/1"], b"cannot read /no/such/page.html"),
    (["tests/sites.py", "--url", "https://x.example/a", "--outlet", "no-such-outlet"], b"unknown outlet 'no-such-outlet'"),
    (["tests/sites.py"], b"--url URL is required"),
])
def test_extract_errors_are_one_line_without_traceback(args, message):
    result = scrapy("extract", *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert b"Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_summary_of_an_empty_store(tmp_path):
    from crawler.storage import ArticleStore

    ArticleStore(f"sqlite:///{tmp_path / 'empty.sqlite3'}").close()  # made by a crawl that stored nothing
    result = scrapy("summary", "-s", f"SQLITE_PATH={tmp_path / 'empty.sqlite3'}", "--json")
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["total"] == 0


def test_demo_archive_is_built_from_the_fixture_sites(tmp_path):
    """demo/demo.warc.gz is reproducible: rebuilding it from the fixtures gives the same bytes."""
    rebuilt = tmp_path / "demo.warc.gz"
    result = subprocess.run([sys.executable, "demo/build_warc.py", *DEMO_SITES, "-o", str(rebuilt)],
                            cwd=ROOT, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert rebuilt.read_bytes() == (ROOT / "demo" / "demo.warc.gz").read_bytes(), \
        "demo/demo.warc.gz is stale: run python demo/build_warc.py tests/fixtures/sites/* -o demo/demo.warc.gz"


def test_every_fixture_outlet_is_a_spider():
    out = set(scrapy("list").stdout.decode().split())
    for site in DEMO_SITES:
        _, manifest = load_manifest(Path(site).name)
        if manifest["outlet"] != "generic":
            assert manifest["outlet"] in out


def test_crawlall_runs_chosen_outlets_in_one_process(tmp_path):
    result = scrapy("crawlall", "--outlets", "youm7,lbci", "-s", "REPLAY_WARC=demo/demo.warc.gz",
                    "-s", f"SQLITE_PATH={tmp_path / 's.sqlite3'}", "-s", f"SPOOL_PATH={tmp_path / 'spool.jsonl'}",
                    "-s", "LOG_LEVEL=INFO")
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    log = result.stderr.decode()
    assert "summary youm7:" in log and "summary lbci:" in log
    counts = json.loads(scrapy("summary", "-s", f"SQLITE_PATH={tmp_path / 's.sqlite3'}", "--json").stdout)
    assert counts["per_outlet"] == {"youm7": 3, "lbci": 3}


def test_crawlall_rejects_unknown_outlets():
    result = scrapy("crawlall", "--outlets", "youm7,no-such-outlet")
    assert result.returncode != 0
    assert b"unknown outlet(s): no-such-outlet" in result.stderr


# ----- bad values on the command line (issue 13, finding 13) --------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["youm7", "-a", "limit=abc"], "-a limit must be a whole number above 0 (the most articles to fetch), not 'abc'"),
    (["youm7", "-a", "limit=-5"], "-a limit must be a whole number above 0 (the most articles to fetch), not '-5'"),
    (["youm7", "-a", "since=yesterday"], "-a since: cannot read date 'yesterday'"),
    (["youm7", "-a", "since=2026-11-20", "-a", "until=2026-11-01"], "-a since 2026-11-20 is after -a until 2026-11-01"),
    (["youm7", "-s", "PAGE_WORKERS=abc"], "-s PAGE_WORKERS must be \"auto\" or a whole number, not 'abc'"),
    (["no-such-spider"], "no spider named 'no-such-spider'"),
    (["generic"], "generic: scrapy crawl generic needs -a start="),
])
def test_bad_crawl_values_are_one_line_and_a_usage_exit(tmp_path, args, message):
    result = scrapy("crawl", *args, "-s", "REPLAY_WARC=demo/demo.warc.gz", "-s", f"SQLITE_PATH={tmp_path / 's.sqlite3'}",
                    "-s", f"SPOOL_PATH={tmp_path / 'spool.jsonl'}")
    err = result.stderr.decode()
    assert result.returncode == 2, err[-2000:]
    assert "Traceback" not in err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("scrapy crawl:")]
    assert message in line
    assert not (tmp_path / "s.sqlite3").exists()  # nothing started


def test_crawlall_checks_the_arguments_once_before_any_outlet_starts(tmp_path):
    result = scrapy("crawlall", "--outlets", "youm7,lbci", "-a", "limit=0", "-s", "REPLAY_WARC=demo/demo.warc.gz",
                    "-s", f"SQLITE_PATH={tmp_path / 's.sqlite3'}")
    err = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in err
    assert [ln for ln in err.splitlines() if ln.startswith("scrapy crawlall:")] == [
        "scrapy crawlall: -a limit must be a whole number above 0 (the most articles to fetch), not '0'"]


@pytest.mark.parametrize("command", [["summary"], ["search", "الأمطار"], ["export", "--format", "jsonl"]])
def test_read_only_commands_never_create_a_store(tmp_path, command):
    """A mistyped SQLITE_PATH used to leave an empty database behind and report 0 articles."""
    missing = tmp_path / "typo" / "articles.sqlite3"
    result = scrapy(*command, "-s", f"SQLITE_PATH={missing}", "-o" if command[0] == "export" else "--json",
                    *([str(tmp_path / "out.jsonl")] if command[0] == "export" else []))
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert err.strip() == f"scrapy {command[0]}: no article store at {missing} (run a crawl first, or set SQLITE_PATH / " \
                          "DATABASE_URL)"
    assert not missing.exists() and not missing.parent.exists()
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"limit": "0"}, "limit must be 1 or more"),
    ({"limit": "-5"}, "limit must be 1 or more"),
    ({"since": "2026-02-01", "until": "2026-01-01"}, "is after until"),
])
def test_the_spider_itself_refuses_bad_values(kwargs, message):
    """scrapyd and `scrapy runspider` start a spider without `scrapy crawl`'s checks."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    spider_cls = SpiderLoader.from_settings(get_project_settings()).load("youm7")
    with pytest.raises(ValueError, match=message):
        spider_cls(**kwargs)
    assert spider_cls(limit="3", since="2026-01-01", until="2026-02-01").limit == 3
