"""scrapy schedule [--once] [--force] [--outlets a,b] [--max-parallel N]

Runs every outlet on its own interval, each run a separate ``scrapy crawl`` process (Twisted's
reactor cannot be restarted, and a process per run keeps one outlet's leak or crash from the others).

- Interval per outlet: setting ``SCHEDULE_INTERVALS`` (``{"youm7": "15m"}``), else the spider's or its
  outlet's ``interval`` attribute, else ``SCHEDULE_DEFAULT_INTERVAL`` (``"1h"``). Seconds or
  ``30s`` / ``15m`` / ``2h`` / ``1d``. An outlet is due when its last run *started* an interval ago.
- Never two runs of one outlet at once: ``<SCHEDULE_STATE_DIR>/locks/<outlet>.lock`` is locked with
  ``flock`` and holds the crawl's PID. The locked descriptor is inherited by the crawl process, so the
  lock lasts exactly as long as the crawl — also across several schedulers (cron + a daemon) and if
  the scheduler itself dies; a leftover file with a dead PID is not a lock.
- One log per run: ``<SCHEDULE_LOG_DIR>/<outlet>-<UTC time>.log`` (the crawl's stdout and stderr),
  and one summary line per run on stdout, carrying the crawl's own summary line.
- ``--once``: start every due outlet (``--force``: every outlet), wait for them, exit — for cron,
  systemd timers and tests. Exit status 1 when a run failed (including monitors), else 0.
- Without ``--once`` it runs until SIGTERM/SIGINT, checking every ``SCHEDULE_TICK`` seconds; on
  stop, running crawls get SIGINT (Scrapy's graceful shutdown) and ``SCHEDULE_STOP_TIMEOUT`` seconds.

Per-outlet extra crawl arguments: ``SCHEDULE_CRAWL_ARGS = {"lbci": ["-a", "since=2026-01-01"],
"*": [...]}``. ``-s NAME=VALUE`` options given to ``scrapy schedule`` are passed on to every crawl,
except secrets: ``DATABASE_URL`` and ``REDIS_URL`` reach the crawl through its environment (a
command line is visible to every user of the machine, ``ps``), and every command line and summary
line written has its URL credentials masked. Logs are created readable by their owner only (0600).
``SCHEDULE_MAX_PARALLEL`` (default 2) caps crawls running at once; ``SCHEDULE_RUN_TIMEOUT`` (seconds,
default 0 = none) stops a run that hangs.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.redact import redact
from crawler.spider import outlet_spiders
from crawler.storage import ArticleStore, StoreError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: Any) -> float:
    """Seconds from 900, "900", "15m", "2h", "1d"; a clear error otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(value))
        if not match:
            raise ValueError(f"cannot read interval {value!r}: use seconds or 30s / 15m / 2h / 1d")
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds <= 0:
        raise ValueError(f"interval {value!r} must be positive")
    return seconds


def interval_for(spidercls: type, settings: Any) -> float:
    """SCHEDULE_INTERVALS[name], else the spider's or its outlet's ``interval``, else the default."""
    configured = settings.getdict("SCHEDULE_INTERVALS")
    if spidercls.name in configured:
        return parse_interval(configured[spidercls.name])
    own = getattr(spidercls, "interval", None) or getattr(getattr(spidercls, "outlet", None), "interval", None)
    if own:
        return parse_interval(own)
    return parse_interval(settings.get("SCHEDULE_DEFAULT_INTERVAL") or "1h")


class OutletLock:
    """An exclusive, non-blocking ``flock`` on ``<dir>/<outlet>.lock``; the file names the holder's PID."""

    def __init__(self, directory: Path, outlet: str) -> None:
        self.path = directory / f"{outlet}.lock"
        self.fh: IO[str] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="ascii")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        self.fh = fh
        self.write_pid(os.getpid())
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="ascii").strip() or "?"
        except OSError:
            return "?"

    def write_pid(self, pid: int) -> None:
        assert self.fh is not None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"{pid}\n")
        self.fh.flush()

    def fileno(self) -> int:
        assert self.fh is not None
        return self.fh.fileno()

    def release(self) -> None:
        if self.fh is None:
            return
        self.fh.seek(0)
        self.fh.truncate()
        fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        self.fh.close()
        self.fh = None


@dataclass
class Run:
    outlet: str
    process: subprocess.Popen
    lock: OutletLock
    log_path: Path
    log_fh: IO[bytes]
    started: datetime
    started_at: float = field(default_factory=time.monotonic)
    stopping_since: float | None = None


# Settings that carry secrets; crawler/settings.py reads them from the environment.
SECRET_SETTINGS = ("DATABASE_URL", "REDIS_URL")


def secrets_to_environment(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """(crawl arguments without the ``-s NAME=VALUE`` options of SECRET_SETTINGS, those settings as
    environment variables). Every spelling Scrapy accepts: ``-s N=V``, ``-sN=V``, ``--set N=V``,
    ``--set=N=V``."""
    out: list[str] = []
    env: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg, pair, used = args[i], None, 1
        if arg in ("-s", "--set") and i + 1 < len(args):
            pair, used = args[i + 1], 2
        elif arg.startswith("--set="):
            pair = arg[len("--set="):]
        elif arg.startswith("-s") and len(arg) > 2 and not arg.startswith("--"):
            pair = arg[2:]
        name, sep, value = (pair or "").partition("=")
        if sep and name in SECRET_SETTINGS:
            env[name] = value
        else:
            out += args[i:i + used]
        i += used
    return out, env


def open_private_log(path: Path) -> IO[bytes]:
    """A log file only its owner may read: it holds a crawl's whole output."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")


def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%dT%H%M%SZ")


def crawl_summary(log_path: Path, outlet: str) -> tuple[str | None, str | None]:
    """(the crawl's summary line, the monitors' failure line) from a run's log, when present."""
    summary = failure = None
    try:
        with log_path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if f"summary {outlet}:" in line:
                    summary = line.split("INFO: ", 1)[-1].strip()
                elif f"monitors failed for {outlet}:" in line:
                    failure = line.split("ERROR: ", 1)[-1].strip()
    except OSError:
        pass
    return summary, failure


class Scheduler:
    def __init__(self, outlets: dict[str, float], settings: Any, passthrough: list[str],
                 out: IO[str] = sys.stdout) -> None:
        self.outlets = outlets
        self.settings = settings
        self.passthrough = passthrough
        self.out = out
        self.state_dir = Path(settings.get("SCHEDULE_STATE_DIR") or "data/schedule")
        self.log_dir = Path(settings.get("SCHEDULE_LOG_DIR") or self.state_dir / "logs")
        self.max_parallel = max(1, settings.getint("SCHEDULE_MAX_PARALLEL", 2))
        self.run_timeout = settings.getfloat("SCHEDULE_RUN_TIMEOUT", 0.0)
        self.stop_timeout = settings.getfloat("SCHEDULE_STOP_TIMEOUT", 60.0)
        self.crawl_args = settings.getdict("SCHEDULE_CRAWL_ARGS")
        self.running: dict[str, Run] = {}
        self.failed = 0
        self.stopping = False

    # ----- state ------------------------------------------------------------------------------

    def _state_path(self, outlet: str) -> Path:
        return self.state_dir / f"{outlet}.json"

    def last_state(self, outlet: str) -> dict[str, Any]:
        try:
            return json.loads(self._state_path(outlet).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_state(self, outlet: str, state: dict[str, Any]) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._state_path(outlet).with_suffix(".json.tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        tmp.replace(self._state_path(outlet))  # atomic: a reader never sees half a file

    def due_in(self, outlet: str, now: float) -> float:
        """Seconds until the outlet is due (<= 0: due now)."""
        last = self.last_state(outlet).get("last_start_ts")
        return 0.0 if last is None else float(last) + self.outlets[outlet] - now

    # ----- runs -------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        print(redact(text), file=self.out, flush=True)

    def _extra_args(self, outlet: str) -> list[str]:
        args: list[str] = []
        for key in ("*", outlet):
            value = self.crawl_args.get(key) or []
            args += shlex.split(value) if isinstance(value, str) else [str(a) for a in value]
        return args

    def start(self, outlet: str) -> bool:
        lock = OutletLock(self.state_dir / "locks", outlet)
        if not lock.acquire():
            self.say(f"schedule {outlet}: skipped, a run is still going (pid {lock.holder()}, {lock.path})")
            return False
        started = datetime.now(UTC)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{outlet}-{_stamp(started)}.log"
        n = 1
        while log_path.exists():  # two runs in one second (--force in a loop): keep both logs
            n += 1
            log_path = self.log_dir / f"{outlet}-{_stamp(started)}-{n}.log"
        args, secrets = secrets_to_environment([*self.passthrough, *self._extra_args(outlet)])
        cmd = [sys.executable, "-m", "scrapy", "crawl", outlet, *args]
        log_fh = open_private_log(log_path)
        log_fh.write(f"# {redact(shlex.join(cmd))}\n".encode())
        if secrets:
            log_fh.write(f"# from the environment: {', '.join(sorted(secrets))}\n".encode())
        log_fh.flush()
        try:
            # pass_fds: the crawl inherits the locked descriptor, so the lock lives as long as it does
            process = subprocess.Popen(cmd, stdout=log_fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       pass_fds=(lock.fileno(),), start_new_session=True,
                                       env={**os.environ, **secrets})
        except OSError as exc:
            log_fh.close()
            lock.release()
            self.failed += 1
            self.say(f"schedule {outlet}: could not start scrapy crawl: {exc}")
            return False
        lock.write_pid(process.pid)
        self.running[outlet] = Run(outlet, process, lock, log_path, log_fh, started)
        self._save_state(outlet, {**self.last_state(outlet), "last_start": started.isoformat(timespec="seconds"),
                                  "last_start_ts": time.time(), "running_pid": process.pid, "log": str(log_path)})
        return True

    def reap(self) -> None:
        """Collect finished runs: release the lock, record the state, print the summary line."""
        now = time.monotonic()
        for outlet, run in list(self.running.items()):
            rc = run.process.poll()
            if rc is None:
                if self.run_timeout and run.stopping_since is None and now - run.started_at > self.run_timeout:
                    self.say(f"schedule {outlet}: running longer than {self.run_timeout:.0f}s, stopping it")
                    self._interrupt(run)
                elif run.stopping_since is not None and now - run.stopping_since > self.stop_timeout:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(run.process.pid, signal.SIGKILL)
                continue
            del self.running[outlet]
            run.log_fh.close()
            run.lock.release()
            ended = datetime.now(UTC)
            state = {**self.last_state(outlet), "last_end": ended.isoformat(timespec="seconds"), "last_rc": rc}
            state.pop("running_pid", None)
            self._save_state(outlet, state)
            if rc != 0:
                self.failed += 1
            self.say(self._summary_line(run, rc, ended))

    def _summary_line(self, run: Run, rc: int, ended: datetime) -> str:
        summary, failure = crawl_summary(run.log_path, run.outlet)
        verdict = {0: "ok", 3: "monitors failed"}.get(rc, "failed")
        seconds = (ended - run.started).total_seconds()
        parts = [f"schedule {run.outlet}: {verdict} (rc {rc}) {run.started:%H:%M:%S}-{ended:%H:%M:%S} "
                 f"({seconds:.1f}s)"]
        parts.append(summary or "no crawl summary in the log")
        if failure:
            parts.append(failure)
        parts.append(f"log {run.log_path}")
        return "; ".join(parts)

    def _interrupt(self, run: Run) -> None:
        run.stopping_since = time.monotonic()
        with contextlib.suppress(ProcessLookupError):  # it may have just finished
            os.killpg(run.process.pid, signal.SIGINT)  # Scrapy closes the spider cleanly on the first SIGINT

    def start_due(self, force: bool = False) -> list[str]:
        now = time.time()
        started = []
        for outlet in sorted(self.outlets, key=lambda o: self.due_in(o, now)):
            if self.stopping or len(self.running) >= self.max_parallel:
                break
            if outlet in self.running:
                continue
            if (force or self.due_in(outlet, now) <= 0) and self.start(outlet):
                started.append(outlet)
        return started

    # ----- modes ------------------------------------------------------------------------------

    def run_once(self, force: bool = False) -> int:
        now = time.time()
        pending = [o for o in sorted(self.outlets) if force or self.due_in(o, now) <= 0]
        for outlet in sorted(set(self.outlets) - set(pending)):
            self.say(f"schedule {outlet}: not due, next run in {self.due_in(outlet, now) / 60:.1f} min")
        while pending or self.running:
            while pending and len(self.running) < self.max_parallel and not self.stopping:
                self.start(pending.pop(0))
            if self.stopping:
                pending.clear()
                for run in self.running.values():
                    if run.stopping_since is None:
                        self._interrupt(run)
            time.sleep(0.2)
            self.reap()
        return 1 if self.failed else 0

    def run_forever(self, tick: float) -> int:
        self.say(f"schedule: {len(self.outlets)} outlets, "
                 + ", ".join(f"{o} every {self.outlets[o] / 60:g} min" for o in sorted(self.outlets)))
        while not self.stopping:
            self.reap()
            self.start_due()
            deadline = time.monotonic() + tick
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, tick))
                self.reap()
        for run in self.running.values():
            self._interrupt(run)
        while self.running:
            time.sleep(0.2)
            self.reap()
        return 0

    def stop(self, *_: Any) -> None:
        self.stopping = True


def prepare_store(settings: Any) -> None:
    """Create the article store's tables once, before crawls start in parallel: two first runs
    creating a fresh store at the same moment race on CREATE TABLE, and the loser cannot open it."""
    if not settings.getbool("STORE_ENABLED", True):
        return
    try:
        ArticleStore.from_settings(settings).close()
    except StoreError as exc:
        # each crawl reports (and spools around) an unusable store itself; say it once here too
        print(f"schedule: article store not ready: {exc}", file=sys.stderr)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--once] [--force] [--outlets a,b] [--max-parallel N]"

    def short_desc(self) -> str:
        return "Run every outlet on its own interval, one scrapy crawl process per run"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--once", action="store_true", help="run the due outlets once, wait, exit")
        parser.add_argument("--force", action="store_true", help="with --once: run every outlet, due or not")
        parser.add_argument("--outlets", help="comma-separated outlet names (default: every outlet)")
        parser.add_argument("--max-parallel", type=int, help="crawls at once (default SCHEDULE_MAX_PARALLEL)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        known = {cls.name: cls for cls in outlet_spiders(loader) if cls.outlet.slug and cls.sources}
        wanted = [o.strip() for o in (opts.outlets or "").split(",") if o.strip()] or sorted(known)
        unknown = [o for o in wanted if o not in known]
        if unknown:
            raise UsageError(f"unknown outlet {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        try:
            outlets = {name: interval_for(known[name], self.settings) for name in wanted}
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if opts.max_parallel:
            self.settings.set("SCHEDULE_MAX_PARALLEL", opts.max_parallel, priority="cmdline")
        passthrough = [arg for pair in (opts.set or []) for arg in ("-s", pair)]
        prepare_store(self.settings)
        scheduler = Scheduler(outlets, self.settings, passthrough)
        signal.signal(signal.SIGTERM, scheduler.stop)
        signal.signal(signal.SIGINT, scheduler.stop)
        if opts.once:
            self.exitcode = scheduler.run_once(force=opts.force)
        else:
            self.exitcode = scheduler.run_forever(tick=self.settings.getfloat("SCHEDULE_TICK", 10.0))
