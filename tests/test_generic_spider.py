"""The generic spider on sites it has no module for, over real HTTP on 127.0.0.1: it finds the
sitemap through robots.txt and feeds through <link rel="alternate">, keeps article pages and skips
listings, and extracts them with the generic chain."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from parsel import Selector

from crawler.extract.pagetype import article_verdict
from spiders.generic import looks_like_article_path
from tests.sites import FIXTURES, FixtureSite

ROOT = Path(__file__).resolve().parents[1]


def run_generic(start: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"start={start}",
         "-s", f"SQLITE_PATH={tmp / 'store.sqlite3'}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120)


def stored_titles(tmp: Path) -> set[str]:
    con = sqlite3.connect(tmp / "store.sqlite3")
    try:
        return {r[0] for r in con.execute("select title from articles")}
    finally:
        con.close()


def gold_titles(outlet: str) -> set[str]:
    return {json.loads(p.read_text(encoding="utf-8"))["title"] for p in (FIXTURES / outlet).glob("*.gold.json")}


def test_unknown_outlet_from_its_section_page(tmp_path):
    """Youm7's fixture site as if we had no module for it: start at a section page."""
    with FixtureSite("youm7") as site:
        result = run_generic(site.url("https://www.youm7.com/Section/أخبار-عاجلة/65/1"), tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert stored_titles(tmp_path) == gold_titles("youm7")
    assert "'generic/sitemaps_from_robots': 1" in result.stderr


def test_unknown_outlet_from_its_homepage_feed_link(tmp_path):
    """The generic fixture outlet: robots.txt and an Atom feed lead to its article."""
    with FixtureSite("generic") as site:
        result = run_generic(site.base + "/feed/atom/", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert stored_titles(tmp_path) == gold_titles("generic")


def test_start_is_required(tmp_path):
    result = run_generic("", tmp_path)
    assert result.returncode != 0
    assert "needs -a start=" in result.stderr


@pytest.mark.parametrize("path, expected", [
    ("/2026/11/21/city-library-night-hours.html", True),
    ("/story/2026/11/20/slug/7012345", True),
    ("/news/lebanon/905112/%D8%B7%D9%82%D8%B3/ar", True),
    ("/a-long-story-slug-with-words", True),
    ("/", False),
    ("/tag/economy", False),
    ("/Tags/Index", False),
    ("/category/sports/", False),
    ("/author/rana", False),
    ("/about", False),
    ("/2026/11/21/photo.jpg", False),
])
def test_article_path_shapes(path, expected):
    assert looks_like_article_path(path) is expected


def _page(body: str, head: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


SENTENCE = "<p>قالت البلدية في بيان صدر اليوم إن أعمال الصيانة في الشارع الرئيسي ستستمر حتى نهاية الشهر المقبل بسبب الأمطار الأخيرة.</p>"
TEASERS = "".join(f'<p><a href="/s/{i}">عنوان خبر قصير رقم {i} عن موضوع ما في المدينة اليوم مع تفاصيل قليلة</a></p>' for i in range(10))


@pytest.mark.parametrize("selector, expected", [
    (_page("", '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}</script>'), (True, "json_ld")),
    (_page("", '<meta property="og:type" content="article">'), (True, "og_type")),
    (_page("", '<meta property="og:type" content="video.other">'), (False, "og_type")),
    (_page(SENTENCE * 6), (True, "text_density")),  # six sentence-long paragraphs, ~660 characters
    (_page(TEASERS), (False, "text_density")),
    (_page(SENTENCE * 2), (False, "text_density")),
])
def test_article_verdict(selector, expected):
    assert article_verdict(selector) == expected
