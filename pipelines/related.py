"""RelatedPipeline: move what is left of related links, embeds and attribution lines out of the body.

Items built from HTML already carry structured `related`, `tags`, `authors`, `source`, `embeds`;
those win. `segment` runs on the body in its conservative mode (no title guessing, inline leads
kept, no rewording) and only what it recognises as residue leaves the body: "اقرأ أيضاً" lines,
related-list and sidebar trailers, a second article after the footer, source/tag lines, embedded
posts, captions, share/follow widgets.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter

from crawler.arabic import fold, segment
from crawler.arabic.bylines import Masthead, read_credits, read_source
from crawler.workers import apply_stage

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
    seg = segment(body, _reference(adapter.get("fetched_at")), detect_title=False, cut_lead=False,
                  join_wraps=False, tidy=False, masthead=masthead)
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
    if provenance and (isinstance(adapter.item, dict) or "provenance" in adapter.field_names()):
        adapter["provenance"] = provenance


class RelatedPipeline:
    worker_stage = staticmethod(split_related)

    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RelatedPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        apply_stage(self, item, self.stats)
        return item
