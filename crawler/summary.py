"""CrawlSummary: every crawl ends with a short report in the log — pages fetched, articles
scraped and stored, drops by reason, field coverage of the scraped articles, and what the
self-healing steps had to do (selector misses, pattern misses, discovery fallback).

Stats it sets: ``coverage/<field>`` (share of scraped articles with the field), and
``fields/<field>/<step>`` (scraped articles whose field came from that extraction step, from the
item's ``provenance``: outlet, json_ld, rdfa, meta, printed, trafilatura, ...)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from itemadapter import ItemAdapter
from scrapy import signals

logger = logging.getLogger(__name__)

COVERAGE_FIELDS = ("title", "body", "published_at", "authors", "section", "tags", "related", "images", "source")
LAYOUT_FIELDS = ("title", "body", "published_at")  # named in the summary line when their selectors missed


def store_notes(stats: Mapping) -> list[str]:
    """What went wrong with the store, as short phrases (empty when every article was stored)."""
    notes = []
    lost, spooled = int(stats.get("store/rows_lost", 0) or 0), int(stats.get("store/rows_spooled", 0) or 0)
    if lost:
        notes.append(f"error: {lost} articles lost (neither the store nor the spool could be written)")
    if spooled:
        replayed = int(stats.get("store/rows_replayed", 0) or 0)
        notes.append(f"warning: {spooled} articles spooled instead of stored"
                     + (f" ({replayed} written from the spool since)" if replayed else
                        " (written when the store is back, or by the next run)"))
    return notes


def healing_notes(stats: Mapping) -> list[str]:
    """What the run needed the self-healing steps for, as short phrases (empty when nothing)."""
    notes = []
    pages = int(stats.get("layout/pages", 0) or 0)
    missed = [f"{f} {stats[f'layout/miss/{f}']}/{pages}" for f in LAYOUT_FIELDS if stats.get(f"layout/miss/{f}")]
    if missed:
        notes.append("selectors missed " + ", ".join(missed) + " pages (filled by the generic chain)")
    if stats.get("layout/pattern_miss"):
        notes.append(f"{stats['layout/pattern_miss']} articles outside the article pattern (kept by probes)")
    if stats.get("discovery/fallback"):
        notes.append("discovery fell back to the homepage (every declared source failed)")
    return notes


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
        provenance = adapter.get("provenance") if "provenance" in adapter.field_names() else None
        if isinstance(provenance, Mapping):
            for field, step in provenance.items():
                if isinstance(field, str) and isinstance(step, str) and "/" not in field and "/" not in step:
                    self.stats.inc_value(f"fields/{field}/{step}")

    def spider_closed(self, spider, reason):
        s = self.stats.get_stats()
        drops = {k.removeprefix("validate/dropped/"): v for k, v in s.items() if k.startswith("validate/dropped/")}
        cover = "  ".join(f"{f} {100 * n / self.items:.0f}%" for f, n in self.filled.items()) if self.items else "-"
        notes = store_notes(s) + healing_notes(s)
        logger.info(
            "summary %s: %d pages fetched, %d articles scraped, %d stored, dropped %s; coverage: %s%s (finish: %s)",
            spider.name, s.get("response_received_count", 0), self.items, s.get("store/rows_upserted", 0),
            drops or "none", cover, "; " + "; ".join(notes) if notes else "", reason,
        )
