"""CleanPipeline and RelatedPipeline on small hand-made items."""

from __future__ import annotations

import hashlib

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.arabic import fold
from crawler.items import Article, empty_article
from pipelines.clean import CleanPipeline
from pipelines.related import RelatedPipeline


class _Spider:
    def __init__(self) -> None:
        self.crawler = get_crawler()
        self.crawler.stats = MemoryStatsCollector(self.crawler)


@pytest.fixture
def spider() -> _Spider:
    return _Spider()


def _item(**fields) -> dict:
    item = empty_article()
    item.update(fields)
    return item


def test_clean_normalizes_every_text_field(spider: _Spider) -> None:
    item = _item(
        title="مدینة\u200f جديدة.. صور", subtitle="سطر  ثان", body="فقرة ١.\n\n\n\nفقرة   ٢.",
        source="وكالة\u00a0الأنباء", dateline="بیروت", section="أخبار", published_raw="٣ آذار ٢٠٢٤",
        authors=["سامي علی", "سامي علي", "  "], tags=["الاقتصاد", "الإقتصاد", "السياحة"],
        related=[{"title": "خبر\u200fآخر", "url": "https://x.test/a", "text": None}],
        images=[{"url": "https://x.test/i.jpg", "caption": "صورة\u00a0الجسر"}],
        embeds=[{"platform": "twitter", "text": "نص ١"}],
    )
    out = CleanPipeline().process_item(item, spider)
    assert out["title"] == "مدينة جديدة.. صور"  # media word kept in the item title
    assert out["subtitle"] == "سطر ثان"
    assert out["body"] == "فقرة 1.\n\nفقرة 2."
    assert out["source"] == "وكالة الأنباء"
    assert out["dateline"] == "بيروت"
    assert out["published_raw"] == "3 آذار 2024"
    assert out["authors"] == ["سامي علي"]
    assert out["tags"] == ["الاقتصاد", "السياحة"]
    assert out["related"][0]["title"] == "خبرآخر"
    assert out["images"][0]["caption"] == "صورة الجسر"
    assert out["embeds"][0]["text"] == "نص 1"


def test_clean_sets_word_count_and_content_hash(spider: _Spider) -> None:
    out = CleanPipeline().process_item(_item(title="عنوان", body="كلمة أولى\n\nكلمة ثانية ثالثة"), spider)
    assert out["word_count"] == 5
    assert out["content_hash"] == hashlib.sha1(fold("كلمة أولى\n\nكلمة ثانية ثالثة").encode()).hexdigest()


def test_clean_hash_ignores_diacritics_and_letter_variants(spider: _Spider) -> None:
    a = CleanPipeline().process_item(_item(body="إعلانٌ مهمٌّ"), spider)
    b = CleanPipeline().process_item(_item(body="اعلان مهم"), spider)
    assert a["content_hash"] == b["content_hash"]


def test_clean_counts_mojibake_and_works_on_scrapy_items(spider: _Spider) -> None:
    item = Article(title="Ø´ÙƒØ±Ø§", body="نص")
    out = CleanPipeline.from_crawler(spider.crawler).process_item(item)
    assert out["title"] == "شكرا"
    assert out["word_count"] == 1
    assert spider.crawler.stats.get_value("clean/mojibake_repaired") == 1


def test_clean_never_drops(spider: _Spider) -> None:
    item = _item(title=None, body=None)
    assert CleanPipeline().process_item(item, spider) is item
    assert item["word_count"] == 0 and item["content_hash"] is None


def test_related_leaves_a_clean_body_unchanged(spider: _Spider) -> None:
    body = "بدأت الحكومة تنفيذ خطة جديدة.\n\nوقال الوزير (أمس) إن \"النتائج\" ستظهر قريبا.\n\nوختم حديثه بالتفاؤل."
    item = _item(body=body, related=[], authors=["كاتب"], source="صحيفة")
    out = RelatedPipeline().process_item(item, spider)
    assert out["body"] == body
    assert out["related"] == [] and out["authors"] == ["كاتب"] and out["source"] == "صحيفة"


def test_related_moves_residue_and_prefers_structure(spider: _Spider) -> None:
    body = (
        "افتتح المعرض الدولي أبوابه للزوار.\n\nاقرأ أيضا: الطقس المتوقع في عطلة نهاية الأسبوع\n\n"
        "وشهد اليوم الأول إقبالا كبيرا.\n\nالمصدر: وكالة الأنباء"
    )
    item = _item(
        body=body, source=None, authors=[],
        related=[{"title": "الطقس المتوقع في عطلة نهاية الأسبوع", "url": "https://x.test/w", "text": None}],
    )
    out = RelatedPipeline().process_item(item, spider)
    assert out["body"] == "افتتح المعرض الدولي أبوابه للزوار.\n\nوشهد اليوم الأول إقبالا كبيرا."
    assert len(out["related"]) == 1 and out["related"][0]["url"] == "https://x.test/w"  # no duplicate
    assert out["source"] == "وكالة الأنباء"


def test_related_adds_new_related_and_embeds(spider: _Spider) -> None:
    body = (
        "أعلن النادي التعاقد مع لاعب جديد.\n\nأهلا بك في الفريق pic.twitter.com/Zz9\n"
        "— النادي الرسمي (@club_official) July 1, 2024\n\nمقالات ذات صلة\n• المدرب يتحدث عن الموسم المقبل"
    )
    out = RelatedPipeline.from_crawler(spider.crawler).process_item(_item(body=body, related=[], embeds=[]))
    assert out["body"] == "أعلن النادي التعاقد مع لاعب جديد."
    assert [r["title"] for r in out["related"]] == ["المدرب يتحدث عن الموسم المقبل"]
    assert out["embeds"][0]["handle"] == "club_official"
    assert spider.crawler.stats.get_value("related/related_added") == 1


def test_related_fills_only_empty_fields(spider: _Spider) -> None:
    body = "الرباط - وكالات\n\nانطلقت اليوم فعاليات المؤتمر الإقليمي للطاقة."
    out = RelatedPipeline().process_item(_item(body=body, dateline=None, source="مصدر الصفحة"), spider)
    assert out["dateline"] == "الرباط"
    assert out["source"] == "مصدر الصفحة"
    assert out["body"] == "انطلقت اليوم فعاليات المؤتمر الإقليمي للطاقة."


def test_related_never_takes_the_outlet_itself_as_source(spider: _Spider) -> None:
    body = "المصدر: صحيفة المدينة\n\nافتتحت البلدية حديقة جديدة في الحي الشرقي بمساحة خمسة آلاف متر مربع."
    item = _item(body=body, source=None, outlet_name="صحيفة المدينة")
    out = RelatedPipeline().process_item(item, spider)
    assert not out["source"]
