"""Self-healing outlet modules, end to end over real HTTP on 127.0.0.1: real ``scrapy crawl``
processes of the youm7 spider against changed copies of its fixture site (made here, from the
fixture pages we wrote), into a real SQLite store whose ``runs`` table gives the run's stats.

- layout drift: the article pages' classes and ids renamed, as in a redesign — every article is
  still stored through the generic chain, the run fails its monitors (exit status 3) with the
  drift message, and the ``layout/*`` stats say which selectors missed;
- discovery fallback: every declared source answers 404 — the homepage's robots.txt sitemap,
  announced feed and own links lead to the articles;
- stale article pattern: the site moved its articles to a new URL shape — probes keep them,
  listings are rejected;
- ``scrapy outlets`` over the runs these crawls stored.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from crawler.monitors import EXIT_MONITORS_FAILED
from crawler.storage import ArticleStore
from tests.sites import FIXTURES, FixtureSite, load_manifest

ROOT = Path(__file__).resolve().parents[1]
OUTLET = "youm7"
HOME = "https://www.youm7.com"


def declared_sources(outlet: str = OUTLET) -> list[str]:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    return [s.url for s in SpiderLoader.from_settings(get_project_settings()).load(outlet).sources]


def gold_titles(outlet: str = OUTLET) -> set[str]:
    return {json.loads(p.read_text(encoding="utf-8"))["title"] for p in (FIXTURES / outlet).glob("*.gold.json")}


def copy_site(dest: Path, outlet: str = OUTLET) -> tuple[Path, dict]:
    """A copy of an outlet's fixture folder to change; (folder, manifest)."""
    shutil.copytree(FIXTURES / outlet, dest)
    return load_manifest(dest)


def save_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def edit_files(folder: Path, pattern: str, edit) -> None:
    for path in folder.glob(pattern):
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


def run_crawl(sources: list[str], store: Path, *args: str, spider: str = OUTLET) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"sources={','.join(sources)}",
           "-s", f"SQLITE_PATH={store}", "-s", f"SPOOL_PATH={store.with_suffix('.spool.jsonl')}",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def last_run(store: Path, outlet: str = OUTLET) -> dict:
    s = ArticleStore(f"sqlite:///{store}")
    try:
        return s.latest_runs(outlet)[outlet]
    finally:
        s.close()


def stored_titles(store: Path, outlet: str = OUTLET) -> set[str]:
    con = sqlite3.connect(store)
    try:
        return {r[0] for r in con.execute("select title from articles where outlet = ?", (outlet,))}
    finally:
        con.close()


def summary_line(log: str, outlet: str = OUTLET) -> str:
    return next(line.split("INFO: ", 1)[1] for line in log.splitlines() if f"summary {outlet}:" in line)


# ----- layout drift ----------------------------------------------------------------------------

# A redesign as the crawler sees it: the containers the module's selectors name got new classes/ids.
RENAMED = {"articleBody": "storyText", "newsStoryDate": "storyStamp", "writeBy": "storyByline",
           "articleHeader": "storyHead", "breadcumb": "crumbs"}


def redesign(html: str) -> str:
    for old, new in RENAMED.items():
        html = re.sub(rf'((?:class|id)="(?:[^"]*\s)?){old}(?=[\s"])', rf"\g<1>{new}", html)
    return html


@pytest.fixture(scope="module")
def runs_store(tmp_path_factory) -> dict:
    """One store written by two real crawls: youm7 on its redesigned site, and lbci on its own
    fixture site (a healthy run), for the drift test and ``scrapy outlets``."""
    tmp = tmp_path_factory.mktemp("runs")
    folder, _ = copy_site(tmp / "site")
    edit_files(folder, "story-*.html", redesign)
    store = tmp / "store.sqlite3"
    with FixtureSite(folder) as site:
        drift = run_crawl([site.url(u) for u in declared_sources()], store)
    with FixtureSite("lbci") as site:
        served = {p["url"] for p in load_manifest("lbci")[1]["pages"]}
        healthy = run_crawl([site.url(u) for u in declared_sources("lbci") if u in served], store, spider="lbci")
    return {"store": store, "drift": drift, "healthy": healthy}


def test_redesigned_pages_are_stored_through_the_fallback_and_the_run_is_marked_drifted(runs_store):
    result, store = runs_store["drift"], runs_store["store"]
    log = result.stderr
    assert "storyText" in redesign('<div class="x articleBody" id="articleBody">')  # the edit does something
    assert result.returncode == EXIT_MONITORS_FAILED, log[-3000:]
    assert stored_titles(store) == gold_titles()  # every article, through the generic chain
    stats = last_run(store)["stats"]
    pages = stats["layout/pages"]
    assert pages == len(gold_titles()) == 3
    for field in ("body", "published_at"):
        assert stats[f"layout/miss/{field}"] == pages, field
        assert stats[f"layout/fallback/{field}"] == pages, field
        assert len(stats[f"layout/examples/{field}"]) == 2
    assert "layout/miss/title" not in stats  # "h1" still finds the headline
    examples = ", ".join(unquote(url) for url in stats["layout/examples/body"])
    message = (f"LayoutDriftMonitor: {OUTLET}: selectors missed body on 100% of 3 article pages ({examples}): "
               "the layout may have changed")
    assert message in log
    assert f"{OUTLET}: selectors missed published_at on 100% of 3 article pages" in log
    assert stats["monitors/failed"] == 1
    assert any("selectors missed body" in f for f in stats["monitors/failures"])
    line = summary_line(log)
    assert "selectors missed body 3/3, published_at 3/3 pages (filled by the generic chain)" in line
    print("\n" + line + "\n" + next(x for x in log.splitlines() if "monitors failed for" in x))


def test_the_healthy_run_passes(runs_store):
    result = runs_store["healthy"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "LayoutDriftMonitor/test_selectors_find_core_fields... OK" in result.stderr


# ----- discovery fallback ----------------------------------------------------------------------

HOMEPAGE = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>اليوم السابع</title>
<link rel="alternate" type="application/rss+xml" title="آخر الأخبار" href="{home}/feeds/latest.xml">
</head><body><nav><a href="/">الرئيسية</a> <a href="/Section/أخبار-عاجلة/65/1">أخبار عاجلة</a>
<a href="/Tags/Index?id=310442&amp;tag=الحرف-التراثية">الحرف التراثية</a></nav>
<main><h2><a href="{story}">خبر اليوم</a></h2></main></body></html>"""
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>آخر الأخبار</title>
<item><title>خبر</title><link>{story}</link></item></channel></rss>"""
SITEMAP = """<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{story}</loc></url></urlset>"""


def test_dead_declared_sources_fall_back_to_the_homepage(tmp_path):
    """Every declared source answers 404. robots.txt names a sitemap (one story), the homepage
    announces a feed (another) and links the third: all three are found and stored."""
    folder, manifest = copy_site(tmp_path / "site")
    sources = declared_sources()
    stories = [p["url"] for p in manifest["pages"] if "/story/" in p["url"]]
    assert len(stories) == 3
    manifest["pages"] = [p for p in manifest["pages"] if p["url"] not in sources]  # 404 from now on
    files = {"robots.txt": f"User-agent: *\nAllow: /\n\nSitemap: {HOME}/sitemaps/latest.xml\n",
             "sitemap-latest.xml": SITEMAP.format(story=stories[0]),
             "feed-latest.xml": FEED.format(story=stories[1]),
             "home.html": HOMEPAGE.format(home=HOME, story=stories[2].removeprefix(HOME))}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    manifest["pages"] += [
        {"url": f"{HOME}/sitemaps/latest.xml", "file": "sitemap-latest.xml", "content_type": "application/xml"},
        {"url": f"{HOME}/feeds/latest.xml", "file": "feed-latest.xml", "content_type": "application/rss+xml"},
        {"url": f"{HOME}/", "file": "home.html", "content_type": "text/html; charset=utf-8"},
    ]
    save_manifest(folder, manifest)
    store = tmp_path / "store.sqlite3"
    with FixtureSite(folder) as site:
        result = run_crawl([site.url(u) for u in sources], store)
        asked = list(site.requests)
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    assert stored_titles(store) == gold_titles()
    stats = last_run(store)["stats"]
    assert stats["discovery/fallback"] == 1
    assert stats["discovery/sitemaps_from_robots"] == 1 and stats["discovery/feeds_from_links"] == 1
    assert "every declared source of youm7 failed" in log
    line = summary_line(log)
    assert "discovery fell back to the homepage (every declared source failed)" in line
    assert asked.count("/") == 1  # the fallback ran once
    print("\n" + line)


def test_a_working_source_means_no_fallback(tmp_path):
    """The news sitemap is gone but the feed and section pages answer: no homepage fallback."""
    folder, manifest = copy_site(tmp_path / "site")
    sources = declared_sources()
    manifest["pages"] = [p for p in manifest["pages"] if p["url"] != sources[0]]
    save_manifest(folder, manifest)
    store = tmp_path / "store.sqlite3"
    with FixtureSite(folder) as site:
        result = run_crawl([site.url(u) for u in sources], store)
        asked = list(site.requests)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "discovery/fallback" not in last_run(store)["stats"]
    assert "/" not in asked


# ----- stale article patterns ------------------------------------------------------------------

def test_articles_outside_a_stale_pattern_are_kept_by_probes(tmp_path):
    """The site moved its stories from /story/<date>/<slug>/<id> to /News/<id>/<slug>, which the
    module's pattern does not know; a section listing with a story-like address is linked too."""
    folder, manifest = copy_site(tmp_path / "site")
    moved = {}
    for page in manifest["pages"]:
        m = re.fullmatch(re.escape(HOME) + r"/story/\d{4}/\d{1,2}/\d{1,2}/([^/]+)/(\d+)", page["url"])
        if m:
            moved[page["url"].removeprefix(HOME)] = f"/News/{m.group(2)}/{m.group(1)}"
            page["url"] = HOME + moved[page["url"].removeprefix(HOME)]
    assert len(moved) == 3

    def move(text: str) -> str:
        for old, new in moved.items():
            text = text.replace(old, new)
        return text

    listing = "/Archive/2026/11/21"  # a day's listing: a dated path, shaped like a story
    for pattern in ("*.xml", "*.html"):
        edit_files(folder, pattern, move)
    edit_files(folder, "section-65-page-1.html",
               lambda html: html.replace("</body>", f'<a href="{listing}">أرشيف اليوم</a></body>'))
    manifest["pages"].append({"url": HOME + listing, "file": "section-65-page-2.html"})
    save_manifest(folder, manifest)
    store = tmp_path / "store.sqlite3"
    with FixtureSite(folder) as site:
        result = run_crawl([site.url(u) for u in declared_sources()], store)
    log = result.stderr
    assert stored_titles(store) == gold_titles(), log[-3000:]
    stats = last_run(store)["stats"]
    assert stats["layout/pattern_miss"] == 3
    assert stats["layout/pattern_probe_rejected"] == 1  # the listing
    assert stats["layout/pattern_probes"] == 4
    assert len(stats["layout/examples/pattern_miss"]) == 2
    assert result.returncode == EXIT_MONITORS_FAILED
    assert f"LayoutDriftMonitor: {OUTLET}: the article pattern missed 100% of 3 article pages (" in log
    assert "the URL pattern may be stale" in log
    assert "3 articles outside the article pattern (kept by probes)" in summary_line(log)


# ----- scrapy outlets --------------------------------------------------------------------------

def outlets_cmd(store: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "outlets", "-s", f"SQLITE_PATH={store}", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_outlets_lists_the_drifted_module_first(runs_store):
    result = outlets_cmd(runs_store["store"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    print("\n" + result.stdout)
    assert lines[0].split()[:2] == ["outlet", "last"]
    assert re.match(r"! youm7 +\d{4}-\d\d-\d\d \d\d:\d\d +3 +3 +0%/0% +100%/- +100%/\S+ +declared +0 +FAILED$",
                    lines[1]), lines[1]
    assert re.match(r"  lbci +\S+ \S+ +3 +3 .* declared +0 +passed$", lines[2]), lines[2]
    assert "1 of 2 outlets need attention:" in result.stdout
    assert "! youm7: monitors failed, selectors missed" in result.stdout
    assert "LayoutDriftMonitor: youm7: selectors missed body on 100% of 3 article pages" in result.stdout
    assert "no run stored: alarabiya, alaraby, " in result.stdout  # the modules no run has tried yet

    only = outlets_cmd(runs_store["store"], "--outlet", "lbci", "--json")
    rows = [json.loads(x) for x in only.stdout.splitlines()]
    assert [r["outlet"] for r in rows] == ["lbci"] and rows[0]["attention"] == []
    assert outlets_cmd(runs_store["store"], "--since", "2999-01-01").stdout.startswith("no crawl runs stored since")


@pytest.mark.parametrize("args, message", [
    (["--since", "last tuesday"], "scrapy outlets: --since: cannot read date 'last tuesday'"),
    (["--outlet", " , "], "scrapy outlets: --outlet needs one or more outlet slugs"),
    (["youm7"], "scrapy outlets: unexpected argument 'youm7'"),
    (["--outlet", "youm7,nosuch"], "scrapy outlets: --outlet: unknown outlet 'nosuch' (no outlet module, nothing "
                                   "stored under it; `scrapy list` names the outlet modules)"),
])
def test_outlets_bad_options_are_one_line_errors(tmp_path, args, message):
    ArticleStore(f"sqlite:///{tmp_path / 'store.sqlite3'}").close()  # an empty store
    result = outlets_cmd(tmp_path / "store.sqlite3", *args)
    assert result.returncode == 2  # a usage error, as scrapy crawl's
    assert result.stderr.strip() == message or result.stderr.strip().startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_outlets_on_a_missing_store_says_so_and_creates_nothing(tmp_path):
    result = outlets_cmd(tmp_path / "typo" / "store.sqlite3")
    assert result.returncode == 1
    assert result.stderr.strip() == (f"scrapy outlets: no article store at {tmp_path / 'typo' / 'store.sqlite3'} "
                                     "(run a crawl first, or set SQLITE_PATH / DATABASE_URL)")
    assert not (tmp_path / "typo").exists()


def test_outlets_on_an_unreadable_store_is_a_one_line_error(tmp_path):
    bad = tmp_path / "store.sqlite3"
    bad.write_bytes(b"this is not a database, " * 100)
    result = outlets_cmd(bad)
    assert result.returncode == 1
    assert result.stderr.startswith("scrapy outlets: cannot open article store sqlite:///")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_store_that_is_down_costs_the_run_record_a_warning_not_the_crawl(tmp_path):
    with FixtureSite("lbci") as site:
        served = {p["url"] for p in load_manifest("lbci")[1]["pages"]}
        result = run_crawl([site.url(u) for u in declared_sources("lbci") if u in served], tmp_path / "s.sqlite3",
                           "-s", "DATABASE_URL=postgresql+psycopg://crawler:s3cret@127.0.0.1:1/news", spider="lbci")
    log = result.stderr
    assert "summary lbci: " in log and "[crawler.runs] ERROR" not in log and "Unhandled" not in log
    assert "run stats of lbci not stored: cannot open article store postgresql+psycopg://crawler:***@127.0.0.1:1/news" \
        in log
    assert "s3cret" not in log
