"""Unit tests for the extraction chain: structured data, paragraphs, machine dates, bylines and
the order in which extract_article trusts its sources.

The pages here are small hand-written documents; expected values are worked out by hand.
"""

import json

import pytest
from parsel import Selector

from crawler.extract import fallback
from crawler.extract.article import Selectors, _strip_site_suffix, clean_author_names, extract_article
from crawler.extract.dates import date_from_url, parse_machine_date
from crawler.extract.structured import PageMeta, parse_json_ld
from crawler.extract.text import iter_elements, paragraphs

URL = "https://news.example.com/news/local/55123"
# one long paragraph of our own words (> 80 characters)
PARA_1 = "افتتحت البلدية صباح اليوم حديقة عامة جديدة في الحي الشرقي بعد عامين من أعمال التشجير والتجهيز."
PARA_2 = "وقال رئيس البلدية إن الحديقة ستفتح أبوابها للزوار يوميا من السادسة صباحا حتى العاشرة مساء."


def page(head: str = "", body: str = "", lang: str = "ar") -> Selector:
    return Selector(text=f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>')


def ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


# ----- JSON-LD --------------------------------------------------------------------------------

ARTICLE = {"@type": "NewsArticle", "headline": "عنوان"}


@pytest.mark.parametrize(("raw", "expected"), [
    ('//<![CDATA[\n{"@type": "NewsArticle", "headline": "عنوان"}\n//]]>', [ARTICLE]),
    ('<![CDATA[{"@type": "NewsArticle", "headline": "عنوان"}]]>', [ARTICLE]),
    ('{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", "headline": "عنوان"}]}',
     [{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, ARTICLE]}, {"@type": "WebPage"}, ARTICLE]),
    ('[{"@type": "BreadcrumbList"}, {"@type": "NewsArticle", "headline": "عنوان"}]',
     [{"@type": "BreadcrumbList"}, ARTICLE]),
    ('[[{"@type": "Person"}], {"@type": "NewsArticle", "headline": "عنوان"}]', [{"@type": "Person"}, ARTICLE]),
    ('{"@type": "NewsArticle", "headline": "عنوان", "keywords": ["أ", "ب",],}',
     [{"@type": "NewsArticle", "headline": "عنوان", "keywords": ["أ", "ب"]}]),
    ('{"@type": "NewsArticle", "headline": "سطر\nسطر"}', [{"@type": "NewsArticle", "headline": "سطر\nسطر"}]),
    ('{"headline": "&quot;اقتباس&quot;"}', [{"headline": "&quot;اقتباس&quot;"}]),  # decoded later, by ld_text
    ("", []),
    ("   \n ", []),
    ("{not json", []),
    ("42", []),
    ('"just a string"', []),
], ids=["cdata-comment", "cdata-bare", "graph", "top-list", "nested-list", "trailing-commas", "raw-newline",
        "entities-kept", "empty", "blank", "broken", "number", "string"])
def test_parse_json_ld(raw, expected):
    assert parse_json_ld(raw) == expected


def test_page_meta_article_ld_and_entities():
    head = (ld({"@type": "WebSite", "name": "موقع"})
            + ld({"@type": ["Thing", "https://schema.org/ReportageNewsArticle"],
                  "headline": "&quot;الحديقة&quot; تفتح أبوابها &amp; الزوار يتوافدون"}))
    meta = PageMeta(page(head))
    assert [o.get("name") or o.get("headline")[:6] for o in meta.json_ld] == ["موقع", "&quot;"]
    assert meta.article_ld["headline"].startswith("&quot;")
    assert meta.ld_of_type("WebSite") == [{"@type": "WebSite", "name": "موقع"}]
    item = extract_article(page(head, f"<p>{PARA_1}</p>"), URL, selectors=Selectors(body="p"))
    assert item["title"] == '"الحديقة" تفتح أبوابها & الزوار يتوافدون'


def test_page_meta_by_property_name_itemprop():
    head = """
      <meta property="OG:Title" content=" العنوان الأول ">
      <meta property="og:title" content="العنوان الثاني">
      <meta name="Author" content="هالة منصور">
      <meta itemprop="datePublished" content="2026-11-21T08:00:00+03:00">
      <meta name="description" content="">
      <meta name="keywords">
      <meta property="og:locale" content="ar_EG">
      <link rel="canonical" href="https://news.example.com/c/1">"""
    meta = PageMeta(Selector(text=f"<html><head>{head}</head><body></body></html>"))
    assert meta.first_meta("og:title") == "العنوان الأول"
    assert meta.all_meta("og:title") == ["العنوان الأول", "العنوان الثاني"]
    assert meta.first_meta("author") == "هالة منصور"
    assert meta.first_meta("datepublished") == "2026-11-21T08:00:00+03:00"
    assert meta.first_meta("description", "keywords") is None  # empty content counts as absent
    assert meta.first_meta("missing", "og:title") == "العنوان الأول"
    assert meta.canonical == "https://news.example.com/c/1"
    assert meta.html_lang == "ar"  # no <html lang>: og:locale, region dropped


@pytest.mark.parametrize(("lang", "expected"), [("ar-EG", "ar"), ("AR", "ar"), ("en_US", "en")])
def test_page_meta_html_lang(lang, expected):
    assert PageMeta(page(lang=lang)).html_lang == expected


def test_page_meta_microdata():
    body = """<time itemprop="datePublished" datetime="2026-11-20T09:00:00Z">أمس</time>
              <span itemprop="author"> ليلى   كريم </span><meta itemprop="author" content="">"""
    meta = PageMeta(page(body=body))
    assert meta.microdata("datePublished") == ["2026-11-20T09:00:00Z"]
    assert meta.microdata("author") == ["ليلى كريم"]


# ----- paragraphs -----------------------------------------------------------------------------


def paras(html: str, css: str = "div.body", **kwargs) -> list[str]:
    return paragraphs(iter_elements(Selector(text=html).css(css)), **kwargs)


@pytest.mark.parametrize(("html", "expected"), [
    ('<div class="body"><p>الأولى</p><p>الثانية <b>بخط</b> عريض</p><p>  </p></div>',
     ["الأولى", "الثانية بخط عريض"]),
    ('<div class="body">الأولى<br><br>الثانية<br/>\n<br/>الثالثة</div>', ["الأولى", "الثانية", "الثالثة"]),
    ('<div class="body">سطر أول<br>يكمل الفقرة</div>', ["سطر أول يكمل الفقرة"]),
    ('<div class="body"><p>كلمة\n   مكسورة\tالسطر</p></div>', ["كلمة مكسورة السطر"]),
    ('<div class="body">قبل<div>داخل</div>بعد</div>', ["قبل", "داخل", "بعد"]),
    ('<div class="body"><p>نص <span class="d-none">مخفي</span>ظاهر</p></div>', ["نص ظاهر"]),
    ('<div class="body"><p>نص</p><p aria-hidden="true">مخفي</p><p aria-hidden="false">ظاهر</p></div>',
     ["نص", "ظاهر"]),
    ('<div class="body"><p style="color: red; DISPLAY: none">مخفي</p><p>ظاهر</p></div>', ["ظاهر"]),
    ('<div class="body"><p hidden>مخفي</p><p class="lead sr-only">مخفي</p><p>ظاهر</p></div>', ["ظاهر"]),
    ('<div class="body"><script>var x = "برنامج";</script><p>ظاهر</p>'
     '<figure><img src="a.jpg"><figcaption>تعليق الصورة</figcaption></figure><style>p{}</style></div>',
     ["ظاهر"]),
    ('<div class="body"><p>أ<!-- تعليق -->ب</p></div>', ["أب"]),
], ids=["p", "double-br", "single-br", "source-newlines", "nested-block", "d-none", "aria-hidden",
        "display-none", "hidden-attr", "script-figure", "comment"])
def test_paragraphs(html, expected):
    assert paras(html) == expected


def test_paragraphs_keep_hidden():
    assert paras('<div class="body"><p class="d-none">مخفي</p></div>', keep_hidden=True) == ["مخفي"]


def test_paragraphs_drop_set_removes_subtree_but_keeps_tail():
    sel = Selector(text='<div class="body"><p>أول</p><div class="ad"><p>إعلان</p></div><p>ثان</p></div>')
    drop = frozenset(iter_elements(sel.css("div.ad")))
    assert paragraphs(iter_elements(sel.css("div.body")), drop=drop) == ["أول", "ثان"]


def test_paragraphs_of_several_containers_in_order():
    html = '<div class="body"><p>أ</p></div><aside>جانبي</aside><div class="body"><p>ب</p></div>'
    assert paras(html) == ["أ", "ب"]


# ----- machine dates --------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "tz", "expected"), [
    ("2026-11-21T08:30:00Z", None, "2026-11-21T08:30:00+00:00"),
    ("2026-11-21T08:30:00+0300", None, "2026-11-21T08:30:00+03:00"),
    ("2026-11-21T08:30:00-0500", "Asia/Riyadh", "2026-11-21T08:30:00-05:00"),
    ("2026-11-21 08:30:00+03:00", None, "2026-11-21T08:30:00+03:00"),
    ("2026-11-21T08:30:00.250Z", None, "2026-11-21T08:30:00+00:00"),  # one precision: seconds
    ("Sat, 21 Nov 2026 08:30:00 +0300", None, "2026-11-21T08:30:00+03:00"),
    ("Sat, 21 Nov 2026 05:30:00 GMT", "Asia/Riyadh", "2026-11-21T05:30:00+00:00"),
    ("2026-11-21", None, "2026-11-21"),
    (" 2026-11-21 ", "Africa/Cairo", "2026-11-21"),  # a date stays a date, zone or not
    ("2026-11-21T08:30:00", None, "2026-11-21T08:30:00"),  # unknown offset is not guessed
    ("2026-11-21T08:30:00", "Asia/Riyadh", "2026-11-21T08:30:00+03:00"),
    ("2026-11-21T08:30:00", "Africa/Cairo", "2026-11-21T08:30:00+02:00"),  # Cairo winter time
    ("2026-07-15T08:30:00", "Africa/Cairo", "2026-07-15T08:30:00+03:00"),  # Cairo summer time
    ("2026-11-21T08:30:00", "Not/AZone", "2026-11-21T08:30:00"),
], ids=["Z", "+0300", "own-offset-wins", "space", "millis", "rfc822", "rfc822-gmt", "date", "date-tz",
        "naive", "naive-riyadh", "naive-cairo-winter", "naive-cairo-summer", "bad-zone"])
def test_parse_machine_date(value, tz, expected):
    assert parse_machine_date(value, tz) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "أمس", "yesterday", "2026-02-30", "2026-13-01T00:00:00",
                                   "2026-11-21T25:00:00", "Sat, 99 Foo 2026", 20261121])
def test_parse_machine_date_garbage_is_none(value):
    assert parse_machine_date(value, "Asia/Riyadh") is None


def test_rfc822_minus_zero_offset_is_utc():
    assert parse_machine_date("Sat, 21 Nov 2026 08:30:00 -0000", "Asia/Riyadh") == "2026-11-21T08:30:00+00:00"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://arabic.example.com/2013/middle_east/8/3/harbour-story/index.html", "2013-08-03"),
    ("https://news.example.com/story/2026/11/21/ماراثون-المدينة/7012345", "2026-11-21"),
    ("https://news.example.com/2024/5/13/", "2024-05-13"),
    ("https://news.example.com/news/20261121/slug", "2026-11-21"),
    ("https://news.example.com/news/2026-11-21/slug", "2026-11-21"),
    ("https://news.example.com/news/55123", None),
    ("https://news.example.com/2026/13/45/slug", None),
    ("https://news.example.com/id/20261345/", None),
    ("https://news.example.com/1899/11/21/slug", None),
    ("https://news.example.com/2026/11/21", None),  # no trailing separator: could be anything
], ids=["cnn-section", "y-m-d", "single-digits", "compact", "dashed", "none", "bad-month", "bad-compact",
        "old-year", "no-trailing-slash"])
def test_date_from_url(url, expected):
    assert date_from_url(url) == expected


# ----- bylines and site suffixes --------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("كتب أحمد علي", ["أحمد علي"]),
    ("كتبت منى سالم", ["منى سالم"]),
    ("بقلم: خالد يوسف", ["خالد يوسف"]),
    ("بواسطة - ريم حسن", ["ريم حسن"]),
    ("  كتب   هالة   منصور  ", ["هالة منصور"]),
    ("سارة وليد", ["سارة وليد"]),
    ("محمد وائل حسن", ["محمد وائل حسن"]),
    ("أحمد علي ومحمود حسن", ["أحمد علي", "محمود حسن"]),
    ("سارة وليد ومنى سالم", ["سارة وليد", "منى سالم"]),
    ("منى سالم ووليد حسن", ["منى سالم", "وليد حسن"]),
    ("أحمد علي وسام فؤاد", ["أحمد علي وسام فؤاد"]),  # وسام is a name: one four-word name, not two
    ("كتب أحمد علي، منى سالم", ["أحمد علي", "منى سالم"]),
    ("Jane Roe and John Doe", ["Jane Roe", "John Doe"]),
    ("By Jane Roe", ["Jane Roe"]),
    ("https://news.example.com/author/12", []),
    ("www.example.com", []),
    ("كتب:", []),
    ("", []),
    (None, []),
], ids=["kataba", "katabat", "biqalam", "bi-wasita", "spaces", "waw-name", "waw-middle", "waw-join",
        "waw-name-then-join", "waw-name-joined", "wisam", "arabic-comma", "and", "by", "url", "www", "prefix-only",
        "empty", "none"])
def test_clean_author_names(raw, expected):
    assert clean_author_names(raw) == expected


def test_clean_author_names_prefix_needs_word_boundary():
    assert clean_author_names("Byron Smith") == ["Byron Smith"]


@pytest.mark.parametrize(("title", "sites", "expected"), [
    ("قرار جديد بشأن أسعار الوقود - أخبار المثال", ["أخبار المثال"], "قرار جديد بشأن أسعار الوقود"),
    ("قرار جديد بشأن الوقود | BBC News عربي", ["BBC News عربي"], "قرار جديد بشأن الوقود"),
    ("عنوان قصير | BBC", ["BBC News عربي"], "عنوان قصير"),  # a tail that is part of the name
    ("عنوان بلا أي لاحقة", ["أخبار المثال"], "عنوان بلا أي لاحقة"),
    ("مصر - تونس", [], "مصر - تونس"),  # one-word head: not a headline plus a site name
    ("  عنوان بمسافات  ", [], "عنوان بمسافات"),
], ids=["dash", "pipe", "partial", "none", "short-head", "trim"])
def test_strip_site_suffix(title, sites, expected):
    assert _strip_site_suffix(title, sites) == expected


def test_strip_site_suffix_keeps_a_score():
    assert _strip_site_suffix("المنتخب يفوز على ضيفه 2 - 1", ["أخبار المثال"]) == "المنتخب يفوز على ضيفه 2 - 1"


# ----- the chain ------------------------------------------------------------------------------

LD_TITLE = "وزير المالية يعلن موازنة العام المقبل"
OG = '<meta property="og:title" content="عنوان الشبكات الاجتماعية المختلف تماما">'
BODY = f'<div class="story"><p>{PARA_1}</p><p>{PARA_2}</p></div>'


@pytest.mark.parametrize(("head", "body", "selectors", "expected"), [
    (ld({"@type": "NewsArticle", "headline": LD_TITLE}) + OG, '<h2 class="mine">عنوان المحرر الخاص هنا</h2>' + BODY,
     Selectors(title="h2.mine"), "عنوان المحرر الخاص هنا"),
    (ld({"@type": "NewsArticle", "headline": LD_TITLE}) + OG, BODY, None, LD_TITLE),
    (OG, BODY, None, "عنوان الشبكات الاجتماعية المختلف تماما"),
    ("<title>افتتاح الحديقة العامة الجديدة - أخبار المثال</title>", BODY, None, "افتتاح الحديقة العامة الجديدة"),
    # the visible h1 agrees with the JSON-LD headline (5 of its 6 words): the h1 is what readers see
    (ld({"@type": "NewsArticle", "headline": LD_TITLE}), f"<h1>وزير المالية يعلن موازنة العام الجديد</h1>{BODY}",
     None, "وزير المالية يعلن موازنة العام الجديد"),
    # an h1 that shares nothing with the metadata is a masthead or a section name
    (ld({"@type": "NewsArticle", "headline": LD_TITLE}), f"<h1>قسم الاقتصاد والأعمال</h1>{BODY}", None, LD_TITLE),
    ("", f"<h1>المدينة تستعد لموسم الأمطار</h1>{BODY}", None, "المدينة تستعد لموسم الأمطار"),
], ids=["selector", "json-ld", "og", "title-suffix", "h1-agrees", "h1-disagrees", "h1-only"])
def test_title_chain(head, body, selectors, expected, monkeypatch):
    monkeypatch.setattr(fallback, "body_paragraphs", lambda sel, url=None: [])
    item = extract_article(page(head, body), URL, selectors=selectors, outlet_name="أخبار المثال")
    assert item["title"] == expected


SITE = '<meta property="og:site_name" content="شبكة المثال">'


@pytest.mark.parametrize(("head", "aliases", "expected"), [
    (ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "كتب نادر فهمي"}}), (), ["نادر فهمي"]),
    (ld({"@type": "NewsArticle", "author": [{"@type": "Person", "name": "أخبار المثال"},
                                            {"@type": "Person", "name": "رنا شكري"}]}), (), ["رنا شكري"]),
    (SITE + ld({"@type": "NewsArticle", "author": {"name": "شبكة المثال"}}), (), []),
    (ld({"@type": "NewsArticle", "author": "Example News"}), ("Example News",), []),
    (ld({"@type": "NewsArticle", "author": "example news"}), ("Example News",), []),
    (ld({"@type": "NewsArticle", "author": {"@type": "NewsMediaOrganization", "name": "وكالة الأنباء"}}), (), []),
    ('<meta name="author" content="بقلم: سامي نبيل">', (), ["سامي نبيل"]),
    ('<meta name="author" content="أخبار المثال">', (), []),
    # JSON-LD has a person: the meta author is not mixed in
    (ld({"@type": "NewsArticle", "author": "رنا شكري"}) + '<meta name="author" content="سامي نبيل">', (), ["رنا شكري"]),
], ids=["prefix", "outlet-name", "og-site-name", "alias", "alias-case", "organization", "meta", "meta-outlet",
        "ld-over-meta"])
def test_authors_without_masthead(head, aliases, expected):
    item = extract_article(page(head, BODY), URL, selectors=Selectors(body="div.story"),
                           outlet_name="أخبار المثال", aliases=aliases)
    assert item["authors"] == expected


def test_selector_author_equal_to_outlet_is_dropped():
    item = extract_article(page(SITE, f'<span class="by">كتب شبكة المثال</span>{BODY}'), URL,
                           selectors=Selectors(body="div.story", authors="span.by"), outlet_name="أخبار المثال")
    assert item["authors"] == []


def test_selector_authors_beat_json_ld():
    head = ld({"@type": "NewsArticle", "author": "رنا شكري"})
    item = extract_article(page(head, f'<span class="by">كتب أحمد علي ومنى سالم</span>{BODY}'), URL,
                           selectors=Selectors(body="div.story", authors="span.by"))
    assert item["authors"] == ["أحمد علي", "منى سالم"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("أحمد علي وسامي نبيل", ["أحمد علي", "سامي نبيل"]),
    ("أحمد علي وعدنان حسن", ["أحمد علي", "عدنان حسن"]),
    ("أحمد علي وحيدر كامل", ["أحمد علي", "حيدر كامل"]),
    ("أحمد علي وسامح فؤاد", ["أحمد علي", "سامح فؤاد"]),
], ids=["sami", "adnan", "haidar", "sameh"])
def test_clean_author_names_waw_join_before_lookalike_names(raw, expected):
    assert clean_author_names(raw) == expected


LONG_LD_BODY = " ".join([PARA_1, PARA_2, PARA_1, PARA_2])  # 373 characters: over the 300 floor


@pytest.mark.parametrize(("head", "body", "selectors", "calls", "expected_body"), [
    ("", BODY, Selectors(body="div.story"), 0, f"{PARA_1}\n\n{PARA_2}"),
    (ld({"@type": "NewsArticle", "articleBody": LONG_LD_BODY}), "<div>قائمة</div>", None, 0, LONG_LD_BODY),
    (ld({"@type": "NewsArticle", "articleBody": PARA_1}), "<div>قائمة</div>", None, 1, "فقرة من البديل"),
    ("", "<div>قائمة</div>", None, 1, "فقرة من البديل"),
    ("", "<div>قائمة</div>", Selectors(body="div.story"), 1, "فقرة من البديل"),
], ids=["selector-body", "long-ld-body", "short-ld-body", "nothing", "selector-misses"])
def test_fallback_runs_only_without_a_body(head, body, selectors, calls, expected_body, monkeypatch):
    seen = []

    def fake(sel, url=None):
        seen.append(url)
        return ["فقرة من البديل"]

    monkeypatch.setattr(fallback, "body_paragraphs", fake)
    item = extract_article(page(head, body), URL, selectors=selectors)
    assert len(seen) == calls
    assert item["body"] == expected_body


@pytest.mark.parametrize(("head", "url", "tz", "raw", "iso"), [
    (ld({"@type": "NewsArticle", "datePublished": "2026-11-21T08:30:00"}), URL, "Asia/Riyadh",
     "2026-11-21T08:30:00", "2026-11-21T08:30:00+03:00"),
    ('<meta property="article:published_time" content="2026-11-20T10:00:00Z">', URL, None,
     "2026-11-20T10:00:00Z", "2026-11-20T10:00:00+00:00"),
    # the first candidate does not parse: the next one that does is kept, with its raw text
    (ld({"@type": "NewsArticle", "datePublished": "غير متاح"})
     + '<meta property="article:published_time" content="2026-11-19T07:00:00+02:00">', URL, None,
     "2026-11-19T07:00:00+02:00", "2026-11-19T07:00:00+02:00"),
    ("", "https://news.example.com/story/2026/11/18/slug/9", None, None, "2026-11-18"),
    ("", URL, None, None, None),
], ids=["ld-naive-zone", "meta", "first-unparseable", "from-url", "unknown"])
def test_published_date_chain(head, url, tz, raw, iso):
    item = extract_article(page(head, BODY), url, selectors=Selectors(body="div.story"), timezone=tz)
    assert (item["published_raw"], item["published_at"]) == (raw, iso)


def test_extract_article_fills_every_field_and_structured_values():
    head = (ld({"@type": "NewsArticle", "headline": LD_TITLE, "keywords": "موازنة، اقتصاد, ضرائب",
                "dateModified": "2026-11-22T12:00:00+03:00", "articleSection": "اقتصاد",
                "image": {"url": "/img/lead.jpg"}})
            + '<link rel="canonical" href="/news/local/55123?ref=canon">')
    item = extract_article(page(head, BODY, lang="ar-SA"), URL, selectors=Selectors(body="div.story"),
                           outlet="example", outlet_name="أخبار المثال")
    assert item["tags"] == ["موازنة", "اقتصاد", "ضرائب"]
    assert item["modified_at"] == "2026-11-22T12:00:00+03:00"
    assert item["section"] == "اقتصاد"
    assert item["images"] == [{"url": "https://news.example.com/img/lead.jpg", "caption": None}]
    assert item["canonical_url"] == "https://news.example.com/news/local/55123?ref=canon"
    assert item["language"] == "ar"
    assert (item["outlet"], item["outlet_name"], item["url"]) == ("example", "أخبار المثال", URL)
    assert item["subtitle"] is None and item["related"] == [] and item["dateline"] is None


# ----- fixes from the outlet work ---------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("11/7/2026 9:05:00 PM", "2026-11-07T21:05:00+02:00"),  # month first, as .NET writes it
    ("12/10/2024 3:29:39 PM", "2024-12-10T15:29:39+02:00"),
    ("1/2/2026 12:00 AM", "2026-01-02T00:00:00+02:00"),  # midnight
    ("1/2/2026 12:30 PM", "2026-01-02T12:30:00+02:00"),  # half past noon
    ("13/2/2026 1:00 PM", None),  # no 13th month: not this format, and not a date we can trust
])
def test_us_style_machine_dates_are_month_first(text, expected):
    assert parse_machine_date(text, "Africa/Cairo") == expected


_PAGE = """<html><head><meta property="article:published_time" content="2026-11-20T08:00:00+02:00"></head><body>
<h1>افتتاح مكتبة جديدة في وسط المدينة اليوم</h1>
<div id="story"><p>افتتحت البلدية اليوم مكتبة عامة جديدة تضم عشرين ألف كتاب في مبنى البريد القديم.</p>
<blockquote class="twitter-tweet"><p>المكتبة تفتح أبوابها للجميع</p>&mdash; البلدية (@CityHall) <a href="https://twitter.com/CityHall/status/1">November 20, 2026</a></blockquote>
<p class="x">اقرأ أيضاً: <a href="/2026/11/10/books.html">معرض الكتاب يعود في الربيع المقبل</a></p>
<p>وقال رئيس البلدية إن المكتبة ستفتح أبوابها يوميا حتى العاشرة مساء طوال أيام الأسبوع.</p></div>
<span class="stamp">20 نوفمبر 2026 - 10:30</span></body></html>"""


def _run(selectors, hook=None):
    return extract_article(Selector(text=_PAGE), "https://news.example.com/2026/11/20/library.html",
                           selectors=selectors, timezone="Africa/Cairo", hook=hook)


def test_embeds_and_read_also_found_beside_selected_paragraphs():
    item = _run(Selectors(body="div#story > p:not(.x)"))
    assert [e["handle"] for e in item["embeds"]] == ["CityHall"]
    assert [r["title"] for r in item["related"]] == ["معرض الكتاب يعود في الربيع المقبل"]
    assert "اقرأ" not in item["body"] and "تفتح أبوابها للجميع" not in item["body"]


def test_published_fallback_comes_after_machine_dates():
    item = _run(Selectors(body="div#story", published_fallback="span.stamp"))
    assert item["published_at"] == "2026-11-20T08:00:00+02:00"
    assert item["published_raw"] == "2026-11-20T08:00:00+02:00"
    first = _run(Selectors(body="div#story", published="span.stamp"))
    assert first["published_raw"] == "20 نوفمبر 2026 - 10:30"  # a `published` selector is tried first


def test_a_hook_may_set_the_parsed_date_and_keep_the_raw_text():
    def hook(page, loader):
        loader.add_value("published_raw", "الجمعة 20 نوفمبر")
        loader.add_value("published_at", "2026-11-20T09:15:00+02:00")

    item = _run(Selectors(body="div#story"), hook=hook)
    assert item["published_at"] == "2026-11-20T09:15:00+02:00"
    assert item["published_raw"] == "الجمعة 20 نوفمبر"


def test_url_date_followed_by_a_slug():
    assert date_from_url("https://www.france24.com/ar/شرق-أوسط/20261120-قمة") == "2026-11-20"


def test_yoast_graph_references_are_followed():
    ld = """{"@context": "https://schema.org", "@graph": [
      {"@type": "NewsArticle", "@id": "https://x.example/a#article", "headline": "عنوان الخبر الطويل هنا",
       "author": {"@id": "https://x.example/#/schema/person/1"}, "image": {"@id": "https://x.example/a#primaryimage"},
       "datePublished": "2026-11-20T08:00:00+03:00"},
      {"@type": "Person", "@id": "https://x.example/#/schema/person/1", "name": "ليلى حداد"},
      {"@type": "ImageObject", "@id": "https://x.example/a#primaryimage", "url": "https://x.example/i.jpg",
       "caption": "سوق المدينة القديم"}]}"""
    html = f'<html><head><script type="application/ld+json">{ld}</script></head><body><p>نص</p></body></html>'
    item = extract_article(Selector(text=html), "https://x.example/a")
    assert item["authors"] == ["ليلى حداد"]
    assert item["images"][0] == {"url": "https://x.example/i.jpg", "caption": "سوق المدينة القديم"}
