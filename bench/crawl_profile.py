"""A Scrapy extension for ``bench/crawl.py --profile``: where the crawl process's CPU goes.

Loaded into the crawl process only by the benchmark (``-s EXTENSIONS=...``, this folder on
PYTHONPATH). It records, in CPU seconds:

- every thread's CPU when it ends (and the live ones at exit), by role: the reactor thread, the
  process pool's threads (its manager unpickles the workers' items; the queue feeder pickles the
  pages sent to them), the store's writer thread, Twisted's and asyncio's thread pools;
- in the reactor thread, each item pipeline's ``process_item`` and the submission of pages to the
  page workers (``ProcessPoolExecutor.submit``);
- optionally (``BENCH_CPROFILE``) a cProfile of the reactor thread.

At exit it writes them as JSON to ``BENCH_PROFILE_OUT``. The page workers time their own steps
(``PAGE_WORKERS_PROFILE``); the benchmark reads those from the stats.
"""

from __future__ import annotations

import atexit
import cProfile
import functools
import json
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from scrapy import signals
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

_spent: Counter = Counter()  # what -> CPU seconds
_lock = threading.Lock()


def _role(thread: threading.Thread) -> str:
    kind, name = type(thread).__name__, thread.name
    if thread is threading.main_thread():
        return "reactor"
    if kind == "_ExecutorManagerThread" or name == "QueueFeederThread":
        return "pool"  # results unpickled by the manager, pages pickled by the feeder
    if name == "store-writer":
        return "store-writer"
    return "other"


def _thread_cpu(thread: threading.Thread) -> float:
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    except (OSError, TypeError):
        return 0.0


def _record_threads() -> None:
    original = threading.Thread._bootstrap_inner

    def bootstrap_inner(self):
        try:
            original(self)
        finally:
            with _lock:
                _spent[f"thread/{_role(self)}"] += time.thread_time()

    threading.Thread._bootstrap_inner = bootstrap_inner


def _timed(name: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _spent[name] += time.thread_time() - t
    return wrapper


class Profile:
    def __init__(self, crawler) -> None:
        self.out = crawler.settings.get("BENCH_PROFILE_OUT")
        self.cprofile_out = crawler.settings.get("BENCH_CPROFILE")
        self.profiler = cProfile.Profile() if self.cprofile_out else None
        _record_threads()
        for path in build_component_list(crawler.settings.getwithbase("ITEM_PIPELINES")):
            cls = load_object(path)
            cls.process_item = _timed(f"pipeline/{cls.__name__}", cls.process_item)
        ProcessPoolExecutor.submit = _timed("reactor/submit_to_workers", ProcessPoolExecutor.submit)
        if self.profiler is not None:
            self.profiler.enable()  # the reactor thread only (cProfile profiles the calling thread)
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        atexit.register(self.write)

    def engine_started(self) -> None:
        _spent["startup"] = time.thread_time()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def write(self) -> None:
        if self.profiler is not None:
            self.profiler.disable()
            self.profiler.dump_stats(self.cprofile_out)
        with _lock:
            spent = dict(_spent)
        spent["thread/reactor"] = spent.get("thread/reactor", 0.0) + time.thread_time()
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and thread.ident is not None:
                key = f"thread/{_role(thread)}"
                spent[key] = spent.get(key, 0.0) + _thread_cpu(thread)
        spent["process"] = time.process_time()
        if self.out:
            with open(self.out, "w") as f:
                json.dump(spent, f)
