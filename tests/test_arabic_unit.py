"""Unit tests of the Arabic toolkit on hand-made examples (each expected value checked by hand)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from crawler.arabic import clean_title, fold, normalize, parse_date, segment, sentences

REF = datetime(2025, 5, 10, 18, 30)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ذهب الطالب\u200f إلى المدرسة", "ذهب الطالب إلى المدرسة"),  # RLM
        ("\u202bالرقم \u202a2024\u202c\u202c", "الرقم 2024"),  # bidi embeddings
        ("سافر\u00a0أحمد", "سافر أحمد"),  # NBSP
        ("كتاب\u200cجديد", "كتاب جديد"),  # ZWNJ between words
        ("المدرسة الكبیرة فی المدینة", "المدرسة الكبيرة في المدينة"),  # Persian yeh/keheh
        ("ﻣﺪﺭﺳﺔ", "مدرسة"),  # presentation forms
        ("ﻷمر", "لأمر"),  # lam-alef ligature keeps the hamza
        ("جمـــيل جـداً", "جميل جداً"),  # kashida
        ("الـ5 الأوائل", "الـ5 الأوائل"),  # tatweel after the article before a digit
        ('قال لـ"الصحيفة"', 'قال لـ"الصحيفة"'),  # tatweel after لـ before a quote
        ("القاهرة ـ خاص", "القاهرة - خاص"),  # tatweel standing alone: a dash, written as one
        ("عام ١٩٩٩ و۲۰۲۰", "عام 1999 و2020"),  # Arabic-Indic and Persian digits
        ("النسبة ٣٫٥ بالمئة", "النسبة 3.5 بالمئة"),  # Arabic decimal separator
        ("قال “نعم” ثم ″لا″", 'قال "نعم" ثم "لا"'),
        ("«عنوان»", "«عنوان»"),  # guillemets kept
        ("( نص ) ، ثم", "(نص)، ثم"),
        ("أولا،ثانيا", "أولا، ثانيا"),
        ("مدينة قديمة[٣] جميلة", "مدينة قديمة جميلة"),
        ("رائع ???? جدا", "رائع جدا"),
        ("الفقرة الأولى.\n\n\n\nالفقرة   الثانية.", "الفقرة الأولى.\n\nالفقرة الثانية."),
        ("سطر أول\nسطر ثان", "سطر أول\nسطر ثان"),
        ("Ø´ÙƒØ±Ø§ Ù„ÙƒÙ…", "شكرا لكم"),  # mojibake
        ("السلامُ عليكُم", "السلامُ عليكُم"),  # diacritics stay
        ("هەولێر کوردستان", "هەولێر کوردستان"),  # Kurdish untouched
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_is_idempotent() -> None:
    text = "«خبر» جمـيل فی ١٢ مايو… [١] ( تجربة )"
    assert normalize(normalize(text)) == normalize(text)


def test_normalize_is_idempotent_on_every_fixture_page() -> None:
    """normalize remembers each long result as its own normalization (normalize.py): exact only
    while normalizing twice changes nothing. Checked without the memo on every fixture text."""
    from pathlib import Path

    from parsel import Selector

    from crawler.arabic.normalize import _normalize

    pages = sorted(Path(__file__).parent.glob("fixtures/sites/*/*.html"))
    assert len(pages) > 60
    for page in pages:
        sel = Selector(text=page.read_text(encoding="utf-8", errors="replace"))
        texts = [t for t in sel.xpath("//body//text()").getall() if t.strip()]
        for text in [*texts, "\n".join(texts), "\n\n".join(sel.xpath("//p//text()").getall())]:
            once = _normalize(text)
            assert _normalize(once) == once, (page.name, text[:80])


def test_remembered_normalization_still_counts_mojibake() -> None:
    from crawler.arabic import NormalizeStats
    from crawler.arabic.normalize import normalize_with_stats

    text = "Ø´ÙƒØ±Ø§ " + "نص طويل بما يكفي ليحفظ. " * 40
    first, second = NormalizeStats(), NormalizeStats()
    assert normalize_with_stats(text, first) == normalize_with_stats(text, second)  # the second is remembered
    assert first.mojibake_runs == second.mojibake_runs == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("إسلامٌ أحمدُ آمالٌ", "اسلام احمد امال"),
        ("مستشفى المدينة", "مستشفي المدينه"),
        ("رئيس مؤتمر", "رئيس مؤتمر"),  # hamza on yeh/waw kept
        ("اقـتـصـاد", "اقتصاد"),
        ("کتاب فی", "كتاب في"),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("الأربعاء 5 آذار 2025", "2025-03-05"),
        ("12 تموز/يوليو 2022", "2022-07-12"),
        ("مارس (آذار) 2021", "2021-03"),
        ("الخامس عشر من نيسان", "--04-15"),
        ("الحادي والعشرين من أيلول 2019", "2019-09-21"),
        ("3 فيفري 2024", "2024-02-03"),
        ("14 دجنبر 2023", "2023-12-14"),
        ("٩ أكتوبر ٢٠٢٤ ٠٨:١٥ م", "2024-10-09T20:15:00"),
        ("9 أكتوبر 2024 الساعة 08:15 ص بتوقيت غرينتش", "2024-10-09T08:15:00+00:00"),
        ("الأحد 2 يونيو 2024 10:00 بتوقيت أبوظبي", "2024-06-02T10:00:00+04:00"),
        ("2024-06-02T10:00:00Z", "2024-06-02T10:00:00+00:00"),
        ("2024/12/31", "2024-12-31"),
        ("31/12/2024", "2024-12-31"),
        ("1 رمضان 1446 هـ", "2025-03-01"),
        ("1 رمضان 1446 هـ الموافق 2 مارس 2025", "2025-03-02"),  # the page's Gregorian wins
        ("منذ 3 ساعات", "2025-05-10T15:30:00"),
        ("منذ يومين", "2025-05-08T18:30:00"),
        ("منذ شهرين", "2025-03-10T18:30:00"),
        ("أمس", "2025-05-09"),
        ("ميدان 6 أكتوبر", None),  # a place named after a date
        ("الساعة 10:45", None),  # time only
        ("عام 2010", None),  # year only
        ("15 مهر 1402", None),  # Persian solar month
        ("", None),
    ],
)
def test_parse_date(raw: str, expected: str | None) -> None:
    assert parse_date(raw, reference=REF) == expected


def test_relative_date_needs_a_reference() -> None:
    assert parse_date("منذ 3 ساعات") is None


@pytest.mark.parametrize(
    ("raw", "title", "media", "breaking"),
    [
        ("بالفيديو: لحظة سقوط الأمطار في الرياض", "لحظة سقوط الأمطار في الرياض", "video", False),
        ("افتتاح الجسر الجديد [صور]", "افتتاح الجسر الجديد", "photos", False),
        ("عاجل | ارتفاع أسعار الذهب", "ارتفاع أسعار الذهب", None, True),
        ("عـــاجل: زلزال يضرب المنطقة (فیدیو)", "زلزال يضرب المنطقة", "video", True),
        ("قرار عاجل من الوزارة بشأن الامتحانات", "قرار عاجل من الوزارة بشأن الامتحانات", None, False),
        ("الميزانية الجديدة.. تفاصيل الأرقام", "الميزانية الجديدة.. تفاصيل الأرقام", None, False),
        ("مدرسة جديدة في القرية.. صور", "مدرسة جديدة في القرية", "photos", False),
        ("شاهد عيان يروي ما حدث (فيديو)", "شاهد عيان يروي ما حدث", "video", False),
    ],
)
def test_clean_title(raw: str, title: str, media: str | None, breaking: bool) -> None:
    assert clean_title(raw) == {"title": title, "media": media, "breaking": breaking}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("وصل الوفد.. وبدأت المحادثات. ثم انتهت!", ["وصل الوفد.. وبدأت المحادثات.", "ثم انتهت!"]),
        ("قال د. سامي إن الأمر صعب. وانتهى", ["قال د. سامي إن الأمر صعب.", "وانتهى"]),
        ("هل حضرت؟ نعم", ["هل حضرت؟", "نعم"]),
        ("الانتظار… طويل", ["الانتظار… طويل"]),
    ],
)
def test_sentences(raw: str, expected: list[str]) -> None:
    assert sentences(raw) == expected


def test_segment_read_also_and_source() -> None:
    raw = (
        "افتتحت البلدية حديقة عامة جديدة في وسط المدينة.\n\nاقرأ أيضا\n\nمهرجان الربيع يعود بعد غياب\n\n"
        "وقال رئيس البلدية إن الحديقة مفتوحة للجميع.\n\nالمصدر: وكالة الأخبار المحلية"
    )
    s = segment(raw)
    assert s["body"] == "افتتحت البلدية حديقة عامة جديدة في وسط المدينة.\n\nوقال رئيس البلدية إن الحديقة مفتوحة للجميع."
    assert [r["title"] for r in s["related"]] == ["مهرجان الربيع يعود بعد غياب"]
    assert s["source"] == "وكالة الأخبار المحلية"


def test_segment_dateline_byline_and_tags() -> None:
    raw = "عمّان - وكالات\nكتب: سامر الخطيب\nأعلنت الحكومة عن خطة جديدة للنقل العام.\n\nالوسوم: النقل، الحكومة، عمّان"
    s = segment(raw)
    assert s["dateline"] == "عمّان"
    assert s["source"] == "وكالات"
    assert s["authors"] == ["سامر الخطيب"]
    assert s["tags"] == ["النقل", "الحكومة", "عمّان"]
    assert s["body"] == "أعلنت الحكومة عن خطة جديدة للنقل العام."


def test_segment_tweet_block() -> None:
    raw = (
        "أكد الوزير التزام الحكومة بالخطة.\n\nنحن ماضون في الإصلاح pic.twitter.com/AbC123xyz\n"
        "— وزير المالية (@fin_min) March 3, 2024\n\nوختم بيانه بالشكر."
    )
    s = segment(raw)
    assert s["body"] == "أكد الوزير التزام الحكومة بالخطة.\n\nوختم بيانه بالشكر."
    (tweet,) = s["embeds"]
    assert tweet["handle"] == "fin_min"
    assert tweet["published_at"] == "2024-03-03"
    assert tweet["text"] == "نحن ماضون في الإصلاح"
    assert tweet["media"] == ["pic.twitter.com/AbC123xyz"]


def test_segment_related_list_and_sidebar() -> None:
    raw = (
        "انتهت المباراة بالتعادل.\n\nأخبار ذات صلة\n• المدرب يعلن التشكيلة الجديدة للفريق\n"
        "• الجماهير تحتفل بالصعود إلى الدوري\n\nالأكثر قراءة\nخبر لا علاقة له بالمقال"
    )
    s = segment(raw)
    assert s["body"] == "انتهت المباراة بالتعادل."
    assert [r["title"] for r in s["related"]] == ["المدرب يعلن التشكيلة الجديدة للفريق", "الجماهير تحتفل بالصعود إلى الدوري"]


def test_segment_keeps_in_sentence_attribution() -> None:
    raw = "ارتفعت الأسعار بنسبة كبيرة، بحسب وكالة الأنباء الرسمية."
    s = segment(raw)
    assert s["body"] == raw
    assert s["source"] is None


def test_segment_listing_is_rejected() -> None:
    raw = "افتتاح معرض الكتاب بمشاركة واسعة من دور النشر…\n\nاقرأ المزيد\n\nنتائج الامتحانات تظهر اليوم في…\n\nاقرأ المزيد"
    s = segment(raw)
    assert s["reject"] is True
    assert s["page_type"] == "listing"


def test_segment_conservative_mode_keeps_inline_lead_and_wording() -> None:
    raw = 'القاهرة (الوكالة) -- قال المتحدث"نحن مستعدون" للحوار.\n#السلام_الآن'
    s = segment(raw, detect_title=False, cut_lead=False, join_wraps=False, tidy=False)
    assert s["body"] == normalize(raw)
    assert s["dateline"] == "القاهرة"
    assert s["hashtags"] == ["السلام_الآن"]


def test_a_subheading_starting_with_kutub_is_not_a_byline():
    from crawler.arabic import segment

    text = ("افتتح معرض الكتاب القديم أبوابه صباح اليوم في القاعة الكبرى وسط إقبال واسع من الزوار.\n\n"
            "كتب نادرة وطبعات أولى\n\n"
            "وضم المعرض مخطوطات تعود إلى القرن التاسع عشر إلى جانب خرائط قديمة للمدينة.")
    seg = segment(text, None, detect_title=False, cut_lead=False, join_wraps=False, tidy=False)
    assert "كتب نادرة وطبعات أولى" in seg["body"]
    assert not seg["authors"]


def test_a_marker_key_loses_every_edge_space_and_mark_and_keeps_inner_ones() -> None:
    # segment compares line markers in this key; its edge set is every character re's \s matches
    # (no-break, thin, ideographic spaces, line and paragraph separators...) and the marks
    from crawler.arabic.segmenter import _key

    spaces = [chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))]
    assert "\u00a0" in spaces and "\u3000" in spaces and "\u2029" in spaces
    for edge in spaces + list(":|-–—.،,؛;!؟?»«\"'()•*"):
        assert _key(f"{edge}{edge}اقرأ أيضا{edge}") == "اقرا ايضا", repr(edge)
    assert _key("« المصدر: وكالات »") == "المصدر: وكالات"  # a mark inside stays
    assert _key("اقرأ_أيضا#") == "اقرا_ايضا#"  # characters outside the set stay at the edge
