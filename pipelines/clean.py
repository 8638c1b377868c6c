"""CleanPipeline: Arabic display normalisation of every text field, plus word count, content hash and
the body's text quality (crawler.arabic.quality: 1.0 readable, down to 0 for replacement characters
and glyph-scrambled PDF text; validate drops what is below VALIDATE_MIN_TEXT_QUALITY).

Titles keep their media words ("... GPS.. صور"): the outlet's headline is what the page shows, and
`clean_title` is for callers that want it cut. Items are never dropped here.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from itemadapter import ItemAdapter

from crawler.arabic import NormalizeStats, fold, normalize_with_stats
from crawler.arabic.quality import text_quality
from crawler.workers import apply_stage

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


def clean_item(item: Any, counts: Counter, settings: Any = None) -> None:
    """Normalise every text field of ``item`` in place; stat increments go to ``counts``. The
    pipeline's worker stage (crawler/workers.py): a function of the item alone."""
    adapter = ItemAdapter(item)
    stats = NormalizeStats()

    def clean(value: Any) -> Any:
        return normalize_with_stats(value, stats) if isinstance(value, str) else value

    raw_body = adapter.get("body")
    quality = text_quality(raw_body) if isinstance(raw_body, str) and raw_body.strip() else None
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
    if _settable(adapter, "text_quality"):
        adapter["text_quality"] = quality  # measured before normalize removed the marks it counts
    if _settable(adapter, "content_hash"):
        adapter["content_hash"] = hashlib.sha1(fold(body).encode("utf-8")).hexdigest() if body else None
    counts["clean/items"] += 1
    if stats.mojibake_runs:
        counts["clean/mojibake_repaired"] += stats.mojibake_runs


class CleanPipeline:
    worker_stage = staticmethod(clean_item)

    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        apply_stage(self, item, self.stats)
        return item
