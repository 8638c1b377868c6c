"""Page workers (crawler/workers.py): the same crawl stores the same rows whether pages are
processed in the crawl process or in worker processes, the stats from the workers reach the
crawl's stats, and a worker killed mid-crawl costs no item.

Real ``scrapy crawl`` processes against fixture sites on 127.0.0.1, real worker processes.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.workers import pool_size
from tests.sites import FixtureSite
from tests.test_crawl_e2e import discovery_urls
from tests.test_incremental import LocalSite

ROOT = Path(__file__).resolve().parents[1]
# what differs between two crawls of the same pages however they are processed
VOLATILE = {"id", "fetched_at", "first_seen", "last_seen"}


def run(outlet: str, sources: str, tmp: Path, *settings: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", "crawl", outlet, "-a", f"sources={sources}",
           "-s", f"SQLITE_PATH={tmp / 'store.sqlite3'}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO"]
    for s in settings:
        cmd += ["-s", s]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)


def rows(tmp: Path) -> dict[str, dict]:
    con = sqlite3.connect(tmp / "store.sqlite3")
    con.row_factory = sqlite3.Row
    try:
        return {r["canonical_url"]: {k: v for k, v in dict(r).items() if k not in VOLATILE}
                for r in con.execute("select * from articles")}
    finally:
        con.close()


def stat(log: str, key: str) -> int:
    found = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(found.group(1)) if found else 0


# Outlets whose chains differ: outlet hooks, body_drop with an EXSLT XPath (dw-arabic), an older
# layout (cnn-arabic), embeds and "اقرأ أيضاً" blocks (youm7), datelines and sources (shafaq).
@pytest.mark.parametrize("outlet", ["youm7", "dw-arabic", "cnn-arabic", "shafaq", "alarabiya"])
def test_workers_store_exactly_what_the_crawl_process_stores(outlet: str, tmp_path: Path) -> None:
    results = {}
    with FixtureSite(outlet) as site:
        sources = ",".join(site.url(u) for u in discovery_urls(outlet))
        for mode, settings in (("inline", ("PAGE_WORKERS=0",)), ("workers", ("PAGE_WORKERS=2", "PAGE_WORKERS_AFTER=0"))):
            tmp = tmp_path / mode
            tmp.mkdir()
            result = run(outlet, sources, tmp, *settings)
            assert result.returncode == 0, result.stderr[-3000:]
            results[mode] = (rows(tmp), result.stderr)
    inline, inline_log = results["inline"]
    workers, workers_log = results["workers"]
    assert inline and workers == inline
    articles = len(inline)
    assert stat(inline_log, "workers/pages") == 0
    assert stat(workers_log, "workers/pages") >= articles  # every article page went to a worker
    assert "Page workers: 2 processes ready" in workers_log
    # counts made in the workers (spider and pipeline stages) reach the crawl's stats
    for key in ("clean/items", "item_scraped_count", "dedup/originals", "store/rows_upserted"):
        assert stat(workers_log, key) == stat(inline_log, key) == articles, key


def test_generic_spider_in_workers_stores_what_it_stores_in_one_process(tmp_path: Path) -> None:
    """The generic spider's worker copy is built from its ``-a start=`` argument, and its article
    verdict runs there: non-article pages must still be skipped and counted."""
    results = {}
    with FixtureSite("youm7") as site:
        start = site.url("https://www.youm7.com/Section/أخبار-عاجلة/65/1")
        for mode, settings in (("inline", ["-s", "PAGE_WORKERS=0"]),
                               ("workers", ["-s", "PAGE_WORKERS=2", "-s", "PAGE_WORKERS_AFTER=0"])):
            tmp = tmp_path / mode
            tmp.mkdir()
            result = subprocess.run(
                [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"start={start}",
                 "-s", f"SQLITE_PATH={tmp / 'store.sqlite3'}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
                 "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO", *settings],
                cwd=ROOT, capture_output=True, text=True, timeout=180)
            assert result.returncode == 0, result.stderr[-3000:]
            results[mode] = (rows(tmp), result.stderr)
    (inline, inline_log), (workers, workers_log) = results["inline"], results["workers"]
    assert inline and workers == inline
    assert stat(workers_log, "workers/pages") >= len(inline)
    verdicts = sorted(k for k in re.findall(r"'(generic/(?:not_)?article/\w+)'", inline_log))
    assert verdicts and sorted(re.findall(r"'(generic/(?:not_)?article/\w+)'", workers_log)) == verdicts
    for key in verdicts:
        assert stat(workers_log, key) == stat(inline_log, key), key


def test_a_killed_worker_costs_no_item(tmp_path: Path) -> None:
    n = 40
    with LocalSite(n=n) as site:
        serve = site.page

        def slow_page(path: str):  # keep the crawl going long enough to kill a worker in it
            if path.startswith("/news/lebanon/"):
                time.sleep(0.3)  # 40 pages two at a time: ~6 s, room for a loaded machine
            return serve(path)

        site.page = slow_page
        sources = ",".join(site.base + s for s in site.SOURCES)
        cmd = [sys.executable, "-m", "scrapy", "crawl", "lbci", "-a", f"sources={sources}",
               "-s", f"SQLITE_PATH={tmp_path / 'store.sqlite3'}", "-s", f"SPOOL_PATH={tmp_path / 'spool.jsonl'}",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
               "-s", "PAGE_WORKERS=2", "-s", "PAGE_WORKERS_AFTER=0", "-s", "LOG_LEVEL=INFO"]
        log_path = tmp_path / "crawl.log"
        with log_path.open("w") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
            try:
                deadline = time.monotonic() + 60
                pids: list[int] = []
                while time.monotonic() < deadline and not pids:
                    found = re.search(r"Page workers: \d+ processes ready in [\d.]+ s \(pids ([\d,]+)\)",
                                      log_path.read_text())
                    pids = [int(p) for p in found.group(1).split(",")] if found else []
                    time.sleep(0.05)
                assert pids, "the workers never started"
                time.sleep(0.3)  # let a page or two go through them
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
                assert proc.wait(timeout=120) == 0
            finally:
                if proc.poll() is None:
                    proc.kill()
    log = log_path.read_text()
    assert "A page worker died" in log
    assert "'workers/broken'" in log
    assert len(rows(tmp_path)) == n  # every article stored: the pages in flight were processed here
    assert 0 < stat(log, "workers/pages") < n


def test_pool_size_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pool_size(0) == 0 and pool_size("3") == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert pool_size("auto") == 3  # one worker per CPU the crawl may use
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert pool_size("auto") == 0  # one CPU: a pool would only compete with the crawl process
    with pytest.raises(ValueError, match="PAGE_WORKERS"):
        pool_size("many")


def test_profiled_workers_time_each_step_and_store_the_same_rows(tmp_path: Path) -> None:
    """PAGE_WORKERS_PROFILE (bench/crawl.py --profile): each worker step's CPU reaches the stats as
    workers/cpu_us/<step>, and timing the steps changes nothing that is stored."""
    results = {}
    with FixtureSite("youm7") as site:
        sources = ",".join(site.url(u) for u in discovery_urls("youm7"))
        for mode, extra in (("plain", ()), ("profiled", ("PAGE_WORKERS_PROFILE=True",))):
            tmp = tmp_path / mode
            tmp.mkdir()
            result = run("youm7", sources, tmp, "PAGE_WORKERS=2", "PAGE_WORKERS_AFTER=0", *extra)
            assert result.returncode == 0, result.stderr[-3000:]
            results[mode] = (rows(tmp), result.stderr)
    (plain, plain_log), (profiled, profiled_log) = results["plain"], results["profiled"]
    assert plain and profiled == plain
    assert "workers/cpu_us/" not in plain_log
    steps = dict(re.findall(r"'workers/cpu_us/([^']+)': (\d+)", profiled_log))
    # decode + parse, extraction, then every pipeline that offers a worker stage, in pipeline order
    assert set(steps) == {"parse", "extract", "CleanPipeline", "RelatedPipeline", "DedupPipeline", "StorePipeline"}
    assert int(steps["extract"]) > 0 and int(steps["parse"]) > 0
