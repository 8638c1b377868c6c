"""Discovery documents -> links: Google News sitemaps, sitemap indexes, plain sitemaps, RSS 2.0,
RSS 1.0 and Atom feeds, and HTML section pages; and what a site's homepage and robots.txt say
about its discovery documents (``robots_sitemaps``, ``feed_links``), with the shape of a story
address (``looks_like_article_path``) — shared by the generic spider and the homepage fallback of
outlet spiders.

Pure functions of (body, url). XML is parsed with entity resolution and network access off, so a
hostile sitemap (XXE, billion laughs) yields nothing instead of reading files or exhausting memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.extract.dates import parse_machine_date
from crawler.extract.text import squash

_SAFE = {"recover": True, "remove_comments": True, "resolve_entities": False, "no_network": True,
         "huge_tree": False, "load_dtd": False}
_XML_PARSER = etree.XMLParser(**_SAFE)


@dataclass
class Link:
    """A discovered URL and what the discovery document said about it."""

    url: str
    kind: str  # "article" (a candidate page) or "sitemap" (another discovery document)
    published: str | None = None  # ISO 8601, from news:publication_date / pubDate / published
    lastmod: str | None = None
    title: str | None = None
    keywords: list[str] = field(default_factory=list)  # news:keywords: the article's own keywords
    categories: list[str] = field(default_factory=list)  # feed categories: usually the section, not tags


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child(el, name: str):
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el, name: str):
    return [c for c in el if _local(c.tag) == name]


def _text(el) -> str | None:
    if el is None:
        return None
    t = squash("".join(el.itertext()))
    return t or None


def xml_kind(body: bytes) -> str | None:
    """'sitemapindex', 'urlset', 'rss', 'feed', 'rdf' for discovery XML, else None."""
    head = body[:2048].removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head.startswith(b"<") or b"<html" in head[:600].lower():
        return None
    # Only the root's name is needed: stop at the first start tag. Parsing the whole document here
    # built a ~550 MB tree for a million-URL sitemap (tests/test_hostile.py).
    name = None
    try:
        for _, el in etree.iterparse(io.BytesIO(body), events=("start",), **_SAFE):
            name = _local(el.tag)
            break
    except (etree.XMLSyntaxError, ValueError):
        return None
    return name if name in ("sitemapindex", "urlset", "rss", "feed", "rdf") else None


def iter_xml(body: bytes, url: str) -> Iterator[Link]:
    """``parse_xml`` one link at a time. A urlset is read as a stream, each <url> freed once read,
    so a caller that stops early (a crawl under ``-a limit``) never holds a million-URL sitemap as a
    tree or a list (tests/test_hostile.py::test_million_url_sitemap_with_limit_stays_bounded)."""
    if xml_kind(body) != "urlset":
        yield from parse_xml(body, url)
        return
    try:
        for _, el in etree.iterparse(io.BytesIO(body), events=("end",), tag="{*}url", **_SAFE):
            parent = el.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # only the root's own <url> children are entries
            if _text(_child(el, "loc")):
                yield _sitemap_url(el, url)
            el.clear()
            while el.getprevious() is not None:
                del parent[0]
    except (etree.XMLSyntaxError, ValueError):
        return


def parse_xml(body: bytes, url: str) -> list[Link]:
    """Links of a sitemap, sitemap index or feed; [] for anything else."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    name = _local(root.tag)
    if name == "sitemapindex":
        return [Link(urljoin(url, loc), "sitemap", lastmod=parse_machine_date(_text(_child(sm, "lastmod"))))
                for sm in _children(root, "sitemap") if (loc := _text(_child(sm, "loc")))]
    if name == "urlset":
        return [_sitemap_url(u, url) for u in _children(root, "url") if _text(_child(u, "loc"))]
    if name == "rss":
        channel = _child(root, "channel")
        return [_rss_item(i, url) for i in _children(channel if channel is not None else root, "item")
                if _text(_child(i, "link")) or _text(_child(i, "guid"))]
    if name == "rdf":
        return [_rss_item(i, url) for i in _children(root, "item") if _text(_child(i, "link"))]
    if name == "feed":
        links = []
        for entry in _children(root, "entry"):
            href = None
            for ln in _children(entry, "link"):
                if ln.get("rel", "alternate") == "alternate" and ln.get("href"):
                    href = ln.get("href")
                    break
            if not href:
                continue
            published = _text(_child(entry, "published")) or _text(_child(entry, "updated"))
            links.append(Link(urljoin(url, href), "article", published=parse_machine_date(published),
                              lastmod=parse_machine_date(_text(_child(entry, "updated"))),
                              title=_text(_child(entry, "title")),
                              categories=[c.get("term") for c in _children(entry, "category") if c.get("term")]))
        return links
    return []


def _sitemap_url(u, base: str) -> Link:
    link = Link(urljoin(base, _text(_child(u, "loc"))), "article",
                lastmod=parse_machine_date(_text(_child(u, "lastmod"))))
    news = _child(u, "news")
    if news is not None:
        link.published = parse_machine_date(_text(_child(news, "publication_date")))
        link.title = _text(_child(news, "title"))
        kw = _text(_child(news, "keywords"))
        link.keywords = [k.strip() for k in kw.split(",") if k.strip()] if kw else []
    return link


def _rss_item(item, base: str) -> Link:
    href = _text(_child(item, "link")) or _text(_child(item, "guid"))
    published = _text(_child(item, "pubdate")) or _text(_child(item, "date"))
    return Link(urljoin(base, href), "article", published=parse_machine_date(published),
                title=_text(_child(item, "title")),
                categories=[t for c in _children(item, "category") if (t := _text(c))])


def parse_section(selector: Selector, url: str, next_css: str | None = None) -> tuple[list[str], str | None]:
    """(every link on a section page, its next page or None)."""
    hrefs = selector.xpath("//a/@href").getall()
    links, seen = [], set()
    for h in hrefs:
        h = h.strip()
        if not h or h.lower().startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        absolute = urljoin(url, h)
        if absolute not in seen:
            seen.add(absolute)
            links.append(absolute)
    nxt = None
    if next_css:
        nxt = selector.css(next_css).attrib.get("href")
    if not nxt:
        nxt = selector.xpath("//*[self::a or self::link][contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href").get()
    return links, (urljoin(url, nxt) if nxt else None)


FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
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


def robots_sitemaps(text: str) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt names, in order, each once."""
    found: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if key.strip().lower() == "sitemap" and value and value not in found:
            found.append(value)
    return found


def feed_links(selector: Selector, url: str) -> list[str]:
    """The feeds a page announces with ``<link rel="alternate" type="application/rss+xml" ...>``."""
    found: list[str] = []
    for link in selector.xpath("//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]"):
        if (link.attrib.get("type") or "").strip().lower() in FEED_TYPES:
            href = urljoin(url, link.attrib["href"].strip())
            if href not in found:
                found.append(href)
    return found


def site_root(url: str) -> str | None:
    """``scheme://host[:port]/`` of a URL, or None when it has no host."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else None
