"""The crawl report as a person sees it: a store made the way the demo makes it (three outlets
replayed from demo/demo.warc.gz, plus a copy linked to its original and a run that failed its
monitors), ``scrapy report`` on it, and the page opened in headless Chromium (Debian's, installed
by .ci/playwright.sh). The checks are on what the browser laid out — element boxes, the order
of characters on screen, the screenshot's pixels — not on the HTML string."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.rendering import find_chromium

ROOT = Path(__file__).resolve().parents[1]
OUTLETS = ("youm7", "lbci", "cnn-arabic")


def _chromium() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):  # CI installs it (.ci/playwright.sh): a missing browser is a failure there
            pytest.fail("no Chromium installed: bash .ci/playwright.sh install")
        pytest.skip("no Chromium installed (bash .ci/playwright.sh install)")
    return path


def _store(tmp: Path) -> Path:
    db = tmp / "articles.sqlite3"
    crawl = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", "--outlets", ",".join(OUTLETS),
         "-s", "REPLAY_WARC=demo/demo.warc.gz", "-s", f"SQLITE_PATH={db}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
         "-s", "LOG_LEVEL=INFO"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    from crawler.storage import ArticleStore

    store = ArticleStore(f"sqlite:///{db}", create=False)
    try:
        (original,) = [r for r in store.iter_articles("youm7")][:1]
        copy = {k: v for k, v in original.items() if k not in ("first_seen", "last_seen", "canonical_url")}
        copy.update(url="https://www.lbcgroup.tv/news/copy/1/ar", outlet="lbci", outlet_name="إل بي سي آي",
                    duplicate_of=original["canonical_url"], duplicate_kind="near")
        store.upsert_many([copy])
        store.record_run("lbci", "lbci", {"layout/pages": 3, "layout/miss/title": 2, "layout/fallback/title": 2,
                                          "monitors/failed": 1, "monitors/failures": ["LayoutDriftMonitor: drifted"]},
                         finished_at=datetime.now(UTC), finish_reason="finished")
    finally:
        store.close()
    return db


# What the browser measured, in one evaluation.
_MEASURE = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  const charts = {};
  for (const svg of document.querySelectorAll('svg.chart')) charts[svg.id] = box(svg);
  const segments = [...document.querySelectorAll('[id^="per-day-day--"]')].map(el => ({id: el.id, ...box(el)}));
  const cells = [...document.querySelectorAll('[id^="coverage-cell--"]')].map(el => ({id: el.id, ...box(el)}));
  const arabic = [...document.querySelectorAll('#latest-table div[dir="rtl"]')].map(el => {
    const text = el.firstChild;
    const range = document.createRange();
    const at = i => { range.setStart(text, i); range.setEnd(text, i + 1); return range.getBoundingClientRect(); };
    const first = at(0), last = at(text.length - 1);
    range.selectNodeContents(el);
    const line = range.getBoundingClientRect();
    return {text: text.textContent, direction: getComputedStyle(el).direction, box: box(el),
            first: first.left + first.width / 2, last: last.left + last.width / 2,
            lineLeft: line.left, lineRight: line.right};
  });
  return {charts, segments, cells, arabic, width: document.documentElement.scrollWidth};
}"""


@pytest.mark.service
def test_the_report_in_chromium_has_its_charts_and_sets_arabic_right_to_left(tmp_path):
    chromium = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    pytest.importorskip("matplotlib", reason="the report's charts need matplotlib (pip install -e '.[report]')")
    db = _store(tmp_path)
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "scrapy", "report", "-o", str(out), "-s", f"SQLITE_PATH={db}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        pairs = conn.execute("SELECT count(*) FROM (SELECT DISTINCT outlet, substr(published_at, 1, 10) FROM articles)"
                             ).fetchone()[0]
        outlets = conn.execute("SELECT count(DISTINCT outlet) FROM articles").fetchone()[0]

    shot = tmp_path / "report.png"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(out.as_uri())
            page.screenshot(path=str(shot), full_page=True)
            seen = page.evaluate(_MEASURE)
        finally:
            browser.close()
    (tmp_path / "measured.json").write_text(json.dumps(seen, ensure_ascii=False, indent=1), encoding="utf-8")

    assert requests == [out.as_uri()]  # the page alone: nothing else loaded
    assert seen["width"] <= 1280  # nothing wider than the window

    # every chart is drawn, inside the page, at a readable size
    assert set(seen["charts"]) == {"chart-per-day", "chart-coverage", "chart-failures", "chart-duplicates"}
    for name, b in seen["charts"].items():
        assert b["w"] > 500 and b["h"] > 120 and b["x"] >= 0 and b["x"] + b["w"] <= 1280, (name, b)

    # articles per day: one visible segment per (outlet, day), inside the chart, stacked where days are shared
    chart = seen["charts"]["chart-per-day"]
    assert len(seen["segments"]) == pairs, seen["segments"]
    for s in seen["segments"]:
        assert s["w"] > 2 and s["h"] > 2, s
        assert chart["x"] <= s["x"] and s["x"] + s["w"] <= chart["x"] + chart["w"], s
        assert chart["y"] <= s["y"] and s["y"] + s["h"] <= chart["y"] + chart["h"], s
    by_day: dict[str, list[dict]] = {}
    for s in seen["segments"]:
        by_day.setdefault(s["id"].rsplit("--", 1)[1], []).append(s)
    shared = [segs for segs in by_day.values() if len(segs) > 1]
    assert shared, "no day with two outlets: the stacking is not checked"
    for segs in shared:
        segs.sort(key=lambda s: s["y"])
        assert len({round(s["x"]) for s in segs}) == 1  # one bar
        for upper, lower in zip(segs, segs[1:], strict=False):
            assert upper["y"] + upper["h"] <= lower["y"] + 0.5  # on top of each other, not overlapping

    # the heat map: a visible figure in every cell, inside the chart
    cov = seen["charts"]["chart-coverage"]
    from crawler.report import COVERAGE_FIELDS

    assert len(seen["cells"]) == outlets * len(COVERAGE_FIELDS)
    for c in seen["cells"]:
        assert c["w"] > 0 and c["h"] > 0 and cov["y"] <= c["y"] <= cov["y"] + cov["h"], c

    # Arabic: titles, authors and outlet names are set right to left and start at the right edge
    assert len(seen["arabic"]) >= 3 * len(OUTLETS)
    for a in seen["arabic"]:
        assert a["direction"] == "rtl", a
        if len(a["text"]) > 1:
            assert a["first"] > a["last"], a  # the first letter is drawn right of the last
        right = a["box"]["x"] + a["box"]["w"]
        assert abs(a["lineRight"] - right) <= 2, a  # flush with the right edge of its cell
    assert any(a["lineLeft"] - a["box"]["x"] > 20 for a in seen["arabic"])  # and ragged on the left

    # the screenshot shows the charts: many colours where the per-day chart is, not a blank box
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    region = image.crop((int(chart["x"]), int(chart["y"]), int(chart["x"] + chart["w"]), int(chart["y"] + chart["h"])))
    assert len(region.getcolors(maxcolors=1 << 20)) > 20
    coverage = image.crop((int(cov["x"]), int(cov["y"]), int(cov["x"] + cov["w"]), int(cov["y"] + cov["h"])))
    assert len(coverage.getcolors(maxcolors=1 << 20)) > 20
