"""Is this page an article? For outlets we have no module for (the generic spider).

Signals in order of trust: the page's own structured data (JSON-LD article types, og:type), then
its shape: several sentence-long paragraphs that are mostly not links. A listing of teasers has
many links and short texts; a tag page has no long paragraphs at all.
"""

from __future__ import annotations

from parsel import Selector

from crawler.extract.query import query
from crawler.extract.structured import ARTICLE_TYPES, PageMeta, _types
from crawler.extract.text import text_of

_NOT_ARTICLE_TYPES = frozenset({"WebSite", "CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage",
                                "VideoObject", "ImageGallery", "AboutPage", "ContactPage"})


def article_verdict(selector: Selector, meta: PageMeta | None = None) -> tuple[bool, str]:
    """(is_article, reason). The reason names the signal that decided, for the crawl stats.
    ``meta``: the page's PageMeta, to share with the extraction that follows."""
    meta = meta or PageMeta(selector)
    types: set[str] = set()
    for obj in meta.json_ld:
        types |= _types(obj)
    if types & ARTICLE_TYPES:
        return True, "json_ld"
    og_type = (meta.first_meta("og:type") or "").lower()
    if og_type == "article":
        return True, "og_type"
    if og_type.startswith(("video", "profile", "music", "book")):
        return False, "og_type"
    long_paragraphs, link_chars, text_chars = 0, 0, 0
    for p in query(selector.root, "//p"):
        text = text_of(p)
        if len(text.split()) < 12:
            continue
        linked = sum(len(text_of(a)) for a in p.iter("a"))
        text_chars += len(text)
        link_chars += linked
        if linked < len(text) * 0.3:
            long_paragraphs += 1
    if long_paragraphs >= 3 and text_chars >= 600 and link_chars < text_chars * 0.3:
        return True, "text_density"
    if types & _NOT_ARTICLE_TYPES:
        return False, "json_ld"
    return False, "text_density"
