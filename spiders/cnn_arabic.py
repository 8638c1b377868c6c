"""CNN Arabic / سي إن إن بالعربية (arabic.cnn.com), Dubai Media City.

Two layouts, chosen by the page's day (``crawler.spider.Layout``):

* current (the spider's ``selectors``): article URLs ``/<section>/article/YYYY/MM/DD/<slug>`` and
  section names ``middle-east``, ``world``, ``business``, ``sport``, ``science-and-health``,
  ``travel``, ``style``, ``entertainment`` (many public URLs and scrapers in the code corpus: sure);
  videos live at ``/<section>/video/...`` and AMP copies at ``/amphtml/...`` (sure). Images are
  served from cnn-arabic-images.cnn.io/cloudinary (public URLs: sure). The page is expected to carry
  NewsArticle JSON-LD and article:* metas, printed stamps "نُشر ... (GMT +0400)" / "آخر تحديث ...",
  and a "(CNN)--" dateline; the class names used below are unverified (no stored copy of a current
  page was found), so every field also has a structured-data fallback.
* ``2013``: from the real 2013 page in the evaluation corpus: story text in
  div.cnn_strycntntrgt > p (the same container also holds the comment policy and a Facebook comments
  box, which are not paragraphs of it); no JSON-LD and no article:* metas; the only printed stamp
  (div.cnn_strytmstmp) is the LAST UPDATE with a zone written "GMT+0400", while the URL path
  (/2013/middle_east/8/3/) states the publication day; the highlighted nav item (a.nav-on) is the
  section. Last day: 2013-12-31, as well as it can be established: the latest public URL of that
  scheme found is /2013/business/9/16/ and the earliest of the next one /middleeast/2014/01/26/
  (code corpus), so the switch happened between those days; the exact date is unverified.

URLs of 2014-2017 (``/<section>/YYYY/MM/DD/<slug>``, e.g. /business/2014/06/11/money-toyota-recall)
are articles too; their markup is unknown and they are parsed with the current selectors and the
structured-data chain.
Sources: /api/v1/rss/rss.xml and /api/v1/rss/world/rss.xml are used by several public projects
(fairly sure); section listings by name (sure); their ?page=N pagination is assumed.
"""

from crawler.spider import Layout, NewsSpider, Outlet, Selectors, Source

_LAYOUT_2013 = Selectors(
    title="div.cnn_storyarea h1, h1:not(:has(img))",
    body="div.cnn_strycntntrgt > p",
    modified="div.cnn_strytmstmp",
    section="a.nav-on",
)


class CnnArabicSpider(NewsSpider):
    name = "cnn-arabic"
    outlet = Outlet(
        slug="cnn-arabic",
        name="سي إن إن بالعربية",
        domains=("arabic.cnn.com",),
        timezone="Asia/Dubai",
        country="AE",
        aliases=("CNN Arabic", "CNNArabic", "CNN بالعربية"),
    )
    sources = (
        Source("https://arabic.cnn.com/api/v1/rss/rss.xml", "feed"),
        Source("https://arabic.cnn.com/api/v1/rss/world/rss.xml", "feed"),
        Source("https://arabic.cnn.com/middle-east", "section", pages=2),
        Source("https://arabic.cnn.com/world", "section", pages=2),
        Source("https://arabic.cnn.com/business", "section", pages=2),
    )
    article_allow = (
        r"^/[a-z-]+/article/\d{4}/\d{2}/\d{2}/[^/]+/?$",  # current layout
        r"^/[a-z-]+/\d{4}/\d{2}/\d{2}/[^/]+/?$",  # 2014-2017
        r"^/\d{4}/[a-z_]+/\d{1,2}/\d{1,2}/[^/]+/index\.html$",  # 2013 layout
    )
    article_deny = (r"/video/", r"/gallery/", r"^/amphtml/", r"^/live-tv")
    selectors = Selectors(
        title="h1.article-title",
        body="div#body-text",
        body_drop=("div.image-caption", "div.ad-container"),
        authors="div.article-byline .author-name",
        section="nav.breadcrumbs a:last-child",
        tags="div.article-tags a",
        related="section.related-articles a",
    )
    layouts = (Layout(until="2013-12-31", selectors=_LAYOUT_2013, name="2013"),)
