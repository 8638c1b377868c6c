"""scrapy schedule: each outlet a separate ``scrapy crawl`` process on its own interval, a log and
a summary line per run, never two runs of one outlet at once. Real crawls of two outlets' fixture
sites on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.commands.schedule import OutletLock, interval_for, parse_interval
from tests.sites import FixtureSite
from tests.test_crawl_e2e import discovery_urls, golds
from tests.test_incremental import wiring_args

ROOT = Path(__file__).resolve().parents[1]
OUTLETS = ("lbci", "youm7")


def schedule(site: FixtureSite, tmp: Path, *args: str, background: bool = False, **settings: str):
    crawl_args = {o: ["-a", "sources=" + ",".join(site.url(u) for u in discovery_urls(o))] for o in OUTLETS}
    cmd = [sys.executable, "-m", "scrapy", "schedule", *args,
           "-s", f"SCHEDULE_CRAWL_ARGS={json.dumps(crawl_args)}",
           "-s", f"SCHEDULE_STATE_DIR={tmp / 'state'}", "-s", f"SCHEDULE_LOG_DIR={tmp / 'logs'}",
           "-s", f"SQLITE_PATH={tmp / 'store.sqlite3'}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", *wiring_args(),
           *[a for k, v in settings.items() for a in ("-s", f"{k}={v}")]]
    if background:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def stored_outlets(tmp: Path) -> dict[str, int]:
    con = sqlite3.connect(tmp / "store.sqlite3")
    try:
        return dict(con.execute("select outlet, count(*) from articles group by outlet"))
    finally:
        con.close()


def test_once_runs_each_outlet_in_its_own_process_with_a_log_and_a_summary_line(tmp_path):
    with FixtureSite(*OUTLETS) as site:
        first = schedule(site, tmp_path, "--once", "--outlets", ",".join(OUTLETS))
        assert first.returncode == 0, first.stdout + first.stderr[-3000:]
        requests_first = len(site.requests)

        site.requests.clear()
        again = schedule(site, tmp_path, "--once", "--outlets", ",".join(OUTLETS))
        requests_again = len(site.requests)
    print("\n" + first.stdout + again.stdout)

    lines = first.stdout.strip().splitlines()
    assert len(lines) == 2  # one summary line per run
    logs = sorted((tmp_path / "logs").iterdir())
    assert [p.name.split("-2")[0] for p in logs] == list(OUTLETS)  # one log per run, named by outlet
    for outlet in OUTLETS:
        (line,) = [ln for ln in lines if ln.startswith(f"schedule {outlet}: ok (rc 0)")]
        assert f"summary {outlet}: " in line  # the crawl's own summary, carried over
        assert f"{len(golds(outlet))} stored" in line
        (log,) = [p for p in logs if p.name.startswith(outlet + "-")]
        assert f"log {log}" in line
        text = log.read_text(encoding="utf-8")
        assert text.startswith("# ") and f"scrapy crawl {outlet}" in text.splitlines()[0]
        assert f"summary {outlet}:" in text
        state = json.loads((tmp_path / "state" / f"{outlet}.json").read_text())
        assert state["last_rc"] == 0 and "running_pid" not in state
    assert stored_outlets(tmp_path) == {o: len(golds(o)) for o in OUTLETS}
    assert requests_first > 0

    # a second --once straight away: nothing is due (default interval 1 h), nothing is fetched
    assert again.returncode == 0, again.stderr[-2000:]
    not_due = sorted(again.stdout.strip().splitlines())
    assert [ln.split(":")[0] for ln in not_due] == [f"schedule {o}" for o in OUTLETS]
    assert all(re.fullmatch(r"schedule \S+: not due, next run in 59\.\d min", ln) for ln in not_due), not_due
    assert requests_again == 0
    assert len(list((tmp_path / "logs").iterdir())) == 2


def test_a_held_lock_prevents_a_second_run_of_the_outlet(tmp_path):
    lock = OutletLock(tmp_path / "state" / "locks", "lbci")
    assert lock.acquire()  # as a running crawl of lbci holds it
    try:
        with FixtureSite(*OUTLETS) as site:
            result = schedule(site, tmp_path, "--once", "--force", "--outlets", "lbci")
            requests = list(site.requests)
    finally:
        lock.release()
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith(f"schedule lbci: skipped, a run is still going (pid {os.getpid()},")
    assert requests == []
    assert not (tmp_path / "logs").exists()
    assert not (tmp_path / "state" / "lbci.json").exists()  # a skipped run does not count as a run


def test_a_leftover_lock_file_of_a_dead_process_is_not_a_lock(tmp_path):
    (tmp_path / "lbci.lock").write_text("999999999\n")
    lock = OutletLock(tmp_path, "lbci")
    assert lock.acquire()
    assert lock.holder() == str(os.getpid())
    other = OutletLock(tmp_path, "lbci")
    assert not other.acquire()  # while held, nobody else gets it
    lock.release()
    assert other.acquire()
    other.release()


def test_daemon_mode_repeats_runs_without_overlap_and_stops_on_sigterm(tmp_path):
    """Interval 1 s, shorter than a crawl: the next run of the outlet waits for the previous one."""
    with FixtureSite(*OUTLETS) as site:
        proc = schedule(site, tmp_path, "--outlets", "lbci", background=True,
                        SCHEDULE_INTERVALS='{"lbci": "1s"}', SCHEDULE_TICK="0.2")
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                state = tmp_path / "state" / "lbci.json"
                if state.exists() and len(list((tmp_path / "logs").glob("lbci-*.log"))) >= 3:
                    break
                time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err[-2000:]
    runs = [ln for ln in out.splitlines() if ln.startswith("schedule lbci: ")]
    assert len(runs) >= 3, out  # the last may be cut short by the SIGTERM
    spans = []
    for line in runs:
        m = re.search(r"\(rc (-?\d+)\) (\d\d:\d\d:\d\d)-(\d\d:\d\d:\d\d)", line)
        assert m, line
        spans.append((datetime.strptime(m.group(2), "%H:%M:%S"), datetime.strptime(m.group(3), "%H:%M:%S")))
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end  # each run started after the previous one ended
    assert all(line.startswith("schedule lbci: ok (rc 0)") for line in runs[:-1]), out


def test_intervals_come_from_settings_then_outlet_then_default():
    class Spider:
        name = "x"
        interval = "15m"

    class Plain:
        name = "y"

    assert interval_for(Spider, Settings()) == 900
    assert interval_for(Spider, Settings({"SCHEDULE_INTERVALS": {"x": "2h"}})) == 7200
    assert interval_for(Plain, Settings({"SCHEDULE_DEFAULT_INTERVAL": 600})) == 600
    assert interval_for(Plain, Settings()) == 3600
    assert [parse_interval(v) for v in (90, "90", "30s", "1.5h", "1d")] == [90, 90, 30, 5400, 86400]
    for bad in ("soon", "0", "-5m"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_secrets_reach_the_crawl_through_its_environment_and_no_log_shows_them(tmp_path):
    """``-s DATABASE_URL=...`` with a password: the crawl gets it (its log names the database,
    masked), but not on its command line (ps shows command lines to every user; the log's first
    line copies it), and the run's log is readable by its owner only."""
    secret_url = "postgresql+psycopg://crawler:hunter2@127.0.0.1:1/news"  # nothing listens on port 1
    with FixtureSite(*OUTLETS) as site:
        result = schedule(site, tmp_path, "--once", "--force", "--outlets", "lbci",
                          DATABASE_URL=secret_url, STORE_TIMEOUT="1", MONITOR_THRESHOLDS='{"lbci": {"max_error_rate": 1}}')
    (log,) = (tmp_path / "logs").glob("lbci-*.log")
    text = log.read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert "DATABASE_URL" not in header and "hunter2" not in header, header
    assert "postgresql+psycopg://crawler:***@127.0.0.1:1/news" in text  # the crawl did use it
    assert "hunter2" not in text and "hunter2" not in result.stdout + result.stderr
    assert log.stat().st_mode & 0o777 == 0o600


def test_every_spelling_of_a_secret_setting_moves_to_the_environment():
    from crawler.commands.schedule import secrets_to_environment

    args = ["-s", "DATABASE_URL=postgresql://u:p@h/db", "-sREDIS_URL=redis://:p@h", "--set", "LOG_LEVEL=INFO",
            "--set=DATABASE_URL=postgresql://u:q@h/db", "-a", "since=2026-01-01"]
    kept, env = secrets_to_environment(args)
    assert kept == ["--set", "LOG_LEVEL=INFO", "-a", "since=2026-01-01"]
    assert env == {"DATABASE_URL": "postgresql://u:q@h/db", "REDIS_URL": "redis://:p@h"}
