"""The store under faults (issue 13, findings 1-3): a database locked by another process, a store
that cannot be opened at start, a server that never answers, a damaged spool, two processes
sharing one spool. Real SQLite files locked by a real second process, real crawls over loopback.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import Article, empty_article
from crawler.storage import ArticleStore, StoreError
from pipelines.store import StorePipeline
from tests.test_incremental import OUTLET, LocalSite, wiring_args

ROOT = Path(__file__).resolve().parents[1]


def article(n: int, **fields: Any) -> dict[str, Any]:
    row = empty_article()
    row.update(url=f"https://example.test/news/{n}", outlet="example", title=f"خبر رقم {n}",
               body=f"نص الخبر رقم {n} عن افتتاح الحديقة العامة في المدينة")
    row.update(fields)
    return row


def pipeline_for(tmp: Path, **settings: Any) -> StorePipeline:
    defaults = {"SQLITE_PATH": str(tmp / "store.sqlite3"), "SPOOL_PATH": str(tmp / "spool.jsonl"),
                "STORE_BATCH_SIZE": 3}
    return build_from_crawler(StorePipeline, get_crawler(Spider, {**defaults, **settings}))


def stored(db: Path) -> tuple[list[str], int]:
    """(canonical URLs of the articles, number of versions) in a SQLite store."""
    with sqlite3.connect(db) as con:
        keys = [r[0] for r in con.execute("SELECT canonical_url FROM articles")]
        versions = con.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0]
    return keys, versions


class LockHolder:
    """Another process holding the SQLite file under ``BEGIN EXCLUSIVE`` for ``seconds``; the
    context is entered once the lock is held. ``locked_at``/``released_at``: wall-clock times;
    ``rows_at_release``: the articles stored, counted just before the lock ends."""

    def __init__(self, db: Path, seconds: float) -> None:
        self.db, self.seconds = db, seconds
        self.locked_at = self.released_at = 0.0

    def __enter__(self) -> LockHolder:
        script = textwrap.dedent(f"""
            import sqlite3, sys, time
            con = sqlite3.connect({str(self.db)!r}, isolation_level=None, timeout=30)
            con.execute("BEGIN EXCLUSIVE")
            print(time.time(), flush=True)
            time.sleep({self.seconds})
            held = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]  # still under the lock
            con.execute("COMMIT")
            print(time.time(), held, flush=True)
        """)
        self.proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        self.locked_at = float(self.proc.stdout.readline())
        return self

    def wait(self) -> None:
        released, rows = self.proc.stdout.readline().split()
        self.released_at, self.rows_at_release = float(released), int(rows)
        self.proc.wait(timeout=30)

    def __exit__(self, *exc: Any) -> None:
        if self.proc.poll() is None and not self.released_at:
            self.wait()


# ----- finding 1: a locked or unavailable database does not freeze the crawl -----------------------


def test_a_locked_database_costs_the_crawl_no_time_and_spools_whole_batches(tmp_path):
    """While another process holds the file locked, items pass the store step at once (before:
    each batch waited the lock timeout on the reactor thread, then every row again); each batch
    goes to the spool whole, and the spool is written once the lock is gone."""
    db = tmp_path / "store.sqlite3"
    ArticleStore(f"sqlite:///{db}").close()  # an existing store, as mid-crawl
    pipeline = pipeline_for(tmp_path, STORE_TIMEOUT=1, STORE_RETRY_SECONDS=0.5)
    pipeline.open_spider()
    with LockHolder(db, seconds=4) as lock:
        started = time.monotonic()
        for n in range(9):
            pipeline.process_item(Article(**article(n)))
        spent = time.monotonic() - started
        assert stored(db)[0] == []  # nothing could be written while locked
        lock.wait()
    pipeline.close_spider()
    stats = pipeline.crawler.stats
    assert spent < 0.5, f"items waited {spent:.1f} s for the locked store"
    assert stats.get_value("store/rows_isolated") is None  # no row-by-row retry against a lock
    assert stats.get_value("store/rows_spooled") == 9 and stats.get_value("store/rows_replayed") == 9
    keys, versions = stored(db)
    assert sorted(keys) == sorted(f"https://example.test/news/{n}" for n in range(9)) and versions == 9
    assert not (tmp_path / "spool.jsonl").exists()


def test_a_store_that_failed_to_open_at_start_is_opened_later_in_the_run(tmp_path):
    """The store's folder is blocked by a file at start: batches are spooled; once the way is
    clear, the next batch reopens the store, writes the spool first and then itself."""
    blocker = tmp_path / "db"
    blocker.write_text("not a folder")
    pipeline = pipeline_for(tmp_path, SQLITE_PATH=str(blocker / "store.sqlite3"), STORE_RETRY_SECONDS=0.2)
    pipeline.open_spider()
    for n in range(3):
        pipeline.process_item(Article(**article(n)))
    pipeline.writer.drain()
    assert pipeline.crawler.stats.get_value("store/rows_spooled") == 3
    blocker.unlink()
    time.sleep(0.3)
    for n in range(3, 6):
        pipeline.process_item(Article(**article(n)))
    pipeline.writer.drain()
    keys, _ = stored(blocker / "store.sqlite3")
    assert len(keys) == 6  # before: never reopened, every later batch spooled too
    pipeline.close_spider()
    assert pipeline.crawler.stats.get_value("store/rows_replayed") == 3
    assert not (tmp_path / "spool.jsonl").exists()


def test_a_database_server_that_never_answers_times_out(tmp_path):
    """A port that accepts connections and never speaks: opening the store fails after
    STORE_TIMEOUT instead of hanging the crawl's start for good."""
    pytest.importorskip("psycopg")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        url = f"postgresql+psycopg://crawler:hunter2@127.0.0.1:{silent.getsockname()[1]}/news"
        outcome: dict[str, Any] = {}

        def open_store() -> None:
            try:
                ArticleStore.from_settings({"DATABASE_URL": url, "STORE_TIMEOUT": 1}).close()
            except StoreError as exc:
                outcome["error"] = str(exc)

        worker = threading.Thread(target=open_store, daemon=True)
        started = time.monotonic()
        worker.start()
        worker.join(timeout=10)
    assert not worker.is_alive(), "opening the store still waits for the silent server after 10 s"
    assert time.monotonic() - started < 5
    assert "cannot open article store" in outcome["error"] and "hunter2" not in outcome["error"]


def locked_crawl(tmp: Path, articles: int, lock_seconds: float, delay: float) -> dict[str, Any]:
    """A real ``scrapy crawl`` of a loopback site while another process holds the store under
    BEGIN EXCLUSIVE for ``lock_seconds`` (from when the first rows are stored); a second run
    writes whatever the first left in the spool. Returns the figures."""
    db = tmp / "store.sqlite3"
    with LocalSite(n=articles) as site:
        sources = ",".join(site.base + p for p in site.SOURCES)
        cmd = [sys.executable, "-m", "scrapy", "crawl", OUTLET, "-a", f"sources={sources}",
               "-s", f"SQLITE_PATH={db}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
               "-s", "AUTOTHROTTLE_ENABLED=False", "-s", f"DOWNLOAD_DELAY={delay}",
               "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
               "-s", "STORE_BATCH_SIZE=3", "-s", "STORE_FLUSH_SECONDS=1", "-s", "STORE_TIMEOUT=2",
               "-s", "STORE_RETRY_SECONDS=1", "-s", "LOG_LEVEL=INFO", *wiring_args(PROGRESS_INTERVAL="0.5")]
        started = time.time()
        ended: list[float] = []
        with (tmp / "crawl.log").open("w") as log:
            crawl = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            threading.Thread(target=lambda: (crawl.wait(), ended.append(time.time())), daemon=True).start()
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:  # lock once the crawl is storing
                    try:
                        if len(stored(db)[0]) >= 3:
                            break
                    except sqlite3.Error:
                        pass
                    time.sleep(0.1)
                with LockHolder(db, lock_seconds) as lock:
                    rows_at_lock = len(stored(db)[0])
                    lock.wait()
                    rows_at_release = lock.rows_at_release
                rc = crawl.wait(timeout=lock_seconds + 120)
                time.sleep(0.05)  # the watcher notes the end
            finally:
                if crawl.poll() is None:
                    crawl.kill()
        spool_left = (tmp / "spool.jsonl").exists()
        second = None
        if spool_left:  # the crawl ended while locked: the next run writes the spool first
            second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    text = (tmp / "crawl.log").read_text(encoding="utf-8", errors="replace")
    progress = []
    for when, pages, items in re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \S+ INFO: progress \S+: (\d+) pages, "
                                         r"(\d+) articles", text, re.M):
        progress.append((datetime.strptime(when, "%Y-%m-%d %H:%M:%S").timestamp(), int(pages), int(items)))
    # log times have whole seconds: count the lines strictly inside the lock
    inside = [p for p in progress if lock.locked_at + 1 <= p[0] <= lock.released_at - 1]
    times = [lock.locked_at + 1, *(p[0] for p in inside), lock.released_at - 1]
    keys, versions = stored(db)
    expected = {site.base + p for p in site.article_paths()}

    def stat(name: str) -> int:
        found = re.search(rf"'{re.escape(name)}': (\d+)", text)
        return int(found.group(1)) if found else 0

    return {
        "rc": rc, "second_rc": None if second is None else second.returncode, "log": text,
        "lock_seconds": lock.released_at - lock.locked_at, "crawl_seconds": ended[0] - started,
        "progress_inside": len(inside), "longest_silence": max(b - a for a, b in zip(times, times[1:], strict=False)),
        "pages_inside": (inside[-1][1] - inside[0][1]) if len(inside) > 1 else 0,
        "articles_inside": (inside[-1][2] - inside[0][2]) if len(inside) > 1 else 0,
        "rows_at_lock": rows_at_lock, "rows_at_release": rows_at_release,
        "spooled": stat("store/rows_spooled"), "replayed": stat("store/rows_replayed"),
        "lost_stat": stat("store/rows_lost"), "spool_left_after_first_run": spool_left,
        "stored": len(set(keys)), "lost": len(expected - set(keys)),
        "duplicated": (len(keys) - len(set(keys))) + (versions - len(set(keys))),
        "expected": len(expected), "spool_left": (tmp / "spool.jsonl").exists(),
    }


def _report(figures: dict[str, Any]) -> str:
    return (f"lock test: BEGIN EXCLUSIVE held {figures['lock_seconds']:.1f} s by another process; during the lock "
            f"{figures['progress_inside']} progress lines (longest silence {figures['longest_silence']:.0f} s), "
            f"{figures['pages_inside']} pages fetched, "
            f"{figures['articles_inside']} articles extracted, rows stored {figures['rows_at_lock']} -> "
            f"{figures['rows_at_release']}; spooled {figures['spooled']}, replayed {figures['replayed']}, "
            f"second run needed: {figures['spool_left_after_first_run']}; stored {figures['stored']} of "
            f"{figures['expected']}, lost {figures['lost']}, duplicated {figures['duplicated']}; "
            f"crawl {figures['crawl_seconds']:.1f} s, exit {figures['rc']}")


def _check(figures: dict[str, Any]) -> None:
    assert figures["rc"] == 0, figures["log"][-3000:]
    assert figures["rows_at_release"] == figures["rows_at_lock"]  # the lock did hold
    # Progress every 0.5 s and a page every 0.2-0.25 s, all through the lock: at least one line
    # and one page a second on average, and no silence longer than 2 s (log times are whole seconds).
    inner = figures["lock_seconds"] - 2
    assert figures["progress_inside"] >= inner and figures["longest_silence"] <= 2, _report(figures)
    assert figures["pages_inside"] >= inner, _report(figures)
    assert figures["spooled"] > 0
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["lost_stat"] == 0
    assert figures["stored"] == figures["expected"] and not figures["spool_left"]


def test_a_crawl_goes_on_while_its_store_is_locked(tmp_path):
    """Five seconds of BEGIN EXCLUSIVE in the middle of a crawl: progress lines keep coming and
    pages keep being fetched during the lock (before: none, the reactor waited for the lock);
    every article is stored once, nothing twice."""
    figures = locked_crawl(tmp_path, articles=30, lock_seconds=5, delay=0.2)
    print("\n" + _report(figures))
    _check(figures)


@pytest.mark.service  # ~15 s: two crawls and a 5-second lock
def test_a_crawl_that_ends_while_its_store_is_locked_leaves_the_rest_to_the_next_run(tmp_path):
    figures = locked_crawl(tmp_path, articles=8, lock_seconds=5, delay=0.1)
    print("\n" + _report(figures))
    assert figures["rc"] == 0 and figures["second_rc"] == 0, figures["log"][-3000:]
    assert figures["spool_left_after_first_run"] and figures["spooled"] > 0
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["stored"] == figures["expected"] and not figures["spool_left"]


@pytest.mark.service  # ~45 s: issue 13's 30-second lock
def test_a_thirty_second_lock_loses_and_duplicates_nothing(tmp_path):
    figures = locked_crawl(tmp_path, articles=150, lock_seconds=30, delay=0.25)
    print("\n" + _report(figures))
    _check(figures)


# ----- finding 2: a damaged spool line does not stop later crawls --------------------------------


def test_a_spool_line_cut_inside_a_character_is_set_aside_and_the_crawl_runs(tmp_path):
    """What a crash or a full disk leaves: the last bytes of an Arabic line missing. The crawl
    starts, writes the readable lines, moves the cut one to ``.rejected`` (before: exit 1, 0
    pages, on every run until someone edited the file)."""
    spool = tmp_path / "spool.jsonl"
    cut = json.dumps(article(2), ensure_ascii=False).encode()
    cut = cut[:cut.index("رقم".encode()) + 1]  # inside the two bytes of ر
    spool.write_bytes(json.dumps(article(1), ensure_ascii=False).encode() + b"\n" + cut + b"\n"
                      + json.dumps(article(3), ensure_ascii=False).encode() + b"\n")
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "youm7", "-s", "REPLAY_WARC=demo/demo.warc.gz",
                             "-s", f"SQLITE_PATH={tmp_path / 'store.sqlite3'}", "-s", f"SPOOL_PATH={spool}",
                             "-s", "LOG_LEVEL=INFO"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    keys, _ = stored(tmp_path / "store.sqlite3")
    assert {"https://example.test/news/1", "https://example.test/news/3"} <= set(keys)
    assert len(keys) == 5  # the two spooled rows and youm7's three articles
    assert not spool.exists()
    assert (tmp_path / "spool.jsonl.rejected").read_bytes() == cut + b"\n"
    assert "'store/spool_rejected': 1" in result.stderr


# ----- finding 3: a shared spool, streamed, deleted only once durable -----------------------------


APPENDER = textwrap.dedent("""
    import sys, time
    from scrapy import Spider
    from scrapy.utils.misc import build_from_crawler
    from scrapy.utils.test import get_crawler
    from crawler.items import Article, empty_article
    from pipelines.store import StorePipeline

    spool, blocked, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    pipeline = build_from_crawler(StorePipeline, get_crawler(Spider, {
        "SQLITE_PATH": blocked + "/store.sqlite3", "SPOOL_PATH": spool, "STORE_BATCH_SIZE": 1,
        "STORE_RETRY_SECONDS": 3600}))
    pipeline.open_spider()
    for n in range(first, first + count):
        row = empty_article()
        row.update(url=f"https://example.test/news/{n}", title=f"خبر رقم {n}")
        pipeline.process_item(Article(**row))
        if n == first:
            print("appending", flush=True)
        time.sleep(0.004)
    pipeline.close_spider()
""")


def test_rows_spooled_by_another_crawl_during_a_replay_are_not_lost(tmp_path):
    """Two crawls share the spool (scrapy schedule's default): one replays a large spool while
    the other, whose store is down, keeps appending to it. Before, the replay read the file,
    wrote it and deleted it, and every row appended meanwhile was gone."""
    spool = tmp_path / "spool.jsonl"
    with spool.open("w", encoding="utf-8") as fh:
        for n in range(3000):
            fh.write(json.dumps(article(n), ensure_ascii=False) + "\n")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the other crawl's store folder should be")
    appender = subprocess.Popen([sys.executable, "-c", APPENDER, str(spool), str(blocked), "100000", "400"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert appender.stdout.readline().strip() == "appending", appender.stderr.read()
        replayer = pipeline_for(tmp_path, STORE_BATCH_SIZE=200)
        replayer.open_spider()
        replayer.close_spider()
        _, err = appender.communicate(timeout=60)
    finally:
        if appender.poll() is None:
            appender.kill()
    assert appender.returncode == 0, err[-2000:]
    last = pipeline_for(tmp_path)  # the next run writes what was spooled after the replay
    last.open_spider()
    last.close_spider()
    keys, _ = stored(tmp_path / "store.sqlite3")
    assert len(keys) == 3400, f"{3400 - len(keys)} rows lost"
    assert not spool.exists()


KILLED_REPLAY = textwrap.dedent("""
    import sys
    from scrapy import Spider
    from scrapy.utils.misc import build_from_crawler
    from scrapy.utils.test import get_crawler
    from pipelines.store import StorePipeline

    pipeline = build_from_crawler(StorePipeline, get_crawler(Spider, {
        "SQLITE_PATH": sys.argv[1], "SPOOL_PATH": sys.argv[2], "STORE_BATCH_SIZE": 50}))
    pipeline.open_spider()
    pipeline.close_spider()
""")


@pytest.mark.service  # ~10 s: a replay process killed, then a second replay
def test_a_replay_killed_half_way_is_finished_by_the_next_run(tmp_path):
    """SIGKILL in the middle of a replay: the claimed spool file stays behind, the next run takes
    it over; every row ends stored once."""
    spool = tmp_path / "spool.jsonl"
    with spool.open("w", encoding="utf-8") as fh:
        for n in range(1500):
            fh.write(json.dumps(article(n), ensure_ascii=False) + "\n")
    db = tmp_path / "store.sqlite3"
    ArticleStore(f"sqlite:///{db}").close()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_REPLAY, str(db), str(spool)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(stored(db)[0]) < 200:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    partly = len(stored(db)[0])
    assert 0 < partly < 1500, partly
    again = pipeline_for(tmp_path)
    again.open_spider()
    again.close_spider()
    keys, versions = stored(db)
    assert len(keys) == len(set(keys)) == 1500 and versions == 1500
    assert not spool.exists() and not list(tmp_path.glob("spool.jsonl.replay-*"))


def test_the_spool_is_replayed_as_a_stream(tmp_path):
    """A spool of 2,500 rows (~10 MB) is replayed batch by batch: the memory it takes stays a
    fraction of the file (~2 MB, whatever its size; before: every row was loaded first)."""
    spool = tmp_path / "spool.jsonl"
    padding = "ويضيف التقرير تفاصيل عن مراحل المشروع وكلفته ومواعيد افتتاحه. " * 30
    with spool.open("w", encoding="utf-8") as fh:
        for n in range(2500):
            fh.write(json.dumps(article(n, body=padding + str(n)), ensure_ascii=False) + "\n")
    size = spool.stat().st_size
    pipeline = pipeline_for(tmp_path, STORE_BATCH_SIZE=100)
    tracemalloc.start()
    try:
        pipeline.open_spider()
        pipeline.close_spider()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(stored(tmp_path / "store.sqlite3")[0]) == 2500
    assert peak < size / 3, f"replay peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB spool"


def test_spool_rows_are_committed_with_full_sync_before_the_spool_goes(tmp_path):
    """SQLite's NORMAL sync under WAL can lose the last commits on power loss; the replay's
    commits run with synchronous=FULL (seen in the SQL the writer's connection executes), and
    normal batches keep NORMAL."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    spool = tmp_path / "spool.jsonl"
    spool.write_text(json.dumps(article(1), ensure_ascii=False) + "\n", encoding="utf-8")
    statements: list[str] = []

    def trace(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(Engine, "connect", trace)
    try:
        pipeline = pipeline_for(tmp_path, STORE_BATCH_SIZE=1)
        pipeline.open_spider()
        pipeline.writer.drain()
        replay = list(statements)
        statements.clear()
        pipeline.process_item(Article(**article(2)))
        pipeline.close_spider()
    finally:
        event.remove(Engine, "connect", trace)
    plain = [s.split()[0].upper() + (" " + s.split()[1] if s.upper().startswith("PRAGMA") else "") for s in replay]
    full = plain.index("PRAGMA synchronous=FULL")
    insert = next(i for i, s in enumerate(replay) if s.upper().startswith("INSERT INTO ARTICLES"))
    commit = next(i for i in range(insert, len(plain)) if plain[i] == "COMMIT")
    assert full < insert < commit < plain.index("PRAGMA synchronous=NORMAL", commit)
    assert "PRAGMA synchronous=FULL" not in statements  # an ordinary batch
    assert len(stored(tmp_path / "store.sqlite3")[0]) == 2
