"""End to end: each outlet spider crawls its fixture site over real HTTP on 127.0.0.1 — news
sitemap / sitemap index, feed, section page with pagination, articles — through every pipeline
into a real SQLite store and a JSONL feed; then the stored rows are checked against the fixtures'
hand-written gold files."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.sites import FIXTURES, FixtureSite, load_manifest

ROOT = Path(__file__).resolve().parents[1]
OUTLETS = sorted(p.name for p in FIXTURES.iterdir() if (p / "manifest.json").exists() and p.name != "generic") \
    if FIXTURES.exists() else []


def golds(outlet: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / outlet).glob("*.gold.json"))]


def discovery_urls(outlet: str) -> list[str]:
    """The spider's own declared sources that the fixture site serves."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    spidercls = SpiderLoader.from_settings(get_project_settings()).load(outlet)
    _, manifest = load_manifest(outlet)
    served = {p["url"] for p in manifest["pages"]}
    urls = [s.url for s in spidercls.sources if s.url in served]
    assert urls, f"{outlet}: the fixture site serves none of the spider's sources"
    return urls


def crawl(outlet: str, site: FixtureSite, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    sources = ",".join(site.url(u) for u in discovery_urls(outlet))
    cmd = [sys.executable, "-m", "scrapy", "crawl", outlet, "-a", f"sources={sources}",
           "-s", f"SQLITE_PATH={tmp / 'store.sqlite3'}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO",
           "-O", f"{tmp / 'items.jsonl'}:jsonl", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def stored(tmp: Path) -> list[dict]:
    con = sqlite3.connect(tmp / "store.sqlite3")
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("select * from articles")]
    finally:
        con.close()


def path_of(url: str) -> str:
    return unquote(urlsplit(url).path).rstrip("/")


@pytest.mark.parametrize("outlet", OUTLETS)
def test_outlet_crawl_stores_every_fixture_article(outlet, tmp_path):
    with FixtureSite(outlet) as site:
        result = crawl(outlet, site, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = stored(tmp_path)
    gold = golds(outlet)
    by_path = {path_of(r["url"]): r for r in rows}
    assert sorted(by_path) == sorted(path_of(g["url"]) for g in gold), result.stderr[-2000:]
    for g in gold:
        row = by_path[path_of(g["url"])]
        assert row["title"] == g["title"]
        assert row["outlet"] == outlet
        if g.get("published_at"):
            assert (row["published_at"] or "")[:10] == g["published_at"][:10]
        assert sorted(json.loads(row["authors"])) == sorted(g.get("authors") or [])
        assert json.loads(row["tags"]) == (g.get("tags") or [])
        body = row["body"]
        assert body.startswith(g["body_first"][:30])
        assert g["body_last"][-30:] in body[-300:]
        for snippet in g.get("must_contain", []):
            assert snippet in body
        for snippet in g.get("must_not_contain", []):
            assert snippet not in body
        related = {r["title"] for r in json.loads(row["related"])}
        assert {r["title"] for r in g.get("related") or []} <= related
    # the JSONL feed holds the same articles, UTF-8, unescaped
    lines = (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(gold)
    assert "\\u06" not in lines[0]
    # the crawl summary is logged
    assert f"summary {outlet}:" in result.stderr


@pytest.mark.parametrize("outlet", OUTLETS[:1])
def test_since_and_limit_arguments(outlet, tmp_path):
    gold = golds(outlet)
    recent = [g for g in gold if g["published_at"] >= "2026"]
    assert 0 < len(recent) < len(gold), "fixtures need one old article"
    with FixtureSite(outlet) as site:
        result = crawl(outlet, site, tmp_path, "-a", "since=2026-01-01")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(path_of(r["url"]) for r in stored(tmp_path)) == sorted(path_of(g["url"]) for g in recent)

    other = tmp_path / "limited"
    other.mkdir()
    with FixtureSite(outlet) as site:
        result = crawl(outlet, site, other, "-a", "limit=1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(stored(other)) == 1


def test_bad_spider_argument_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "youm7", "-a", "since=yesterday-ish",
                             "-s", f"SQLITE_PATH={tmp_path / 's.sqlite3'}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "cannot read date 'yesterday-ish'" in result.stderr


def test_replayed_crawl_stores_the_same_items_as_the_recorded_one(tmp_path):
    """Record an outlet crawl over loopback into a WARC, stop the server, replay the same crawl from
    the archive: the stored rows are identical (apart from fetch times)."""
    outlet = "lbci"
    live, replay = tmp_path / "live", tmp_path / "replay"
    live.mkdir()
    replay.mkdir()
    archive = tmp_path / "crawl.warc.gz"
    with FixtureSite(outlet) as site:
        result = crawl(outlet, site, live, "-s", f"WARC_OUTPUT={archive}")
    assert result.returncode == 0, result.stderr[-2000:]
    # the server is gone: anything not in the archive would fail, and the sources point at it
    result2 = crawl(outlet, site, replay, "-s", f"REPLAY_WARC={archive}")
    assert result2.returncode == 0, result2.stderr[-2000:]
    assert "'warc/replay_hits'" in result2.stderr

    def rows(folder):
        out = {}
        for r in stored(folder):
            for volatile in ("fetched_at", "first_seen", "last_seen"):
                r.pop(volatile)
            out[r["url"]] = r
        return out

    recorded, replayed = rows(live), rows(replay)
    assert len(recorded) == len(golds(outlet))
    assert replayed == recorded
