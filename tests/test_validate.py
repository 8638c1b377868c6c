"""Unit tests for pipelines.validate: every drop reason is counted, Arabic share, implausible dates."""

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipelines.validate import ValidatePipeline, arabic_share

URL = "https://akhbar.example.com/story/1"
TITLE = "افتتاح مكتبة عامة جديدة"
# 20 Arabic words written for this test, well over 80 characters
BODY = ("افتتحت البلدية مكتبة عامة جديدة في وسط المدينة تضم آلاف الكتب وقاعات للقراءة "
        "والدراسة وتفتح أبوابها للزوار طوال أيام الأسبوع")
ENGLISH = "The city council opened a new public library downtown with thousands of books and reading rooms."


def make_pipeline(settings: dict | None = None):
    crawler = get_crawler(settings_dict=settings or {})
    return ValidatePipeline.from_crawler(crawler), crawler.stats


def good(**changes) -> dict:
    item = {"url": URL, "title": TITLE, "body": BODY, "language": "ar",
            "published_at": "2026-11-20T10:00:00+03:00", "modified_at": None}
    item.update(changes)
    return item


def test_good_item_passes_unchanged():
    pipe, stats = make_pipeline()
    item = good()
    assert pipe.process_item(dict(item)) == item
    assert stats.get_value("validate/passed") == 1
    assert stats.get_value("validate/dropped") is None


@pytest.mark.parametrize(("changes", "reason"), [
    ({"url": None}, "missing_url"),
    ({"title": ""}, "missing_title"),
    ({"body": None}, "missing_body"),
    ({"title": None, "body": "قصير"}, "missing_title"),  # the first failing rule is the reason
    ({"body": "ا" * 79}, "body_too_short"),
    ({"body": ENGLISH}, "not_arabic"),
    ({"body": ENGLISH, "language": None}, "not_arabic"),  # unknown language: an Arabic outlet's page
], ids=["url", "title", "body", "first-reason", "short", "english", "english-no-lang"])
def test_drop_reason_counted(changes, reason):
    pipe, stats = make_pipeline()
    with pytest.raises(DropItem, match=f"^{reason}: "):
        pipe.process_item(good(**changes))
    assert stats.get_value(f"validate/dropped/{reason}") == 1
    assert stats.get_value("validate/dropped") == 1
    assert stats.get_value("validate/passed") is None
    other = {k for k in stats.get_stats() if k.startswith("validate/dropped/")} - {f"validate/dropped/{reason}"}
    assert other == set()


def test_drops_accumulate_per_reason():
    pipe, stats = make_pipeline()
    for changes in ({"url": ""}, {"url": None}, {"body": ENGLISH}):
        with pytest.raises(DropItem):
            pipe.process_item(good(**changes))
    pipe.process_item(good())
    assert (stats.get_value("validate/dropped/missing_url"), stats.get_value("validate/dropped/not_arabic"),
            stats.get_value("validate/dropped"), stats.get_value("validate/passed")) == (2, 1, 3, 1)


def test_body_of_exactly_min_chars_passes():
    pipe, _ = make_pipeline()
    assert pipe.process_item(good(body="ب" * 80))["body"] == "ب" * 80


@pytest.mark.parametrize(("settings", "changes"), [
    ({"VALIDATE_ARABIC_SHARE": 0}, {"body": ENGLISH}),  # 0 switches the check off
    ({}, {"body": ENGLISH, "language": "en"}),  # the check is for Arabic outlets only
    ({"VALIDATE_MIN_BODY_CHARS": 3}, {"body": "نعم"}),
    ({"VALIDATE_REQUIRED_FIELDS": ["url"]}, {"title": None, "body": None}),
    ({"VALIDATE_REQUIRED_FIELDS": ["url", "title"]}, {"body": "قصير"}),  # no body rule: length not checked
], ids=["share-off", "english-outlet", "min-chars", "only-url", "body-not-required"])
def test_settings_relax_rules(settings, changes):
    pipe, stats = make_pipeline(settings)
    pipe.process_item(good(**changes))
    assert stats.get_value("validate/passed") == 1


@pytest.mark.parametrize(("text", "share"), [
    ("", 0.0),
    ("١٢٣ 456 !!", 0.0),  # digits and punctuation are not letters
    ("abc دهو", 0.5),
    ("مرحبا", 1.0),
    ("مرحبا hello world", 5 / 15),
    ("مَرْحَبًا", 1.0),  # tashkeel is not a letter: it neither adds nor dilutes
    ("سلام abcdef", 4 / 10),
], ids=["empty", "no-letters", "half", "all", "third", "tashkeel", "mixed"])
def test_arabic_share(text, share):
    assert arabic_share(text) == pytest.approx(share)


@pytest.mark.parametrize(("body", "dropped"), [
    ("ا" * 50 + "b" * 50, False),  # exactly 0.5 passes (the rule is "less than")
    ("ا" * 49 + "b" * 51, True),
])
def test_arabic_share_threshold(body, dropped):
    pipe, _ = make_pipeline()
    if dropped:
        with pytest.raises(DropItem, match="not_arabic"):
            pipe.process_item(good(body=body))
    else:
        pipe.process_item(good(body=body))


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


@pytest.mark.parametrize(("field", "value", "nulled"), [
    ("published_at", "1989-12-31T23:59:59+00:00", True),
    ("published_at", "1985-06-01", True),
    ("published_at", "1985-06-01T10:00:00", True),
    ("published_at", "1990-01-01T00:00:00+00:00", False),
    ("published_at", "1990-01-01T02:00:00+03:00", True),  # = 1989-12-31T23:00Z
    ("modified_at", "2999-01-01", True),
    ("modified_at", "__future10d__", True),
    ("modified_at", "__future1d__", False),
    ("published_at", "2026-11-20", False),
], ids=["before-1990", "date-1985", "naive-1985", "1990-exact", "1990-with-offset", "far-future",
        "10-days-ahead", "1-day-ahead", "recent-date"])
def test_implausible_dates_are_nulled_not_dropped(field, value, nulled):
    value = {"__future10d__": _iso(timedelta(days=10)), "__future1d__": _iso(timedelta(days=1))}.get(value, value)
    pipe, stats = make_pipeline()
    out = pipe.process_item(good(**{field: value}))
    assert out[field] == (None if nulled else value)
    assert stats.get_value(f"validate/implausible_{field}") == (1 if nulled else None)
    assert stats.get_value("validate/passed") == 1
    assert stats.get_value("validate/dropped") is None


def test_without_stats_collector():
    pipe = ValidatePipeline()
    assert pipe.process_item(good(published_at="1970-01-01"))["published_at"] is None
    with pytest.raises(DropItem):
        pipe.process_item(good(title=None))
