"""generic: crawl an outlet we have no module for.

    scrapy crawl generic -a start=https://www.example-news.com/
    scrapy crawl generic -a start=https://www.example-news.com/feed/ -a limit=100

From the start URL (a homepage, section page, feed or sitemap) it finds the site's feeds and
sitemaps (robots.txt ``Sitemap:`` lines, ``<link rel="alternate">`` feeds), follows links that look
like article addresses on the same site, decides article vs. not from each page (JSON-LD type,
og:type, paragraph and link density) and extracts with the generic chain.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

import scrapy
from scrapy.http import TextResponse

from crawler.discovery import xml_kind
from crawler.extract.pagetype import article_verdict
from crawler.extract.structured import PageMeta
from crawler.spider import NewsSpider, Outlet

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
# Paths that are listings, not stories, on most news CMSs.
_NOT_ARTICLE = re.compile(
    r"(?:^/$|/(?:tag|tags|category|categories|section|author|authors|search|page|topics?|video|videos|"
    r"gallery|photos|live|login|register|contact|about|privacy|terms|newsletter|rss|feed)(?:/|$)|"
    r"\.(?:jpg|jpeg|png|gif|webp|pdf|mp4|mp3|zip|css|js|xml)$)",
    re.IGNORECASE,
)


def looks_like_article_path(path: str) -> bool:
    """A story address: a dated path, a numeric id, or a long slug — and not a known listing."""
    path = unquote(path)
    if _NOT_ARTICLE.search(path):
        return False
    segments = [seg for seg in path.split("/") if seg]
    return bool(re.search(r"/(?:19|20)\d\d/", path)
                or any(re.fullmatch(r"\d{4,}|.*\d{5,}.*", seg) for seg in segments[-3:])
                or any(seg.count("-") >= 3 for seg in segments[-2:]))


class GenericSpider(NewsSpider):
    name = "generic"
    outlet = Outlet(slug="", name="", domains=(), timezone="")

    def __init__(self, *args, start: str | None = None, **kwargs):
        if not start:
            raise ValueError("scrapy crawl generic needs -a start=<homepage, section, feed or sitemap URL>")
        if not urlsplit(start).scheme:
            start = "https://" + start
        host = (urlsplit(start).hostname or "").lower()
        site = host.removeprefix("www.")
        self.outlet = Outlet(slug=site, name="", domains=(site,), timezone="")
        super().__init__(*args, **kwargs)
        self.start_url = start

    async def start(self):
        parts = urlsplit(self.start_url)
        yield scrapy.Request(f"{parts.scheme}://{parts.netloc}/robots.txt", callback=self.parse_robots,
                             priority=30, dont_filter=True)
        yield scrapy.Request(self.start_url, callback=self.parse_start, priority=20,
                             meta={"section_pages_left": 2})

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return False
        return looks_like_article_path(parts.path)

    def parse_robots(self, response):
        for line in response.text.splitlines() if isinstance(response, TextResponse) else []:
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                self._stat("generic/sitemaps_from_robots")
                yield scrapy.Request(value.strip(), callback=self.parse_source, priority=25,
                                     meta={"section_pages_left": 0})

    def parse_start(self, response):
        if xml_kind(response.body[:4096] if not isinstance(response, TextResponse) else response.body):
            yield from self.parse_source(response)
            return
        if isinstance(response, TextResponse):
            for link in response.xpath("//link[@rel='alternate'][@href]"):
                if (link.attrib.get("type") or "").lower() in _FEED_TYPES:
                    self._stat("generic/feeds_from_links")
                    yield scrapy.Request(urljoin(response.url, link.attrib["href"]), callback=self.parse_source,
                                         priority=25, meta={"section_pages_left": 0})
        yield from self.parse_source(response)

    def page_item(self, response):
        meta = PageMeta(response.selector)  # read once: the verdict and the extraction share it
        is_article, reason = article_verdict(response.selector, meta)
        self._stat(f"generic/{'article' if is_article else 'not_article'}/{reason}")
        return self.extract(response, meta) if is_article else None

    def extract(self, response, meta=None):
        item = super().extract(response, meta)
        item["outlet"] = self.outlet.slug or None
        item["outlet_name"] = (meta or PageMeta(response.selector)).first_meta("og:site_name")
        return item
