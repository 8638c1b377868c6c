"""Run stats in the store: every crawl of an outlet leaves one row in the ``runs`` table, so
``scrapy outlets`` (and later reports) can tell which outlet modules need attention.

``RunRecorder`` (extension, ``EXTENSIONS = {"crawler.runs.RunRecorder": 700}``, after spidermon so
the monitors' verdict is in the stats) writes the run at spider close. A store that cannot be
opened or written costs a warning, never the crawl. ``STORE_ENABLED = False`` or
``RUNS_ENABLED = False`` switch it off. What is stored: ``crawler.storage.safe_run_stats`` (numbers
and the drift monitor's lists; no text, so no database or Redis URL).

``run_health`` reads one stored run into the figures ``scrapy outlets`` shows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.monitors import CORE_FIELDS, DEFAULT_FINISH_REASONS
from crawler.storage import ArticleStore, StoreError

logger = logging.getLogger(__name__)


class RunRecorder:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunRecorder:
        settings = crawler.settings
        if not settings.getbool("STORE_ENABLED", True) or not settings.getbool("RUNS_ENABLED", True):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    async def spider_closed(self, spider: Any, reason: str) -> None:
        # off the reactor thread: a locked or unreachable store may take STORE_TIMEOUT to answer,
        # and other crawls of the process (crawlall) must not wait for it; the close waits for it.
        # A coroutine, not a returned Deferred: Scrapy 2.13+ warns about those in every crawl log.
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        stats = dict(self.crawler.stats.get_stats())
        await maybe_deferred_to_future(deferToThread(self._record, spider, reason, stats))

    def _record(self, spider: Any, reason: str, stats: dict[str, Any]) -> None:
        outlet = getattr(getattr(spider, "outlet", None), "slug", None) or spider.name
        try:
            store = ArticleStore.from_settings(self.crawler.settings)
            try:
                store.record_run(outlet, spider.name, stats, started_at=_time(stats.get("start_time")),
                                 finished_at=_time(stats.get("finish_time")) or datetime.now(UTC),
                                 finish_reason=str(stats.get("finish_reason") or reason))
            finally:
                store.close()
        except StoreError as exc:  # its message hides the password of the database URL
            logger.warning("run stats of %s not stored: %s", outlet, exc)
        except Exception as exc:  # noqa: BLE001 - recording a run must never fail the crawl
            logger.warning("run stats of %s not stored: %s", outlet, type(exc).__name__)


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def run_health(run: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of one stored run that say whether its outlet module still fits the site.

    ``articles`` scraped and ``stored``; ``layout_pages`` (pages extracted with outlet selectors);
    per core field ``fallback`` (share of those pages where the selector missed and the generic
    chain filled the field), ``missed`` (selector missed, filled or not) and ``disagree`` (outlet
    and generic chain disagreed); ``pattern_miss`` (articles kept by probes); ``discovery_fallback``;
    ``monitors_failed`` (number of failed monitors) and ``failures`` (their messages);
    ``attention``: the reasons to look at the module, empty when none.
    """
    stats = run.get("stats") or {}

    def n(key: str) -> int:
        value = stats.get(key, 0)
        return int(value) if isinstance(value, int | float) else 0

    pages = n("layout/pages")
    out: dict[str, Any] = {
        "outlet": run.get("outlet"), "finished_at": run.get("finished_at"), "finish_reason": run.get("finish_reason"),
        "articles": n("item_scraped_count"), "stored": n("store/rows_upserted"), "layout_pages": pages,
        "missed": {f: _rate(n(f"layout/miss/{f}"), pages) for f in CORE_FIELDS},
        "fallback": {f: _rate(n(f"layout/fallback/{f}"), pages) for f in CORE_FIELDS},
        "disagree": {f: _rate(n(f"layout/disagree/{f}"), pages) for f in CORE_FIELDS},
        "pattern_miss": n("layout/pattern_miss"),
        "discovery_fallback": bool(n("discovery/fallback")),
        "monitors_failed": n("monitors/failed"),
        "failures": [str(f) for f in stats.get("monitors/failures") or []],
    }
    attention = []
    if out["monitors_failed"]:
        attention.append("monitors failed")
    if out["discovery_fallback"]:
        attention.append("discovery fell back")
    if out["pattern_miss"]:
        attention.append("pattern misses")
    if any(out["missed"].values()):
        attention.append("selectors missed")
    if out["finish_reason"] not in (None, *DEFAULT_FINISH_REASONS):
        attention.append(f"finished: {out['finish_reason']}")
    out["attention"] = attention
    return out
