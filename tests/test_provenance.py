"""Provenance and the layout verdict: every field says which step gave it; an outlet module's item
says which of its declared selectors found nothing (the generic chain filled in) and where its
title or date disagrees with the generic chain's. ``scrapy extract --explain`` prints both."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from parsel import Selector

from crawler.commands.extract import explain
from crawler.extract.article import Selectors, extract_article

ROOT = Path(__file__).resolve().parents[1]
URL = "https://www.example-daily.example/news/2026/03/12/port-works-4471"
P1 = ("بدأت هيئة الموانئ أعمال توسعة الرصيف الشمالي في الميناء التجاري، في مشروع يستمر عامين ويهدف إلى "
      "مضاعفة قدرة الميناء على استقبال سفن الحاويات الكبيرة خلال السنوات المقبلة.")
P2 = ("وقال رئيس الهيئة في مؤتمر صحفي إن المشروع سيوفر نحو ألف وظيفة مؤقتة في أثناء التنفيذ، وإن حركة "
      "الملاحة لن تتوقف خلال الأعمال لأن التوسعة تجري على مراحل متتابعة.")
P3 = ("وأضاف أن الهيئة وقعت عقودا مع ثلاث شركات محلية لتوريد مواد البناء، وأن المرحلة الأولى ستنتهي قبل "
      "نهاية العام الجاري إذا سارت الأعمال وفق الجدول الزمني المعتمد.")
LD = json.dumps({"@type": "NewsArticle", "headline": "هيئة الموانئ تبدأ توسعة الرصيف الشمالي للميناء التجاري",
                 "datePublished": "2026-03-12T09:00:00+03:00", "author": {"@type": "Person", "name": "رامي حداد"}},
                ensure_ascii=False)
def html(stamp: str, wrap: str, h: str, by: str, when: str, text: str) -> str:
    return f"""<html lang="ar"><head><script type="application/ld+json">{LD}</script>
<meta property="og:title" content="هيئة الموانئ تبدأ توسعة الرصيف الشمالي للميناء التجاري"></head><body>
<div class="{wrap}"><h1 class="{h}">هيئة الموانئ تبدأ توسعة الرصيف الشمالي للميناء التجاري</h1>
<span class="{by}">كتب رامي حداد</span><span class="{when}">{stamp}</span>
<h3 class="kicker">ملفات اقتصادية</h3>
<div class="{text}"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div></body></html>"""


SELECTORS = Selectors(title="h1.story-title", body="div.story-text", authors="span.story-by",
                      published="span.story-when")


def page(stamp: str = "الخميس 12 مارس 2026 - 09:00", **classes) -> Selector:
    names = {"wrap": "story", "h": "story-title", "by": "story-by", "when": "story-when", "text": "story-text"}
    names.update(classes)
    return Selector(text=html(stamp, **names))


def run(sel: Selector, selectors=SELECTORS) -> dict:
    return extract_article(sel, URL, selectors=selectors, outlet="example", outlet_name="اليومية",
                           timezone="Asia/Riyadh")


def test_outlet_selectors_are_the_provenance_when_they_match():
    item = run(page())
    assert {f: item["provenance"][f] for f in ("title", "body", "authors", "published_at")} == dict.fromkeys(
        ("title", "body", "authors", "published_at"), "outlet")
    assert item["published_at"] == "2026-03-12T09:00:00+03:00"
    assert item._layout == {"missed": [], "disagree": []}


def test_renamed_classes_fall_back_to_the_generic_chain_and_say_so():
    item = run(page(h="headline-x", by="byline-x", when="date-x", text="content-x"))
    assert item._layout["missed"] == ["published_at", "title", "body", "authors"]
    # every field still there, from the generic steps
    assert item["title"] == "هيئة الموانئ تبدأ توسعة الرصيف الشمالي للميناء التجاري"
    assert item["provenance"]["title"] == "markup"
    assert item["published_at"] == "2026-03-12T09:00:00+03:00" and item["provenance"]["published_at"] == "json_ld"
    assert item["authors"] == ["رامي حداد"] and item["provenance"]["authors"] == "json_ld"
    assert P2 in item["body"] and item["provenance"]["body"] == "trafilatura"


def test_a_title_or_date_that_disagrees_with_the_generic_chain_is_kept_and_flagged():
    # the outlet's title selector now lands on a section kicker, its date three days off
    item = run(page(stamp="الاثنين 9 مارس 2026 - 09:00"), Selectors(title="h3.kicker", body="div.story-text",
                                                                     published="span.story-when"))
    assert item["title"] == "ملفات اقتصادية"  # the outlet's value is kept
    assert item["published_at"] == "2026-03-09T09:00:00+03:00"
    assert item._layout["disagree"] == ["published_at", "title"]


def test_a_few_hours_apart_is_no_disagreement():
    # a wall-clock time labelled UTC (youm7's metadata) is hours off, not a different article date
    assert run(page(stamp="الخميس 12 مارس 2026 - 11:30"))._layout["disagree"] == []


def test_generic_pages_carry_no_layout_verdict():
    item = extract_article(page(), URL)
    assert not hasattr(item, "_layout")
    assert item["provenance"]["title"] == "markup" and item["provenance"]["authors"] == "json_ld"


def test_explain_lists_each_field_with_its_step():
    text = explain(run(page(h="headline-x")))
    lines = {line.split()[0]: line for line in text.splitlines() if line and not line.startswith(("-", "field"))}
    assert lines["title"].split()[1] == "markup"
    assert lines["published_at"].split()[1] == "outlet"
    assert "(unknown)" in lines["subtitle"]
    assert text.splitlines()[-1] == "outlet selectors missed: title; disagree with the generic chain: nothing"


def test_scrapy_extract_explain(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(html("الخميس 12 مارس 2026", "w", "h", "b", "d", "t"), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "scrapy", "extract", str(path), "--url", URL, "--explain"],
                       cwd=ROOT, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    out = r.stdout.decode("utf-8")
    assert "published_at  json_ld" in out and "2026-03-12T09:00:00+03:00" in out
    assert "body          trafilatura" in out
