"""Structure rules of the generic chain, each on several hand-written members of its class:
related-block headings as a grammar, lists written as repeated siblings, cut link titles, a lead
paragraph printed just before the body container, a section box named "author", and Facebook
buttons that are not embedded posts."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.extract.article import Page, _generic_byline
from crawler.extract.structure import (
    embeds,
    fold_marker,
    is_related_heading,
    lead_before_body,
    link_title,
    related_blocks,
)

BASE = "https://news.example.com/a/1"


def root(html: str):
    return Selector(text=f"<html><body>{html}</body></html>").root


@pytest.mark.parametrize("heading", [
    "مواضيع ذات علاقة", "أخبار ذات صلة", "الأخبار المرتبطة", "مقالات مشابهة", "موضوعات متعلقة",
    "تقارير ذات الصلة", "قصص ذات صلة بالموضوع", "انظر أيضا:", "اقرأ كذلك", "طالع أيضاً", "إقرأ أيضاً",
])
def test_related_headings_grammar(heading):
    assert is_related_heading(fold_marker(heading))


@pytest.mark.parametrize("heading", [
    "الأكثر قراءة", "آخر الأخبار", "أخبار الرياضة", "مقالات الرأي", "انظر الصورة", "اختيارات المحرر",
])
def test_not_related_headings(heading):
    assert not is_related_heading(fold_marker(heading))


def test_a_list_written_as_repeated_siblings():
    html = ('<div class="refs"><dl class="ref"><dt><h3>انظر أيضا:</h3></dt><dd><a href="/x/1"><b>أول خبر مرتبط هنا</b></a></dd></dl>'
            '<dl class="ref"><dt></dt><dd><a href="/x/2">ثاني خبر مرتبط هنا</a></dd></dl>'
            '<dl class="ref"><dt></dt><dd><a href="/x/3">ثالث خبر مرتبط هنا</a></dd></dl>'
            '<dl class="other"><dd><a href="/x/9">خبر من قائمة أخرى تماما</a></dd></dl></div>')
    got = [r["title"] for r in related_blocks(root(html), BASE)]
    assert got == ["أول خبر مرتبط هنا", "ثاني خبر مرتبط هنا", "ثالث خبر مرتبط هنا"]


@pytest.mark.parametrize(("link", "expected"), [
    ('<a href="/a" title="افتتاح قاعة جديدة لكتب الأطفال في المكتبة">افتتاح قاعة جديدة لكتب...</a>',
     "افتتاح قاعة جديدة لكتب الأطفال في المكتبة"),
    ('<a href="/a" title="افتتاح قاعة جديدة لكتب الأطفال في المكتبة">افتتاح قاعة جديدة لكتب…</a>',
     "افتتاح قاعة جديدة لكتب الأطفال في المكتبة"),
    # a title attribute that is not the rest of the text (a tooltip) is not used
    ('<a href="/a" title="اضغط هنا">افتتاح قاعة جديدة لكتب...</a>', "افتتاح قاعة جديدة لكتب..."),
    ('<a href="/a" title="عنوان كامل مختلف">نص الرابط الكامل</a>', "نص الرابط الكامل"),
    ('<a href="/a" title="عنوان من السمة وحدها"><img src="t.jpg"></a>', "عنوان من السمة وحدها"),
], ids=["dots", "ellipsis", "tooltip", "whole-text", "image-link"])
def test_link_titles(link, expected):
    el = root(link).xpath("//a")[0]
    assert link_title(el) == expected


L1 = "أعلنت الوزارة اليوم بدء العمل بنظام جديد لحجز المواعيد في المستشفيات الحكومية عبر الإنترنت."
B1 = "وقال متحدث باسم الوزارة إن النظام يقلص فترات الانتظار ويتيح للمرضى اختيار الطبيب والموعد المناسب."
B2 = "وأضاف أن المرحلة الأولى تشمل عشرة مستشفيات في العاصمة على أن تتوسع تدريجيا خلال العام."


@pytest.mark.parametrize("lead", [
    f'<div class="article-intro"><p>{L1}</p></div>',
    f'<div itemprop="description" class="b-lead"><p>{L1}</p></div>',
    f"<p>{L1}</p>",  # a plain paragraph just before the container
    f'<section class="summary">{L1}</section>',
], ids=["intro-class", "itemprop-description", "plain-p", "summary-section"])
def test_a_lead_just_before_the_body_container_joins_the_body(lead):
    html = f'<h1>عنوان</h1>{lead}<div class="article-body"><p>{B1}</p><p>{B2}</p></div>'
    assert lead_before_body(root(html), [B1, B2]) == [L1]


@pytest.mark.parametrize("before", [
    '<h2 class="subtitle">نظام جديد للمواعيد</h2>',  # a heading, not a paragraph
    '<div class="lead">نظام جديد لحجز المواعيد في المستشفيات</div>',  # no full sentence
    f'<div class="lead"><p>{L1} <a href="/x">رابط</a></p></div>',  # a teaser with a link
    f'<div class="random-box"><p>{L1}</p></div>',  # a div not marked as a lead
    f'<div class="article-intro"><p>{B1}</p></div>',  # already the body's first paragraph
], ids=["heading", "no-sentence", "link", "unmarked-div", "duplicate"])
def test_what_is_not_a_lead(before):
    html = f'<h1>عنوان</h1>{before}<div class="article-body"><p>{B1}</p><p>{B2}</p></div>'
    assert lead_before_body(root(html), [B1, B2]) == []


@pytest.mark.parametrize(("box", "section", "expected"), [
    ('<div class="author-box"><a href="/news/category/12/sport">رياضة</a></div>', None, []),
    ('<div class="article_author_container"><a href="/tag/economy">اقتصاد</a></div>', None, []),
    ('<span class="byline">منوعات</span>', "منوعات", []),
    ('<div class="author-box"><a href="/writers/77/sara">سارة خليل</a></div>', None, ["سارة خليل"]),
], ids=["category-link", "tag-link", "section-text", "a-real-byline"])
def test_an_author_box_holding_the_section_is_no_byline(box, section, expected):
    page = Page(Selector(text=f"<html><body>{box}</body></html>"), BASE)
    assert _generic_byline(page, section)[0] == expected


@pytest.mark.parametrize(("src", "kept"), [
    ("https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fp%2Fposts%2F1", True),
    ("https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fp%2Fvideos%2F2", True),
    ("//www.facebook.com/plugins/like.php?href=https://news.example.com/a/2&layout=button", False),
    ("https://www.facebook.com/plugins/share_button.php?href=https%3A%2F%2Fnews.example.com%2Fa%2F1", False),
    ("https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2Fnews", False),
], ids=["post", "video", "like", "share", "page"])
def test_facebook_iframes(src, kept):
    found, _ = embeds([root(f'<iframe src="{src}"></iframe>')], BASE)
    assert bool(found) == kept
