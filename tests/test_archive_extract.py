"""`scrapy extract` on a WARC record (issue 13, finding 6): the record is found by streaming the
file and its Content-Encoding is undone by the crawl's decoder, capped at DOWNLOAD_MAXSIZE.

Self-contained on purpose (only ``crawler.warc.WarcWriter`` and the extract command), so it runs
on the commit before the fix: there, 894b1c9, the bomb test fails (the record inflates to 40 MB
and extraction goes on)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

from crawler.warc import WarcWriter

ROOT = Path(__file__).resolve().parents[1]
DAY = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
BOMB_URL = "https://www.youm7.com/story/2025/3/1/bomb/7000001"


def write_bomb(path: Path, megabytes: int = 40) -> None:
    page = b"<html lang='ar'><body><p>" + b" " * (megabytes * 1024 * 1024) + b"</p></body></html>"
    with WarcWriter(path) as writer:
        writer.write_exchange(BOMB_URL, "GET", None, 200, "OK",
                              [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
                              gzip.compress(page, compresslevel=9), date=DAY)


def test_extract_refuses_a_warc_record_that_inflates_past_the_size_limit(tmp_path):
    """A 1.4 KB record with Content-Encoding: gzip inflated to 40 MB (100 MB in the report) with no
    limit. Now: an ExtractError naming DOWNLOAD_MAXSIZE, before anything is parsed."""
    from crawler.commands.extract import ExtractError, extract_item

    path = tmp_path / "bomb.warc.gz"
    write_bomb(path)
    assert path.stat().st_size < 2_000
    with pytest.raises(ExtractError, match="DOWNLOAD_MAXSIZE"):
        extract_item(path, BOMB_URL, get_project_settings())


def test_extract_command_reports_the_bomb_in_one_line(tmp_path):
    path = tmp_path / "bomb.warc.gz"
    write_bomb(path, megabytes=20)
    result = subprocess.run([sys.executable, "-m", "scrapy", "extract", str(path), "--url", BOMB_URL,
                             ], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("scrapy extract:")
    assert "DOWNLOAD_MAXSIZE" in result.stderr


def test_extract_still_reads_a_gzip_encoded_record(tmp_path):
    from crawler.commands.extract import extract_item

    manifest = json.loads((ROOT / "tests/fixtures/sites/youm7/manifest.json").read_text(encoding="utf-8"))
    page = next(p for p in manifest["pages"] if p.get("file") == "story-7012345.html")
    body = (ROOT / "tests/fixtures/sites/youm7/story-7012345.html").read_bytes()
    path = tmp_path / "one.warc.gz"
    with WarcWriter(path) as writer:
        writer.write_exchange(page["url"], "GET", None, 200, "OK",
                              [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
                              gzip.compress(body, mtime=0), date=DAY)
    item = extract_item(path, page["url"], get_project_settings())
    gold = json.loads((ROOT / "tests/fixtures/sites/youm7/story-7012345.gold.json").read_text(encoding="utf-8"))
    assert item["title"] == gold["title"]
