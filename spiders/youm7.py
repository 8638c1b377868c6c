"""Youm7 / اليوم السابع (youm7.com), Cairo.

Markup facts from the real 2024 page in the evaluation corpus: no JSON-LD; og/article metas; the
``article:published_time`` value carries Cairo wall-clock time with a "Z" suffix, so the printed
stamp (span.newsStoryDate, with ص/م) read in Africa/Cairo is the truer value. Byline is
span.writeBy with a "كتب"/"كتبت" prefix. Related block "الموضوعات المتعلقة". Paragraphs are
p.selectionShareable in div#articleBody, with inline photos (div.imgcontainer, span.uplCaption).
"""

from crawler.spider import NewsSpider, Outlet, Selectors, Source


class Youm7Spider(NewsSpider):
    name = "youm7"
    outlet = Outlet(
        slug="youm7",
        name="اليوم السابع",
        domains=("youm7.com",),
        timezone="Africa/Cairo",
        country="EG",
        aliases=("Youm7", "اليوم السابع"),
    )
    sources = (
        # Section RSS and section listings are the site's documented shapes (sure); the news
        # sitemap address is a guess (no public source found).
        Source("https://www.youm7.com/newsSiteMap.xml", "news_sitemap"),
        Source("https://www.youm7.com/rss/SectionRss?SectionID=65", "feed"),
        Source("https://www.youm7.com/Section/أخبار-عاجلة/65/1", "section", pages=3),
    )
    article_allow = (r"^/story/\d{4}/\d{1,2}/\d{1,2}/[^/]+/\d+/?$",)
    selectors = Selectors(
        title="div.articleHeader h1, h1",
        body="div#articleBody",
        body_drop=("div.imgcontainer", "span.uplCaption", ".img-cap", "div[id*=vidverto]", "div.ads", ".adsContainer"),
        authors="span.writeBy",
        published="span.newsStoryDate",
        section="div.breadcumb a:last-child",
        tags=".tags h3 a",
        related='//div[contains(@class, "most-read")][p[contains(., "الموضوعات المتعلقة")]]'
                "/following-sibling::div[1]//h3/a",
    )
