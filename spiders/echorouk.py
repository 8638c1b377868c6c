"""Echorouk / الشروق أونلاين (www.echoroukonline.com), Algiers.

Sources of the facts, and how sure they are:
- RSS ``/feed``: sure (many independent public feed lists). WordPress site (``wp-content``
  uploads): sure.
- Article URLs: one root-level slug, ``/<arabic-slug>``, and section listings ``/algeria``,
  ``/economy``, ``/sport``... with ``/<section>/page/N`` pagination and rel=next: fairly sure (one
  public archive crawler of the site treats any root path outside its list of sections and
  ``tag``/``author``/``category``/``live``/``video`` prefixes as an article). ``/category/<name>``
  listings also exist (one public config).
- Page markup (h1.article-title, span.article-author, time.article-date, div.article-body,
  article tags and "مواضيع ذات صلة" block): unverified — no stored copy of an article page was
  found; the fixture models a typical WordPress layout, and the selectors fall back to og/article
  metas and JSON-LD when they find nothing.
- Printed dates use Algerian month names ("جانفي", "جويلية", "أوت"); Africa/Algiers is UTC+1
  all year. Many pieces are signed "الشروق أونلاين" (the masthead, never an author).
"""

from crawler.spider import NewsSpider, Outlet, Selectors, Source

# Root-level paths that are listings or site pages, not stories.
_SITE_PATHS = ("algeria", "economy", "sport", "world", "opinion", "culture", "society", "health", "technology",
               "environment", "religion", "live", "video", "videos", "podcast", "francais", "english", "search",
               "echorouk-yawmi", "feed", "about", "contact", "privacy", "wp-login.php")


class EchoroukSpider(NewsSpider):
    name = "echorouk"
    outlet = Outlet(
        slug="echorouk",
        name="الشروق أونلاين",
        domains=("echoroukonline.com",),
        timezone="Africa/Algiers",
        country="DZ",
        aliases=("الشروق أونلاين", "الشروق", "Echorouk", "Echorouk Online", "الشروق اونلاين"),
    )
    sources = (
        Source("https://www.echoroukonline.com/feed", "feed"),
        Source("https://www.echoroukonline.com/algeria", "section", pages=3),
    )
    article_allow = (r"^/[^/?]+/?$",)
    article_deny = ("^/(?:" + "|".join(p.replace(".", r"\.") for p in _SITE_PATHS) + ")/?$",
                    r"\.(?:jpe?g|png|gif|webp|svg|pdf|mp4|mp3|xml)$")
    selectors = Selectors(
        title="h1.article-title",
        body="div.article-body",
        body_drop=("figure", "iframe"),
        authors="div.article-meta span.article-author",
        section="div.breadcrumbs a:last-child",
        tags="div.article-tags a[rel=tag]",
        related="div.related-articles li a",
    )
