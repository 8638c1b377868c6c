"""NewsSpider: the base every outlet spider extends.

An outlet module declares data (``outlet``, ``sources``, ``article_allow``/``article_deny``,
``selectors``) and, only where markup needs it, an ``outlet_hook``. Discovery (sitemaps, feeds,
section pages) and extraction are shared here; discovery never parses articles.

Spider arguments (``scrapy crawl youm7 -a since=2026-11-01 -a limit=50``):
  since, until   date window (YYYY-MM-DD or ISO datetime); articles dated outside it are skipped
  limit          maximum number of articles to fetch
  sources        comma-separated URLs replacing the outlet's own sources (a mirror, a local copy)

Self-healing (issue 11): an outlet module is a fast path, not a single point of failure.

- Layout: per article page extracted with outlet selectors, the selectors that found nothing
  (the generic chain then filled the field) and the title/date disagreements with the generic
  chain are counted (``layout/pages``, ``layout/miss/<field>``, ``layout/fallback/<field>``,
  ``layout/disagree/<field>``, two example URLs per missed field in ``layout/examples/<field>``);
  ``crawler.monitors.LayoutDriftMonitor`` fails a run whose selectors miss a core field too often.
- Stale article patterns: a same-site link that fails ``article_allow`` but looks like a story
  address (``crawler.discovery.looks_like_article_path``) and is not denied by ``article_deny`` is
  fetched as a *probe*; the generic article verdict decides (``layout/pattern_miss`` when it is an
  article, which is then extracted as usual, ``layout/pattern_probe_rejected`` when not). Setting
  ``PATTERN_PROBES`` (20): that many probes are always sent; beyond that, only while at least half
  of the probes sent so far were articles, so a completely stale pattern still keeps every article
  and a pattern that is merely strict costs at most ``PATTERN_PROBES`` fetches.
- Discovery fallback: when the crawl runs out of work and no declared source (or ``-a sources``
  override) gave an article link — every one answered an error, was unreadable, or listed
  nothing that is an article — the spider discovers from the outlet's homepage the way the generic
  spider does (robots.txt ``Sitemap:`` lines, ``<link rel="alternate">`` feeds, the homepage's own
  links, through the outlet's article pattern and probes), once (``discovery/fallback``). Setting
  ``DISCOVERY_FALLBACK`` (True). Not in a distributed crawl (``REDIS_URL``): there no worker sees
  every source's answer.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefusedError
from twisted.internet.error import DNSLookupError
from twisted.internet.error import TimeoutError as TxTimeoutError
from w3lib.url import canonicalize_url

from crawler.arabic.chars import CONTROLS, strip_controls
from crawler.discovery import (
    Link,
    feed_links,
    iter_xml,
    looks_like_article_path,
    parse_section,
    robots_sitemaps,
    site_root,
    xml_kind,
)
from crawler.extract.article import Page, Selectors, extract_article
from crawler.extract.dates import date_from_url, parse_machine_date, to_datetime
from crawler.extract.pagetype import article_verdict
from crawler.extract.structured import PageMeta
from crawler.items import Article
from crawler.loaders import ArticleLoader
from crawler.workers import PageWorkers, pool_size


@dataclass(frozen=True)
class Outlet:
    """Who publishes: stored with every article and used to route URLs to their spider."""

    slug: str
    name: str  # Arabic display name
    domains: tuple[str, ...]
    timezone: str  # IANA zone of wall-clock times the outlet prints without an offset
    language: str = "ar"
    country: str | None = None
    needs_js: bool = False
    aliases: tuple[str, ...] = ()  # names the outlet signs with (never an author)
    paths: tuple[str, ...] = ()  # path prefixes of this edition on a shared host ("/ar/" on france24.com)
    exclude_hosts: tuple[str, ...] = ()  # subdomains that are other editions ("english.enabbaladi.net")
    homepage: str | None = None  # where discovery falls back to; default: the first source's site root

    def owns(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in self.exclude_hosts or not any(host == d or host.endswith("." + d) for d in self.domains):
            return False
        return not self.paths or any(parts.path.startswith(p) for p in self.paths)

    def signs_as(self, name: str | None) -> bool:
        """Whether ``name`` is the outlet signing itself (its name or an alias): never an author
        or a source."""
        return bool(name) and name.strip().casefold() in {n.casefold() for n in (self.name, *self.aliases) if n}


@dataclass(frozen=True)
class Source:
    """A discovery document. ``kind`` is informational: responses are recognised by content."""

    url: str
    kind: str = "sitemap"  # "news_sitemap", "sitemap", "feed", "section"
    pages: int = 1  # section pages: how many pages of pagination to follow


@dataclass(frozen=True)
class Layout:
    """An earlier page layout of an outlet, kept so archived pages still parse after a redesign.

    Used for pages dated on or before ``until`` (ISO date); the spider's own ``selectors`` and
    ``outlet_hook`` are the current layout. ``hook`` names a spider method with the signature of
    ``outlet_hook``.
    """

    until: str
    selectors: Selectors
    hook: str | None = None
    name: str = ""


_MAX_WAITING = 10_000  # links kept for slots of the limit that fetches without an article hand back
_SOURCE_PRIORITY = {"news_sitemap": 30, "sitemap": 20, "feed": 20, "section": 10}
LAYOUT_EXAMPLES = 2  # example URLs kept per missed field (stats layout/examples/<field>)
# Counted by crawler.monitors.Monitoring for fetched article pages; a probe is counted once judged
# an article (crawler.monitors.ARTICLE_PAGES: the same key).
_ARTICLE_PAGES = "monitor/article_pages"


def parse_when(value: str | None, end_of_day: bool = False) -> datetime | None:
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T23:59:59" if end_of_day else "T00:00:00"
    dt = to_datetime(text)
    if dt is None:
        raise ValueError(f"cannot read date {value!r}: use YYYY-MM-DD or an ISO 8601 datetime")
    return dt


class NewsSpider(scrapy.Spider):
    outlet: Outlet
    sources: tuple[Source, ...] = ()
    article_allow: tuple[str, ...] = ()  # regexes searched in the URL's unquoted path (+ query)
    article_deny: tuple[str, ...] = ()
    selectors: Selectors = Selectors()
    layouts: tuple[Layout, ...] = ()  # earlier layouts, any order
    section_next_css: str | None = None  # the outlet's "next page" link, when rel=next is absent

    def __init__(self, *args, since: str | None = None, until: str | None = None, limit: str | None = None,
                 sources: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.since = parse_when(since)
        self.until = parse_when(until, end_of_day=True)
        try:
            self.limit = int(limit) if limit not in (None, "") else None
        except ValueError:
            raise ValueError(f"limit must be a whole number, not {limit!r}") from None
        # checked here too, not only by `scrapy crawl`: scrapyd and runspider start spiders directly
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be 1 or more, not {limit!r}")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({since}) is after until ({until}): the date window is empty")
        self.allowed_domains = list(self.outlet.domains)
        if sources:
            self.start_sources = tuple(Source(u.strip(), "override", pages=3) for u in sources.split(",") if u.strip())
            for s in self.start_sources:  # a local mirror is on another host: let the offsite filter pass it
                host = urlsplit(s.url).hostname
                if host and host not in self.allowed_domains:
                    self.allowed_domains.append(host)
        else:
            self.start_sources = tuple(self.sources)
        self._allow = [re.compile(p) for p in self.article_allow]
        self._deny = [re.compile(p) for p in self.article_deny]
        self._scheduled: set[str] = set()
        # With a limit, the fetch budget is what is in flight plus what yielded an article; a fetch
        # that yields none (404, not a page, outside the window) hands its slot to a waiting link.
        self._budget_used = 0
        self._waiting: list[scrapy.Request] = []
        # self-healing: see the module docstring
        self._has_selectors = self.selectors != Selectors() or bool(self.layouts)
        self._article_links = 0  # links of the crawl's discovery that passed the article pattern
        self._fell_back = False
        self._probes = {"sent": 0, "article": 0}
        self._probes_waiting: list[scrapy.Request] = []

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._init_args = (args, kwargs)  # page workers build their own copy of the spider from these
        pool_size(crawler.settings.get("PAGE_WORKERS", "auto"))  # a bad value fails the start, not every page
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider._spider_idle, signal=signals.spider_idle)
        spider.pattern_probes = max(crawler.settings.getint("PATTERN_PROBES", 20), 0)
        return spider

    def _request_dropped(self, request: scrapy.Request, spider=None) -> None:
        """An article request the scheduler refused as already seen after a redirect: a loop (the
        target is in its own redirect chain) or a redirect to an article fetched already. Counted,
        and its slot of the limit handed on. tests/test_hostile.py::test_redirect_loops: self and
        two-page loops vanished as a bare dupefilter/filtered, and their limit slots leaked."""
        chain = request.meta.get("redirect_urls")
        if request.callback != self.parse_article or not chain:
            return
        looped = canonicalize_url(request.url) in {canonicalize_url(u) for u in chain}
        self._stat("news/article_failed")
        self._stat(f"news/article_failed/{'redirect_loop' if looped else 'redirect_duplicate'}")
        for waiting in self._release():
            self.crawler.engine.crawl(waiting)

    # ----- discovery ---------------------------------------------------------------------------

    async def start(self):
        for src in self.start_sources:
            yield scrapy.Request(src.url, callback=self.parse_source, priority=_SOURCE_PRIORITY.get(src.kind, 15),
                                 meta={"source_kind": src.kind, "section_pages_left": max(src.pages - 1, 0)})

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if (parts.hostname or "").lower() in self.outlet.exclude_hosts:
            return False
        target = unquote(parts.path) + (("?" + parts.query) if parts.query else "")
        if any(p.search(target) for p in self._deny):
            return False
        return any(p.search(target) for p in self._allow) if self._allow else True

    def _denied(self, url: str) -> bool:
        parts = urlsplit(url)
        target = unquote(parts.path) + (("?" + parts.query) if parts.query else "")
        return any(p.search(target) for p in self._deny)

    def is_own_link(self, url: str) -> bool:
        """A link to the outlet's own site (its domains, or the host of a ``-a sources`` mirror)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host or host in self.outlet.exclude_hosts:
            return False
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return False
        return not self.outlet.paths or any(parts.path.startswith(p) for p in self.outlet.paths)

    def homepage_url(self) -> str | None:
        """Where discovery falls back to: the ``-a sources`` override's site root, else the
        outlet's ``homepage``, else the site root of its first declared source."""
        if self.start_sources and self.start_sources[0].kind == "override":
            return site_root(self.start_sources[0].url)
        if self.outlet.homepage:
            return self.outlet.homepage
        return site_root(self.start_sources[0].url) if self.start_sources else None

    def _stat(self, key: str, n: int = 1) -> None:
        counts = self.__dict__.get("_worker_counts")
        if counts is not None:  # in a page worker: counted there, added to the crawl's stats after
            counts[key] += n
        elif getattr(self, "crawler", None):
            self.crawler.stats.inc_value(key, n)

    def parse_source(self, response: Response):
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz sitemap served without Content-Encoding
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception as exc:  # noqa: BLE001 - a bad archive is a counted drop, not a crash
                self.logger.warning("unreadable gzip sitemap %s: %s", response.url, exc)
                self._stat("news/sources_unreadable")
                return
        kind = xml_kind(body)
        if kind:
            self._stat(f"news/sources/{kind}")
            for link in iter_xml(body, response.url):
                if link.kind == "sitemap":
                    yield response.follow(link.url, callback=self.parse_source, priority=20,
                                          meta={"source_kind": "sitemap", "section_pages_left": 0})
                elif self._limit_full():
                    # Every further link would only be counted over_limit: stop reading. A
                    # million-URL sitemap under -a limit=5 took 67 s and >1 GB RSS before.
                    self._stat("news/sources_truncated")
                    self.logger.info("limit reached and %d links waiting: rest of %s not read", _MAX_WAITING,
                                     response.url)
                    break
                else:
                    yield from self._article_request(link, response)
            return
        if not isinstance(response, TextResponse):
            self._stat("news/sources_unreadable")
            return
        self._stat("news/sources/section")
        links, nxt = parse_section(response.selector, response.url, self.section_next_css)
        for url in links:
            yield from self._article_request(Link(url, "article"), response)
        left = response.meta.get("section_pages_left", 0)
        if nxt and left > 0:
            yield response.follow(nxt, callback=self.parse_source, priority=10,
                                  meta={"source_kind": "section", "section_pages_left": left - 1})

    def _in_window(self, iso: str | None) -> bool:
        when = to_datetime(iso)
        if when is None:
            return True  # unknown date: fetch it and decide from the page
        return not ((self.since and when < self.since) or (self.until and when > self.until))

    def _article_request(self, link: Link, response: Response):
        probe = False
        if not self.is_article_url(link.url):
            self._stat("news/links_not_article")
            if not self._probe_wanted(link.url):
                return
            probe = True
        key = canonicalize_url(link.url)
        if key in self._scheduled:
            return
        if not probe:
            self._article_links += 1
        if not self._in_window(link.published) or (
                self.since and link.lastmod and (to_datetime(link.lastmod) or self.since) < self.since):
            # last modified before `since` means published before it too (never used for `until`)
            self._stat("news/outside_window")
            return
        self._scheduled.add(key)
        discovery = {"published": link.published, "title": link.title, "keywords": link.keywords,
                     "lastmod": link.lastmod}
        if probe:
            discovery["probe"] = True  # in "discovery": the one part of meta a page worker sees
        request = scrapy.Request(link.url, callback=self.parse_article, errback=self._article_failed, priority=0,
                                 meta={"discovery": discovery})
        if probe and not self._probe_allowed():
            if len(self._probes_waiting) < _MAX_WAITING:
                self._probes_waiting.append(request)
            return
        if probe:
            self._probes["sent"] += 1
            self._stat("layout/pattern_probes")
        yield from self._budgeted(request)

    def _budgeted(self, request: scrapy.Request):
        """Send an article request, or keep it waiting when the limit's slots are taken."""
        if self.limit is not None and self._budget_used >= self.limit:
            self._stat("news/over_limit")
            if len(self._waiting) < _MAX_WAITING:
                self._waiting.append(request)
            return
        self._budget_used += 1
        self._stat("news/article_requests")
        yield request

    # ----- stale article patterns ----------------------------------------------------------------

    def _probe_wanted(self, url: str) -> bool:
        """A link that fails the article pattern but may be a story the pattern no longer knows."""
        return bool(self._allow) and self.is_own_link(url) and not self._denied(url) \
            and looks_like_article_path(urlsplit(url).path)

    def _probe_allowed(self) -> bool:
        sent, articles = self._probes["sent"], self._probes["article"]
        return sent < getattr(self, "pattern_probes", 20) or 2 * articles >= sent

    def _probe_judged(self, is_article: bool, url: str):
        """Count a probe's verdict; release probes that were waiting for a good one."""
        if is_article:
            self._probes["article"] += 1
            self._stat("layout/pattern_miss")
            self._stat(_ARTICLE_PAGES)
            self._example("layout/examples/pattern_miss", url)
        else:
            self._stat("layout/pattern_probe_rejected")
        while self._probes_waiting and self._probe_allowed():
            request = self._probes_waiting.pop(0)
            self._probes["sent"] += 1
            self._stat("layout/pattern_probes")
            yield from self._budgeted(request)

    def _example(self, key: str, url: str) -> None:
        stats = self.crawler.stats if getattr(self, "crawler", None) else None
        if stats is None:
            return
        examples = list(stats.get_value(key) or [])
        if len(examples) < LAYOUT_EXAMPLES and url not in examples:
            stats.set_value(key, [*examples, url])

    # ----- discovery fallback ------------------------------------------------------------------

    def _spider_idle(self, spider=None) -> None:
        """Out of work: fall back to the homepage once when no declared source gave an article
        link; drop probes still waiting for a verdict that will not come."""
        if self._probes_waiting:
            self._stat("layout/pattern_probes_skipped", len(self._probes_waiting))
            self._probes_waiting.clear()
        if self._fell_back or not self.start_sources or not self._discovery_failed():
            return
        if not self.settings.getbool("DISCOVERY_FALLBACK", True) or self.settings.get("REDIS_URL"):
            return
        home = self.homepage_url()
        self._fell_back = True
        if not home:
            return
        self._stat("discovery/fallback")
        self.logger.warning("every declared source of %s failed (error, unreadable or no article link): "
                            "discovering from its homepage %s", self.name, home)
        for request in self.homepage_requests(home):
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _discovery_failed(self) -> bool:
        """No source gave an article link, an article judged by a probe, or a 304 (unchanged:
        its articles were seen by an earlier run)."""
        stats = self.crawler.stats
        return not (self._article_links or self._probes["article"] or stats.get_value("conditional/not_modified"))

    # ----- homepage discovery (the generic spider's start, and the fallback) ---------------------

    homepage_stats = "discovery"  # prefix of the homepage discovery counts

    def homepage_requests(self, url: str, pages: int = 2) -> list[scrapy.Request]:
        """robots.txt of the homepage's site, then the homepage itself."""
        root = site_root(url)
        out = []
        if root:
            out.append(scrapy.Request(root + "robots.txt", callback=self.parse_robots, priority=30, dont_filter=True))
        out.append(scrapy.Request(url, callback=self.parse_homepage, priority=20, meta={"section_pages_left": pages}))
        return out

    def parse_robots(self, response: Response):
        for url in robots_sitemaps(response.text) if isinstance(response, TextResponse) else []:
            self._stat(f"{self.homepage_stats}/sitemaps_from_robots")
            yield scrapy.Request(url, callback=self.parse_source, priority=25, meta={"section_pages_left": 0})

    def parse_homepage(self, response: Response):
        """A homepage (or the generic spider's start page): its announced feeds, then its own links."""
        if xml_kind(response.body if isinstance(response, TextResponse) else response.body[:4096]):
            yield from self.parse_source(response)
            return
        if isinstance(response, TextResponse):
            for url in feed_links(response.selector, response.url):
                self._stat(f"{self.homepage_stats}/feeds_from_links")
                yield scrapy.Request(url, callback=self.parse_source, priority=25, meta={"section_pages_left": 0})
        yield from self.parse_source(response)

    def _limit_full(self) -> bool:
        return self.limit is not None and self._budget_used >= self.limit and len(self._waiting) >= _MAX_WAITING

    def forget(self, url: str) -> list[scrapy.Request]:
        """Undo the scheduling of an article request that a middleware dropped (already stored):
        the URL may be discovered again, and its slot of the limit goes to a waiting link, which is
        returned for the caller to pass on."""
        self._scheduled.discard(canonicalize_url(url))
        return list(self._release())

    def _release(self):
        """A fetch gave no article: its slot of the limit goes to the next waiting link."""
        if self.limit is None:
            return
        self._budget_used -= 1
        if self._waiting:
            self._budget_used += 1
            self._stat("news/article_requests")
            yield self._waiting.pop(0)

    def _article_failed(self, failure):
        self._stat("news/article_failed")
        # Why, as its own count (tests/test_hostile.py: a redirect loop, a gzip bomb, a 50 MB page, a
        # server that never answers all ended as the same anonymous "article_failed").
        self._stat(f"news/article_failed/{failure_reason(failure.value)}")
        self.logger.debug("article fetch failed: %s", failure.value)
        yield from self._release()

    # ----- extraction --------------------------------------------------------------------------

    async def parse_article(self, response: Response):
        if not isinstance(response, TextResponse):
            self._stat("news/not_html")
            self.logger.info("not an HTML page, skipped: %s", response.url)
            for request in self._release():
                yield request
            return
        if getattr(self, "crawler", None):
            item = await PageWorkers.of(self.crawler).page_item(self, response)
        else:
            item = self.page_item(response)
        if _has_meta(response) and (response.meta.get("discovery") or {}).get("probe"):
            for request in self._probe_judged(item is not None, response.url):
                yield request
        if item is not None:
            self._stat("news/articles_extracted")
            self._count_layout(item, response.url)
        if item is None or not self._in_window(item.get("published_at")):
            if item is not None:
                self._stat("news/outside_window")
            for request in self._release():
                yield request
            return
        yield item

    def _count_layout(self, item: Article, url: str) -> None:
        """How the outlet's selectors did on this page (before the pipelines: a page whose item is
        dropped later still tells about the layout)."""
        if not self._has_selectors:
            return
        self._stat("layout/pages")
        layout = getattr(item, "_layout", None) or {}
        for field in layout.get("missed") or ():
            self._stat(f"layout/miss/{field}")
            if item.get(field) not in (None, "", [], {}):
                self._stat(f"layout/fallback/{field}")
            self._example(f"layout/examples/{field}", url)
        for field in layout.get("disagree") or ():
            self._stat(f"layout/disagree/{field}")

    def page_item(self, response: TextResponse) -> Article | None:
        """The article on an article page, or None when the page turns out not to be one. A function
        of the page and the spider's configuration only: it may run in a page worker
        (crawler/workers.py), where ``_stat`` counts are carried back to the crawl's stats.

        A probe (a link that failed the article pattern) is extracted only when the generic
        article verdict says it is an article."""
        discovery = (response.meta.get("discovery") or {}) if _has_meta(response) else {}
        if discovery.get("probe"):
            meta = PageMeta(response.selector)
            is_article, reason = article_verdict(response.selector, meta)
            self._stat(f"layout/pattern_verdict/{'article' if is_article else 'not_article'}/{reason}")
            return self.extract(response, meta) if is_article else None
        return self.extract(response)

    def layout_for(self, response: TextResponse) -> tuple[Selectors, object]:
        """(selectors, hook) of the layout the page was published in: the earliest earlier layout
        whose ``until`` is on or after the page's date, else the current one."""
        if self.layouts:
            day = page_day(response)
            if day:
                for layout in sorted(self.layouts, key=lambda lay: lay.until):
                    if day <= layout.until:
                        self._stat(f"news/layout/{layout.name or layout.until}")
                        hook = getattr(self, layout.hook) if layout.hook else None
                        return layout.selectors, hook
        return self.selectors, self.outlet_hook

    def extract(self, response: TextResponse, meta: PageMeta | None = None) -> Article:
        """The article on ``response`` through the whole chain (also used by ``scrapy extract``)."""
        if self.outlet.language == "ar":
            better = arabic_encoding(response)
            if better:
                self._stat("news/encoding_corrected")
                response = response.replace(encoding=better)
        if CONTROLS.search(response.text):
            # a stray ESC or backspace made lxml refuse to copy the tree: the generic body came back empty
            self._stat("extract/control_chars_stripped")
            response = response.replace(body=strip_controls(response.text).encode("utf-8"), encoding="utf-8")
            meta = None
        selectors, hook = self.layout_for(response)
        item = extract_article(
            response.selector, response.url, selectors=selectors, outlet=self.outlet.slug,
            outlet_name=self.outlet.name, timezone=self.outlet.timezone, language=self.outlet.language,
            aliases=self.outlet.aliases, hook=hook, meta=meta, domains=self.outlet.domains,
        )
        for note, n in item.__dict__.pop("_notes", {}).items():
            self._stat(note, n)
        discovery = (response.meta.get("discovery") or {}) if _has_meta(response) else {}
        if not item.get("tags") and discovery.get("keywords"):
            item["tags"] = list(discovery["keywords"])
            item["provenance"]["tags"] = "discovery"
        item["fetched_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return item

    def outlet_hook(self, page: Page, loader: ArticleLoader) -> None:
        """Outlet-specific values the selectors cannot express. Runs after the outlet's selectors
        and before the structured-data steps, so what it adds wins over them."""


def page_day(response: TextResponse) -> str | None:
    """The page's publication day (YYYY-MM-DD) from cheap signals, for choosing a layout: the URL,
    then machine-readable dates in the head, then the Last-Modified header."""
    day = date_from_url(response.url)
    if day:
        return day
    sel = response.selector
    for xpath in ('//meta[@property="article:published_time"]/@content', '//meta[@itemprop="datePublished"]/@content',
                  '//meta[@name="pubdate"]/@content', "//time/@datetime"):
        value = sel.xpath(xpath).get()
        if value and re.match(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return value.strip()[:10]
    m = re.search(r'"datePublished"\s*:\s*"(\d{4}-\d{2}-\d{2})', response.text[:200_000])
    if m:
        return m.group(1)
    last_modified = response.headers.get(b"Last-Modified")
    if last_modified:
        iso = parse_machine_date(last_modified.decode("latin-1"))
        return iso[:10] if iso else None
    return None


def failure_reason(exc: BaseException) -> str:
    """A short stats key for why a fetch failed (an article's, or any fetch's in
    ``crawler.middlewares.failures``)."""
    text = str(exc)
    if isinstance(exc, HttpError) and exc.response is not None:
        return f"http_{exc.response.status}"
    if isinstance(exc, DownloadTimeoutError | TxTimeoutError):
        return "timeout"
    if isinstance(exc, DNSLookupError):
        return "dns"
    if isinstance(exc, TxConnectionRefusedError):
        return "connection_refused"
    # the size limit: announced, reached while streaming (Scrapy cancels a download only for it,
    # with an empty message), or reached while inflating
    if isinstance(exc, DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in text:
        return "too_large"
    if isinstance(exc, IgnoreRequest):
        if "max redirections" in text:
            return "redirect_loop"
        if "robots.txt" in text:
            return "robots_forbidden"
        if text.startswith("private address"):  # crawler.middlewares.addresses
            return "private_address"
        return "ignored"
    return type(exc).__name__


_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")


def arabic_encoding(response: TextResponse) -> str | None:
    """The encoding a page of an Arabic outlet is really in, when its declared one is wrong, else None.

    Added for the hostile-input tests (tests/test_hostile.py::test_legacy_arabic_encodings): a
    windows-1256 page labelled utf-8, iso-8859-1 or iso-8859-6, a UTF-8 page labelled windows-1256
    and an ISO-8859-6 page labelled windows-1256 were stored as mojibake or U+FFFD soup. Valid
    UTF-8 with multibyte sequences is UTF-8 whatever the label; otherwise the strict reading (of
    the label, windows-1256, ISO-8859-6) with the largest share of Arabic among non-ASCII letters
    wins. The common case (UTF-8 page, valid) costs one search for U+FFFD in the page text.
    """
    body = response.body
    try:
        current = codecs.lookup(response.encoding).name
    except LookupError:
        current = "utf-8"
    if current == "utf-8" and "\ufffd" not in response.text:
        return None  # read as UTF-8 without a replacement: right (text is cached; ~10x cheaper than a decode)
    if body.isascii():
        return None
    try:
        body.decode("utf-8")
        return None if current == "utf-8" else "utf-8"
    except UnicodeDecodeError:
        pass
    best, best_score = None, -1.0
    for name in dict.fromkeys((current, "cp1256", "iso8859-6")):
        if name == "utf-8":
            continue
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        letters = len(_NON_ASCII_LETTER.findall(text))
        score = len(_ARABIC_LETTER.findall(text)) / letters if letters else 0.0
        if score > best_score:
            best, best_score = name, score
    return best if best and best != current else None


def _has_meta(response: Response) -> bool:
    try:
        return response.meta is not None
    except AttributeError:  # a response built outside a crawl has no request
        return False


def outlet_spiders(spider_loader) -> list[type[NewsSpider]]:
    """Every outlet spider class known to a Scrapy SpiderLoader."""
    out = []
    for name in spider_loader.list():
        cls = spider_loader.load(name)
        if isinstance(cls, type) and issubclass(cls, NewsSpider) and getattr(cls, "outlet", None):
            out.append(cls)
    return out


def spider_for_url(spider_loader, url: str) -> type[NewsSpider] | None:
    for cls in outlet_spiders(spider_loader):
        if cls.outlet.owns(url):
            return cls
    return None


__all__ = ["Layout", "NewsSpider", "Outlet", "Selectors", "Source", "outlet_spiders", "page_day", "spider_for_url"]
