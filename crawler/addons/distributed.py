"""Distributed crawling: with ``REDIS_URL`` set, every worker shares one request queue and one
dupefilter in Redis (scrapy-redis 0.9.1), so any number of ``scrapy crawl <outlet>`` processes, on
any machines, crawl one outlet together and each URL is fetched once.

Wiring (``DistributedAddon``, active only when the ``REDIS_URL`` setting is set):
  SCHEDULER         ``RedisScheduler`` (scrapy-redis' scheduler without its Scrapy 2.19 warnings)
  DUPEFILTER_CLASS  ``scrapy_redis.dupefilter.RFPDupeFilter``: one fingerprint set for all workers
  SCHEDULER_PERSIST True: a worker that finishes must not flush the queue the others still use
  SCHEDULER_SERIALIZER ``crawler.addons.redis_requests``: requests as JSON, never pickles (a
                    pickle runs code when it is read: whoever can write to Redis would run code
                    on every worker)
  EXTENSIONS        ``SharedCrawl``: worker registry, idle handling and end-of-run clean-up

What a worker trusts: the Redis server (give it a password, ``redis://:PASSWORD@host``, and keep it
off public interfaces; a URL without one is warned about at start). Whoever can write to it can
still queue any URL (the private-address guard refuses the crawler's own network), mark URLs as
seen, or stall the crawl, but cannot run code on a worker.

Start requests: every worker's ``NewsSpider.start()`` yields the outlet's discovery requests; they
are not ``dont_filter``, so the shared dupefilter lets the first copy through and drops the others,
and a worker that joins late simply takes requests from the queue.

One run ends when the last worker leaves with an empty queue: that worker deletes the dupefilter,
so the next scheduled run discovers afresh (skipping already stored articles is the incremental
middleware's job, not Redis'). A run interrupted with requests still queued keeps its queue and
dupefilter in Redis and resumes when a worker starts again. ``SCHEDULER_FLUSH_ON_START=True`` on the
first worker starts over.

Settings: REDIS_URL (e.g. ``redis://10.0.0.5:6379/0``), REDIS_IDLE_TIMEOUT (seconds the whole crawl
must stay idle before a worker exits, default 30; 0 = wait for work forever), REDIS_HEARTBEAT
(seconds between worker status updates, default 1).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from twisted.internet import task

from crawler.redact import redact

logger = logging.getLogger(__name__)
_warned_no_password = False

try:  # scrapy-redis is optional: only distributed crawls need it
    from scrapy_redis.scheduler import Scheduler as _RedisSchedulerBase
except ImportError:  # pragma: no cover - exercised only without the package
    _RedisSchedulerBase = object  # type: ignore[assignment,misc]


class DistributedAddon:
    """``ADDONS = {"crawler.addons.distributed.DistributedAddon": 100}``: Redis scheduling when
    ``REDIS_URL`` is set, nothing otherwise."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("REDIS_URL")
        if not url:
            return
        if _RedisSchedulerBase is object:
            # Crawling alone while the operator believes the crawl is shared would fetch
            # everything once per machine: refuse to start instead.
            raise RuntimeError("REDIS_URL is set but scrapy-redis is not installed: pip install 'scrapy-redis==0.9.1'")
        settings.set("SCHEDULER", "crawler.addons.distributed.RedisScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("SCHEDULER_SERIALIZER", "crawler.addons.redis_requests", "addon")
        settings.set_in_component_priority_dict("EXTENSIONS", SharedCrawl, 100)
        logger.info("Distributed crawl: queue and dupefilter in Redis at %s", redact(str(url)))
        warn_without_password(str(url))


def warn_without_password(url: str) -> None:
    """Say once per process when the Redis URL carries no password: every worker trusts what that
    Redis holds (which URLs to fetch, which were seen), so anyone who can reach it steers the crawl."""
    global _warned_no_password
    try:
        password = urlsplit(url).password  # the userinfo as redis-py reads it
    except ValueError:
        password = None
    if password or _warned_no_password:
        return
    _warned_no_password = True
    logger.warning("REDIS_URL %s has no password: anyone who can reach that Redis can queue URLs for every "
                   "worker; use redis://:PASSWORD@host (requirepass) and keep Redis off public interfaces",
                   redact(url))


class RedisScheduler(_RedisSchedulerBase):  # type: ignore[misc,valid-type]
    """scrapy-redis' scheduler, minus the calls Scrapy 2.19 deprecates (``spider=`` on stats,
    ``Spider.log``); behaviour is unchanged."""

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider, serializer=self.serializer,
                                                 key=self.queue_key % {"spider": spider.name})
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        queued = len(self.queue)
        if queued:
            spider.logger.info("Resuming the distributed crawl: %d request(s) already queued in Redis", queued)

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        for _ in range(100):
            try:
                request = self.queue.pop(self.idle_before_close)
            except (ValueError, TypeError, KeyError) as exc:
                # Not a request of ours (a pickle, a foreign class, garbage): skipped, never run.
                logger.warning("Skipped an entry of the Redis queue that is not a request: %s", exc)
                if self.stats:
                    self.stats.inc_value("distributed/bad_requests")
                continue
            if request is not None and self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
            return request
        return None


class SharedCrawl:
    """Keeps workers of one distributed crawl in step.

    Each worker publishes its state ("busy" or "idle") in a Redis hash every REDIS_HEARTBEAT
    seconds, stamped with Redis' own clock (machines' clocks may disagree). An idle worker stays
    open while the queue has requests or another worker is busy (a busy worker may still discover
    more), and leaves once the whole crawl has been idle for REDIS_IDLE_TIMEOUT seconds.
    """

    def __init__(self, crawler: Crawler) -> None:
        from scrapy_redis.connection import get_redis_from_settings

        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = get_redis_from_settings(settings)
        self.idle_timeout = max(0.0, settings.getfloat("REDIS_IDLE_TIMEOUT", 30.0))
        self.heartbeat = max(0.2, settings.getfloat("REDIS_HEARTBEAT", 1.0))
        self.stale_after = max(10.0, 5 * self.heartbeat)  # a worker silent this long is gone (crashed)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.idle_since: float | None = None
        self.loop: task.LoopingCall | None = None
        self.workers_key = self.queue_key = self.dupefilter_key = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedCrawl:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    # ----- Redis state -------------------------------------------------------------------------

    def _now(self) -> float:
        seconds, micros = self.server.time()
        return seconds + micros / 1e6

    def _publish(self, state: str) -> None:
        self.server.hset(self.workers_key, self.worker, json.dumps({"state": state, "at": self._now()}))

    def _others(self, client: Any = None) -> dict[str, str]:
        """Other live workers and their states. Entries of crashed workers are removed, unless a
        ``client`` (a WATCHing pipeline) is given: then nothing is written."""
        now = self._now()
        live, stale = {}, []
        for name, raw in (client or self.server).hgetall(self.workers_key).items():
            name = name.decode() if isinstance(name, bytes) else name
            if name == self.worker:
                continue
            try:
                entry = json.loads(raw)
                fresh = now - float(entry["at"]) <= self.stale_after
            except (ValueError, KeyError, TypeError):
                fresh, entry = False, {}
            if fresh:
                live[name] = entry.get("state", "busy")
            else:
                stale.append(name)
        if stale and client is None:
            self.server.hdel(self.workers_key, *stale)
        return live

    # ----- signals -----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        names = {"spider": spider.name}
        settings = self.crawler.settings
        self.queue_key = settings.get("SCHEDULER_QUEUE_KEY", "%(spider)s:requests") % names
        self.dupefilter_key = settings.get("SCHEDULER_DUPEFILTER_KEY", "%(spider)s:dupefilter") % names
        self.workers_key = f"{spider.name}:workers"
        self._publish("busy")  # registered before any start request reaches the dupefilter
        others = self._others()
        self.stats.set_value("distributed/worker", self.worker)
        self.stats.set_value("distributed/other_workers_at_start", len(others))
        spider.logger.info("Distributed worker %s joined (%d other worker(s) running, %d request(s) queued)",
                           self.worker, len(others), self._queue_length())
        self.loop = task.LoopingCall(self._beat)
        self.loop.start(self.heartbeat, now=False)

    def _queue_length(self, client: Any = None) -> int:
        client = client or self.server
        kind = client.type(self.queue_key)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "zset":  # scrapy-redis' default PriorityQueue
            return int(client.zcard(self.queue_key))
        if kind == "list":  # its FifoQueue / LifoQueue
            return int(client.llen(self.queue_key))
        return 0

    def _beat(self) -> None:
        try:
            engine = self.crawler.engine
            idle = engine is not None and engine.spider_is_idle()
            self._publish("idle" if idle else "busy")
            if engine is not None and not engine.downloader.active and self._queue_length():
                # Another worker queued requests while this one waited: the engine would only look
                # at the queue on its next 5 s heartbeat, so wake it now. No public API does this;
                # without the private slot the worker just picks the work up a little later.
                nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
                if nextcall is not None:
                    nextcall.schedule()
        except Exception as exc:  # noqa: BLE001 - a lost heartbeat must not kill the crawl
            logger.warning("Distributed heartbeat failed: %s", exc)
            self.stats.inc_value("distributed/heartbeat_errors")

    def spider_idle(self, spider: Spider) -> None:
        """Stay open while the shared crawl still has work anywhere; leave after the idle timeout."""
        self._publish("idle")
        busy = [name for name, state in self._others().items() if state != "idle"]
        queued = self._queue_length()
        if busy or queued:
            self.idle_since = None
            self.stats.inc_value("distributed/idle_waits")
            raise DontCloseSpider
        if self.idle_timeout == 0:
            raise DontCloseSpider  # a long-lived worker: wait for the next run's requests
        now = self._now()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_timeout:
            self.stats.inc_value("distributed/idle_waits")
            raise DontCloseSpider
        spider.logger.info("Distributed crawl idle for %.0f s: worker %s leaves", now - self.idle_since, self.worker)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        try:
            self.server.hdel(self.workers_key, self.worker)
            if reason == "finished":
                self._end_run_if_last(spider)
        except Exception as exc:  # noqa: BLE001 - closing must finish even with Redis gone
            logger.warning("Distributed clean-up failed: %s", exc)

    def _end_run_if_last(self, spider: Spider) -> None:
        """The last worker to leave an empty queue deletes the run's dupefilter. WATCH makes the
        check and the delete one step: a worker registering in between aborts the delete."""
        self._others()  # prune crashed workers first: pruning inside the WATCH would abort it
        with self.server.pipeline() as pipe:
            try:
                pipe.watch(self.workers_key, self.queue_key)
                if self._others(pipe) or self._queue_length(pipe):
                    pipe.unwatch()
                    return
                pipe.multi()
                pipe.delete(self.dupefilter_key, self.queue_key, self.workers_key)
                pipe.execute()
            except Exception as exc:  # redis.WatchError: someone joined; the run goes on
                if type(exc).__name__ != "WatchError":
                    raise
                return
        self.stats.set_value("distributed/run_ended", True)
        spider.logger.info("Last worker of the distributed crawl: dupefilter %s cleared for the next run",
                           self.dupefilter_key)


__all__ = ["DistributedAddon", "RedisScheduler", "SharedCrawl"]
