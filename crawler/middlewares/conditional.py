"""Downloader middleware: conditional requests for discovery documents (feeds, sitemaps, sections).

The ``ETag`` and ``Last-Modified`` of each discovery URL are remembered in a small SQLite file
(``HTTP_VALIDATORS_PATH``; default ``<store folder>/<store name>-validators.sqlite3``, beside the
SQLite store). The next run sends them back as ``If-None-Match`` / ``If-Modified-Since``; a ``304 Not
Modified`` means the document has nothing new since the last complete run, so the request is
ignored quietly (stat ``conditional/not_modified``) instead of reaching the spider as an HTTP error.

Two cases where "unchanged" would be wrong, and what the middleware does about them:

- Validators learnt during a run are written only when the run finishes normally
  (``finish_reason == "finished"``). A run stopped half way has not fetched every article its
  feeds listed; had it saved the ETag, the next run would get a 304 and never see those articles.
- A sitemap index is always fetched in full: an index can stay byte-identical while the sitemaps
  it lists change, and a 304 on the index would hide all of them.

Discovery requests are those with ``meta["source_kind"]`` (set by ``NewsSpider``). With
``-a refresh=1`` / ``INCREMENTAL_REFRESH`` no validators are sent. ``HTTP_VALIDATORS_ENABLED``
(default True) turns the middleware off.

Register it below HttpCompressionMiddleware (590) so ``process_response`` sees decoded bodies;
the project uses 580. Stats: ``conditional/sent``, ``conditional/not_modified``,
``conditional/saved``.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.gz import gunzip

from crawler.discovery import xml_kind
from crawler.middlewares import refresh_requested

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_SCHEMA = """CREATE TABLE IF NOT EXISTS http_validators (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, kind TEXT, updated_at TEXT NOT NULL)"""


def default_validators_path(settings) -> Path:
    """``HTTP_VALIDATORS_PATH`` or, beside the SQLite store, ``<name>-validators.sqlite3``."""
    explicit = settings.get("HTTP_VALIDATORS_PATH")
    if explicit:
        return Path(explicit)
    store = Path(settings.get("SQLITE_PATH") or "data/articles.sqlite3")
    return store.with_name(f"{store.stem}-validators.sqlite3")


class ValidatorStore:
    """url -> (etag, last_modified, kind), in one SQLite table shared by all outlets' runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Several scheduled crawls may finish at once: wait for the writer instead of failing.
        self.con = sqlite3.connect(path, timeout=30)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute(_SCHEMA)
        self.con.commit()

    def get(self, url: str) -> tuple[str | None, str | None, str | None] | None:
        row = self.con.execute("SELECT etag, last_modified, kind FROM http_validators WHERE url = ?",
                               (url,)).fetchone()
        return tuple(row) if row else None  # type: ignore[return-value]

    def save(self, rows: dict[str, tuple[str | None, str | None, str | None]]) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.con:
            for url, (etag, last_modified, kind) in rows.items():
                if etag is None and last_modified is None:
                    # the server stopped sending validators: forget the old ones
                    self.con.execute("DELETE FROM http_validators WHERE url = ?", (url,))
                else:
                    self.con.execute(
                        "INSERT INTO http_validators (url, etag, last_modified, kind, updated_at)"
                        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                        " last_modified = excluded.last_modified, kind = excluded.kind,"
                        " updated_at = excluded.updated_at",
                        (url, etag, last_modified, kind, now))

    def close(self) -> None:
        self.con.close()


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None


def document_kind(body: bytes, max_size: int) -> str:
    """'sitemapindex', 'urlset', 'rss', ... for XML (gzip'd or not), 'html' otherwise."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except Exception:  # noqa: BLE001 - unreadable: the spider counts it; no index to protect
            return "unknown"
    return xml_kind(body) or "html"


class ConditionalRequestsMiddleware:
    """Send If-None-Match / If-Modified-Since for discovery documents; 304 -> nothing new."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.refresh = False  # read at open: the spider argument is known then
        self.store: ValidatorStore | None = None
        self.pending: dict[str, tuple[str | None, str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestsMiddleware:
        if not crawler.settings.getbool("HTTP_VALIDATORS_ENABLED", True):
            raise NotConfigured("HTTP_VALIDATORS_ENABLED is off")
        mw = cls(crawler, default_validators_path(crawler.settings))
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        self.refresh = refresh_requested(self.crawler, spider)
        try:
            self.store = ValidatorStore(self.path)
        except (OSError, sqlite3.Error) as exc:
            # Without validators every document is fetched in full: slower, never wrong.
            logger.error("Conditional requests off, cannot open %s: %s", self.path, exc)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.store is None:
            return
        try:
            if reason == "finished" and self.pending:
                self.store.save(self.pending)
                self.stats.inc_value("conditional/saved", len(self.pending))
            elif self.pending:
                logger.info("Run ended with %r: validators of %d documents not saved, they are fetched "
                            "in full next time", reason, len(self.pending))
        except sqlite3.Error as exc:
            logger.error("Could not save HTTP validators to %s: %s", self.path, exc)
        finally:
            self.store.close()
            self.store = None

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.store is None or self.refresh or "source_kind" not in request.meta:
            return
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return  # the caller chose its own validators
        known = self.store.get(request.url)
        if not known:
            return
        etag, last_modified, kind = known
        if kind == "sitemapindex":
            return
        if etag:
            request.headers[b"If-None-Match"] = etag
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified
        request.meta["conditional_sent"] = True
        self.stats.inc_value("conditional/sent")

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        if "source_kind" not in request.meta or self.store is None:
            return response
        if response.status == 304 and request.meta.get("conditional_sent"):
            self.stats.inc_value("conditional/not_modified")
            logger.info("Not modified since the last run, nothing new: %s", request.url)
            raise IgnoreRequest(f"304 Not Modified: {request.url}")
        if response.status == 200:
            self.pending[request.url] = (_header(response, b"ETag"), _header(response, b"Last-Modified"),
                                         document_kind(response.body, self.max_size))
        return response
