"""Hostile page content the extraction must survive (issue 13, findings 7-9): a JSON-LD block nested
thousands of levels deep, control characters in the page's text, and a page on another host that
declares another site's story as its canonical URL. Each used to lose the page or a stored row."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.arabic import normalize
from crawler.commands.extract import GenericArticleSpider, _crawler
from spiders.generic import GenericSpider

ROOT = Path(__file__).resolve().parents[1]
PARA = ("افتتحت البلدية اليوم مكتبة عامة جديدة في الحي الشمالي تضم آلاف الكتب وقاعات للمطالعة والبحث، "
        "وقال رئيس البلدية إنها ستفتح أبوابها يوميا حتى العاشرة مساء.")
GOOD_LD = json.dumps({"@type": "NewsArticle", "headline": "البلدية تفتتح مكتبة عامة جديدة في الحي الشمالي",
                      "datePublished": "2026-03-12T10:00:00+03:00"}, ensure_ascii=False)


def page(head: str = "", body_text: str = PARA) -> str:
    paragraphs = "".join(f"<p>{body_text}</p>" for _ in range(4))
    return (f"<html lang='ar'><head>{head}</head><body><h1>البلدية تفتتح مكتبة عامة جديدة في الحي الشمالي</h1>"
            f"<article>{paragraphs}</article></body></html>")


def extract(html: str, url: str = "https://news.example.com/2026/03/12/library-1234"):
    spider = GenericArticleSpider()
    spider.crawler = _crawler(GenericArticleSpider, _settings())
    item = spider.extract(HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8"))
    return item, spider.crawler.stats.get_stats()


def _settings():
    from scrapy.utils.project import get_project_settings

    return get_project_settings()


HOSTILE_LD = {
    "deep-object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "deep-list": "[" * 5_000 + "]" * 5_000,
    "many-nodes": json.dumps({"@graph": [{"@type": "Thing", "n": i} for i in range(20_000)]}),
}


@pytest.mark.parametrize("block", HOSTILE_LD.values(), ids=HOSTILE_LD.keys())
def test_a_hostile_json_ld_block_is_skipped_and_counted(block):
    from crawler.extract.structured import JsonLdTooDeep, parse_json_ld

    with pytest.raises(JsonLdTooDeep):
        parse_json_ld(block)
    head = f'<script type="application/ld+json">{block}</script><script type="application/ld+json">{GOOD_LD}</script>'
    item, stats = extract(page(head))
    assert item["published_at"] == "2026-03-12T10:00:00+03:00"  # the page's other block is still read
    assert "مكتبة عامة جديدة" in item["body"]
    assert stats["extract/json_ld_skipped"] == 1


def test_scrapy_extract_survives_a_deep_json_ld_block(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text(page(f'<script type="application/ld+json">{HOSTILE_LD["deep-object"]}</script>'), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "scrapy", "extract", str(path), "--url", "https://news.example.com/a/1"],
                       cwd=ROOT, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()[-1500:]
    assert json.loads(r.stdout)["title"] == "البلدية تفتتح مكتبة عامة جديدة في الحي الشمالي"


@pytest.mark.parametrize("control", ["\x1b", "\x08", "\x01", "\x7f", "\x9b"], ids=["esc", "bs", "soh", "del", "csi"])
def test_one_control_character_does_not_empty_the_body(control):
    text = PARA[:40] + control + PARA[40:]
    item, stats = extract(page(body_text=text))
    assert item["body"] and PARA in item["body"]  # the character is gone, the text is whole
    assert stats["extract/control_chars_stripped"] == 1


def test_clean_strips_control_characters_but_keeps_line_breaks():
    assert normalize("سطر\x1b أول\x08\nسطر\x00 ثان\x0cهنا") == "سطر أول\nسطر ثان هنا"


CANONICAL_PAGE = page('<link rel="canonical" href="{}">')


@pytest.mark.parametrize(("url", "canonical", "kept"), [
    # another host claims a story of the outlet's site: refused, the fetched URL stays the key
    ("https://copycat.example/x/1", "https://www.youm7.com/story/2026/3/12/story/7000001", False),
    # the same site's other host names (www, m.) and the page's own host are its own
    ("https://m.news.example.com/a/1", "https://www.news.example.com/a/1", True),
    ("https://news.example.com/a/1?utm=x", "https://news.example.com/a/1", True),
    ("https://amp.news.example.com/a/1", "https://news.example.com/a/1", True),
], ids=["other-host", "www-and-m", "same-host", "amp"])
def test_a_canonical_url_on_another_host_is_refused(url, canonical, kept):
    item, stats = extract(CANONICAL_PAGE.format(canonical), url)
    assert item["canonical_url"] == (canonical if kept else url)
    assert stats.get("news/canonical_rejected", 0) == (0 if kept else 1)


def test_a_script_url_is_no_canonical():
    item, _ = extract(CANONICAL_PAGE.format("javascript:alert(1)"), "https://news.example.com/a/1")
    assert item["canonical_url"] == "https://news.example.com/a/1"


def test_an_outlet_mirror_may_name_the_outlets_own_story():
    # the generic spider crawling a copy of news.example.com served elsewhere: the outlet's own domains
    spider = GenericSpider(start="https://news.example.com/")
    spider.crawler = _crawler(GenericSpider, _settings())
    html = CANONICAL_PAGE.format("https://www.news.example.com/a/1")
    item = spider.extract(HtmlResponse(url="http://127.0.0.1:8080/a/1", body=html.encode(), encoding="utf-8"))
    assert item["canonical_url"] == "https://www.news.example.com/a/1"
