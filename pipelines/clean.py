"""CleanPipeline: Arabic display normalisation of every text field, plus word count and content hash.

Titles keep their media words ("... GPS.. صور"): the outlet's headline is what the page shows, and
`clean_title` is for callers that want it cut. Items are never dropped here.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itemadapter import ItemAdapter

from crawler.arabic import NormalizeStats, fold, normalize_with_stats

TEXT_FIELDS = ("title", "subtitle", "body", "source", "dateline", "section", "published_raw", "modified_raw")
LIST_TEXT_FIELDS = ("authors", "tags")
# list-of-dict fields -> the text keys inside them
NESTED_TEXT = {"related": ("title", "text"), "images": ("caption",), "embeds": ("text",)}


def dedup_by_fold(values: list[str]) -> list[str]:
    """Keep the first spelling of each value; variants that fold alike are duplicates."""
    seen: set[str] = set()
    out = []
    for v in values:
        k = fold(v)
        if v and k and k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _settable(adapter: ItemAdapter, name: str) -> bool:
    # dict items take any key; declared items (scrapy.Item, dataclasses) only their own fields
    return isinstance(adapter.item, dict) or name in adapter.field_names()


class CleanPipeline:
    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        adapter = ItemAdapter(item)
        stats = NormalizeStats()

        def clean(value: Any) -> Any:
            return normalize_with_stats(value, stats) if isinstance(value, str) else value

        for name in TEXT_FIELDS:
            value = adapter.get(name)
            if isinstance(value, str):
                adapter[name] = clean(value) or None
        for name in LIST_TEXT_FIELDS:
            values = adapter.get(name)
            if isinstance(values, list):
                adapter[name] = dedup_by_fold([clean(v) for v in values if isinstance(v, str)])
        for name, keys in NESTED_TEXT.items():
            entries = adapter.get(name)
            if isinstance(entries, list):
                for entry in entries:
                    if isinstance(entry, dict):
                        for key in keys:
                            if isinstance(entry.get(key), str):
                                entry[key] = clean(entry[key]) or None
        body = adapter.get("body") or ""
        if _settable(adapter, "word_count"):
            adapter["word_count"] = len(body.split())
        if _settable(adapter, "content_hash"):
            adapter["content_hash"] = hashlib.sha1(fold(body).encode("utf-8")).hexdigest() if body else None
        crawler_stats = self.stats
        if crawler_stats is not None:
            crawler_stats.inc_value("clean/items")
            if stats.mojibake_runs:
                crawler_stats.inc_value("clean/mojibake_repaired", stats.mojibake_runs)
        return item
