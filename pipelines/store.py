"""Store step: buffer items and upsert them into the article store in batches.

A batch is written when it fills (STORE_BATCH_SIZE), every STORE_FLUSH_SECONDS, and at close, so
a crash (even SIGKILL) loses at most the open batch. A batch that cannot be written is appended to
a spool file (JSON Lines) and written on the next run, so a database outage costs a delay, never
items. When the database answers but one row breaks a batch, the rows are retried one by one and
only the failing rows are spooled.

The dedup step's decision for an item (``crawler.dedup.decisions_for``) is stored with it.

Settings: STORE_ENABLED (default True), STORE_BATCH_SIZE (200), STORE_FLUSH_SECONDS (30; 0 turns
the timer off), SPOOL_PATH (data/spool.jsonl), and the store's own DATABASE_URL / SQLITE_PATH.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from crawler.dedup import decisions_for
from crawler.items import FIELD_KINDS, SCHEMA_VERSION, empty_article
from crawler.storage import ArticleStore, StoreError, folded_texts
from crawler.workers import done_in_worker

DEFAULT_SPOOL_PATH = "data/spool.jsonl"

module_logger = logging.getLogger(__name__)


def item_to_row(item: Any) -> dict[str, Any]:
    """Any Scrapy item -> a plain dict with every schema field (missing -> None or [])."""
    adapter = ItemAdapter(item)
    row = empty_article()
    for name in FIELD_KINDS:
        value = adapter.get(name)
        if value is not None:
            # A copy: the item travels on (feed exports) and must not change what we buffered.
            row[name] = copy.deepcopy(value)
    if row["schema_version"] is None:
        # The row has just been shaped to this schema, so its version is known, not guessed.
        row["schema_version"] = SCHEMA_VERSION
    return row


FOLDED_ATTR = "_store_folded"


def fold_for_store(item: Any, counts: Any = None, settings: Any = None) -> None:
    """Fold the title and body in the page worker (crawler/workers.py), where the dedup stage has
    just folded the same body: folding it again in the crawl process cost ~0.5 ms a page."""
    adapter = ItemAdapter(item)
    setattr(item, FOLDED_ATTR, folded_texts(adapter.get("title"), adapter.get("body")))


class StorePipeline:
    """Batched upserts into ``ArticleStore``, with a spool file for batches that fail."""

    worker_stage = staticmethod(fold_for_store)

    def __init__(self, crawler: Crawler, clock: Any = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = settings
        self.batch_size = max(1, settings.getint("STORE_BATCH_SIZE", 200))
        self.spool_path = Path(settings.get("SPOOL_PATH") or DEFAULT_SPOOL_PATH)
        self.store: ArticleStore | None = None
        self.store_problem = "store not opened"
        self.buffer: list[dict[str, Any]] = []
        self.flush_seconds = max(0.0, settings.getfloat("STORE_FLUSH_SECONDS", 30.0))
        self.clock = clock  # a twisted IReactorTime; the running reactor unless a test gives one
        self.timer: LoopingCall | None = None
        self.decisions = decisions_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler, clock: Any = None) -> StorePipeline:
        if not crawler.settings.getbool("STORE_ENABLED", True):
            raise NotConfigured("STORE_ENABLED is off")
        return cls(crawler, clock)

    @property
    def logger(self) -> logging.Logger | logging.LoggerAdapter:
        spider = getattr(self.crawler, "spider", None)
        return spider.logger if spider is not None else module_logger

    # The spider arguments are optional: Scrapy 2.19 deprecates pipelines that require them.
    def open_spider(self, spider: Spider | None = None) -> None:
        try:
            self.store = ArticleStore.from_settings(self.settings)
        except StoreError as exc:
            # Keep crawling: every batch goes to the spool and the next run writes it.
            self.store_problem = str(exc)
            self.logger.error("Article store unavailable, batches will be spooled to %s: %s",
                              self.spool_path, exc)
            self.stats.inc_value("store/errors")
        else:
            self._replay_spool()
        self._start_timer()

    def _start_timer(self) -> None:
        if not self.flush_seconds:
            return
        self.timer = LoopingCall(self._flush_on_timer)
        if self.clock is not None:
            self.timer.clock = self.clock
        # now=False: the first flush after one interval, not at open with an empty buffer
        self.timer.start(self.flush_seconds, now=False)

    def _flush_on_timer(self) -> None:
        if self.buffer:
            self.stats.inc_value("store/timed_flushes")
            self.flush()

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        row = item_to_row(item)
        if not (row["canonical_url"] or row["url"]):
            # No key to store it under; validate should have dropped it, so only count it here.
            self.stats.inc_value("store/skipped_no_url")
            return item
        decision = self.decisions.pop(row["canonical_url"] or row["url"], None)
        if decision is not None:
            row["canonical_url"] = decision.store_key
            row.update(duplicate_of=decision.duplicate_of, duplicate_kind=decision.kind,
                       minhash=decision.minhash, num_perm=decision.num_perm)
        if done_in_worker(item, self):
            row["_folded"] = getattr(item, FOLDED_ATTR, None)
        self.buffer.append(row)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.timer = None
        self.flush()
        if self.store is not None:
            self.store.close()
            self.store = None

    def flush(self) -> None:
        """Write the buffer as one batch; on failure move it (or its failing rows) to the spool."""
        batch, self.buffer = self.buffer, []
        if not batch or self._write(batch):
            return
        if len(batch) > 1 and self.store is not None and self.store.ping():
            # The database is up, so some row broke the batch: keep the rows that can be written.
            failed = [row for row in batch if not self._write([row], quiet=True)]
            self.stats.inc_value("store/rows_isolated", len(batch) - len(failed))
            batch = failed
        if batch:
            self._spool(batch)

    def _write(self, batch: list[dict[str, Any]], quiet: bool = False) -> bool:
        """One transaction; False on any failure. ``quiet``: a row retried alone after its batch
        failed, already logged and counted as part of that batch."""
        try:
            if self.store is None:
                raise StoreError(self.store_problem)
            written = self.store.upsert_many(batch)
        except Exception as exc:  # any failure: the batch must reach the spool, not vanish
            if quiet:
                self.logger.debug("Store write failed for %s: %s", batch[0].get("url"), exc)
                return False
            self.logger.error("Store write failed for a batch of %d items: %s", len(batch), exc)
            self.stats.inc_value("store/errors")
            return False
        self.stats.inc_value("store/rows_upserted", written)
        self.stats.inc_value("store/batches")
        return True

    def _spool(self, batch: list[dict[str, Any]]) -> None:
        try:
            self.spool_path.parent.mkdir(parents=True, exist_ok=True)
            with self.spool_path.open("a", encoding="utf-8") as fh:
                for row in batch:
                    row.pop("_folded", None)  # derived from the row; made again when it is written
                    fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                fh.flush()
                os.fsync(fh.fileno())  # the spool exists for outages; make it survive a crash too
        except OSError as exc:
            self.logger.critical("Could not spool %d items to %s, they are lost: %s",
                                 len(batch), self.spool_path, exc)
            self.stats.inc_value("store/rows_lost", len(batch))
            return
        self.logger.warning("Spooled %d items to %s; they are written on the next run",
                            len(batch), self.spool_path)
        self.stats.inc_value("store/rows_spooled", len(batch))

    def _replay_spool(self) -> None:
        """Write the rows left by an earlier run, then remove the spool file."""
        if not self.spool_path.exists():
            return
        rows: list[dict[str, Any]] = []
        rejected: list[str] = []
        with self.spool_path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    rejected.append(line)  # e.g. a line cut short by a crash mid-write
        kept: list[dict[str, Any]] = []
        for start in range(0, len(rows), self.batch_size):
            chunk = rows[start:start + self.batch_size]
            if self._write(chunk):
                continue
            if self.store is None or not self.store.ping():
                # Leave the file as it is: upserts are idempotent, so a retry next run is safe.
                self.logger.error("Spool replay stopped; %s kept for the next run", self.spool_path)
                return
            kept += [row for row in chunk if not self._write([row], quiet=True)]  # only rows that break a batch stay
        if rejected:
            bad_path = self.spool_path.with_name(self.spool_path.name + ".rejected")
            with bad_path.open("a", encoding="utf-8") as fh:
                fh.writelines(rejected)
            self.logger.error("%d unreadable spool lines moved to %s", len(rejected), bad_path)
        if kept:
            temporary = self.spool_path.with_name(self.spool_path.name + ".tmp")
            with temporary.open("w", encoding="utf-8") as fh:
                for row in kept:
                    fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            temporary.replace(self.spool_path)  # atomic: a crash leaves the old or the new spool
            self.logger.error("%d spooled items still fail to write; kept in %s", len(kept), self.spool_path)
        else:
            self.spool_path.unlink()
        self.stats.inc_value("store/rows_replayed", len(rows) - len(kept))
        self.logger.info("Wrote %d spooled items from %s", len(rows) - len(kept), self.spool_path)
