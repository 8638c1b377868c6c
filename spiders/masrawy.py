"""Masrawy / مصراوي (masrawy.com), Cairo.

Sources of the facts, and how sure they are:
- Article URLs ``/news/news_<section>/details/<y>/<m>/<d>/<id>/<slug>`` (month and day without a
  leading zero, slug optional): sure — the same shape in several independent public projects
  (code corpus: links to news_egypt, news_regions, news_publicaffairs stories from 2021-2022).
  Other sections use the same ``details`` shape under their own prefix: the 2018 homepage linked
  ``/sports/sports_news/details/...`` and ``/autos/autos_news/details/...`` stories, and a pattern
  limited to ``/news/news_...`` matched 28 of its 77 article links (issue 11). So any
  ``/<section>/<subsection>/details/<date>/<id>`` address is an article.
- Section listings ``/news/news_economy/section/206/اقتصاد``: fairly sure (one public scraper
  config). Pagination ``?page=2`` with rel=next: unverified (invented in the fixture).
- RSS ``/rss/feed/<id>/<name>`` (204 = محافظات): fairly sure (one public feed list; older
  ``/News/rss/*.aspx`` feeds appear in old projects and are gone).
- Tag pages ``/news/tag/<id>/<name>`` and ``/news/news_economy/tag/<id>``: sure (public links).
- News sitemap ``/news-sitemap.xml``: unverified placeholder (no public source found).
- Page markup (NewsArticle JSON-LD with ISO dates, div.ArticleDetails paragraphs, div.author-name
  byline with "كتب-" prefix, div.tags, "موضوعات ذات صلة" block): unverified — no stored copy of
  a Masrawy article page was found; the fixture models a typical layout and the selectors fall
  back to JSON-LD and meta tags when they find nothing.
"""

from crawler.spider import NewsSpider, Outlet, Selectors, Source


class MasrawySpider(NewsSpider):
    name = "masrawy"
    outlet = Outlet(
        slug="masrawy",
        name="مصراوي",
        domains=("masrawy.com",),
        timezone="Africa/Cairo",
        country="EG",
        aliases=("Masrawy", "مصراوي", "مصراوى", "Masrawy-مصراوي"),
    )
    sources = (
        Source("https://www.masrawy.com/news-sitemap.xml", "news_sitemap"),
        Source("https://www.masrawy.com/rss/feed/204/محافظات", "feed"),
        Source("https://www.masrawy.com/news/news_economy/section/206/اقتصاد", "section", pages=3),
    )
    article_allow = (r"(?i)^/[a-z0-9_]+/[a-z0-9_]+/details/\d{4}/\d{1,2}/\d{1,2}/\d+(?:/[^/]*)?/?$",)
    article_deny = (r"/tag/", r"/section/")
    selectors = Selectors(
        title="h1.articleTitle",
        body="div.ArticleDetails",
        body_drop=("div.img-caption", "div.video-embed", "div.ads"),
        authors="div.articleInfo div.author-name",
        section="div.breadcrumb a:last-child",
        tags="div.tags a",
        related="div.related-news a.relTitle",
    )
