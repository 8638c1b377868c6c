"""Shafaq News / شفق نيوز (shafaq.com), Baghdad.

Facts and how sure they are (no web access here; public scrapers in the code corpus):
- Arabic RSS at https://shafaq.com/ar/rss: used by several independent public projects (fairly sure;
  some use /ar/rss.xml). No news sitemap address was found anywhere (not declared).
- Listing "كل الأخبار" at https://shafaq.com/ar/كل-الاخبار (one public scraper; sure it exists);
  its pagination by ?page=N is assumed (unverified).
- Article URLs are /ar/<section>/<slug> with an Arabic slug and no id; section slugs keep the site's
  tatweel (/ar/اقتصـاد/..., /ar/مجتـمع/...) (sure, from real links); /ar/tags/... pages share the shape
  and are not articles (sure); /en/, /ku/, /tr/ are other languages.
- Stories open with a dateline line "شفق نيوز/ <city>" (seen on real pages: sure); it is not body
  text and the outlet's own name is not a source, so the hook keeps only the place.
- Times are Baghdad (+03:00, no DST since 2008). JSON-LD and class names in the fixture are modelled
  on a conventional NewsArticle page: unverified against the live markup.
"""

import re

from crawler.extract.article import Page
from crawler.extract.text import text_of
from crawler.loaders import ArticleLoader
from crawler.spider import NewsSpider, Outlet, Selectors, Source

# "شفق نيوز/ بغداد", "شفق نيوز- أربيل": the outlet's name, a separator, the place.
_DATELINE = re.compile(r"^\s*شفق\s*نيوز\s*[/\-–—ـ:]+\s*(?P<place>[^\s/].{0,40}?)\s*$")
_DATELINE_P = './p[1][starts-with(normalize-space(.), "شفق نيوز")]'


class ShafaqSpider(NewsSpider):
    name = "shafaq"
    outlet = Outlet(
        slug="shafaq",
        name="شفق نيوز",
        domains=("shafaq.com",),
        timezone="Asia/Baghdad",
        country="IQ",
        aliases=("Shafaq News", "شفق نيوز", "وكالة شفق نيوز", "Shafaq"),
    )
    sources = (
        Source("https://shafaq.com/ar/rss", "feed"),
        Source("https://shafaq.com/ar/كل-الاخبار", "section", pages=3),
    )
    article_allow = (r"^/ar/[^/?]+/[^/?]+/?$",)
    article_deny = (r"^/ar/(?:tags?|author|authors|search|videos?|infographics?)/",)
    selectors = Selectors(
        title="h1.article-title",
        body="div.article-body",
        body_drop=(_DATELINE_P, "figure", ".share-bar", ".ad-slot"),
        authors="div.article-author",
        section="ol.breadcrumb li:last-child a",
        tags="div.tags a",
        related="div.related-news a",
    )

    def outlet_hook(self, page: Page, loader: ArticleLoader) -> None:
        """The dateline line names the place the story is filed from."""
        for p in page.sel.css("div.article-body").xpath(_DATELINE_P):
            m = _DATELINE.match(text_of(p.root))
            if m:
                loader.add_value("dateline", m.group("place"))
                return
