"""Al-Masry Al-Youm / المصري اليوم (almasryalyoum.com), Cairo.

Sources of the facts, and how sure they are:
- Article URLs ``/news/details/<id>``: sure (many independent public projects, 2018-2026).
- RSS ``/rss/rssfeed``: sure (several public feed lists; ``/rss/rssfeeds`` is the HTML index of
  feeds). Latest-news listing ``/news/index`` with ``?page=N``: fairly sure (a public client pages
  ``/news/index?...&page=N`` and reads ``.town_wrap .news`` items); rel=next is unverified.
- Article markup: ``#NewsStory`` holds the text as ``<p style="text-align: justify">``; other
  ``<p>`` there carry player errors, and ``p.min_related`` is an in-body related link (sure: a
  public client filters exactly these). ``h1.tit_2``, ``div.pinfo`` (date) and the
  ``div.ret_post ul.side-nav`` related block come from an older public scraper (fairly sure for
  older pages, unverified today). JSON-LD ``author.name`` is the writer.
- JSON-LD dates are US-style stamps without a zone, "12/10/2024 3:29:39 PM" (sure, same public
  client). Read day-first they give the wrong day whenever the day is 12 or less, so the hook reads
  them month-first; that they are Cairo wall-clock times is unverified.
- News sitemap: none known (not declared).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from crawler.extract import structure
from crawler.extract.article import Page
from crawler.extract.structured import ld_text
from crawler.extract.text import iter_elements
from crawler.loaders import ArticleLoader
from crawler.spider import NewsSpider, Outlet, Selectors, Source

# "11/7/2026 9:05:00 PM": .NET's invariant-culture stamp, month first.
_US_STAMP = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)\s*$", re.IGNORECASE)


def us_stamp_to_iso(value: str | None, timezone: str) -> str | None:
    """"M/D/YYYY h:mm:ss AM" in ``timezone`` -> ISO 8601 with offset; None for any other shape."""
    m = _US_STAMP.match(value or "")
    if not m:
        return None
    month, day, year, hour, minute = (int(m[i]) for i in range(1, 6))
    second = int(m[6] or 0)
    hour = hour % 12 + (12 if m[7].upper() == "PM" else 0)
    try:
        when = datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(timezone))
    except ValueError:
        return None
    return when.isoformat()


class AlmasryalyoumSpider(NewsSpider):
    name = "almasryalyoum"
    outlet = Outlet(
        slug="almasryalyoum",
        name="المصري اليوم",
        domains=("almasryalyoum.com",),
        timezone="Africa/Cairo",
        country="EG",
        aliases=("Almasry Alyoum", "Al-Masry Al-Youm", "المصري اليوم", "المصرى اليوم"),
    )
    sources = (
        Source("https://www.almasryalyoum.com/rss/rssfeed", "feed"),
        Source("https://www.almasryalyoum.com/news/index", "section", pages=3),
    )
    article_allow = (r"^/news/details/\d+/?$",)
    selectors = Selectors(
        title="h1.tit_2",
        body='#NewsStory p[style*="justify"]',
        section="div.breadcrumb a:last-child",
        tags="div.tags a",
        related="#NewsStory p.min_related a, div.ret_post ul.side-nav a",
    )

    def outlet_hook(self, page: Page, loader: ArticleLoader) -> None:
        """JSON-LD dates read month-first, ahead of the generic chain's day-first reading; embedded
        posts from the whole story container (the body selector picks paragraphs only)."""
        ld = page.meta.article_ld
        for field, key in (("published_raw", "datePublished"), ("modified_raw", "dateModified")):
            iso = us_stamp_to_iso(ld_text(ld.get(key)), self.outlet.timezone)
            if iso:
                loader.add_value(field, iso)
        found, _ = structure.embeds(iter_elements(page.sel.css("#NewsStory")), page.url)
        loader.add_if_missing("embeds", found)
