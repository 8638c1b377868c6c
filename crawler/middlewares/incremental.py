"""Spider middleware: do not fetch again an article the store already holds.

Article requests are the ones ``NewsSpider._article_request`` yields (they carry
``meta["discovery"]``). For each discovery page, their URLs are looked up in the article store in
one query; a request whose canonical URL (or fetched URL) is stored is dropped before it reaches the
scheduler — unless

- the crawl is a refresh: ``-a refresh=1`` or the setting ``INCREMENTAL_REFRESH = True``;
- the discovery document's ``lastmod`` (``meta["discovery"]["lastmod"]``) is newer than the stored
  copy's ``fetched_at`` (or ``last_seen`` when ``fetched_at`` is unknown): the article changed since.

Discovery requests (sitemaps, feeds, section pages) always pass: they are how new articles are found.

Settings: ``INCREMENTAL_ENABLED`` (default True), ``INCREMENTAL_REFRESH`` (default False), and the
store's ``DATABASE_URL`` / ``SQLITE_PATH``. With ``STORE_ENABLED = False`` there is nothing to be
incremental against and the middleware disables itself.

Stats: ``incremental/skipped`` (dropped, already stored), ``incremental/changed`` (stored but the
discovery lastmod is newer: fetched again), ``incremental/new``, ``incremental/store_unavailable``.

Scrapy 2.19 rejects spider middlewares with a synchronous ``process_spider_output``, so it is an
async generator; it buffers the output of one discovery page so the store answers in one query.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from sqlalchemy import Engine, or_, select
from w3lib.url import canonicalize_url

from crawler.extract.dates import to_datetime
from crawler.middlewares import refresh_requested
from crawler.storage import ArticleStore, StoreError, articles

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

# SQLite allows 32766 bound parameters per statement; each URL is bound up to four times.
_CHUNK = 400


def _aware(value: Any) -> datetime | None:
    """A stored timestamp (ISO text or datetime, naive means UTC) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        return to_datetime(value)
    return None


def stored_fetch_times(engine: Engine, urls: Iterable[str]) -> dict[str, datetime | None]:
    """Which of ``urls`` the ``articles`` table holds, and when each stored copy was fetched.

    A URL matches a row when it, or its ``canonicalize_url`` form, equals the row's ``canonical_url``
    or its fetched ``url``: feeds often link a URL the page then declares under another canonical
    form, and both columns are looked up so either spelling finds the copy. The result maps the
    canonicalized form of each matched URL to the copy's ``fetched_at`` (falling back to
    ``last_seen``), or None when neither is known.
    """
    wanted = {canonicalize_url(u): u for u in urls}
    if not wanted:
        return {}
    found: dict[str, datetime | None] = {}
    keys = sorted(set(wanted) | set(wanted.values()))
    cols = (articles.c.canonical_url, articles.c.url, articles.c.fetched_at, articles.c.last_seen)
    with engine.connect() as conn:
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            query = select(*cols).where(or_(articles.c.canonical_url.in_(chunk), articles.c.url.in_(chunk)))
            for canonical, url, fetched_at, last_seen in conn.execute(query):
                when = _aware(fetched_at) or _aware(last_seen)
                for value in (canonical, url):
                    key = canonicalize_url(value) if value else None
                    if key in wanted:
                        previous = found.get(key)
                        # two rows for one URL (canonical changed): the newest copy decides
                        found[key] = when if previous is None or (when and when > previous) else previous
    return found


def is_article_request(request: Request) -> bool:
    """Article requests carry what discovery said about them; discovery requests do not."""
    return "discovery" in request.meta


class IncrementalMiddleware:
    """Drop article requests for articles already stored (see module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = crawler.settings
        self.refresh = False  # read at open: the spider argument is known then
        self.store: ArticleStore | None = None
        self.dropped: dict[str, datetime | None] = {}  # canonical URL -> stored copy's fetch time

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED", True):
            raise NotConfigured("INCREMENTAL_ENABLED is off")
        if not crawler.settings.getbool("STORE_ENABLED", True):
            raise NotConfigured("no article store (STORE_ENABLED is off)")
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        self.refresh = refresh_requested(self.crawler, spider)
        if self.refresh:
            logger.info("Incremental: refresh run, stored articles are fetched again")
            return
        try:
            self.store = ArticleStore.from_settings(self.settings)
        except StoreError as exc:
            # Fetching too much is recoverable (upserts are idempotent); crashing the crawl is not.
            logger.error("Incremental: store unavailable, every article will be fetched: %s", exc)
            self.stats.inc_value("incremental/store_unavailable")

    def spider_closed(self, spider: Spider) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any],
                                    spider: Spider | None = None) -> AsyncIterator[Any]:
        if self.store is None:
            async for out in result:
                yield out
            return
        batch: list[Any] = []
        async for out in result:
            if isinstance(out, Request) and is_article_request(out):
                batch.append(out)
            else:
                yield out
        if not batch:
            return
        for request in self._filter(batch):
            yield request

    def _forget(self, url: str) -> list[Any]:
        # NewsSpider de-duplicates discovered URLs per run (and counts them against `limit`). A URL
        # dropped here must stay discoverable: a later sitemap entry may carry a newer lastmod, and
        # a stored article must not use up the limit meant for new ones.
        forget = getattr(getattr(self.crawler, "spider", None), "forget", None)
        return forget(url) if callable(forget) else []

    def _filter(self, batch: list[Any]) -> list[Any]:
        assert self.store is not None
        unseen = [r.url for r in batch if canonicalize_url(r.url) not in self.dropped]
        try:
            stored = stored_fetch_times(self.store.engine, unseen) if unseen else {}
        except Exception as exc:  # noqa: BLE001 - a failed lookup must not lose the discovered links
            logger.error("Incremental: store lookup failed, fetching %d articles: %s", len(batch), exc)
            self.stats.inc_value("incremental/store_unavailable")
            return batch
        keep = []
        for request in batch:
            key = canonicalize_url(request.url)
            first_time = key not in self.dropped
            if first_time and key not in stored:
                self.stats.inc_value("incremental/new")
                keep.append(request)
                continue
            fetched = stored[key] if first_time else self.dropped[key]
            lastmod = to_datetime((request.meta.get("discovery") or {}).get("lastmod"))
            if lastmod is not None and (fetched is None or lastmod > fetched):
                self.stats.inc_value("incremental/changed")
                if not first_time:
                    # counted as skipped when a source without lastmod (a feed) listed it first:
                    # the count is of articles not fetched in the end (was flaky with source order)
                    self.stats.inc_value("incremental/skipped", -1)
                self.dropped.pop(key, None)
                keep.append(request)
                continue
            if first_time:  # the same stored URL found by another source is not counted twice
                self.stats.inc_value("incremental/skipped")
                logger.debug("Incremental: already stored, not fetched: %s", request.url)
            self.dropped[key] = fetched
            released = self._forget(request.url)
            if released:  # a waiting link took the freed slot of the limit: it is checked like the rest
                batch.extend(released)
        return keep
