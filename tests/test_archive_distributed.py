"""Archive files as tasks of a real Dask cluster (issue 16): a scheduler and two workers as
processes on 127.0.0.1, six generated WARC files, one task per file writing to one shared store.
One worker is killed (SIGKILL) while it runs a file; that file is run again on the other worker,
and every article is stored once. Also: one Parquet part per file, exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from w3lib.url import safe_url_string

from tests.archive_warcs import fixture_page, write_records

distributed = pytest.importorskip("distributed", reason='the archive extra: pip install -e ".[archive]"')
psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parents[1]
DAY = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)


def make_files(folder: Path, files: int = 6, per_file: int = 4) -> tuple[list[str], set[str]]:
    """``files`` WARCs of ``per_file`` Arabic articles each (youm7 and generic-site pages under
    their own URLs), plus an English page in each."""
    pages = [fixture_page("youm7", "story-7012345.html"), fixture_page("generic", "city-library-night-hours.html")]
    paths, urls = [], set()
    for f in range(files):
        records = []
        for n in range(per_file):
            if n % 2:
                url = f"https://www.akhbar-example.net/2025/03/0{f + 1}/story-{f}-{n}-city-library.html"
            else:
                url = f"https://www.youm7.com/story/2025/3/{f + 1}/خبر-{f}-{n}/{7200000 + 10 * f + n}"
            original, html = pages[n % 2]
            # its own page: the canonical URL (the row's key) and one sentence of its own
            body = html.decode().replace(original, url).replace("</h1>", f" {f}-{n}</h1>", 1).encode()
            records.append({"url": url, "body": body})
            urls.add(safe_url_string(url))
        records.append({"url": f"https://www.bbc.com/news/world-{f}", "body": b"<html lang='en'><p>News</p></html>"})
        path = folder / f"CC-NEWS-2025030{f + 1}000000-{f:05d}.warc.gz"
        write_records(path, records, DAY)
        paths.append(str(path))
    return paths, urls


def ledger(store: Path) -> list[dict]:
    if not store.exists():
        return []
    con = sqlite3.connect(store, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("select * from archive_files")]
    except sqlite3.OperationalError:  # the table is not there yet
        return []
    finally:
        con.close()


def stored_urls(store: Path) -> list[str]:
    con = sqlite3.connect(store)
    try:
        return [r[0] for r in con.execute("select url from articles")]
    finally:
        con.close()


class Cluster:
    """`dask scheduler` + two `dask worker --no-nanny` processes (named w1, w2), stopped by PID."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.file = tmp / "scheduler.json"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.procs: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, *args: str) -> None:
        log = (self.tmp / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]],
                                            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def __enter__(self) -> Cluster:
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(self.file))
        deadline = time.monotonic() + 30
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.address = json.loads(self.file.read_text())["address"]
        for name in ("w1", "w2"):
            self._start(name, "worker", self.address, "--name", name, "--nthreads", "1", "--no-nanny",
                        "--no-dashboard", "--host", "127.0.0.1")
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(2, timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def log(self) -> str:
        return "\n".join(f"--- {n}\n" + (self.tmp / f"{n}.log").read_text(errors="replace")[-1500:] for n in self.procs)


@pytest.mark.service  # ~20 s: a real cluster, seven `scrapy crawl archive` processes
def test_six_files_on_two_workers_a_killed_workers_file_is_redone_and_each_article_stored_once(tmp_path):
    from crawler.commands.archive import run_files

    files, urls = make_files(tmp_path / "warcs")
    store = tmp_path / "store.sqlite3"
    settings = {"SQLITE_PATH": str(store), "SPOOL_PATH": str(tmp_path / "spool.jsonl")}
    outcome: dict = {}
    with Cluster(tmp_path) as cluster:
        runner = threading.Thread(target=lambda: outcome.update(rc=run_files(
            files, settings, {}, scheduler=cluster.address, log_dir=str(tmp_path / "logs"))))
        runner.start()
        # Kill w1 once it has finished a file and is in the middle of another one.
        killed_file = orphans = None
        deadline = time.monotonic() + 90
        while killed_file is None and time.monotonic() < deadline and runner.is_alive():
            rows = ledger(store)
            if any(r["worker"] == "w1" and r["state"] == "done" for r in rows):
                running = [r for r in rows if r["worker"] == "w1" and r["state"] == "running"]
                w1 = psutil.Process(cluster.procs["w1"].pid)
                children = [c.pid for c in w1.children(recursive=True)]
                # the task claims its file before it starts the crawl: wait for the crawl process,
                # or a kill in between leaves nothing to check for orphans
                if running and children:
                    orphans = children
                    os.kill(w1.pid, signal.SIGKILL)
                    killed_file = running[0]["file"]
            time.sleep(0.05)
        runner.join(timeout=180)
        assert killed_file is not None, "w1 never had a file running after a done one\n" + cluster.log()
        assert outcome.get("rc") == 0, cluster.log()
    rows = {r["file"]: r for r in ledger(store)}
    assert sorted(rows) == sorted(files)
    assert {r["state"] for r in rows.values()} == {"done"}
    assert {r["worker"] for r in rows.values()} == {"w1", "w2"}  # both workers did files
    assert rows[killed_file]["worker"] == "w2"
    assert rows[killed_file]["attempts"] == 2  # claimed by the killed task, taken over by its rerun
    # the killed worker's `scrapy crawl` child died with it (it would otherwise write on, unclaimed)
    time.sleep(0.5)
    assert orphans and not [pid for pid in orphans if psutil.pid_exists(pid)
                            and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    stored = stored_urls(store)
    assert sorted(stored) == sorted(urls)  # every article, each once


def test_one_parquet_part_per_file_written_once(tmp_path):
    """The task itself (no cluster): a part per file, moved into place whole; a second run skips."""
    import pyarrow.dataset as ds

    from crawler.archive_tasks import part_name, process_file

    files, urls = make_files(tmp_path / "warcs", files=2, per_file=2)
    out = tmp_path / "parts"
    results = [process_file(f, parquet_dir=str(out)) for f in files]
    assert [r["state"] for r in results] == ["done", "done"]
    assert sorted(p.name for p in out.glob("*.parquet")) == sorted(part_name(f) for f in files)
    assert not list(out.glob(".tmp-*"))
    table = ds.dataset(out, format="parquet").to_table()  # _cards/ is skipped by the reader
    assert sorted(table.column("url").to_pylist()) == sorted(urls)
    assert [process_file(f, parquet_dir=str(out))["state"] for f in files] == ["skipped", "skipped"]
