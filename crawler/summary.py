"""CrawlSummary: every crawl ends with a short report in the log — pages fetched, articles
scraped and stored, drops by reason, and field coverage of the scraped articles."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy import signals

logger = logging.getLogger(__name__)

COVERAGE_FIELDS = ("title", "body", "published_at", "authors", "section", "tags", "related", "images", "source")


class CrawlSummary:
    def __init__(self, stats):
        self.stats = stats
        self.items = 0
        self.filled = dict.fromkeys(COVERAGE_FIELDS, 0)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.stats)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item, response=None, spider=None):
        self.items += 1
        adapter = ItemAdapter(item)
        for f in COVERAGE_FIELDS:
            if adapter.get(f) not in (None, "", [], {}):
                self.filled[f] += 1
        for f, n in self.filled.items():
            self.stats.set_value(f"coverage/{f}", round(n / self.items, 3))

    def spider_closed(self, spider, reason):
        s = self.stats.get_stats()
        drops = {k.removeprefix("validate/dropped/"): v for k, v in s.items() if k.startswith("validate/dropped/")}
        cover = "  ".join(f"{f} {100 * n / self.items:.0f}%" for f, n in self.filled.items()) if self.items else "-"
        logger.info(
            "summary %s: %d pages fetched, %d articles scraped, %d stored, dropped %s; coverage: %s (finish: %s)",
            spider.name, s.get("response_received_count", 0), self.items, s.get("store/rows_upserted", 0),
            drops or "none", cover, reason,
        )
