"""Page workers: the CPU-heavy work on each article page, in a pool of processes.

Scrapy runs callbacks and item pipelines on one thread, so a crawl of ours used one core while
the machine had more: bench/crawl.py measured ~15 CPU ms per page for the outlet path against
~3 for a plain Scrapy spider, nearly all of it in parsing, extraction and the text pipelines.
That work is a function of the page alone, so it can run anywhere; what needs the crawl's state
cannot. The split:

- in a worker: decoding and parsing the page, the extraction chain (``NewsSpider.page_item``),
  then the *worker stages* of the item pipelines, in pipeline order (clean, related, the dedup
  signature, the store's folded texts). One round trip per page: a round trip costs the crawl
  process pickling and a future, so stages are not sent one by one.
- in the crawl process: networking, scheduling, the limit and date window, validation, dedup
  decisions (the index) and the store.

A pipeline offers a worker stage with a ``worker_stage`` class attribute: a module-level function
``(item, counts, settings) -> None`` that changes the item in place and adds its stat increments
to ``counts``. Its ``process_item`` runs the same function itself unless ``done_in_worker`` says a
worker already did. Pipelines between two worker stages run after both, so a worker stage may
only read fields those pipelines leave alone (validate only drops items and clears implausible
dates). A stage that raises in a worker is left to its pipeline, which then fails in the crawl
process the usual way (logged, counted, the rest of the crawl unaffected).

Settings:
- ``PAGE_WORKERS``: "auto" (default: one per CPU when there are two or more, else none), a
  number, or 0 to process every page in the crawl process.
- ``PAGE_WORKERS_AFTER`` (50): the pool starts after this many article pages, so short crawls
  (tests, a quick look at one outlet) never pay its start (the log says how long it took: about 1 s here). It starts
  in a background thread; pages that arrive meanwhile wait for it (processing them here would
  only compete with the start for the same CPUs).

- ``PAGE_WORKERS_PROFILE`` (False): each worker times its steps (parse, extract, each stage) in
  process CPU and adds them to the stats as ``workers/cpu_us/<step>`` (``bench/crawl.py --profile``).

A worker that dies (killed, out of memory) breaks the pool: the page is processed in the crawl
process, the rest of the crawl too, and ``workers/broken`` is set in the stats.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
import weakref
from collections import Counter
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from typing import Any

from scrapy import Request, signals
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

logger = logging.getLogger(__name__)

DONE_ATTR = "_worker_stages_done"  # on an Item (underscore attributes are allowed and pickled)


def component_path(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def done_in_worker(item: Any, pipeline: Any) -> bool:
    """Whether a page worker already ran ``pipeline``'s worker stage on ``item``."""
    return component_path(pipeline) in getattr(item, DONE_ATTR, ())


def apply_stage(pipeline: Any, item: Any, stats: Any = None, settings: Any = None) -> None:
    """Run ``pipeline``'s worker stage on ``item`` in this process, unless a page worker already
    did; its counts go to the crawl ``stats``."""
    if done_in_worker(item, pipeline):
        return
    counts: Counter = Counter()
    type(pipeline).worker_stage(item, counts, settings)
    if stats is not None:
        for key, n in counts.items():
            stats.inc_value(key, n)


def stage_paths(settings: BaseSettings) -> list[str]:
    """Paths of the enabled item pipelines that offer a worker stage, in pipeline order."""
    out = []
    for entry in build_component_list(settings.getwithbase("ITEM_PIPELINES")):
        cls = load_object(entry) if isinstance(entry, str) else entry
        if callable(getattr(cls, "worker_stage", None)):
            out.append(component_path(cls))
    return out


def pool_size(value: Any) -> int:
    """PAGE_WORKERS -> a number of processes."""
    if value in (None, "", "auto"):
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return cpus if cpus >= 2 else 0
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        raise ValueError(f'PAGE_WORKERS must be "auto" or a whole number, not {value!r}') from None


def _plain_settings(settings: BaseSettings) -> dict[str, Any]:
    """The settings a worker needs to run stages, as a picklable dict (objects left out)."""
    simple = (str, int, float, bool, type(None))
    out = {}
    for key, value in settings.copy_to_dict().items():
        if isinstance(value, simple) or (isinstance(value, (list, tuple)) and all(isinstance(v, simple) for v in value)):
            out[key] = value
    return out


# ----- the worker process --------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(spider_path: str, args: tuple, kwargs: dict, stages: list[str], settings: dict) -> None:
    # Ctrl-C reaches the whole process group: the crawl process shuts down gracefully and sends
    # no new pages; a worker that died of KeyboardInterrupt would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    spider = load_object(spider_path)(*args, **kwargs)
    worker_settings = Settings(settings)
    _worker.update(spider=spider, settings=worker_settings,
                   stages=[(path, load_object(path).worker_stage) for path in stages],
                   profile=worker_settings.getbool("PAGE_WORKERS_PROFILE"))


def _ping() -> int:
    time.sleep(0.02)  # long enough for every worker to take one: all of them are then up
    return os.getpid()


def _process_page(state: dict[str, Any]) -> tuple[Any, dict[str, int], list[str]]:
    """(item or None, stat increments, stages done) for one page, in a worker."""
    spider, counts = _worker["spider"], Counter()
    profile = _worker.get("profile")
    clock = time.process_time
    spider._worker_counts = counts
    try:
        t = clock() if profile else 0.0
        request = Request(state["url"], meta=state["meta"])
        response = load_object(state["cls"])(state["url"], status=state["status"], headers=state["headers"],
                                             body=state["body"], encoding=state["encoding"], request=request)
        if profile:  # what page_item does first anyway (decode, parse), timed on its own
            _ = response.text, response.selector
            t = _spent(counts, "parse", t)
        item = spider.page_item(response)
        if profile:
            t = _spent(counts, "extract", t)
    finally:
        spider._worker_counts = None
    done: list[str] = []
    if item is not None and hasattr(item, "__dict__"):  # a marker can be attached: run the stages
        for path, stage in _worker["stages"]:
            try:
                stage(item, counts, _worker["settings"])
            except Exception:  # noqa: BLE001 - its pipeline runs it again and fails the usual way
                break
            if profile:
                t = _spent(counts, path.rsplit(".", 1)[-1], t)
            done.append(path)
    return item, dict(counts), done


def _spent(counts: Counter, step: str, since: float) -> float:
    """PAGE_WORKERS_PROFILE: add the CPU since ``since`` to ``workers/cpu_us/<step>``."""
    now = time.process_time()
    counts[f"workers/cpu_us/{step}"] += round((now - since) * 1e6)
    return now


# ----- the crawl process ---------------------------------------------------------------------

class PageWorkers:
    """The crawler's pool (one per crawler; ``PageWorkers.of(crawler)``)."""

    _instances: weakref.WeakKeyDictionary[Any, PageWorkers] = weakref.WeakKeyDictionary()

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.size = pool_size(crawler.settings.get("PAGE_WORKERS", "auto"))
        self.after = crawler.settings.getint("PAGE_WORKERS_AFTER", 50)
        self.pages = 0
        self.pool: ProcessPoolExecutor | None = None
        self.state = "off" if self.size == 0 else "idle"  # idle -> starting -> ready | broken; closed
        self._lock = threading.Lock()
        self._started: asyncio.Event | None = None  # set when the start ends, however it ends
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def of(cls, crawler: Any) -> PageWorkers:
        found = cls._instances.get(crawler)
        if found is None:
            found = cls._instances[crawler] = cls(crawler)
        return found

    async def page_item(self, spider: Any, response: Any) -> Any:
        """``spider.page_item(response)``, in a worker when the pool is ready."""
        self.pages += 1
        if self.state == "idle" and self.pages > self.after:
            self._start(spider)
        if self.state == "starting" and self._started is not None:
            await self._started.wait()
        pool = self.pool if self.state == "ready" else None
        if pool is None:
            return spider.page_item(response)
        try:
            future = pool.submit(_process_page, {
                "cls": component_path(response), "url": response.url, "status": response.status,
                "headers": dict(response.headers), "body": response.body,
                "encoding": getattr(response, "_encoding", None), "meta": _job_meta(response)})
            item, counts, done = await asyncio.wrap_future(future)
        except BrokenExecutor as exc:
            self._broken(exc)
            return spider.page_item(response)
        stats = self.crawler.stats
        for key, n in counts.items():
            stats.inc_value(key, n)
        stats.inc_value("workers/pages")
        if item is not None and done:
            setattr(item, DONE_ATTR, frozenset(done))
        return item

    def _start(self, spider: Any) -> None:
        self.state = "starting"
        loop = asyncio.get_running_loop()
        self._started = asyncio.Event()
        self._notify = lambda: loop.call_soon_threadsafe(self._started.set)
        args, kwargs = getattr(spider, "_init_args", ((), {}))
        initargs = (component_path(spider), tuple(args), dict(kwargs), stage_paths(self.crawler.settings),
                    _plain_settings(self.crawler.settings))
        threading.Thread(target=self._boot, args=(initargs,), name="page-workers-start", daemon=True).start()

    def _boot(self, initargs: tuple) -> None:
        """Start the processes off the reactor thread; the crawl goes on in-process meanwhile."""
        t0 = time.monotonic()
        try:
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                # The server imports the spider and the stages once; workers fork from it with
                # them loaded and share those pages (otherwise each worker imported them itself).
                modules = [initargs[0].rsplit(".", 1)[0], *(p.rsplit(".", 1)[0] for p in initargs[3])]
                context.set_forkserver_preload(list(dict.fromkeys(modules)))
            else:
                context = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(self.size, mp_context=context, initializer=_init_worker, initargs=initargs)
            pids = {f.result() for f in [pool.submit(_ping) for _ in range(self.size * 2)]}
            pids |= set(getattr(pool, "_processes", None) or ())  # any worker no ping reached
        except Exception as exc:  # noqa: BLE001 - no pool: the crawl goes on in one process
            logger.warning("Page workers could not start, pages are processed in the crawl process: %s", exc)
            self.state = "broken"
            self.crawler.stats.set_value("workers/broken", f"start: {exc}")
            self._notify()
            return
        with self._lock:
            if self.state == "closed":
                pool.shutdown(wait=False, cancel_futures=True)
                return
            self.pool, self.state = pool, "ready"
        self._notify()
        self.crawler.stats.set_value("workers/processes", self.size)
        logger.info("Page workers: %d processes ready in %.1f s (pids %s) after %d article pages",
                    self.size, time.monotonic() - t0, ",".join(map(str, sorted(pids))), self.pages)

    def _broken(self, exc: BaseException) -> None:
        if self.state != "ready":
            return
        self.state = "broken"
        # No item is lost (this page and the rest are processed here), so a warning, not an error.
        logger.warning("A page worker died (%s); the rest of the crawl is processed in the crawl process", exc)
        self.crawler.stats.set_value("workers/broken", str(exc) or type(exc).__name__)
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def close(self, spider: Any = None) -> None:
        with self._lock:
            pool, self.pool, self.state = self.pool, None, "closed"
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _job_meta(response: Any) -> dict[str, Any]:
    """The request meta extraction reads (discovery data from the sitemap or feed)."""
    try:
        meta = response.meta
    except AttributeError:
        return {}
    return {"discovery": meta["discovery"]} if meta.get("discovery") is not None else {}
