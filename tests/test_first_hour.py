"""The README's "first hour", run as a new user runs it: its lines in the README's order, in one
shell, in a fresh copy of the project's layout (links to this checkout's files, an empty ``data/``),
starting with the real ``bash demo/run.sh``. Every line but the two that need internet; each must
print results from the demo's data. A README edit that breaks the sequence breaks this test."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PROJECT = ("crawler", "spiders", "pipelines", "demo", "scrapy.cfg", "pyproject.toml")


def first_hour() -> list[str]:
    section = README.read_text(encoding="utf-8").split("\n## The first hour\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def fresh_layout(tmp: Path) -> Path:
    """A clone's layout whose .venv is this one (its entries linked), with the stamp demo/run.sh
    leaves after a setup, so the demo does not set it up again (it would reinstall this checkout
    from the copy)."""
    home = tmp / "clone"
    home.mkdir()
    for name in PROJECT:
        (home / name).symlink_to(ROOT / name)
    venv = Path(sys.executable).parent.parent
    (home / ".venv").mkdir()
    for entry in venv.iterdir():
        if entry.name != ".pyproject.sha1":
            (home / ".venv" / entry.name).symlink_to(entry)
    extras = re.search(r'^EXTRAS="([^"]+)"', (ROOT / "demo" / "run.sh").read_text(), re.M).group(1)
    want = hashlib.sha1((ROOT / "pyproject.toml").read_bytes() + f"{extras}\n".encode()).hexdigest()
    (home / ".venv" / ".pyproject.sha1").write_text(want + "\n")
    return home


def test_the_readme_lists_the_first_hour_in_a_new_users_order() -> None:
    lines = first_hour()
    order = [next(i for i, line in enumerate(lines) if key in line) for key in (
        "bash demo/run.sh", "scrapy summary", "scrapy search", "scrapy report", "scrapy export", "scrapy crawl",
        "scrapy schedule")]
    assert order == sorted(order), lines
    assert [line for line in lines if "needs internet" in line] == [lines[-2], lines[-1]]


def test_the_readme_first_hour_in_order_shows_the_demos_data(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="scrapy report needs matplotlib (pip install -e '.[report]')")
    lines = [line for line in first_hour() if "needs internet" not in line]
    home = fresh_layout(tmp_path)
    script = "\n".join(f"echo '@@@ {n}'\n{line}\necho \"@@@ status $?\"" for n, line in enumerate(lines))
    env = {k: v for k, v in os.environ.items() if k not in ("SQLITE_PATH", "DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(["bash", "-c", f"exec 2>&1\n{script}"], cwd=home, capture_output=True, text=True,
                          timeout=900, env=env)
    steps = re.findall(r"^@@@ (\d+)\n(.*?)^@@@ status (\d+)$", done.stdout, re.S | re.M)
    assert [int(n) for n, _, _ in steps] == list(range(len(lines))), done.stdout[-3000:]
    out = {lines[int(n)]: (text, int(status)) for n, text, status in steps}
    for line, (text, status) in out.items():
        assert status == 0, f"{line}\n{text[-3000:]}"

    def printed(command: str) -> str:
        (text,) = [t for line, (t, _) in out.items() if command in line]
        return text

    db = home / "data" / "demo" / "articles.sqlite3"
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        outlets = conn.execute("SELECT count(DISTINCT outlet) FROM articles").fetchone()[0]
    assert stored > 50 and outlets > 20

    demo = printed("bash demo/run.sh")
    assert re.search(r"summary youm7: .*failed fetches 14 \(http_404 14\)", demo)  # the 404s are told
    assert "Traceback" not in demo and "Warning" not in demo
    assert demo.rstrip().splitlines()[-1].startswith("report: data/demo/report.html (")  # ends with the path

    summary = printed("scrapy summary").splitlines()
    assert summary[-1].split() == ["total", str(stored)] and len(summary) == outlets + 2

    search = printed("scrapy search")
    assert search.startswith("1. ") and "no article matches" not in search
    assert re.search(r"\[ال?أمطار\]", search)  # the match marked, in the stored spelling (not folded امطار)

    assert "youm7" in printed("scrapy outlets") and "passed" in printed("scrapy outlets")

    report = printed("scrapy report")
    assert report.startswith("report: data/demo/report.html (") and f"{stored} articles" in report
    page = (home / "data" / "demo" / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-per-day"' in page and 'id="chart-coverage"' in page and 'id=latest-table' in page

    export = printed("scrapy export")
    assert export.startswith(f"{stored} articles -> data/demo/news.parquet")
    assert (home / "data" / "demo" / "news.parquet.card.md").exists()

    # the look at the data read the demo's store and made no other
    assert not (home / "data" / "articles.sqlite3").exists()
