"""Credits at the edges of a body from HTML (``segment`` as the related pipeline runs it): the
outlet's own lead, agency tails, a dateline before a byline, follow-us lines. Sentences are our
own; expected fields are read off them by hand."""

from __future__ import annotations

import pytest

from crawler.arabic import segment
from crawler.arabic.bylines import Masthead

OUTLET = Masthead(names=("أخبار الساحل",), hosts=("www.akhbar-alsahel.example",))
S1 = "قررت البلدية تمديد ساعات عمل السوق المركزي حتى العاشرة مساء خلال الشهر المقبل."
S2 = "وقال مدير السوق إن القرار جاء بعد شكاوى التجار من ازدحام ساعات الصباح."


def seg(text: str, masthead: Masthead | None = OUTLET) -> dict:
    return segment(text, detect_title=False, cut_lead=False, join_wraps=False, tidy=False, masthead=masthead)


@pytest.mark.parametrize("lead", ["أخبار الساحل :- ", "أخبار الساحل - ", "أخبار الساحل/ ", "أخبار الساحل ـ "],
                         ids=["colon-dash", "dash", "slash", "tatweel"])
def test_the_outlets_own_lead_leaves_the_body(lead):
    r = seg(f"{lead}{S1}\n\n{S2}")
    assert r["body"] == f"{S1}\n\n{S2}"
    assert r["dateline"] == "أخبار الساحل"


def test_a_lead_naming_a_place_stays_as_printed():
    text = f"بيروت (رويترز) -- {S1}\n\n{S2}"
    r = seg(text)
    assert r["body"] == text
    assert (r["dateline"], r["source"]) == ("بيروت", "رويترز")


def test_an_unknown_name_before_a_dash_is_not_cut():
    text = f"سارة الحلبي - {S1}\n\n{S2}"  # could be anything: no outlet, no place, no agency
    assert seg(text)["body"] == text


@pytest.mark.parametrize(("tail", "source"), [
    ("(رويترز)", "رويترز"),
    ("--(بترا)", "بترا"),
    ("- وكالات", "وكالات"),
    ("ـ أ ف ب", "أ ف ب"),
    ("(المرصد المحلي)", "المرصد المحلي"),  # any one to three words in parentheses on their own line
], ids=["paren", "dashes-paren", "dash-credit", "tatweel-agency", "paren-any"])
def test_agency_tails_become_the_source(tail, source):
    r = seg(f"{S1}\n\n{S2}\n\n{tail}")
    assert r["body"] == f"{S1}\n\n{S2}"
    assert r["source"] == source


def test_an_agency_glued_to_the_last_sentence():
    r = seg(f"{S1}\n\n{S2} (أ ف ب)")
    assert r["body"] == f"{S1}\n\n{S2}"
    assert r["source"] == "أ ف ب"


def test_a_parenthesis_closing_a_sentence_is_not_a_tail():
    text = f"{S1}\n\n{S2} (بحسب البيان)"  # no agency: part of the sentence
    assert seg(text)["body"] == text


@pytest.mark.parametrize(("line", "author", "dateline"), [
    ("القاهرة - كتب أحمد محمود:", "أحمد محمود", "القاهرة"),
    ("القاهرة ـ كتب: أحمد محمود", "أحمد محمود", "القاهرة"),
    ("طنطا/ كتبت سلمى عادل", "سلمى عادل", "طنطا"),
    ("أسوان: بقلم هاني رزق", "هاني رزق", "أسوان"),
], ids=["dash", "tatweel", "slash", "colon"])
def test_a_dateline_before_a_byline(line, author, dateline):
    r = seg(f"{line}\n\n{S1}\n\n{S2}")
    assert r["authors"] == [author]
    assert r["dateline"] == dateline
    assert r["source"] is None
    assert r["body"] == f"{S1}\n\n{S2}"


@pytest.mark.parametrize("line", [
    "تابعوا أخبار الساحل عبر غوغل نيوز",
    "اشتركوا في قناتنا على تلغرام لتصلكم آخر الأخبار",
    "تابعونا على فيسبوك وتويتر",
    "حمل تطبيق أخبار الساحل من خلال الرابط",
], ids=["google-news", "telegram", "social", "app"])
def test_follow_us_lines_leave_the_body(line):
    assert seg(f"{S1}\n\n{line}\n\n{S2}")["body"] == f"{S1}\n\n{S2}"


def test_prose_with_a_follow_verb_stays():
    prose = "تابع الوزير حديثه عن الخطة عبر عدة محاور في المؤتمر الصحفي."
    assert seg(f"{S1}\n\n{prose}\n\n{S2}")["body"] == f"{S1}\n\n{prose}\n\n{S2}"
