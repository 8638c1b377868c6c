"""One archive file as one task of a distributed engine (Dask; see docs/scaling.md for the choice).

``process_file`` is the task: it runs ``scrapy crawl archive -a warc=FILE`` in a child process of
the worker — the same command and code path as on one machine, a Twisted reactor of its own (a
reactor cannot be restarted inside a long-lived worker), and a worker that crashes loses one file's
work, not the worker's state. The child is killed with its worker (Linux ``PR_SET_PDEATHSIG``).

Output and the exactly-once rule per file, one of:

- **the shared store** (``DATABASE_URL``, PostgreSQL across machines): the task claims the file in
  ``archive_files`` (``crawler.archive_files``) before it starts, the crawl records it as done at
  its close after the store wrote everything, and a file done is never started again. A file
  whose worker died is run again by the engine (Dask reschedules the tasks of a lost worker, and
  retries a failed one up to ``retries`` times); the retry takes its own claim over. Rows are upserts
  keyed by canonical URL, so the part of a file the dead worker had stored is written again as
  the same rows, never as copies.
- **one Parquet part per file** (``parquet_dir``): the task writes the file's articles through a
  store of its own (a temporary SQLite database: the same pipelines, dedup inside the file) and
  moves the exported part into place with one atomic rename; a part that exists is the record
  that the file is done. No two tasks write the same file, and a half-written part never has the
  final name.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crawler.archive import file_key
from crawler.archive_files import FileLedger

SETTINGS_ENV = "ARCHIVE_CRAWL_SETTINGS"  # read by spiders/archive.py: settings kept off command lines
PR_SET_PDEATHSIG = 1


class ArchiveTaskError(RuntimeError):
    """The crawl of one file failed; the engine may run the task again."""


def task_key(key: str) -> str:
    """The engine's name for the task of file ``key``: stable, so a rerun is the same task."""
    return "archive-" + hashlib.sha1(key.encode()).hexdigest()[:16]


def part_name(key: str) -> str:
    """The Parquet part of file ``key``: readable stem, plus a hash so two files never collide."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", key.rsplit("/", 1)[-1]).removesuffix(".gz").removesuffix(".warc")
    return f"part-{stem[:80]}-{hashlib.sha1(key.encode()).hexdigest()[:10]}.parquet"


def worker_name() -> str:
    """The worker's name when it was given one (``dask worker --name``), else its address; host:pid
    outside a worker."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"
    return worker.name if isinstance(worker.name, str) and worker.name else worker.address


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Not Linux: the child may outlive a killed worker; its file is then read twice, still no copies.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def process_file(location: str, *, settings: Mapping[str, Any] | None = None,
                 crawl_args: Mapping[str, str] | None = None, parquet_dir: str | None = None,
                 log_dir: str | None = None, lease: float = 600.0, owner: str | None = None) -> dict[str, Any]:
    """Run the archive path over one WARC file; a dict saying what happened (``state``: done,
    skipped — done before — or done_monitors_failed). Raises ArchiveTaskError when the crawl failed."""
    settings = {k: v for k, v in (settings or {}).items() if v is not None}
    cc_base = settings.get("ARCHIVE_CC_BASE")
    key = file_key(location, cc_base)
    owner = owner or task_key(key)
    worker = worker_name()
    result: dict[str, Any] = {"file": key, "worker": worker, "state": "skipped", "articles": 0}
    started = time.monotonic()
    scratch: Path | None = None
    if parquet_dir:
        out = Path(parquet_dir)
        part = out / part_name(key)
        if part.exists():
            return result
        scratch = out / f".tmp-{part.stem}-{os.getpid()}"
        for old in out.glob(f".tmp-{part.stem}-*"):  # what an earlier attempt of this file left
            shutil.rmtree(old, ignore_errors=True)
        scratch.mkdir(parents=True)
        settings.update(SQLITE_PATH=str(scratch / "part.sqlite3"), SPOOL_PATH=str(scratch / "spool.jsonl"))
        settings.pop("DATABASE_URL", None)
    else:
        ledger = FileLedger.from_settings(settings)
        try:
            if not ledger.claim(key, owner, worker, lease=lease):
                return result
        finally:
            ledger.close()
    settings.setdefault("PAGE_WORKERS", 0)  # the engine's processes are the parallelism
    settings["ARCHIVE_WORKER"] = worker
    rc, log = _crawl(location, settings, crawl_args or {}, log_dir, key)
    if rc not in (0, 3):
        raise ArchiveTaskError(f"{key}: scrapy crawl archive exited {rc} on {worker}: {log}")
    if parquet_dir and scratch is not None:
        result["articles"] = _export_part(scratch, Path(parquet_dir), key)
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        ledger = FileLedger.from_settings(settings)
        try:
            row = next((r for r in ledger.rows() if r["file"] == key), None)
        finally:
            ledger.close()
        if row is None or row["state"] != "done":
            raise ArchiveTaskError(f"{key}: the crawl ended without recording the file as done: {log}")
        result["articles"] = row["articles"]
    result.update(state="done" if rc == 0 else "done_monitors_failed", seconds=round(time.monotonic() - started, 2))
    return result


def _crawl(location: str, settings: Mapping[str, Any], crawl_args: Mapping[str, str], log_dir: str | None,
           key: str) -> tuple[int, str]:
    """(exit status, the run's summary line or its last error lines)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", f"warc={location}"]
    for name, value in crawl_args.items():
        if value not in (None, ""):
            command += ["-a", f"{name}={value}"]
    env = dict(os.environ)
    env[SETTINGS_ENV] = json.dumps(dict(settings))
    env.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    if log_dir:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        log_path = Path(log_dir) / (part_name(key).removeprefix("part-").removesuffix(".parquet") + ".log")
    else:
        log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"archive-{os.getpid()}-{time.monotonic_ns()}.log"
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # logs may name the database
    with os.fdopen(fd, "wb") as log:
        proc = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                              preexec_fn=_die_with_parent if sys.platform == "linux" else None, check=False)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    if not log_dir:
        log_path.unlink(missing_ok=True)
    summary = [line for line in text.splitlines() if "summary archive:" in line]
    tail = summary[-1] if summary and proc.returncode in (0, 3) else " | ".join(text.strip().splitlines()[-5:])
    return proc.returncode, tail[-1500:]


def _export_part(scratch: Path, out: Path, key: str) -> int:
    """Export the file's store to its Parquet part, moved into place atomically."""
    from crawler.commands.export import export
    from crawler.storage import ArticleStore

    store = ArticleStore(f"sqlite:///{scratch / 'part.sqlite3'}")
    try:
        card = export(store, "parquet", scratch / "part.parquet")
    finally:
        store.close()
    cards = out / "_cards"  # readers of the folder as a dataset skip names starting with "_"
    cards.mkdir(exist_ok=True)
    name = part_name(key)
    shutil.copyfile(scratch / "part.parquet.card.json", cards / (name + ".card.json"))
    os.replace(scratch / "part.parquet", out / name)
    return int(card["rows"])
