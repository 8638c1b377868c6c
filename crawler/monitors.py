"""Run monitors (spidermon): a crawl fails when it returns too few articles, half-empty articles,
too many dropped items or too many errors, or when the outlet module's layout or article pattern
has drifted, judged against per-outlet thresholds.

Thresholds, merged in this order (later wins; ``coverage`` is merged field by field):

1. ``DEFAULT_THRESHOLDS`` below;
2. setting ``MONITOR_THRESHOLDS["default"]``;
3. the outlet spider's class attribute ``thresholds`` (a dict of the same shape);
4. setting ``MONITOR_THRESHOLDS["<outlet slug>"]`` — operators override code.

Keys: ``min_items`` (articles a run must scrape — capped by the article pages it fetched, so an
incremental run with three new articles passes ``min_items: 20``), ``coverage`` (field -> least
share of scraped articles in which the field is non-empty; the fields of ``crawler.summary``),
``max_drop_rate`` (dropped / (scraped + dropped) items), ``max_error_rate`` (ERROR log lines /
requests), ``max_layout_miss`` (the share of article pages extracted with outlet selectors on which
the selector of a core field — title, body, published_at — found nothing: the generic chain filled
in, but the layout may have changed), ``max_pattern_miss`` (the share of extracted article pages
whose URL failed the outlet's article pattern and was kept only because a probe judged it an
article: the pattern may be stale). ``MONITOR_FINISH_REASONS`` lists the finish reasons that count
as a complete run.

The store: a run fails when an article could be neither stored nor spooled (``store/rows_lost``);
articles spooled instead of stored (the database was locked, read-only or down) are a warning in
the summary line, and fail the run only with ``STRICT_STORE = True``.

A run that fetched no article page passes only when discovery shows why: the articles are stored
already (``incremental/skipped``), the feeds answered 304 (``conditional/not_modified``) or the
articles lay outside the date window or the limit. Otherwise discovery is broken and the run fails.

When a monitor fails, ``MarkRunFailed`` logs the reasons at ERROR and sets the stats
``monitors/failed`` (count) and ``monitors/failures`` (messages); the project's ``scrapy crawl``
(``crawler/commands/crawl.py``) then exits with status 3.

Wiring: ``EXTENSIONS = {"crawler.monitors.Monitoring": 600}`` (spidermon's extension plus a count
of article pages), ``SPIDERMON_ENABLED = True``,
``SPIDERMON_SPIDER_CLOSE_MONITORS = ["crawler.monitors.RunMonitorSuite"]``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from scrapy import signals
from spidermon import Monitor, MonitorSuite
from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.scrapy.runners import LOG_MESSAGE_HEADER, SpiderMonitorResult, SpiderMonitorRunner
from spidermon.core.actions import Action

from crawler.summary import COVERAGE_FIELDS

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLDS: dict[str, Any] = {
    "min_items": 1,
    "coverage": {"title": 0.95, "body": 0.95, "published_at": 0.8},
    "max_drop_rate": 0.5,
    "max_error_rate": 0.1,
    "max_layout_miss": 0.5,
    "max_pattern_miss": 0.5,
}
CORE_FIELDS = ("title", "body", "published_at")  # the fields whose selectors the drift monitor watches
DEFAULT_FINISH_REASONS = ("finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout")
EXIT_MONITORS_FAILED = 3

ARTICLE_PAGES = "monitor/article_pages"


def _merge(base: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if key == "coverage" and isinstance(value, Mapping):
            out["coverage"] = {**out.get("coverage", {}), **value}
        else:
            out[key] = value
    return out


def thresholds_for(spider: Any, settings: Any) -> dict[str, Any]:
    """The thresholds one outlet's run is judged by (see the module docstring for the order)."""
    configured = settings.getdict("MONITOR_THRESHOLDS") if settings is not None else {}
    out = _merge(DEFAULT_THRESHOLDS, configured.get("default"))
    out = _merge(out, getattr(type(spider), "thresholds", None) or getattr(spider, "thresholds", None))
    outlet = getattr(getattr(spider, "outlet", None), "slug", None) or getattr(spider, "name", None)
    out = _merge(out, configured.get(outlet))
    unknown = sorted(set(out["coverage"]) - set(COVERAGE_FIELDS))
    if unknown:
        raise ValueError(f"coverage thresholds for {', '.join(unknown)}: only {', '.join(COVERAGE_FIELDS)} "
                         "are measured")
    return out


class _LoggerResult(SpiderMonitorResult):
    """Spidermon's result, writing its lines through ``spider.logger``: spidermon (1.27) writes
    them through ``Spider.log()``, which Scrapy deprecated, and that put a ScrapyDeprecationWarning
    in every crawl's log."""

    def log(self, msg, level=logging.DEBUG):
        self.spider.logger.log(level, f"[{LOG_MESSAGE_HEADER}] {msg}")


class _Runner(SpiderMonitorRunner):
    def create_result(self):
        return _LoggerResult(self.spider)


class Monitoring(Spidermon):
    """Spidermon's extension, plus a count of article pages fetched (stat ``monitor/article_pages``),
    which the item-count monitor needs to judge incremental runs; its suites run with ``_Runner``,
    whose results log through ``spider.logger``."""

    def _run_suites(self, spider, suites):
        data = self._generate_data_for_spider(spider)
        for suite in suites:
            _Runner(spider=spider).run(suite, **data)

    @classmethod
    def from_crawler(cls, crawler):
        ext = super().from_crawler(crawler)
        crawler.signals.connect(ext._response_received, signal=signals.response_received)
        return ext

    def _response_received(self, response, request, spider=None) -> None:
        # A probe (a link that failed the outlet's article pattern) is counted by the spider once it
        # is judged an article: a rejected probe is not an article page that gave no article.
        discovery = request.meta.get("discovery")
        if discovery is not None and not discovery.get("probe") and 200 <= response.status < 300:
            self.crawler.stats.inc_value(ARTICLE_PAGES)


class _RunMonitor(Monitor):
    longMessage = False  # the message we write is the reason; unittest's "X is not true" is noise
    @property
    def stats(self) -> Mapping[str, Any]:
        return self.data.stats

    @property
    def thresholds(self) -> dict[str, Any]:
        return thresholds_for(self.data.spider, self.data.crawler.settings)

    def count(self, name: str) -> int:
        return int(self.stats.get(name, 0) or 0)


class ItemCountMonitor(_RunMonitor):
    """Enough articles were scraped."""

    def test_enough_articles(self):
        items = self.count("item_scraped_count")
        pages = self.count(ARTICLE_PAGES)
        minimum = int(self.thresholds["min_items"])
        if pages == 0:
            reasons = {k: self.count(k) for k in ("incremental/skipped", "conditional/not_modified",
                                                  "news/outside_window", "news/over_limit") if self.count(k)}
            self.assertTrue(reasons or items >= minimum,
                            "no article page fetched and discovery gave no reason (nothing stored already, "
                            "no 304, nothing outside the date window): discovery found no articles")
            return
        expected = min(minimum, pages)
        self.assertGreaterEqual(items, expected,
                                f"item count {items} < {expected} (min_items {minimum}, {pages} article pages fetched)")


class FieldCoverageMonitor(_RunMonitor):
    """Scraped articles have their fields filled."""

    def test_field_coverage(self):
        if not self.count("item_scraped_count"):
            self.skipTest("no articles scraped")
        low = []
        for field, minimum in sorted(self.thresholds["coverage"].items()):
            share = float(self.stats.get(f"coverage/{field}", 0.0) or 0.0)
            if share < float(minimum):
                low.append(f"{field} {share:.0%} < {float(minimum):.0%}")
        self.assertFalse(low, "field coverage below threshold: " + ", ".join(low))


class DropRateMonitor(_RunMonitor):
    """Few scraped items were dropped by the pipelines."""

    def test_drop_rate(self):
        dropped, scraped = self.count("item_dropped_count"), self.count("item_scraped_count")
        if not dropped + scraped:
            self.skipTest("no items")
        rate, limit = dropped / (dropped + scraped), float(self.thresholds["max_drop_rate"])
        self.assertLessEqual(rate, limit, f"drop rate {rate:.0%} > {limit:.0%} ({dropped} of {dropped + scraped} "
                                          "items dropped)")


class ErrorRateMonitor(_RunMonitor):
    """Few requests ended in errors (download failures after retries, spider and pipeline errors)."""

    def test_error_rate(self):
        requests = self.count("downloader/request_count")
        if not requests:
            self.skipTest("no requests")
        errors = self.count("log_count/ERROR")
        rate, limit = errors / requests, float(self.thresholds["max_error_rate"])
        self.assertLessEqual(rate, limit, f"error rate {rate:.0%} > {limit:.0%} ({errors} errors, {requests} requests)")


class LayoutDriftMonitor(_RunMonitor):
    """The outlet module still fits the site: its selectors find the core fields, and its article
    pattern still matches the site's article URLs."""

    def _outlet(self) -> str:
        spider = self.data.spider
        return getattr(getattr(spider, "outlet", None), "slug", None) or spider.name

    def _examples(self, key: str) -> str:
        # decoded for reading: an Arabic slug percent-encoded is three times as long and unreadable
        examples = [unquote(str(url)) for url in self.stats.get(key) or []]
        return f" ({', '.join(examples)})" if examples else ""

    def test_selectors_find_core_fields(self):
        pages = self.count("layout/pages")
        if not pages:
            self.skipTest("no article page extracted with outlet selectors")
        limit = float(self.thresholds["max_layout_miss"])
        drifted = []
        for field in CORE_FIELDS:
            missed = self.count(f"layout/miss/{field}")
            if missed and missed / pages > limit:
                drifted.append(f"{self._outlet()}: selectors missed {field} on {missed / pages:.0%} of {pages} "
                               f"article pages{self._examples(f'layout/examples/{field}')}: the layout may have changed")
        self.assertFalse(drifted, "; ".join(drifted))

    def test_article_pattern_matches(self):
        pages, missed = self.count("news/articles_extracted"), self.count("layout/pattern_miss")
        if not pages:
            self.skipTest("no article page extracted")
        limit = float(self.thresholds["max_pattern_miss"])
        share = missed / pages
        self.assertLessEqual(share, limit,
                             f"{self._outlet()}: the article pattern missed {share:.0%} of {pages} article pages"
                             f"{self._examples('layout/examples/pattern_miss')}: the URL pattern may be stale")


class FinishReasonMonitor(_RunMonitor):
    """The run ended normally (not killed, not closed on errors)."""

    def test_finish_reason(self):
        allowed = self.data.crawler.settings.getlist("MONITOR_FINISH_REASONS") or list(DEFAULT_FINISH_REASONS)
        reason = self.stats.get("finish_reason")
        self.assertIn(reason, allowed, f"finish reason {reason!r} is not one of {', '.join(allowed)}")


class StoreMonitor(_RunMonitor):
    """Every scraped article reached the store, or at least the spool (which a later write empties)."""

    def test_no_article_lost(self):
        lost = self.count("store/rows_lost")
        self.assertEqual(lost, 0, f"{lost} articles lost: neither the store nor the spool could be written")

    def test_nothing_spooled_when_strict(self):
        if not self.data.crawler.settings.getbool("STRICT_STORE", False):
            self.skipTest("STRICT_STORE is off: spooled articles are a warning")
        spooled = self.count("store/rows_spooled")
        self.assertEqual(spooled, 0, f"{spooled} articles spooled instead of stored (STRICT_STORE)")


class MarkRunFailed(Action):
    """Log why the run failed and record it in stats, for ``scrapy crawl``'s exit status."""

    def run_action(self):
        failures = []
        for r in self.result.monitors_failed_results:
            # a failed assertion has a reason; a monitor that raised (bad thresholds) only a traceback
            why = r.reason or ((r.error or "").strip().splitlines() or ["error"])[-1]
            failures.append(f"{r.monitor.monitor_name}: {why}")
        stats = self.data.crawler.stats
        stats.set_value("monitors/failed", len(failures))
        stats.set_value("monitors/failures", failures)
        logger.error("monitors failed for %s: %s", self.data.spider.name, "; ".join(failures))


class RunMonitorSuite(MonitorSuite):
    monitors = [ItemCountMonitor, FieldCoverageMonitor, DropRateMonitor, ErrorRateMonitor, LayoutDriftMonitor,
                FinishReasonMonitor, StoreMonitor]
    monitors_failed_actions = [MarkRunFailed]
