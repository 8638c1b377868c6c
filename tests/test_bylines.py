"""One judgement for every author value (crawler.arabic.bylines): role words stripped, credit shapes
split into author / dateline / source, and values that are not people left out. Every expected
value below is worked out by hand from the rule it illustrates; names and places are invented or
common ones."""

from __future__ import annotations

import pytest

from crawler.arabic.bylines import Masthead, read_credit, read_source

# An outlet as a page and its module would describe it.
OUTLET = Masthead(names=("صوت المدينة", "Sawt Almadina"), hosts=("www.sawtalmadina.example",))


def credit(raw, masthead=OUTLET, **kw):
    c = read_credit(raw, masthead, **kw)
    return c.authors, c.dateline, c.source


@pytest.mark.parametrize(("raw", "authors"), [
    ("كتب هشام فؤاد", ["هشام فؤاد"]),
    ("كتبت: سلوى جمال", ["سلوى جمال"]),
    ("بقلم - ماجد العتيبي", ["ماجد العتيبي"]),
    ("حوار: نادين الخوري", ["نادين الخوري"]),
    ("إعداد: رامي صبري", ["رامي صبري"]),
    ("تحقيق: مها العلي", ["مها العلي"]),
    ("تقرير - وليد نصار", ["وليد نصار"]),
    ("ترجمة: عبير سالم", ["عبير سالم"]),
    ("متابعة: فادي يونس", ["فادي يونس"]),
    ("تصوير: طارق حمدي", ["طارق حمدي"]),
    ("إعداد وتقديم: سهى منير", ["سهى منير"]),
    ("By Laila Hassan", ["Laila Hassan"]),
], ids=["kataba", "katabat", "biqalam", "hiwar", "iidad", "tahqiq", "taqrir", "tarjama", "mutabaa", "taswir",
        "two-roles", "english"])
def test_role_prefixes_are_stripped(raw, authors):
    assert credit(raw)[0] == authors


@pytest.mark.parametrize(("raw", "expected"), [
    # City - كتب Name:
    ("الإسكندرية - كتب حسام عادل:", (["حسام عادل"], "الإسكندرية", None)),
    ("بيروت ـ كتبت: رنا شمس", (["رنا شمس"], "بيروت", None)),  # a tatweel as the dash
    # City: Name  /  City/ Name
    ("عمّان: ليث الزعبي", (["ليث الزعبي"], "عمّان", None)),
    ("دمشق/ كتب: جود الحلبي", (["جود الحلبي"], "دمشق", None)),
    # Name (City) and Name (Agency)
    ("نور الصافي (بغداد)", (["نور الصافي"], "بغداد", None)),
    ("سامي عواد (رويترز)", (["سامي عواد"], None, "رويترز")),
    # (City - Outlet): a desk credit of the outlet itself names no person and no source
    ("(الرياض - صوت المدينة)", ([], "الرياض", None)),
    # (City - another outlet or an agency): that one is the source
    ("(القاهرة - الأناضول)", ([], "القاهرة", "الأناضول")),
    ("الخرطوم - وكالات", ([], "الخرطوم", "وكالات")),
    ("بغداد/ وكالات", ([], "بغداد", "وكالات")),
], ids=["city-dash-kataba", "tatweel-dash", "city-colon", "city-slash", "name-city", "name-agency",
        "desk-credit-own", "desk-credit-agency", "city-agencies", "city-slash-agencies"])
def test_credit_shapes_are_split(raw, expected):
    assert credit(raw) == expected


@pytest.mark.parametrize(("raw", "why"), [
    ("صوت المدينة", "outlet"),                      # the outlet's display name
    ("Sawt Almadina", "outlet"),                    # an alias in Latin letters
    ("sawtalmadina", "outlet"),                     # the domain label (a CMS default author)
    ("وكالة الأنباء الوطنية", "agency"),
    ("فرانس برس", "agency"),
    ("القاهرة", "place"),
    ("رئيس التحرير: كمال سعيد", "role"),            # a masthead line, not a byline
    ("فريق التحرير", "agency"),                      # a credit, listed with agencies
    ("قسم الأخبار المحلية", "role"),
    ("https://www.sawtalmadina.example/i/logo.png", "url"),
    ("وقال الوزير في بيانه اليوم إن الخطة ستبدأ قريبا جدا", "sentence"),
], ids=["outlet", "alias", "domain", "agency-name", "agency", "place", "masthead", "credit", "desk", "logo", "sentence"])
def test_values_that_are_not_people(raw, why):
    c = read_credit(raw, OUTLET)
    assert c.authors == []
    assert why in {w for _, w in c.rejected}


def test_an_organization_is_never_a_person_and_another_one_is_the_source():
    assert credit("صوت المدينة", organization=True) == ([], None, None)
    assert credit("Reuters", organization=True) == ([], None, "Reuters")


def test_a_logo_url_beside_a_name_is_dropped_and_the_name_judged():
    # microdata printed as text: the organisation's name followed by its logo URL
    assert credit("Sawt Almadina https://cdn.sawtalmadina.example/logo.svg")[0] == []
    assert credit("هالة رزق https://cdn.example/p/hala.jpg")[0] == ["هالة رزق"]


@pytest.mark.parametrize(("raw", "authors"), [
    ("أحمد علي ومنى سالم", ["أحمد علي", "منى سالم"]),
    ("أحمد علي وسام فؤاد", ["أحمد علي وسام فؤاد"]),  # وسام is a given name: one person
    ("ليلى حداد، كريم منصور", ["ليلى حداد", "كريم منصور"]),
    ("د. محمد سعيد", ["محمد سعيد"]),  # a title is not part of the name (and "د." no sentence end)
], ids=["waw-join", "waw-name", "comma", "title-abbrev"])
def test_joint_bylines(raw, authors):
    assert credit(raw)[0] == authors


def test_masthead_matches_names_the_page_states():
    m = Masthead(names=("بوابة الخبر اليومي الإلكترونية",), hosts=("alkhabar-daily.example",))
    assert m.is_outlet("بوابة الخبر اليومي")  # the name without its adjective
    assert m.is_outlet("alkhabar-daily")
    assert m.is_outlet("AlKhabar Daily")
    assert not m.is_outlet("خالد الخبير")
    assert not m.is_outlet("")


@pytest.mark.parametrize(("raw", "expected"), [
    ("(الرياض - صوت المدينة)", ("الرياض", None)),  # the outlet's own desk: no source
    ("القاهرة - وكالات", ("القاهرة", "وكالات")),
    ("رويترز", (None, "رويترز")),
    ("بي بي سي نيوز", (None, "بي بي سي نيوز")),  # another outlet, as printed
    ("صوت المدينة", (None, None)),
], ids=["own-desk", "city-agencies", "agency", "other-outlet", "own-name"])
def test_source_values(raw, expected):
    c = read_source(raw, OUTLET)
    assert (c.dateline, c.source) == expected
