"""Dates a page states outside JSON-LD and OpenGraph, and the one rule that chooses among them
(crawler.extract.article.choose_date): RDFa, microdata, <time datetime>, and stamps printed near
the headline or byline — never the masthead clock, a ticker, a related or most-read item or the
footer. Pages are hand-written; expected dates are read off them by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from parsel import Selector

from crawler.extract.article import choose_date, extract_article
from crawler.extract.structured import PageMeta

URL = "https://www.madina-news.example/article/90210-slug"
PARA = ("أعلنت بلدية المدينة اليوم عن خطة لإعادة تأهيل السوق القديم وترميم واجهات المحال التجارية فيه "
        "خلال الأشهر الستة المقبلة بتمويل من صندوق التنمية المحلية.")
BODY = f'<div class="story-body"><p>{PARA}</p><p>{PARA}</p><p>{PARA}</p></div>'


def run(html: str, url: str = URL, **kw) -> dict:
    return extract_article(Selector(text=html), url, **kw)


def page(head: str = "", top: str = "", article: str = "", footer: str = "") -> str:
    return (f"<html><head>{head}</head><body><header class='site-top'>{top}</header>"
            f"<div class='content'>{article}</div><footer>{footer}</footer></body></html>")


HEADLINE = "<h1>البلدية تطلق خطة لتأهيل السوق القديم</h1>"
# the traps every page below carries: a masthead clock with "today", a ticker, a related list
# with its own dates, a footer with years
CLOCK = "<div class='clock'>الخميس، 12 مارس 2026 - 09:40 ص</div>"
TICKER = "<div class='ticker'><span>عاجل</span><a href='/a/1'>خبر عاجل آخر</a> 11/03/2026</div>"
RELATED = ("<div class='related-news'><h3>أخبار ذات صلة</h3><ul>"
           "<li><a href='/a/2'>افتتاح حديقة عامة جديدة في الحي</a><span>01 يناير 2026</span></li>"
           "<li><a href='/a/3'>البلدية تعلن موازنة العام المقبل</a><time datetime='2025-12-20'>20 ديسمبر</time></li>"
           "</ul></div>")
FOOTER = "جميع الحقوق محفوظة © 2001 - 2026"


@pytest.mark.parametrize(("stamp", "iso"), [
    # Levantine double month name, evening
    ("<div class='article_created'>نشر في الأحد 8 شباط / فبراير 2026 07:45 مساءً</div>", "2026-02-08T19:45:00"),
    # weekday, Egyptian month, ص/م
    ("<div class='post-date'>الثلاثاء، 03 مارس 2026 - 11:20 م</div>", "2026-03-03T23:20:00"),
    # Maghreb month name, no time
    ("<span class='date'>الإثنين 16 فبراير 2026</span>", "2026-02-16"),
    # Iraqi/Levantine month name alone, with a label
    ("<p class='meta'>تاريخ النشر: 2 آذار 2026</p>", "2026-03-02"),
    # numeric, day first
    ("<span>05/03/2026 | 14:10</span>", "2026-03-05T14:10:00"),
], ids=["levant-pm", "egypt-pm", "maghreb", "levant-label", "numeric"])
def test_printed_date_near_the_headline_and_not_the_traps(stamp, iso):
    html = page(top=CLOCK + TICKER, article=HEADLINE + stamp + BODY + RELATED, footer=FOOTER)
    item = run(html)
    assert item["published_at"] == iso
    assert item["provenance"]["published_at"] == "printed"
    assert item["published_raw"].endswith(stamp.split(">", 1)[1].split("<")[0][-10:])


def test_a_page_with_only_traps_has_no_date():
    item = run(page(top=CLOCK + TICKER, article=HEADLINE + BODY + RELATED, footer=FOOTER))
    assert item["published_at"] is None and "published_at" not in item["provenance"]


def test_a_date_printed_above_the_headline_counts():
    html = page(top=CLOCK, article="<div class='kicker-date'>السبت 7 مارس 2026</div>" + HEADLINE + BODY)
    assert run(html)["published_at"] == "2026-03-07"


def test_an_update_stamp_is_the_modified_date():
    stamps = ("<div class='meta'><span>نشر في 4 مارس 2026 - 08:00</span>"
              "<span>آخر تحديث: 5 مارس 2026 - 10:30</span></div>")
    item = run(page(top=CLOCK, article=HEADLINE + stamps + BODY))
    assert item["published_at"] == "2026-03-04T08:00:00"
    assert item["modified_at"] == "2026-03-05T10:30:00"
    assert item["provenance"]["modified_at"] == "printed"


@pytest.mark.parametrize("sentence", [
    "وكانت البلدية قد أعلنت في 3 يناير 2026 عن نيتها إطلاق الخطة قبل نهاية الربع الأول من العام.",
    "وأعلنت البلدية الخطة في 3 يناير 2026 للمرة الأولى.",  # short, but a sentence
], ids=["long", "short"])
def test_a_sentence_that_mentions_a_date_is_not_a_stamp(sentence):
    item = run(page(article=HEADLINE + f"<p>{sentence}</p>" + BODY))
    assert item["published_at"] is None


def test_time_element_near_the_headline_not_the_one_in_a_related_list():
    html = page(top=CLOCK, article=HEADLINE + "<time datetime='2026-03-09T07:15:00+03:00'>منذ ساعتين</time>"
                + BODY + RELATED)
    item = run(html)
    assert item["published_at"] == "2026-03-09T07:15:00+03:00"
    assert item["provenance"]["published_at"] == "time"


@pytest.mark.parametrize(("markup", "iso"), [
    ('<meta property="dc:date" content="2026-03-10T06:00:00+02:00">', "2026-03-10T06:00:00+02:00"),
    ('<span property="dcterms:created" content="2026-03-11">١١ مارس</span>', "2026-03-11"),
    ('<div vocab="http://schema.org/" typeof="NewsArticle"><span property="datePublished">2026-03-12T09:30:00Z</span></div>',
     "2026-03-12T09:30:00+00:00"),
    ('<span property="rnews:datePublished" content="2026-03-13T12:00:00+03:00"></span>', "2026-03-13T12:00:00+03:00"),
    ('<span property="http://purl.org/dc/terms/issued" content="2026-03-14"></span>', "2026-03-14"),
], ids=["dc-meta", "dcterms-span", "schema-vocab", "rnews", "dcterms-iri"])
def test_rdfa_only_dates(markup, iso):
    head, body = (markup, "") if markup.startswith("<meta") else ("", markup)
    item = run(page(head=head, article=HEADLINE + body + BODY))
    assert item["published_at"] == iso
    assert item["provenance"]["published_at"] == "rdfa"


def test_rdfa_of_an_unknown_vocabulary_is_ignored():
    meta = PageMeta(Selector(text='<html><body><span property="foo:date" content="2026-03-01"></span>'
                                  '<span property="date" content="2026-03-02"></span></body></html>'))
    assert meta.rdfa == {}


def test_microdata_of_the_article_not_of_a_comment():
    body = ('<div itemscope itemtype="http://schema.org/NewsArticle">' + HEADLINE +
            '<meta itemprop="datePublished" content="2026-03-15T10:00:00+03:00">' + BODY +
            '<div itemprop="comment" itemscope itemtype="http://schema.org/UserComments">'
            '<span itemprop="author">قارئ</span><meta itemprop="datePublished" content="2026-03-16"></div></div>')
    item = run(page(article=body))
    assert item["published_at"] == "2026-03-15T10:00:00+03:00"
    assert item["provenance"]["published_at"] == "microdata"
    assert item["authors"] == []  # the comment's author is not the article's


# ----- the rule --------------------------------------------------------------------------------

NOW = datetime(2026, 3, 20, tzinfo=UTC)


@pytest.mark.parametrize(("candidates", "expected"), [
    # order of trust: the first that parses wins
    ([("2026-03-01T10:00:00+03:00", "json_ld"), ("2026-03-02", "printed")], ("json_ld", "2026-03-01T10:00:00+03:00")),
    ([("غير متاح", "json_ld"), ("3 مارس 2026", "printed")], ("printed", "2026-03-03")),
    # a date after the fetch (a typo, a countdown) or before 1990 (a site's founding year) is not it
    ([("2027-01-01", "meta"), ("4 مارس 2026", "printed")], ("printed", "2026-03-04")),
    ([("1985-05-05", "meta"), ("2026-03-05", "url")], ("url", "2026-03-05")),
    # a date-only winner takes the time of a later candidate on the same day
    ([("2026-03-06", "meta"), ("6 مارس 2026 - 13:40", "printed")], ("printed", "2026-03-06T13:40:00")),
    # ...but not of another day
    ([("2026-03-06", "meta"), ("7 مارس 2026 - 13:40", "printed")], ("meta", "2026-03-06")),
    # a month or a day without a year is no publication date
    ([("مارس 2026", "printed"), ("2026-03-08", "url")], ("url", "2026-03-08")),
    ([], (None, None)),
], ids=["trust-order", "unparseable-first", "future", "too-old", "refine-time", "other-day", "month-only", "none"])
def test_choose_date(candidates, expected):
    raw, iso, step = choose_date(candidates, None, NOW)
    assert (step, iso) == expected


def test_a_printed_wall_clock_time_takes_the_outlet_zone():
    assert choose_date([("الأحد 8 مارس 2026 - 10:00 ص", "printed")], "Asia/Amman", NOW)[1] == "2026-03-08T10:00:00+03:00"
