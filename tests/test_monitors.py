"""Run monitors: ``scrapy crawl`` exits 0 when the outlet's thresholds are met and 3 (with the
reason in the log) when item count, field coverage or drop rate fall short. Real crawls of a
generated site on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.monitors import DEFAULT_THRESHOLDS, EXIT_MONITORS_FAILED, thresholds_for
from tests.test_incremental import OUTLET, LocalSite, wiring_args

ROOT = Path(__file__).resolve().parents[1]


def crawl(site: LocalSite, tmp: Path, thresholds: dict | None = None, store: Path | None = None,
          spool: Path | None = None, **settings: str) -> subprocess.CompletedProcess:
    sources = ",".join(site.base + p for p in site.SOURCES)
    overrides = {"MONITOR_THRESHOLDS": json.dumps(thresholds, ensure_ascii=False)} if thresholds else {}
    cmd = [sys.executable, "-m", "scrapy", "crawl", OUTLET, "-a", f"sources={sources}",
           "-s", f"SQLITE_PATH={store or tmp / 'store.sqlite3'}", "-s", f"SPOOL_PATH={spool or tmp / 'spool.jsonl'}",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", *wiring_args(**overrides, **settings)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_run_meeting_its_thresholds_exits_0(tmp_path):
    strict = {OUTLET: {"min_items": 6, "coverage": {"title": 1.0, "body": 1.0, "published_at": 1.0,
                                                    "authors": 1.0}, "max_error_rate": 0.0}}
    with LocalSite(n=6) as site:
        result = crawl(site, tmp_path, strict)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[Spidermon] FieldCoverageMonitor/test_field_coverage... OK" in result.stderr
    assert "[Spidermon] ItemCountMonitor/test_enough_articles... OK" in result.stderr
    assert "monitors failed" not in result.stderr
    assert f"summary {OUTLET}:" in result.stderr  # the crawl summary is still there
    # spidermon's results go through spider.logger, not the deprecated Spider.log() (a warning in every log)
    assert "ScrapyDeprecationWarning" not in result.stderr and "Spider.log()" not in result.stderr


def test_low_field_coverage_fails_the_run_with_the_reason_in_the_log(tmp_path):
    # the generated articles have no tags and no section: ask for tags in half of them
    with LocalSite(n=6) as site:
        result = crawl(site, tmp_path, {OUTLET: {"coverage": {"tags": 0.5}}})
    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr[-3000:]
    assert f"monitors failed for {OUTLET}: FieldCoverageMonitor: field coverage below threshold: tags 0% < 50%" \
        in result.stderr
    assert "'monitors/failed': 1" in result.stderr
    assert f"summary {OUTLET}:" in result.stderr
    assert "tags 0%" in result.stderr  # the summary's coverage table agrees


def test_dropped_items_and_empty_discovery_fail_the_run(tmp_path):
    # four of six articles have no body: validate drops them (drop rate 67% > 50%)
    with LocalSite(n=6, broken=(0, 1, 2, 3)) as site:
        dropped = crawl(site, tmp_path / "a")
    assert dropped.returncode == EXIT_MONITORS_FAILED, dropped.stderr[-3000:]
    assert "DropRateMonitor: drop rate 67% > 50% (4 of 6 items dropped)" in dropped.stderr
    # a site whose discovery lists no article at all: broken discovery, not "nothing new"
    with LocalSite(n=0) as site:
        empty = crawl(site, tmp_path / "b")
    assert empty.returncode == EXIT_MONITORS_FAILED, empty.stderr[-3000:]
    assert "ItemCountMonitor: no article page fetched" in empty.stderr


class _Spider:
    name = "lbci"
    thresholds = {"min_items": 5, "coverage": {"authors": 0.5}}


def test_thresholds_merge_defaults_settings_outlet_and_operator_overrides():
    settings = Settings({"MONITOR_THRESHOLDS": {"default": {"max_error_rate": 0.2, "coverage": {"body": 0.9}},
                                                "lbci": {"min_items": 2, "max_layout_miss": 0.25},
                                                "youm7": {"min_items": 50}}})
    got = thresholds_for(_Spider(), settings)
    assert got == {"min_items": 2, "max_error_rate": 0.2, "max_drop_rate": DEFAULT_THRESHOLDS["max_drop_rate"],
                   "max_layout_miss": 0.25, "max_pattern_miss": DEFAULT_THRESHOLDS["max_pattern_miss"],
                   "coverage": {"title": 0.95, "body": 0.9, "published_at": 0.8, "authors": 0.5}}
    assert thresholds_for(_Spider(), Settings()) ["min_items"] == 5
    with pytest.raises(ValueError, match="coverage thresholds for subtitle"):
        thresholds_for(_Spider(), Settings({"MONITOR_THRESHOLDS": {"lbci": {"coverage": {"subtitle": 1}}}}))


def test_long_runs_log_progress_at_a_steady_interval(tmp_path):
    # one request at a time, 0.15 s apart: 16 requests take ~2.5 s, progress every 0.5 s
    with LocalSite(n=12) as site:
        sources = ",".join(site.base + p for p in site.SOURCES)
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", OUTLET, "-a", f"sources={sources}",
             "-s", f"SQLITE_PATH={tmp_path / 'store.sqlite3'}", "-s", f"SPOOL_PATH={tmp_path / 'spool.jsonl'}",
             "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.15", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", *wiring_args(PROGRESS_INTERVAL="0.5")],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = re.findall(r"progress lbci: (\d+) pages, (\d+) articles \(([\d.]+)/min now, ([\d.]+)/min overall\), "
                       r"(\d+) stored, queue (\d+), in flight (\d+)", result.stderr)
    assert len(lines) >= 3, result.stderr[-3000:]
    pages = [int(p) for p, *_ in lines]
    assert pages == sorted(pages) and pages[-1] > pages[0]  # counts only grow
    assert any(int(queue) > 0 for *_, queue, _ in lines)  # articles waited in the scheduler's queue
    assert any(float(now) > 0 for _, _, now, *_ in lines)


# a four-article crawl whose store is down logs three ERROR lines (store, incremental, validators)
LENIENT = {OUTLET: {"max_error_rate": 1.0}}


def test_articles_neither_stored_nor_spooled_fail_the_run(tmp_path):
    """The store cannot be opened and the spool cannot be written (both under a file where a
    folder should be): every article is lost, and the run fails (before: exit 0)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    with LocalSite(n=4) as site:
        result = crawl(site, tmp_path, LENIENT, store=blocker / "store.sqlite3", spool=blocker / "spool.jsonl")
    assert result.returncode == EXIT_MONITORS_FAILED, result.stderr[-3000:]
    assert "StoreMonitor: 4 articles lost: neither the store nor the spool could be written" in result.stderr
    assert "error: 4 articles lost" in result.stderr  # in the summary line too


def test_spooled_articles_warn_in_the_summary_and_fail_only_a_strict_run(tmp_path):
    """A store that cannot be opened, a spool that can: the articles wait in the spool. The
    summary line says so; the run passes, unless STRICT_STORE is on."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    with LocalSite(n=4) as site:
        lenient = crawl(site, tmp_path / "a", LENIENT, store=blocker / "store.sqlite3")
        strict = crawl(site, tmp_path / "b", LENIENT, store=blocker / "store.sqlite3", STRICT_STORE="True")
    assert lenient.returncode == 0, lenient.stderr[-3000:]
    summary = next(line for line in lenient.stderr.splitlines() if f"summary {OUTLET}:" in line)
    assert "0 stored" in summary and "warning: 4 articles spooled instead of stored" in summary
    assert len((tmp_path / "a" / "spool.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    assert strict.returncode == EXIT_MONITORS_FAILED, strict.stderr[-3000:]
    assert "StoreMonitor: 4 articles spooled instead of stored (STRICT_STORE)" in strict.stderr
