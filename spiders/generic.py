"""generic: crawl an outlet we have no module for.

    scrapy crawl generic -a start=https://www.example-news.com/
    scrapy crawl generic -a start=https://www.example-news.com/feed/ -a limit=100

From the start URL (a homepage, section page, feed or sitemap) it finds the site's feeds and
sitemaps (robots.txt ``Sitemap:`` lines, ``<link rel="alternate">`` feeds), follows links that look
like article addresses on the same site, decides article vs. not from each page (JSON-LD type,
og:type, paragraph and link density) and extracts with the generic chain.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.discovery import looks_like_article_path
from crawler.extract.pagetype import article_verdict
from crawler.extract.structured import PageMeta
from crawler.spider import NewsSpider, Outlet

__all__ = ["GenericSpider", "looks_like_article_path"]


class GenericSpider(NewsSpider):
    name = "generic"
    outlet = Outlet(slug="", name="", domains=(), timezone="")
    homepage_stats = "generic"

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
        for request in self.homepage_requests(self.start_url, pages=2):
            yield request

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return False
        return looks_like_article_path(parts.path)

    def page_item(self, response):
        meta = PageMeta(response.selector)  # read once: the verdict and the extraction share it
        is_article, reason = article_verdict(response.selector, meta)
        self._stat(f"generic/{'article' if is_article else 'not_article'}/{reason}")
        return self.extract(response, meta) if is_article else None

    def extract(self, response, meta=None):
        item = super().extract(response, meta)
        item["outlet"] = self.outlet.slug or None
        item["outlet_name"] = (meta or PageMeta(response.selector)).first_meta("og:site_name") or item.get("outlet_name")
        return item
