"""RelatedPipeline: move what is left of related links, embeds and attribution lines out of the body.

Items built from HTML already carry structured `related`, `tags`, `authors`, `source`, `embeds`;
those win. `segment` runs on the body in its conservative mode (no title guessing, inline leads
kept, no rewording) and only what it recognises as residue leaves the body: "اقرأ أيضاً" lines,
related-list and sidebar trailers, a second article after the footer, source/tag lines, embedded
posts, captions, share/follow widgets.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter

from crawler import templates
from crawler.arabic import fold, segment
from crawler.arabic.bylines import Masthead, read_credits, read_source
from crawler.storage import ArticleStore
from crawler.workers import apply_stage

module_logger = logging.getLogger(__name__)

# If segmenting a long body would leave less than this share of its words, something unusual is
# going on (a page made of quotes or lists): keep the body and only take the metadata.
MIN_KEPT_SHARE = 0.3
GUARD_MIN_WORDS = 150


def _key(entry: dict) -> set[str]:
    keys = set()
    if entry.get("title"):
        keys.add("t:" + fold(entry["title"]))
    if entry.get("url"):
        keys.add("u:" + entry["url"].rstrip("/"))
    return keys


def _reference(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def split_related(item: Any, counts: Counter, settings: Any = None) -> None:
    """Move related lists, embeds and attribution lines out of ``item``'s body, in place; stat
    increments go to ``counts``. The pipeline's worker stage (crawler/workers.py)."""
    adapter = ItemAdapter(item)
    body = adapter.get("body")
    if not isinstance(body, str) or not body.strip():
        return
    masthead = Masthead(names=tuple(n for n in (adapter.get("outlet_name"), adapter.get("outlet")) if n),
                        hosts=(adapter.get("url") or "",))
    quality = adapter.get("text_quality")
    seg = segment(body, _reference(adapter.get("fetched_at")), detect_title=False, cut_lead=False,
                  join_wraps=False, tidy=False, masthead=masthead,
                  quality=quality if isinstance(quality, int | float) else None)
    if seg.get("page_type") == "unreadable":
        counts["related/unreadable"] += 1  # left whole: validate drops it on its text_quality
        return
    provenance = adapter.get("provenance")
    if not isinstance(provenance, dict):
        provenance = {}

    def inc(name: str, n: int = 1) -> None:
        if n:
            counts[f"related/{name}"] += n

    new_body = seg["body"]
    if new_body != body:
        words = len(body.split())
        if words < GUARD_MIN_WORDS or len(new_body.split()) >= MIN_KEPT_SHARE * words:
            adapter["body"] = new_body or None
            inc("body_trimmed")
        else:
            inc("body_kept_by_guard")
    related = list(adapter.get("related") or [])
    seen = set().union(*(_key(r) for r in related if isinstance(r, dict))) if related else set()
    added = 0
    for r in seg["related"]:
        keys = _key(r)
        if keys & seen:
            continue
        related.append({"title": r["title"], "url": r.get("url"), "text": r.get("text")})
        seen |= keys
        added += 1
    if added or adapter.get("related") is not None:
        adapter["related"] = related
    inc("related_added", added)
    embeds = list(adapter.get("embeds") or [])
    have = {(e.get("handle"), e.get("url"), fold(e.get("text") or "")) for e in embeds if isinstance(e, dict)}
    new = 0
    for e in seg["embeds"]:
        sig = (e.get("handle"), e.get("url"), fold(e.get("text") or ""))
        if sig in have:
            continue
        embeds.append({k: e.get(k) for k in ("platform", "url", "author", "handle", "published_at", "text", "media")})
        have.add(sig)
        new += 1
    if new or adapter.get("embeds") is not None:
        adapter["embeds"] = embeds
    inc("embeds_added", new)
    # structure first: text-derived values only fill what the page did not give; a byline read
    # from the text passes the same judgement as every other author value (bylines.read_credit)
    credit = read_credits(seg.get("authors") or [], masthead)
    source = read_source(seg.get("source"), masthead)
    found = {"source": source.source or credit.source,
             "dateline": seg.get("dateline") or source.dateline or credit.dateline, "section": seg.get("section")}
    for name in ("source", "dateline", "section"):
        value = found[name]
        if name == "source" and value and masthead.is_outlet(value):
            continue  # the outlet signing its own lead line ("شفق نيوز/ بغداد") is not a source
        if not adapter.get(name) and value:
            adapter[name] = value
            provenance[name] = "body_text"
            inc(f"{name}_filled")
    for name, values in (("authors", credit.authors), ("tags", seg.get("tags") or [])):
        if not adapter.get(name) and values:
            adapter[name] = list(values)
            provenance[name] = "body_text"
            inc(f"{name}_filled")
    for name, n in (("related", added), ("embeds", new)):
        if n and name not in provenance:
            provenance[name] = "body_text"
    _template_lines(item, adapter, settings, inc)
    if provenance and (isinstance(adapter.item, dict) or "provenance" in adapter.field_names()):
        adapter["provenance"] = provenance


def _template_lines(item: Any, adapter: ItemAdapter, settings: Any, inc) -> None:
    """The outlet's learned boilerplate leaves the body (crawler.templates); the body's line keys
    stay on the item for the crawl process to learn from."""
    body = adapter.get("body")
    if not isinstance(body, str) or not body or not templates.enabled(settings):
        return
    keys = templates.line_keys(body)
    if hasattr(item, "__dict__"):
        setattr(item, templates.KEY_ATTR, keys)
    book = templates.book_for(settings, adapter.get("outlet"))
    if book is not None:
        removed = book.remove(item, keys)
        inc("template_line", max(removed, 0))
        inc("template_kept_by_guard", int(removed < 0))


class RelatedPipeline:
    """Runs the related stage (in the crawl process unless a page worker did) and learns the
    outlet's boilerplate from every item (crawler.templates): counts written to the store every
    TEMPLATE_FLUSH_ITEMS items (off the reactor thread) and when the spider closes."""

    worker_stage = staticmethod(split_related)

    def __init__(self, stats: Any = None, settings: Any = None, crawler: Any = None) -> None:
        self.stats = stats
        self.settings = settings
        self.crawler = crawler
        self.book: templates.TemplateBook | None = None
        self._store = None
        self._outlet: str | None = None
        self._unflushed = 0
        self._flushing = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RelatedPipeline:
        return cls(crawler.stats, crawler.settings, crawler)

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or getattr(self.crawler, "spider", None)  # Scrapy 2.13+ passes no spider
        outlet = getattr(getattr(spider, "outlet", None), "slug", None)
        if not outlet or self.settings is None or not templates.enabled(self.settings):
            return
        if self.settings.getbool("STORE_ENABLED", True):
            try:
                self._store = ArticleStore.from_settings(self.settings)
            except Exception as exc:  # noqa: BLE001 - learning is an improvement, never a reason to stop
                module_logger.warning("boilerplate learning without the store (this run only): %s", exc)
        self._outlet = outlet
        self.book = templates.TemplateBook(self._store, outlet, **templates.options(self.settings))
        templates.register(self.settings, outlet, self.book)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        apply_stage(self, item, self.stats, self.settings)
        if self.book is not None:
            keys = getattr(item, templates.KEY_ATTR, None)
            self.book.count(ItemAdapter(item), keys if keys is not None else
                            templates.line_keys(ItemAdapter(item).get("body")))
            self._unflushed += 1
            if self._unflushed >= self.settings.getint("TEMPLATE_FLUSH_ITEMS", 200) and self._flushing is None:
                self._unflushed = 0
                from twisted.internet.threads import deferToThread

                self._flushing = deferToThread(self.book.flush)
                self._flushing.addBoth(self._flushed)
        return item

    def _flushed(self, result: Any) -> None:
        self._flushing = None
        if isinstance(result, int) and self.stats is not None:
            self.stats.inc_value("related/template_rows_written", result)

    def close_spider(self, spider: Any = None) -> None:
        if self.book is None:
            return
        written = self.book.flush()
        if self.stats is not None:
            self.stats.inc_value("related/template_rows_written", written)
        templates.unregister(self.settings, self._outlet)
        if self._store is not None:
            self._store.close()
