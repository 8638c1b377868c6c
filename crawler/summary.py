"""CrawlSummary: every crawl ends with a short report in the log — pages fetched, articles
scraped and stored, drops by reason, failed fetches by reason (``fetch/failed/<reason>``, counted
by ``crawler.middlewares.failures``) and pages missing from a replayed archive, field coverage of
the scraped articles, and what the self-healing steps had to do (selector misses, pattern misses,
discovery fallback).

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


def _counts(stats: Mapping, prefix: str) -> dict[str, int]:
    """{reason: n} of the stats ``<prefix><reason>``, most frequent first."""
    found = {k.removeprefix(prefix): int(v or 0) for k, v in stats.items()
             if isinstance(k, str) and k.startswith(prefix) and "/" not in k.removeprefix(prefix)}
    return dict(sorted(((k, n) for k, n in found.items() if n), key=lambda kv: (-kv[1], kv[0])))


def _by_reason(counts: Mapping[str, int]) -> str:
    if not counts:
        return "none"
    return f"{sum(counts.values())} (" + ", ".join(f"{reason} {n}" for reason, n in counts.items()) + ")"


def drop_reasons(stats: Mapping) -> dict[str, int]:
    """Items dropped by the pipelines, by reason (validation's reasons; the rest as ``other``)."""
    drops = _counts(stats, "validate/dropped/")
    other = int(stats.get("item_dropped_count", 0) or 0) - sum(drops.values())
    if other > 0:
        drops["other"] = other
    return drops


def fetch_failures(stats: Mapping) -> dict[str, int]:
    """Fetches that failed after their retries, by reason (``fetch/failed/<reason>``)."""
    return _counts(stats, "fetch/failed/")


def failure_phrase(stats: Mapping) -> str:
    """``dropped ..., failed fetches ...`` of the summary line, with the pages a replayed archive
    lacked (they are answered 404, so they are among the failures too)."""
    phrase = f"dropped {_by_reason(drop_reasons(stats))}, failed fetches {_by_reason(fetch_failures(stats))}"
    missing = int(stats.get("warc/replay_missing", 0) or 0)
    if missing:
        phrase += f", {missing} not in the replayed archive"
    return phrase


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
        cover = "  ".join(f"{f} {100 * n / self.items:.0f}%" for f, n in self.filled.items()) if self.items else "-"
        notes = store_notes(s) + healing_notes(s)
        logger.info(
            "summary %s: %d pages fetched, %d articles scraped, %d stored, %s; coverage: %s%s (finish: %s)",
            spider.name, s.get("response_received_count", 0), self.items, s.get("store/rows_upserted", 0),
            failure_phrase(s), cover, "; " + "; ".join(notes) if notes else "", reason,
        )
