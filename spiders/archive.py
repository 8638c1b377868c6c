"""archive: the crawl's extraction and pipelines over WARC archives instead of the network.

    scrapy crawl archive -a warc=data/youm7.warc.gz
    scrapy crawl archive -a warc=s3://commoncrawl/crawl-data/CC-NEWS/2025/03/warc.paths.gz \\
        -a since=2025-03-01 -a until=2025-03-02 -a hosts=youm7.com,aljazeera.net

Arguments: ``warc`` (comma-separated WARC files, URLs or listings; see ``crawler/archive.py``),
``since``/``until`` (the record's WARC-Date; CC-NEWS files outside the window are not opened),
``hosts`` (only these sites and their subdomains), ``lang`` (``ar``, the default), ``limit``
(stop after this many articles).

Each HTML response record (status 200) becomes the response a crawl would have received, and
goes where a crawl's article page goes: the outlet module that owns its URL
(``crawler.spider.spider_for_url``) — its ``page_item``, through page workers when the run is
long enough — or, for a site we have no module for, the generic spider's article verdict and
chain. The items then pass the project's item pipelines (clean, related, validate, dedup, store),
so an article stores as the same row whether it came from a crawl or an archive. Before any parse
a record is skipped, and counted, when it is not Arabic (``archive/not_arabic/<signal>``) or its
URL is not an article's (``archive/not_article/url``); the article verdict, which needs the parse
the extraction shares, decides the rest (``archive/not_article/verdict``).

Files: a file whose records were all read is recorded as done in the store's database
(``crawler.archive_files``) when the crawl closes after its store has written everything, and
is skipped by later runs. ``fetched_at`` is the record's WARC-Date: when the page was fetched.
"""

from __future__ import annotations

import json
import os
import socket
from collections import Counter, deque
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from crawler.archive import (
    ArchiveSourceError,
    arabic_page,
    expand_sources,
    file_key,
    iso_date,
    iter_pages,
    open_location,
    page_response,
    window,
)
from crawler.archive_files import FileLedger
from crawler.discovery import looks_like_article_path
from crawler.extract.pagetype import article_verdict
from crawler.extract.structured import PageMeta
from crawler.spider import NewsSpider, Outlet, outlet_spiders
from crawler.workers import PageWorkers
from spiders.generic import GenericSpider

# Settings a parent process hands to `scrapy crawl archive` without putting them on its command
# line (a DATABASE_URL's password would show in `ps` and in logs): JSON object, name -> value.
SETTINGS_ENV = "ARCHIVE_CRAWL_SETTINGS"  # the same name in crawler.archive_tasks


class _StatsCounts:
    """``counts[key] += n`` onto crawl stats: what ``NewsSpider._stat`` does in a page worker,
    for the outlet spiders the archive spider drives in the crawl process."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    def __getitem__(self, key: str) -> int:
        return 0

    def __setitem__(self, key: str, value: int) -> None:
        if value:
            self.stats.inc_value(key, value)


class ArchiveSpider(NewsSpider):
    name = "archive"
    outlet = Outlet(slug="", name="", domains=(), timezone="")
    # An archive (or a host filter) may hold no Arabic article at all: that is an answer, not a
    # broken run. The other monitors (coverage, drops, errors, finish reason) apply as in a crawl.
    thresholds = {"min_items": 0}

    def __init__(self, *args, warc: str | None = None, hosts: str | None = None, lang: str = "ar",
                 spider_modules: str | None = None, **kwargs):
        if not warc:
            raise ValueError("scrapy crawl archive needs -a warc=PATH_OR_URL[,...] (WARC files, URLs or listings)")
        super().__init__(*args, **kwargs)
        self.since, self.until = window(self.since, self.until)
        self.locations = [w.strip() for w in warc.split(",") if w.strip()]
        self.hosts = tuple(h.strip().lower().removeprefix("www.") for h in (hosts or "").split(",") if h.strip())
        self.lang = (lang or "ar").strip().lower()
        self.spider_modules = [m for m in (spider_modules or "spiders").split(",") if m]
        self._outlet_classes: list[type[NewsSpider]] | None = None
        self._spiders: dict[str, NewsSpider] = {}  # outlet slug or generic host -> spider
        self._files_read: list[tuple[str, Counter]] = []

    @classmethod
    def update_settings(cls, settings: Settings) -> None:
        super().update_settings(settings)
        raw = os.environ.get(SETTINGS_ENV)
        if raw:
            for name, value in json.loads(raw).items():
                settings.set(name, value, priority="cmdline")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # page workers rebuild the spider from these: they need the outlet modules the crawl uses
        modules = ",".join(crawler.settings.getlist("SPIDER_MODULES"))
        spider._init_args = (args, {**kwargs, "spider_modules": modules})
        spider.spider_modules = modules.split(",")
        crawler.signals.connect(spider._archive_closed, signal=signals.spider_closed)
        return spider

    # ----- routing: which spider a record's page belongs to --------------------------------------

    def _outlet_spider(self, url: str) -> NewsSpider:
        """The outlet module's spider for ``url``, else a generic spider for its site (one per
        site, as ``scrapy crawl generic -a start=https://SITE/`` would be)."""
        if self._outlet_classes is None:
            loader = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": self.spider_modules}))
            self._outlet_classes = [c for c in outlet_spiders(loader) if c.outlet.domains]
        for cls in self._outlet_classes:
            if cls.outlet.owns(url):
                spider = self._spiders.get(cls.outlet.slug)
                if spider is None:
                    spider = self._spiders[cls.outlet.slug] = cls()
                break
        else:
            host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
            spider = self._spiders.get(host)
            if spider is None:
                spider = self._spiders[host] = GenericSpider(start=f"https://{host}/")
        counts = self.__dict__.get("_worker_counts")
        spider._worker_counts = counts if counts is not None else _StatsCounts(self.crawler.stats)
        return spider

    def url_is_article(self, url: str) -> bool:
        """The cheap, parse-free half of the article verdict, in the crawl process: what the crawl
        would never fetch as an article is skipped. An outlet's URL passes when its article
        pattern matches, or (the crawl's probe) when the address is story-shaped and not denied; any
        other site's when the address is story-shaped (the generic spider's link rule) or carries
        a query (``?p=123``)."""
        spider = self._outlet_spider(url)
        parts = urlsplit(url)
        if isinstance(spider, GenericSpider):
            return looks_like_article_path(parts.path) or bool(parts.query)
        if spider._denied(url):
            return False
        return spider.is_article_url(url) or looks_like_article_path(parts.path)

    def page_item(self, response):
        """The article on one archived page, or None. Runs where the crawl's ``page_item`` runs
        (a page worker, or here): the outlet spider's own ``page_item`` for an article URL, the
        article verdict first for anything else (as the crawl's probes and generic spider do)."""
        spider = self._outlet_spider(response.url)
        try:
            if isinstance(spider, GenericSpider) or spider.is_article_url(response.url):
                item = spider.page_item(response)
            else:
                meta = PageMeta(response.selector)
                is_article, reason = article_verdict(response.selector, meta)
                spider._stat(f"layout/pattern_verdict/{'article' if is_article else 'not_article'}/{reason}")
                item = spider.extract(response, meta) if is_article else None
        finally:
            spider._worker_counts = None
        if item is None:
            self._stat("archive/not_article/verdict")
        return item

    # ----- reading the archives ----------------------------------------------------------------

    async def start(self):
        settings = self.crawler.settings
        cc_base = settings.get("ARCHIVE_CC_BASE")
        max_size = settings.getint("DOWNLOAD_MAXSIZE", 0)
        depth = max(1, settings.getint("ARCHIVE_PAGES_IN_FLIGHT", 8))
        stats = self.crawler.stats
        ledger = self._ledger()
        try:
            locations = expand_sources(self.locations, self.since, self.until, cc_base)
        except ArchiveSourceError as exc:
            self.logger.error("archive: %s", exc)
            stats.inc_value("archive/files/failed")
            return
        done = ledger.done(file_key(loc, cc_base) for loc in locations) if ledger else set()
        self.logger.info("archive: %d files (%d done earlier, skipped)", len(locations),
                         sum(file_key(loc, cc_base) in done for loc in locations))
        yielded = 0
        for location in locations:
            key = file_key(location, cc_base)
            if key in done:
                stats.inc_value("archive/files/skipped_done")
                continue
            counts: Counter = Counter()
            in_flight: deque = deque()
            complete = True
            try:
                with open_location(location, cc_base) as stream:
                    for page in iter_pages(stream, counts, max_size=max_size, hosts=self.hosts,
                                           since=self.since, until=self.until):
                        response = self._admit(page, counts)
                        if response is None:
                            continue
                        in_flight.append((page, _schedule(PageWorkers.of(self.crawler).page_item(self, response))))
                        while len(in_flight) >= depth:
                            item = await self._finish(in_flight.popleft(), counts)
                            if item is not None:
                                yielded += 1
                                yield item
                        if self.limit is not None and yielded + len(in_flight) >= self.limit:
                            complete = False  # the rest of the file is unread: not done
                            break
            except Exception as exc:  # noqa: BLE001 - a bad file is logged and left undone, the others go on
                complete = False
                reason = str(exc) if isinstance(exc, ArchiveSourceError) else f"{type(exc).__name__}: {exc}"
                self.logger.error("archive: %s left unfinished after %d records: %s", location,
                                  counts["archive/records"], reason[:300])
                stats.inc_value("archive/files/failed")
            while in_flight:
                item = await self._finish(in_flight.popleft(), counts)
                if item is not None:
                    yielded += 1
                    yield item
            for name, n in counts.items():
                stats.inc_value(name, n)
            if complete:
                stats.inc_value("archive/files/read")
                self._files_read.append((key, counts))
            if self.limit is not None and yielded >= self.limit:
                break

    def _admit(self, page, counts: Counter):
        """The page's response when it goes on to extraction; None (counted) when it is not in
        the wanted language or its URL is not an article's."""
        response = page_response(page)
        is_lang, signal = arabic_page(response, self.lang)
        if not is_lang:
            counts[f"archive/not_arabic/{signal}"] += 1
            return None
        counts[f"archive/lang/{signal}"] += 1
        if not self.url_is_article(page.url):
            counts["archive/not_article/url"] += 1
            return None
        return response

    async def _finish(self, entry, counts: Counter):
        page, task = entry
        try:
            item = await task
        except Exception as exc:  # noqa: BLE001 - one page's failure, as a crawl's callback error would be
            self.logger.error("archive: extraction failed for %s: %s", page.url, exc, exc_info=True)
            counts["archive/extraction_errors"] += 1
            return None
        if item is None:
            return None
        counts["archive/articles"] += 1
        item["fetched_at"] = iso_date(page.date) or item.get("fetched_at")
        return item

    # ----- files done --------------------------------------------------------------------------

    def _ledger(self) -> FileLedger | None:
        if getattr(self, "_ledger_obj", None) is None and self.crawler.settings.getbool("STORE_ENABLED", True):
            try:
                self._ledger_obj = FileLedger.from_settings(self.crawler.settings)
            except Exception as exc:  # noqa: BLE001 - no record of done files: every file is read
                self.logger.warning("archive: cannot open the archive_files table (%s): files are not "
                                    "recorded as done", exc)
                self._ledger_obj = None
        return getattr(self, "_ledger_obj", None)

    def _archive_closed(self, spider=None, reason: str = "") -> None:
        """Record the files read in full as done — after the store's last batch (pipelines close
        before this signal) and only when nothing was lost."""
        ledger = getattr(self, "_ledger_obj", None)
        if ledger is None:
            return
        stats = self.crawler.stats
        lost = int(stats.get_value("store/rows_lost", 0) or 0)
        errors = int(stats.get_value("store/errors", 0) or 0)
        if reason != "finished" or lost:
            self.logger.warning("archive: run %s with %d rows lost: no file recorded as done", reason, lost)
        else:
            worker = self.crawler.settings.get("ARCHIVE_WORKER") or f"{socket.gethostname()}:{os.getpid()}"
            for key, counts in self._files_read:
                ledger.finish(key, worker, counts["archive/records"], counts["archive/articles"],
                              {k: v for k, v in counts.items() if k.startswith("archive/")})
                stats.inc_value("archive/files/done")
            if errors:  # spooled rows are written on the next start: the file's items are safe
                self.logger.warning("archive: the store spooled rows; they are written on the next run")
        ledger.close()


def _schedule(coro):
    import asyncio

    return asyncio.ensure_future(coro)
