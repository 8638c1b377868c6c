"""Store step: buffer items and upsert them into the article store in batches, off the reactor.

A batch is written when it fills (STORE_BATCH_SIZE), every STORE_FLUSH_SECONDS, and at close, so
a crash (even SIGKILL) loses at most the open batch and the batches waiting for the writer.

Writes happen on the store's own thread (``StoreWriter``), one batch at a time in the order they
were made: a database that makes a write wait (a lock held by another process, a slow server)
holds that thread, never the crawl, so fetching, extraction and progress lines go on.

A batch that cannot be written is appended to the spool (``crawler.spool``, JSON Lines) and
written later. What happens depends on why the write failed (``crawler.storage.is_unavailable``):

- the database is unavailable (locked, read-only, I/O error, disk full, connection lost, or it
  could not be opened at start): the whole batch goes to the spool at once, and for
  STORE_RETRY_SECONDS every further batch goes there without trying (each try would wait out the
  same lock, STORE_TIMEOUT). Then the writer tries again: (re)opens the store, writes the spool
  (the oldest rows first) and goes back to writing batches. At close it tries once more, so a
  lock released before the crawl ends costs a delay, not a second run.
- a row broke the batch (a constraint, a value the database refuses): the rows are written one by
  one and only the failing rows are spooled.

The spool is also written at the start of every run, by whichever run claims it first (several
crawls may share one spool: see ``crawler.spool``); a claimed spool file is deleted only after
the store's commit of its rows is durable.

The dedup step's decision for an item (``crawler.dedup.decisions_for``) is stored with it.

Settings: STORE_ENABLED (default True), STORE_BATCH_SIZE (200), STORE_FLUSH_SECONDS (30; 0 turns
the timer off), SPOOL_PATH (data/spool.jsonl), STORE_RETRY_SECONDS (5), and the store's own
DATABASE_URL / SQLITE_PATH / STORE_TIMEOUT. Stats: ``store/rows_upserted``, ``store/batches``,
``store/errors``, ``store/rows_spooled``, ``store/rows_replayed``, ``store/rows_isolated``,
``store/rows_lost`` (could not even be spooled), ``store/spool_rejected``.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import is_asyncio_available
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread

from crawler.dedup import decisions_for
from crawler.items import FIELD_KINDS, SCHEMA_VERSION, empty_article
from crawler.spool import Claim, Spool
from crawler.storage import ArticleStore, StoreError, folded_texts, is_unavailable
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


_OPEN, _STOP = object(), object()


class StoreWriter:
    """The store's thread: opens the store, writes the spool left by earlier runs, then writes the
    batches it is given, in order. Every batch ends written, spooled or (when even the spool
    cannot be written) counted as lost; the thread never dies of a failed write."""

    def __init__(self, open_store: Callable[[], ArticleStore], spool: Spool, stats: Any,
                 logger: Callable[[], logging.Logger | logging.LoggerAdapter], batch_size: int = 200,
                 retry_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.open_store = open_store
        self.spool = spool
        self.stats = stats
        self._logger = logger
        self.batch_size = batch_size
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.store: ArticleStore | None = None
        self.problem = "store not opened"
        self.down = False  # the last write or open said the database is unavailable
        self.next_try = 0.0
        self.jobs: queue.Queue[Any] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="store-writer", daemon=True)

    @property
    def logger(self) -> logging.Logger | logging.LoggerAdapter:
        return self._logger()

    # ----- the crawl's side -------------------------------------------------------------------

    def start(self) -> None:
        self.jobs.put(_OPEN)  # a job like the batches, so drain() also waits for the open and the replay
        self.thread.start()

    def submit(self, batch: list[dict[str, Any]]) -> None:
        self.jobs.put(batch)

    def drain(self) -> None:
        """Wait until every batch submitted so far is written or spooled."""
        self.jobs.join()

    def close(self) -> None:
        """Write (or spool) every submitted batch, try once more to write what this run spooled,
        close the store. Blocks: call it off the reactor thread."""
        self.jobs.put(_STOP)
        self.thread.join()

    # ----- the writer's thread ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is _STOP:
                    self._finish()
                    return
                if job is _OPEN:
                    if self._open():
                        self._replay()
                else:
                    self._handle(job)
            except BaseException as exc:  # noqa: BLE001 - a bug here must not take the items with it
                self.logger.exception("Store writer failed: %s", exc)
                if isinstance(job, list):
                    self._spool(job)
            finally:
                self.jobs.task_done()

    def _finish(self) -> None:
        try:
            if self.down:
                self.next_try = 0.0  # last chance in this run: a lock released meanwhile is used now
                self._ready()
        finally:
            if self.store is not None:
                self.store.close()
                self.store = None

    def _open(self) -> bool:
        try:
            self.store = self.open_store()
        except Exception as exc:  # noqa: BLE001 - StoreError, or anything a driver raises
            self.problem = str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
            if self.down:  # a retry during an outage: said once already, at ERROR
                self.logger.warning("Article store still unavailable: %s", self.problem)
            else:
                self.logger.error("Article store unavailable, batches will be spooled to %s: %s",
                                  self.spool.path, self.problem)
                self.stats.inc_value("store/errors")
            self._went_down()
            return False
        return True

    def _went_down(self) -> None:
        self.down = True
        self.next_try = self.clock() + self.retry_seconds
        if self.store is not None:
            # Opened afresh on the next try: new connections, and the tables made again if they
            # went (a database replaced or emptied under the crawl).
            self.store.close()
            self.store = None

    def _ready(self) -> bool:
        """Whether batches can be written now. After an outage, at most every retry_seconds: the
        store is (re)opened and the spool written first, so rows keep their order."""
        if not self.down:
            return True
        if self.clock() < self.next_try:
            return False
        if self.store is None and not self._open():
            return False
        if not self._replay():
            self.next_try = self.clock() + self.retry_seconds
            return False
        self.down = False
        self.logger.info("Article store writable again; the spool is written")
        return True

    def _handle(self, batch: list[dict[str, Any]]) -> None:
        if not self._ready():
            self._spool(batch)
            return
        assert self.store is not None
        try:
            written = self.store.upsert_many(batch)
        except Exception as exc:  # noqa: BLE001 - classified below; the rows go on either way
            self.stats.inc_value("store/errors")
            if is_unavailable(exc):
                self.logger.error("Store write failed for a batch of %d items, the database is unavailable "
                                  "(%s); spooling until it is back (tried again every %g s)",
                                  len(batch), exc, self.retry_seconds)
                self._went_down()
                self._spool(batch)
            else:
                self.logger.error("Store write failed for a batch of %d items: %s; writing them one by one",
                                  len(batch), exc)
                self._isolate(batch)
            return
        self.stats.inc_value("store/rows_upserted", written)
        self.stats.inc_value("store/batches")

    def _isolate(self, batch: list[dict[str, Any]]) -> None:
        """A row broke the batch: keep the rows that can be written, spool the ones that cannot."""
        assert self.store is not None
        failed: list[dict[str, Any]] = []
        written = 0
        for n, row in enumerate(batch):
            try:
                written += self.store.upsert_many([row])
            except Exception as exc:  # noqa: BLE001
                if is_unavailable(exc):  # gone while isolating: the rest waits whole
                    self._went_down()
                    failed += batch[n:]
                    break
                self.logger.debug("Store write failed for %s: %s", row.get("url"), exc)
                failed.append(row)
        self.stats.inc_value("store/rows_isolated", len(batch) - len(failed))
        self.stats.inc_value("store/rows_upserted", written)
        if failed:
            self._spool(failed)

    def _spool(self, batch: list[dict[str, Any]]) -> None:
        rows = [{k: v for k, v in row.items() if k != "_folded"} for row in batch]  # remade when written
        if not rows:
            return
        try:
            self.spool.append(rows)
        except OSError as exc:
            self.logger.critical("Could not spool %d items to %s, they are lost: %s", len(rows), self.spool.path, exc)
            self.stats.inc_value("store/rows_lost", len(rows))
            return
        self.logger.warning("Spooled %d items to %s; they are written when the store is back (or by the next run)",
                            len(rows), self.spool.path)
        self.stats.inc_value("store/rows_spooled", len(rows))

    # ----- the spool --------------------------------------------------------------------------

    def _replay(self) -> bool:
        """Write every spool file nobody else is writing; False when the database went away."""
        try:
            claims = self.spool.claim()
        except OSError as exc:
            self.logger.error("Cannot read the spool %s: %s", self.spool.path, exc)
            return True  # our own batches can still be written; the spool waits for a later run
        for n, claim in enumerate(claims):
            if not self._replay_claim(claim):
                for untouched in claims[n + 1:]:
                    self.spool.release(untouched, 0)
                return False
        return True

    def _replay_claim(self, claim: Claim) -> bool:
        assert self.store is not None
        rows: list[dict[str, Any]] = []
        first = replayed = 0
        try:
            for offset, row in self.spool.read(claim):
                if not rows:
                    first = offset
                rows.append(row)
                if len(rows) >= self.batch_size:
                    if not self._replay_rows(rows):
                        self.spool.release(claim, first)
                        return False
                    replayed += len(rows)
                    rows = []
            if rows and not self._replay_rows(rows):
                self.spool.release(claim, first)
                return False
            replayed += len(rows)
        except OSError as exc:
            self.logger.error("Spool replay of %s stopped: %s", claim.path, exc)
            self.spool.release(claim, first)
            return True
        self.spool.done(claim)  # every commit above was durable: the rows no longer need this copy
        if claim.rejected:
            self.logger.error("%d unreadable spool lines moved to %s", claim.rejected, self.spool.rejected_path)
            self.stats.inc_value("store/spool_rejected", claim.rejected)
        if replayed:
            self.logger.info("Wrote %d spooled items from %s", replayed, self.spool.path)
        return True

    def _replay_rows(self, rows: list[dict[str, Any]]) -> bool:
        assert self.store is not None
        try:
            written = self.store.upsert_many(rows, durable=True)
        except Exception as exc:  # noqa: BLE001
            if is_unavailable(exc):
                log = self.logger.warning if self.down else self.logger.error  # a retry: said at ERROR once
                log("Spool replay stopped, the database is unavailable (%s); the rest of %s is kept",
                    exc, self.spool.path)
                if not self.down:
                    self.stats.inc_value("store/errors")
                self._went_down()
                return False
            kept, written = [], 0
            for row in rows:  # only rows that break a batch stay in the spool
                try:
                    written += self.store.upsert_many([row], durable=True)
                except Exception as row_exc:  # noqa: BLE001
                    if is_unavailable(row_exc):
                        self._went_down()
                        return False
                    kept.append(row)
            if kept:
                self.spool.append(kept)
                self.logger.error("%d spooled items still fail to write; kept in %s", len(kept), self.spool.path)
            self.stats.inc_value("store/rows_replayed", len(rows) - len(kept))
        else:
            self.stats.inc_value("store/rows_replayed", len(rows))
        self.stats.inc_value("store/rows_upserted", written)
        return True


class StorePipeline:
    """Batched upserts into ``ArticleStore`` on the writer thread, with a spool for what fails."""

    worker_stage = staticmethod(fold_for_store)

    def __init__(self, crawler: Crawler, clock: Any = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = settings
        self.batch_size = max(1, settings.getint("STORE_BATCH_SIZE", 200))
        self.spool_path = Path(settings.get("SPOOL_PATH") or DEFAULT_SPOOL_PATH)
        self.spool = Spool(self.spool_path)
        self.retry_seconds = max(0.0, settings.getfloat("STORE_RETRY_SECONDS", 5.0))
        self.buffer: list[dict[str, Any]] = []
        self.flush_seconds = max(0.0, settings.getfloat("STORE_FLUSH_SECONDS", 30.0))
        self.clock = clock  # a twisted IReactorTime; the running reactor unless a test gives one
        self.timer: LoopingCall | None = None
        self.writer: StoreWriter | None = None
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
        # Opening the store and writing the spool happen on the writer's thread: a locked or
        # unreachable database must not hold the crawl's start either.
        self.writer = StoreWriter(lambda: ArticleStore.from_settings(self.settings), self.spool, self.stats,
                                  lambda: self.logger, self.batch_size, self.retry_seconds)
        self.writer.start()
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

    def flush(self) -> None:
        """Hand the buffer to the writer as one batch."""
        batch, self.buffer = self.buffer, []
        if batch and self.writer is not None:
            self.writer.submit(batch)

    def drain(self) -> None:
        """Flush, and wait until the writer has written or spooled everything (tests, scripts)."""
        self.flush()
        if self.writer is not None:
            self.writer.drain()

    def _stop(self) -> StoreWriter | None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.timer = None
        self.flush()
        writer, self.writer = self.writer, None
        return writer

    def close_spider(self, spider: Spider | None = None) -> Any:
        """Write what is left. In a crawl this returns a coroutine that waits for the writer in a
        thread (the last batches may wait for a lock; the reactor goes on meanwhile); called
        without an event loop (tests, scripts) it simply blocks until everything is written."""
        writer = self._stop()
        if writer is None:
            return None
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            writer.close()
            return None
        return self._close_in_thread(writer)

    @staticmethod
    async def _close_in_thread(writer: StoreWriter) -> None:
        if is_asyncio_available():
            await asyncio.to_thread(writer.close)
        else:
            await maybe_deferred_to_future(deferToThread(writer.close))

    def close(self) -> None:
        """``close_spider`` for callers without an event loop (tests, scripts): blocks."""
        writer = self._stop()
        if writer is not None:
            writer.close()
