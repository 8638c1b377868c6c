"""FetchFailures: failed fetches by reason (``fetch/failed/<reason>``), once per fetch, robots.txt
and deliberately skipped requests aside; and how the summary line tells them. End to end (retries,
robots.txt, timeouts): tests/test_hostile.py."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError, DNSLookupError

from crawler.middlewares.failures import FetchFailures
from crawler.summary import failure_phrase


@pytest.fixture
def mw() -> FetchFailures:
    crawler = get_crawler()
    return FetchFailures.from_crawler(crawler)


def counts(mw: FetchFailures) -> dict:
    return {k: v for k, v in mw.stats.get_stats().items() if k.startswith("fetch/")}


@pytest.mark.parametrize("status, counted", [(200, False), (304, False), (404, True), (410, True), (503, True)])
def test_responses_of_400_and_above_are_failures(mw: FetchFailures, status: int, counted: bool) -> None:
    request = Request("https://news.test/feed.xml")
    assert mw.process_response(request, Response(request.url, status=status)).status == status
    assert counts(mw) == ({"fetch/failed": 1, f"fetch/failed/http_{status}": 1} if counted else {})


def test_robots_txt_of_a_site_without_one_is_no_failure(mw: FetchFailures) -> None:
    request = Request("https://news.test/robots.txt")
    mw.process_response(request, Response(request.url, status=404))
    assert mw.process_exception(request, DNSLookupError("news.test")) is None
    assert counts(mw) == {}


@pytest.mark.parametrize("exc, reason", [
    (DNSLookupError("no such host"), "dns"),
    (ConnectionRefusedError(), "connection_refused"),
    (IgnoreRequest("Forbidden by robots.txt"), "robots_forbidden"),
    (IgnoreRequest("private address 10.0.0.5 refused: https://news.test/"), "private_address"),
    (ValueError("odd"), "ValueError"),
])
def test_exceptions_by_reason(mw: FetchFailures, exc: Exception, reason: str) -> None:
    assert mw.process_exception(Request("https://news.test/story/1"), exc) is None  # the exception goes on
    assert counts(mw) == {"fetch/failed": 1, f"fetch/failed/{reason}": 1}


def test_a_request_deliberately_not_sent_is_no_failure(mw: FetchFailures) -> None:
    mw.process_exception(Request("https://news.test/feed.xml"), IgnoreRequest("offsite"))
    assert counts(mw) == {}


def test_the_summary_phrase_tells_drops_failures_and_replay_misses() -> None:
    assert failure_phrase({}) == "dropped none, failed fetches none"
    stats = {"validate/dropped/not_arabic": 2, "validate/dropped/too_short": 1, "item_dropped_count": 4,
             "fetch/failed": 15, "fetch/failed/http_404": 14, "fetch/failed/dns": 1, "warc/replay_missing": 14}
    assert failure_phrase(stats) == ("dropped 4 (not_arabic 2, too_short 1, other 1), failed fetches 15 "
                                     "(http_404 14, dns 1), 14 not in the replayed archive")
