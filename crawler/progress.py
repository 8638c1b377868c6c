"""Progress: a long crawl logs one line every ``PROGRESS_INTERVAL`` seconds (default 60; 0 turns
it off) with pages fetched, articles scraped and stored, the article rate over the last interval
and over the whole run, the requests waiting (scheduler plus the downloader's per-site queues) and
the requests being downloaded::

    progress youm7: 1840 pages, 1702 articles (96.0/min now, 88.4/min overall), 1600 stored, queue 412, in flight 4

While the store cannot be written, ``stored`` is followed by ``(N spooled)``.

The last rate is kept in stats (``progress/articles_per_min``). The scheduler is read through
``crawler.engine.scheduler`` (Scrapy 2.19); one without ``len()`` shows as ``?+N`` (N: the
downloader's queues).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self.task: Any = None
        self.started = time.monotonic()
        self.items_before = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured("PROGRESS_INTERVAL is 0")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        self.task = create_looping_call(self.log, spider)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def queue_size(self) -> str:
        """Requests waiting: in the scheduler, and in the downloader's per-site queues (Scrapy moves
        up to CONCURRENT_REQUESTS requests there at once, so a small crawl's scheduler looks empty)."""
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        waiting = sum(len(getattr(slot, "queue", ())) for slot in getattr(downloader, "slots", {}).values())
        try:
            return str(len(getattr(engine, "scheduler", None)) + waiting)  # type: ignore[arg-type]
        except TypeError:
            return f"?+{waiting}"

    def in_flight(self) -> int:
        """Requests being downloaded right now."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        return sum(len(getattr(slot, "transferring", ())) for slot in getattr(downloader, "slots", {}).values())

    def log(self, spider: Spider) -> None:
        items = self.stats.get_value("item_scraped_count", 0)
        now_rate = (items - self.items_before) * 60.0 / self.interval
        elapsed = max(time.monotonic() - self.started, 1e-6)
        overall = items * 60.0 / elapsed
        self.items_before = items
        self.stats.set_value("progress/articles_per_min", round(now_rate, 1))
        spooled = self.stats.get_value("store/rows_spooled", 0)
        logger.info(
            "progress %s: %d pages, %d articles (%.1f/min now, %.1f/min overall), %d stored%s, queue %s, in flight %d",
            spider.name, self.stats.get_value("response_received_count", 0), items, now_rate, overall,
            self.stats.get_value("store/rows_upserted", 0), f" ({spooled} spooled)" if spooled else "",
            self.queue_size(), self.in_flight(),
        )
