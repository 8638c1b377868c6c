"""dedup: link copies of the same article across outlets, never drop them.

Three checks, in order, for each item:

1. cross-site canonical: the page's canonical URL is on another site (a syndicated copy that
   points at its source). It is stored under its own ``url`` and linked to that canonical URL, so
   it never overwrites the source's row.
2. exact content: an earlier original (this run or the store) has the same ``content_hash``
   (SHA-1 of the folded body). The stored ones are loaded at open, with the signatures: no
   database query per item.
3. near duplicate: MinHash/LSH over folded word 3-shingles finds an original whose estimated
   Jaccard similarity is at least DEDUP_THRESHOLD (agency copy with a new headline or dateline).

A duplicate is linked with ``duplicate_of`` (the original's canonical URL) and ``duplicate_kind``
in the store; originals join the index. The index is rebuilt at open from the signatures and
content hashes the store keeps, limited to DEDUP_WINDOW_DAYS, so it persists across runs.

Settings: DEDUP_ENABLED (True), DEDUP_THRESHOLD (0.4), DEDUP_NUM_PERM (128),
DEDUP_WINDOW_DAYS (60; 0 loads every stored signature), plus the store's DATABASE_URL/SQLITE_PATH.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from crawler.dedup import (
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    DedupDecision,
    NearDuplicateIndex,
    decisions_for,
    minhash,
    signature_bytes,
    signature_from_bytes,
    signature_text,
    site_of,
)
from crawler.storage import ArticleStore, StoreError
from crawler.workers import done_in_worker

module_logger = logging.getLogger(__name__)


SIGNATURE_ATTR = "_dedup_signature"  # (num_perm, signature bytes or None), set by the worker stage


def body_signature(item: Any, counts: Counter, settings: Any = None) -> None:
    """The body's MinHash signature, made in a page worker (crawler/workers.py): hashing ~700
    shingles is the costly part of this step and needs nothing but the item."""
    if settings is not None and not settings.getbool("DEDUP_ENABLED", True):
        return
    num_perm = settings.getint("DEDUP_NUM_PERM", DEFAULT_NUM_PERM) if settings is not None else DEFAULT_NUM_PERM
    sig = minhash(ItemAdapter(item).get("body"), num_perm=num_perm)
    setattr(item, SIGNATURE_ATTR, (num_perm, signature_bytes(sig) if sig is not None else None))


class DedupPipeline:
    """Decide, per item, whether it copies an earlier original; hand the decision to the store."""

    worker_stage = staticmethod(body_signature)

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = settings
        self.threshold = settings.getfloat("DEDUP_THRESHOLD", DEFAULT_THRESHOLD)
        self.num_perm = settings.getint("DEDUP_NUM_PERM", DEFAULT_NUM_PERM)
        self.window_days = settings.getint("DEDUP_WINDOW_DAYS", 60)
        self.index = NearDuplicateIndex(self.threshold, self.num_perm)
        self.content_originals: dict[str, str] = {}  # content_hash -> key of the earliest original
        self.decisions = decisions_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        if not crawler.settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        return cls(crawler)

    @property
    def logger(self) -> logging.Logger | logging.LoggerAdapter:
        spider = getattr(self.crawler, "spider", None)
        return spider.logger if spider is not None else module_logger

    def open_spider(self, spider: Spider | None = None) -> None:
        if not self.settings.getbool("STORE_ENABLED", True):
            return  # nothing stored, nothing earlier to compare with: this run's items only
        since = datetime.now(UTC) - timedelta(days=self.window_days) if self.window_days > 0 else None
        loaded = 0
        try:
            store = ArticleStore.from_settings(self.settings)
            try:
                for key, num_perm, data in store.iter_signatures(since):
                    if num_perm == self.num_perm:
                        self.index.add(key, signature_from_bytes(data))
                        loaded += 1
                # Earlier originals by exact content: looked up once here, not with a query per
                # item (a blocking round trip per article on PostgreSQL).
                for content_hash, key in store.iter_content_hashes(since):
                    self.content_originals.setdefault(content_hash, key)
            finally:
                store.close()
        except (StoreError, SQLAlchemyError) as exc:
            # The store step spools; dedup still links copies within this run.
            self.logger.warning("Dedup compares within this run only, store unavailable: %s", exc)
        self.stats.set_value("dedup/index_loaded", loaded)
        self.stats.set_value("dedup/content_hashes_loaded", len(self.content_originals))

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url") or None
        canonical = adapter.get("canonical_url") or None
        key = canonical or url
        if not key:
            return item  # the store step counts unkeyed items
        made = getattr(item, SIGNATURE_ATTR, None) if done_in_worker(item, self) else None
        if made is not None and made[0] == self.num_perm:
            sig = signature_from_bytes(made[1]) if made[1] is not None else None
        else:
            sig = minhash(adapter.get("body"), num_perm=self.num_perm)
        decision = self.decide(key, url, canonical, adapter.get("content_hash"), adapter.get("body"), sig)
        self.decisions[key] = decision
        if decision.duplicate_of:
            self.stats.inc_value(f"dedup/duplicates/{decision.kind}")
            self.logger.debug("%s duplicates %s (%s)", url, decision.duplicate_of, decision.kind)
        else:
            self.stats.inc_value("dedup/originals")
        if "duplicate_of" in adapter.field_names() or isinstance(item, dict):
            adapter["duplicate_of"] = decision.duplicate_of  # feeds show the link too, when they can
        return item

    def decide(self, key: str, url: str | None, canonical: str | None, content_hash: str | None,
               body: str | None, sig: Any = False) -> DedupDecision:
        """The decision for one article (and the index updated when it is an original); ``sig`` is
        the body's signature when it was made already (None: too short to have one)."""
        if sig is False:
            sig = minhash(body, num_perm=self.num_perm)
        decision = DedupDecision(store_key=key)
        if sig is not None:
            decision.minhash, decision.num_perm = signature_text(sig), self.num_perm
        if canonical and url and site_of(canonical) != site_of(url):
            decision.store_key = url
            decision.duplicate_of, decision.kind, decision.score = canonical, "url", 1.0
            return decision
        original = self._content_original(content_hash, key)
        if original:
            decision.duplicate_of, decision.kind, decision.score = original, "content", 1.0
            return decision
        if sig is not None:
            near = self.index.best(sig, exclude=key)
            if near:
                decision.duplicate_of, decision.kind, decision.score = near[0], "near", round(near[1], 3)
                return decision
            self.index.add(key, sig)
        else:
            self.index.remove(key)  # its body no longer says enough to be matched against
        if content_hash:
            self.content_originals.setdefault(content_hash, key)
        return decision

    def _content_original(self, content_hash: str | None, key: str) -> str | None:
        if not content_hash:
            return None
        here = self.content_originals.get(content_hash)
        return here if here and here != key else None
