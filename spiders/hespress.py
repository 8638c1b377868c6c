"""Hespress / هسبريس (www.hespress.com, Arabic edition), Rabat.

Sources of the facts, and how sure they are:
- RSS ``/feed``: sure (many independent public feed lists). The French and English editions live
  on fr./en.hespress.com and are not this outlet's domain here.
- Listing ``/all`` with cards ``.card-title`` / ``.date-card small`` / ``a.stretched-link``: sure
  (a public scraper reads exactly these). Its pagination ``/all/page/N``: unverified.
- Article markup: ``.article-header .post-title``, ``.author a``, ``.date-post``,
  ``.figure-heading-post`` (lead image + figcaption), ``.article-content``, ``.box-tags
  .tag_post_tag``: sure (same public scraper; ``h1.post-title`` and ``div.article-content p`` also
  in a second one). WordPress theme (wp-content, wp-admin paths): sure.
- Article URLs ``/<arabic-slug>-<id>.html``: fairly sure (public links); News sitemap: none known.
- Printed dates use Moroccan month names ("نونبر", "يوليوز", "غشت"); machine dates in
  ``article:published_time`` with +01:00: unverified (the WordPress default). The hook reads the
  printed stamp only when the page has no machine-readable date.
- Time zone Africa/Casablanca: UTC+1, UTC+0 during Ramadan.
"""

from __future__ import annotations

from crawler.extract.article import Page
from crawler.extract.structured import ld_text
from crawler.extract.text import text_of
from crawler.loaders import ArticleLoader
from crawler.spider import NewsSpider, Outlet, Selectors, Source


class HespressSpider(NewsSpider):
    name = "hespress"
    outlet = Outlet(
        slug="hespress",
        name="هسبريس",
        domains=("www.hespress.com",),
        timezone="Africa/Casablanca",
        country="MA",
        aliases=("Hespress", "هسبريس", "Hespress هسبريس جريدة إلكترونية مغربية", "جريدة هسبريس الإلكترونية"),
    )
    sources = (
        Source("https://www.hespress.com/feed", "feed"),
        Source("https://www.hespress.com/all", "section", pages=3),
    )
    article_allow = (r"^/[^/]+-\d{4,}\.html$",)
    article_deny = (r"^/(?:tag|author|category|videos?)/",)
    selectors = Selectors(
        title=".article-header h1.post-title",
        body="div.article-content",
        body_drop=("figure", "div.google-news-follow", "div.share-post"),
        authors=".article-header span.author a",
        section="div.breadcrumb a:last-child",
        tags="div.box-tags a.tag_post_tag",
        related="div.related-posts h3.card-title a",
    )

    def outlet_hook(self, page: Page, loader: ArticleLoader) -> None:
        """The printed stamp (Moroccan month names) only when no machine-readable date exists."""
        ld = page.meta.article_ld
        if ld_text(ld.get("datePublished")) or page.meta.first_meta("article:published_time"):
            return
        stamp = page.sel.css(".article-header .date-post")
        if stamp:
            loader.add_value("published_raw", text_of(stamp[0].root))
