"""Build the offline demo archive from fixture sites.

    python demo/build_warc.py tests/fixtures/sites/youm7 tests/fixtures/sites/hespress -o demo/demo.warc.gz

Each SITE_DIR holds a ``manifest.json``::

    {"outlet": "youm7",
     "pages": [{"url": "https://www.youm7.com/...", "file": "article-1.html",
                "content_type": "text/html; charset=utf-8", "status": 200}]}

``file`` is relative to the manifest. Optional per page: ``headers`` (extra response headers, e.g.
``{"Location": "..."}`` for a redirect, which may then omit ``file``) and ``date`` (ISO 8601).
Records carry fixed dates, so the same inputs give a byte-identical archive. Replay it with
``scrapy crawl OUTLET -s REPLAY_WARC=OUT.warc.gz``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in a checkout

from crawler.warc import WarcWriter  # noqa: E402

# Every record is dated here unless the page says otherwise; a fixed date keeps the bytes stable.
ARCHIVE_DATE = datetime(2025, 1, 1, tzinfo=UTC)
REQUEST_HEADERS = {"User-Agent": "arabic-news-crawler demo archive", "Accept-Encoding": "identity"}


class ManifestError(Exception):
    """A manifest is missing, malformed or points to a missing file."""


def load_manifest(site_dir: Path) -> list[dict[str, Any]]:
    """The validated page entries of ``site_dir/manifest.json``, with ``body`` bytes filled in."""
    manifest_path = site_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{manifest_path}: not found") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{manifest_path}: invalid JSON ({exc})") from None
    pages = manifest.get("pages") if isinstance(manifest, dict) else None
    if not isinstance(pages, list):
        raise ManifestError(f"{manifest_path}: expected an object with a 'pages' list")
    entries = []
    for number, page in enumerate(pages, 1):
        if not isinstance(page, dict) or not page.get("url"):
            raise ManifestError(f"{manifest_path}: page {number} has no 'url'")
        body = b""
        if page.get("file"):
            file_path = manifest_path.parent / page["file"]
            try:
                body = file_path.read_bytes()
            except FileNotFoundError:
                raise ManifestError(f"{manifest_path}: page {number}: {file_path} not found") from None
        entries.append({**page, "body": body})
    return entries


def response_headers(page: dict[str, Any]) -> list[tuple[str, str]]:
    """Headers a server would have sent for ``page``."""
    headers = []
    if page.get("content_type"):
        headers.append(("Content-Type", page["content_type"]))
    headers.extend((str(name), str(value)) for name, value in (page.get("headers") or {}).items())
    if not any(name.lower() == "content-length" for name, _ in headers):
        headers.append(("Content-Length", str(len(page["body"]))))
    return headers


def build(site_dirs: list[Path], output: Path) -> int:
    """Write every page of every site to ``output`` (replacing it); return the page count."""
    pages = [page for site_dir in site_dirs for page in load_manifest(site_dir)]
    # Write beside the target and rename, so a failed build never leaves half an archive behind
    # and the writer does not append to an old one.
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    writer = WarcWriter(partial, filename=output.name)
    try:
        for page in pages:
            status = int(page.get("status", 200))
            date = datetime.fromisoformat(page["date"]) if page.get("date") else ARCHIVE_DATE
            writer.write_exchange(page["url"], "GET", REQUEST_HEADERS, status, HTTPStatus(status).phrase,
                                  response_headers(page), page["body"], date=date)
    finally:
        writer.close()
    os.replace(partial, output)
    return len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the offline demo WARC from fixture sites.")
    parser.add_argument("site_dirs", nargs="+", type=Path, metavar="SITE_DIR",
                        help="folder holding a manifest.json")
    parser.add_argument("-o", "--output", required=True, type=Path, help="archive to write (.warc.gz)")
    args = parser.parse_args(argv)
    try:
        count = build(args.site_dirs, args.output)
    except (ManifestError, ValueError) as exc:
        print(f"build_warc: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {count} pages from {len(args.site_dirs)} sites to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
