"""Deploy this project to a real scrapyd on 127.0.0.1 with scrapyd-deploy, schedule a job of one
outlet replayed from the demo WARC (no network), wait for it, and check its items, log and store.

The project is deployed from a copy in a temporary folder, because scrapyd-deploy writes
``setup.py``, ``build/`` and ``*.egg-info`` beside ``scrapy.cfg``. The copy's ``scrapy.cfg`` gets a
``[deploy:local]`` target pointing at the test's scrapyd (the repository's own target points at the
default port 6800).
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.test_incremental import wiring_args

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PROJECT = "arabic_news_crawler"
OUTLET = "lbci"
DEMO = ROOT / "demo" / "demo.warc.gz"

pytestmark = pytest.mark.service


def _tool(name: str) -> str | None:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def _post(url: str, fields: list[tuple[str, str]]) -> dict:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(url, data=data, timeout=10) as r:
        return json.loads(r.read())


@pytest.fixture
def scrapyd(tmp_path):
    """A scrapyd listening on 127.0.0.1:<free port>, working in tmp_path/scrapyd; stopped by PID."""
    binary = _tool("scrapyd")
    if binary is None or _tool("scrapyd-deploy") is None:
        pytest.skip("scrapyd / scrapyd-deploy not installed (pip install scrapyd scrapyd-client)")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\nitems_dir = items\ndbs_dir = dbs\n"
        "max_proc = 1\npoll_interval = 0.5\n", encoding="utf-8")
    out = (home / "scrapyd.out").open("wb")
    proc = subprocess.Popen([binary, f"--pidfile={home / 'scrapyd.pid'}"], cwd=home, stdout=out,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(url + "/daemonstatus.json").get("status") == "ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("scrapyd did not start: " + (home / "scrapyd.out").read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        yield url, home
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        out.close()


def _project_copy(dest: Path, url: str) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("crawler", "spiders", "pipelines"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "scrapy.cfg", encoding="utf-8")
    cfg["deploy:local"] = {"url": url, "project": PROJECT}  # no trailing slash: scrapyd-client 404s on one
    with (dest / "scrapy.cfg").open("w", encoding="utf-8") as fh:
        cfg.write(fh)
    return dest


def test_deploy_to_scrapyd_and_run_a_replayed_outlet_job(scrapyd, tmp_path):
    url, home = scrapyd
    project_dir = _project_copy(tmp_path / "project", url)
    deploy = subprocess.run([_tool("scrapyd-deploy"), "local", "-p", PROJECT, "--version", "r1"],
                            cwd=project_dir, capture_output=True, text=True, timeout=120)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr[-3000:]
    answer = json.loads(deploy.stdout.strip().splitlines()[-1])
    assert answer["status"] == "ok" and answer["project"] == PROJECT, deploy.stdout
    assert answer["spiders"] >= 5  # every outlet module went into the egg

    assert OUTLET in _get(f"{url}/listspiders.json?project={PROJECT}")["spiders"]

    store = tmp_path / "store.sqlite3"
    settings = [f"REPLAY_WARC={DEMO}", f"SQLITE_PATH={store}", f"SPOOL_PATH={tmp_path / 'spool.jsonl'}"]
    wiring = wiring_args()
    settings += [wiring[i + 1] for i in range(0, len(wiring), 2)]
    job = _post(f"{url}/schedule.json", [("project", PROJECT), ("spider", OUTLET), ("jobid", "job1"),
                                         *[("setting", s) for s in settings]])
    assert job == {"node_name": job["node_name"], "status": "ok", "jobid": "job1"}, job

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        jobs = _get(f"{url}/listjobs.json?project={PROJECT}")
        if any(j["id"] == "job1" for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"job did not finish: {jobs}")

    log = (home / "logs" / PROJECT / OUTLET / "job1.log").read_text(encoding="utf-8")
    assert f"summary {OUTLET}: " in log
    assert "'warc/replay_hits'" in log  # served from the archive, no network
    assert "Traceback" not in log
    items = (home / "items" / PROJECT / OUTLET / "job1.jl").read_text(encoding="utf-8").splitlines()
    con = sqlite3.connect(store)
    try:
        rows = con.execute("select count(*) from articles where outlet = ?", (OUTLET,)).fetchone()[0]
    finally:
        con.close()
    print(f"\nscrapyd: deployed {answer['spiders']} spiders; job1 scraped {len(items)} items, stored {rows}")
    assert len(items) == rows == 3  # lbci's three articles in the demo archive
    assert {json.loads(line)["outlet"] for line in items} == {OUTLET}
