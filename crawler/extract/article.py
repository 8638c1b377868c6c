"""The extraction chain: outlet selectors -> JSON-LD -> RDFa / microdata / meta tags -> the page's
own markup (``<time>``, printed stamps, byline elements) -> generic fallback (trafilatura).

``extract_article`` is pure (a parsed page and its URL in, an ``Article`` out), so spiders, the
``scrapy extract`` command and tests all run the same code on the same single parse of the page.

Every field records the step that gave its value in ``item["provenance"]`` (outlet, json_ld, rdfa,
microdata, meta, time, printed, url, byline, markup, trafilatura). For outlet modules the item
also says, as ``item._layout``, which declared selectors found nothing ("missed": the generic chain
filled in) and where the outlet's title or date disagrees with the generic chain's ("disagree");
the spider counts both, and the run monitors flag a layout that drifted.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.arabic.bylines import Credit, Masthead, read_credit
from crawler.extract import fallback, structure
from crawler.extract.dates import date_from_url, parse_machine_date, to_datetime
from crawler.extract.printed import chrome_ancestor, page_stamps
from crawler.extract.query import elements, first, is_xpath, query
from crawler.extract.structured import PageMeta, ld_list, ld_text, ld_url
from crawler.extract.text import local_tag, paragraphs, squash, text_of
from crawler.items import FIELD_KINDS, SCHEMA_VERSION, Article, empty_value
from crawler.loaders import ArticleLoader


@dataclass(frozen=True)
class Selectors:
    """CSS selectors for an outlet's own markup. Any may be None: the generic chain then decides.

    Element selectors select elements whose visible text is the value (one value per element);
    ``published``/``modified`` may end in ``::attr(name)``.
    """

    title: str | None = None
    subtitle: str | None = None
    body: str | None = None  # body containers, or the paragraph elements themselves
    body_drop: tuple[str, ...] = ()  # boilerplate inside the body containers
    authors: str | None = None
    published: str | None = None  # tried before the page's machine-readable dates
    published_fallback: str | None = None  # printed stamp, tried only after them
    modified: str | None = None
    section: str | None = None
    tags: str | None = None
    related: str | None = None  # <a> elements of the article's own related blocks
    source: str | None = None
    images: str | None = None  # <img> elements of the article (lead first)

    def __bool__(self) -> bool:
        """Whether any selector is declared (``Selectors()`` is the generic chain's: none)."""
        return any(getattr(self, f.name) for f in fields(self))


@dataclass
class Page:
    """One parsed page, shared by every step of the chain."""

    sel: Selector
    url: str
    timezone: str | None = None
    meta: PageMeta | None = None  # the page's metadata views when a caller has read them already
    domains: tuple[str, ...] = ()  # the outlet's domains (for canonical URLs on another host)

    def __post_init__(self):
        if self.meta is None or self.meta.sel is not self.sel:
            self.meta = PageMeta(self.sel)
        self.inbody_related: list[dict] = []
        self.notes: Counter = Counter()  # what the chain refused, for the crawl's stats (item._notes)

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if href.startswith(("javascript:", "mailto:", "#")):
            return None
        return urljoin(self.url, href)



def clean_author_names(raw: str | None) -> list[str]:
    """One byline string -> author names: role prefixes stripped ("كتب", "بقلم"...), joint bylines
    split ("أ ب وج د" when both sides have at least two words), and what is not a person left out
    (URLs, places, agencies, roles). The outlet's own names need a ``Masthead``: see ``bylines``."""
    return read_credit(raw).authors


def _fold_words(text: str) -> set[str]:
    from crawler.arabic import fold

    return set(re.findall(r"\w+", fold(text)))


_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " « ", " » ")


def _strip_site_suffix(title: str, site_names: list[str]) -> str:
    """'Headline - BBC News عربي' -> 'Headline' when the tail is the site's name."""
    for sep in _TITLE_SEPARATORS[:5]:
        if sep in title:
            head, tail = title.rsplit(sep, 1)
            tail_l = tail.strip().casefold()
            short_name = len(tail.split()) <= 3 and len(head.split()) >= 3 and not any(c.isdigit() for c in tail)
            if any(n and (n.casefold() in tail_l or tail_l in n.casefold()) for n in site_names) or short_name:
                return head.strip()
    # "Site - Headline" (og:title prefixed with the site's name)
    for sep in _TITLE_SEPARATORS[:5]:
        if sep in title:
            head, tail = title.split(sep, 1)
            head_l = head.strip().casefold()
            if head_l and any(n and (n.casefold() == head_l) for n in site_names) and len(tail.split()) >= 3:
                return tail.strip()
    return title.strip()


def title_affixes(title: str | None, headline: str | None) -> list[str]:
    """The parts a page's ``<title>`` (or og:title) adds around its headline, split at the usual
    separators: [' - المدينة نيوز'] -> ['المدينة نيوز']. The last of a suffix and the first of a
    prefix is the site's name; the others are sections."""
    from crawler.arabic import fold

    if not title or not headline:
        return []
    t, h = " ".join(title.split()), " ".join(headline.split())
    ft, fh = fold(t), fold(h)
    if not fh or fh not in ft or ft == fh:
        return []
    start = ft.index(fh)
    before, after = ft[:start], ft[start + len(fh):]
    parts: list[str] = []
    sep = r"\s+[-|–—:]+\s+|\s*[|:]\s*|^\s*[-–—]+\s*|\s*[-–—]+\s*$"
    # map folded offsets back to display text: fold keeps word boundaries, so split the display
    # title at the same word counts
    words = t.split()
    n_before, n_head = len(before.split()), len(fh.split())
    disp_before = " ".join(words[:n_before])
    disp_after = " ".join(words[n_before + n_head:])
    if before.strip():
        pre = [p.strip() for p in re.split(sep, disp_before) if p and p.strip(" -|–—:")]
        parts.extend(pre)
    if after.strip():
        post = [p.strip() for p in re.split(sep, disp_after) if p and p.strip(" -|–—:")]
        parts.extend(reversed(post))  # the far end first: the site's name
    return [p.strip(" -|–—:") for p in parts if p.strip(" -|–—:")]


def page_masthead(page: Page, outlet_name: str | None, aliases: tuple[str, ...] = (), slug: str | None = None,
                  *, read_title: bool = True) -> Masthead:
    """Who the outlet is, from the module (name, aliases, slug) and from what the page states:
    og:site_name, application-name, the publisher (JSON-LD, microdata), the twitter:site handle,
    and, for pages of outlets without a module, the name its ``<title>`` or og:title adds around
    the headline."""
    meta = page.meta
    names = [outlet_name, *aliases, meta.first_meta("og:site_name", "application-name")]
    pub = meta.resolve(meta.article_ld.get("publisher"))
    names.append(ld_text(pub) if pub else None)
    if read_title:  # an outlet module knows its names; for any other page, its publisher and title say it too
        names.extend(n for n, _ in meta.microdata_people("publisher"))
        h1 = first(page.sel.root, "//h1")
        headline = text_of(h1) if h1 is not None else None
        for raw in (first(page.sel.root, "//title/text()"), meta.first_meta("og:title"),
                    meta.first_meta("twitter:title")):
            affixes = title_affixes(raw, headline)
            if affixes:
                names.append(affixes[0])
    handle = meta.first_meta("twitter:site")  # last: a handle is a name, but not a display name
    if handle:
        names.append(handle.lstrip("@"))
    hosts = [urlsplit(page.url).hostname or ""]
    if slug:
        names.append(slug)
    return Masthead(names=tuple(dict.fromkeys(n.strip() for n in names if n and n.strip())), hosts=tuple(hosts))


def _choose_title(page: Page, masthead: Masthead) -> tuple[str | None, str | None]:
    """(title, step): the visible h1 when it agrees with the page's metadata ("markup"), else the
    metadata's headline (JSON-LD, og:title, twitter:title, <title>) without the site's name."""
    sites = list(masthead.names)
    ld = page.meta.article_ld
    candidates = [(ld_text(ld.get("headline")), "json_ld"), (ld_text(ld.get("name")), "json_ld"),
                  (page.meta.first_meta("og:title"), "meta"), (page.meta.first_meta("twitter:title"), "meta"),
                  (first(page.sel.root, "//title/text()"), "meta")]
    meta_titles = [(_strip_site_suffix(squash(t), sites), step) for t, step in candidates if t and squash(t)]
    h1s = [text_of(h) for h in query(page.sel.root, "//h1")]
    h1s = [h for h in h1s if len(h) >= 8]
    # The visible headline wins when it agrees with the metadata: outlets give SEO variants to
    # og:title and JSON-LD (BBC), but the h1 is what readers see.
    for h in h1s:
        hw = _fold_words(h)
        for t, _ in meta_titles:
            tw = _fold_words(t)
            if hw and tw and len(hw & tw) / max(len(hw), 1) >= 0.5:
                return h, "markup"
    if meta_titles:
        return meta_titles[0]
    return (h1s[0], "markup") if h1s else (None, None)


def _headline_element(page: Page, title: str | None):
    """The element that shows the headline (an h1 whose text is the title, else the first h1)."""
    h1s = elements(query(page.sel.root, "//h1"))
    if title:
        from crawler.arabic import fold

        key = fold(title)
        for h in h1s:
            if fold(text_of(h)) == key:
                return h
        for h in h1s:
            if key and key in fold(text_of(h)):
                return h
    return next((h for h in h1s if len(text_of(h)) >= 8), None)


def _split_keywords(values) -> list[str]:
    out: list[str] = []
    for v in ld_list(values):
        if isinstance(v, str):
            out.extend(p.strip() for p in re.split(r"[,،;]", v) if p.strip())
    return out


def select(sel, expr: str):
    """An outlet selector on a parsel Selector (for outlet hooks): XPath when it starts with "/",
    "(" or "./", CSS otherwise. The chain itself runs compiled queries on the tree (query.py)."""
    return sel.xpath(expr) if is_xpath(expr) else sel.css(expr)


def _texts(results) -> list[str]:
    """Visible text of each selected element, or the selected attribute / text values."""
    out = []
    for x in results:
        value = text_of(x) if isinstance(x, etree._Element) else squash(str(x))
        if value:
            out.append(value)
    return out


class _Credits:
    """Author values of the chain's sources, judged as they come: the first source that names a
    person gives ``authors``; datelines and sources found on the way are kept for their fields."""

    def __init__(self, loader: ArticleLoader, masthead: Masthead):
        self.loader, self.masthead = loader, masthead
        self.dateline: tuple[str, str] | None = None  # (value, step)
        self.source: tuple[str, str] | None = None

    def add(self, values, step: str, *, organization: bool = False) -> bool:
        """Judge ``values`` (strings, or (name, is_organization) pairs, or a function giving them,
        called only while no earlier source named a person) from one source; True when the source
        named a person."""
        if callable(values):
            if self.loader.has("authors"):
                return False
            values = values()
        credit = Credit()
        for v in values or ():
            name, org = v if isinstance(v, tuple) else (v, organization)
            if name:
                credit.merge(read_credit(name, self.masthead, organization=org))
        if credit.dateline and self.dateline is None:
            self.dateline = (credit.dateline, step)
        if credit.source and self.source is None:
            self.source = (credit.source, step)
        if credit.authors and not self.loader.has("authors"):
            self.loader.step = step
            self.loader.add_value("authors", credit.authors)
        return bool(credit.authors)

    def fill(self) -> None:
        for field, found in (("dateline", self.dateline), ("source", self.source)):
            if found and not self.loader.has(field):
                self.loader.step = found[1]
                self.loader.add_value(field, found[0])


# Selectors field -> the item field it fills (for the layout check)
_SELECTOR_FIELDS = {"title": "title", "subtitle": "subtitle", "body": "body", "authors": "authors",
                    "published": "published_at", "modified": "modified_at", "section": "section", "tags": "tags",
                    "related": "related", "source": "source", "images": "images"}


def _add_selector_fields(loader: ArticleLoader, page: Page, s: Selectors, credits: _Credits) -> set[str]:
    """The outlet's own selectors. Returns the item fields whose declared selector matched."""
    root = page.sel.root
    matched: set[str] = set()
    loader.step = "outlet"

    def add(field: str, values) -> None:
        if values:
            matched.add(field)
        loader.add_value(field, values)

    if s.title:
        add("title", _texts(query(root, s.title)))
    if s.subtitle:
        add("subtitle", _texts(query(root, s.subtitle)))
    if s.body:
        containers = elements(query(root, s.body))
        drop: set = set()
        for d in s.body_drop:
            for c in containers:
                drop.update(elements(query(c, d)))
        # Embedded posts and "اقرأ أيضاً" lines are structure, not body text.
        # When the selector picks the paragraphs themselves, embeds and read-also lines sit beside
        # them: look for those in the paragraphs' parents.
        if containers and all(local_tag(c) == "p" for c in containers):
            detect = list(dict.fromkeys(c.getparent() for c in containers if c.getparent() is not None))
        else:
            detect = containers
        found_embeds, embed_elements = structure.embeds(detect, page.url)
        read_also, read_also_elements = structure.read_also(detect, page.url)
        drop.update(embed_elements)
        drop.update(read_also_elements)
        loader.add_if_missing("embeds", found_embeds)
        page.inbody_related = read_also
        body = paragraphs(containers, drop=frozenset(drop))
        if body:
            matched.add("body")
        loader.add_if_missing("body", body)
    if s.authors:
        texts = _texts(query(root, s.authors))
        if texts:
            matched.add("authors")
        credits.add(texts, "outlet")
        loader.step = "outlet"
    if s.published:
        loader.add_value("published_raw", _texts(query(root, s.published))[:1])
    if s.modified:
        loader.add_value("modified_raw", _texts(query(root, s.modified))[:1])
    if s.section:
        add("section", _texts(query(root, s.section)))
    if s.source:
        add("source", _texts(query(root, s.source)))
    if s.tags:
        tags = _texts(query(root, s.tags))
        if tags:
            matched.add("tags")
        loader.add_if_missing("tags", tags)
    related = []
    if s.related:
        for a in elements(query(root, s.related)):
            url = page.absolute(a.get("href"))
            title = structure.link_title(a)
            if url and title:
                related.append({"title": title, "url": url, "text": None})
        if related:
            matched.add("related")
    loader.add_if_missing("related", related + page.inbody_related)
    if s.images:
        images = []
        for img in elements(query(root, s.images)):
            url = page.absolute(img.get("data-src") or img.get("src"))
            if url and not url.startswith("data:"):
                caption = squash(img.get("alt") or "") or None
                images.append({"url": url, "caption": caption})
        if images:
            matched.add("images")
        loader.add_if_missing("images", images)
    return matched


_SITE_PREFIX = re.compile(r"^(?:www\d?|m|amp|mobile)\.")  # one site's host names for readers and devices


def _own_url(url: str, page_url: str, domains: tuple[str, ...] = ()) -> bool:
    """Whether ``url`` is on the page's own site: the same host, one a subdomain of the other
    (www., m.), or one of the outlet's domains."""
    host = _SITE_PREFIX.sub("", (urlsplit(url).hostname or "").lower())
    own = _SITE_PREFIX.sub("", (urlsplit(page_url).hostname or "").lower())
    if not host or urlsplit(url).scheme not in ("http", "https"):
        return False
    if host == own or host.endswith("." + own) or own.endswith("." + host):
        return True
    return any(host == d or host.endswith("." + d) for d in domains)


def _add_structured_fields(loader: ArticleLoader, page: Page, masthead: Masthead, credits: _Credits) -> None:
    meta, ld = page.meta, page.meta.article_ld
    if not loader.has("title"):
        title, step = _choose_title(page, masthead)
        loader.step = step
        loader.add_value("title", title)
    # authors: JSON-LD, RDFa, microdata, meta tags; each source judged (bylines.read_credit)
    people = []
    for person in ld_list(meta.resolve(ld.get("author"))):
        if isinstance(person, dict):
            types = str(person.get("@type") or "")
            people.append((ld_text(person.get("name")), "Organization" in types))
        else:
            people.append((ld_text(person), False))
    credits.add(people, "json_ld")
    credits.add(lambda: meta.rdfa.get("creator", []) + meta.rdfa.get("author", []), "rdfa")
    credits.add(lambda: meta.microdata_people("author"), "microdata")
    credits.add(lambda: [meta.first_meta("author", "article:author", "dc.creator", "dcterms.creator")], "meta")
    # section: article:section, else JSON-LD articleSection (the last of a list: the leaf)
    loader.step = "meta"
    loader.add_value("section", meta.first_meta("article:section"))
    section = ld.get("articleSection")
    loader.step = "json_ld"
    loader.add_value("section", section[-1] if isinstance(section, list) and section
                     and isinstance(section[-1], str) else ld_text(section))
    loader.step = "microdata"
    sections = meta.microdata("articleSection") if not loader.has("section") else []
    if len(sections) == 1 and len(sections[0].split()) <= 5:
        loader.add_value("section", sections[0])
    loader.step = "meta"
    loader.add_if_missing("tags", _split_keywords(meta.all_meta("article:tag")))
    loader.step = "json_ld"
    loader.add_if_missing("tags", _split_keywords(ld.get("keywords")))
    loader.step = "meta"
    loader.add_if_missing("tags", _split_keywords(meta.first_meta("news_keywords", "keywords")))
    ld_image = meta.resolve(ld.get("image"))
    lead = meta.first_meta("og:image", "og:image:url", "og:image:secure_url") or ld_url(ld_image) \
        or meta.first_meta("twitter:image", "twitter:image:src")
    if lead:
        lead_url = page.absolute(lead)
        ld_caption = ld_text(ld_image.get("caption")) if isinstance(ld_image, dict) else None
        caption = squash(meta.first_meta("og:image:alt") or "") or ld_caption
        images = [{"url": lead_url, "caption": caption or None}]
        if loader.has("images"):
            existing = loader.get_collected_values("images")
            if not any(i.get("url") == lead_url for i in existing):
                loader.replace_value("images", images + list(existing))
        else:
            loader.add_value("images", images)
    canonical = meta.canonical or ld_url(ld.get("mainEntityOfPage")) or ld_url(ld.get("url"))
    canonical = page.absolute(canonical) if canonical else None
    if canonical and not _own_url(canonical, page.url, page.domains):
        page.notes["news/canonical_rejected"] += 1  # another host's story must not replace that story's row
        canonical = None
    loader.step = None
    loader.add_value("canonical_url", canonical or page.url)
    loader.add_value("language", meta.html_lang)
    body = ld_text(ld.get("articleBody"))
    if body and len(body) >= 300 and not loader.has("body"):
        from w3lib.html import remove_tags

        loader.step = "json_ld"
        loader.add_value("body", [p for p in re.split(r"\n\s*\n|\r?\n", remove_tags(body)) if p.strip()])


# ----- dates ----------------------------------------------------------------------------------

_PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
                   "publish-date", "date", "dc.date.issued", "dc.date", "dcterms.created", "dcterms.issued",
                   "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "lastmod",
                  "last-modified")
_PUBLISHED_RDFA = ("datepublished", "datecreated", "date", "created", "issued")
_MODIFIED_RDFA = ("datemodified", "modified")


class _MachineDates:
    """Machine-readable date candidates of a page in tiers, in the chain's order of trust: JSON-LD,
    RDFa, microdata, meta tags. Each tier is read only when the rule asks for it: most pages give
    their date in the first."""

    _KEYS = {"published": (("datePublished", "dateCreated"), _PUBLISHED_RDFA, ("datePublished", "dateCreated"),
                           _PUBLISHED_META),
             "modified": (("dateModified",), _MODIFIED_RDFA, ("dateModified",), _MODIFIED_META)}

    def __init__(self, page: Page):
        self.page = page

    def tiers(self, kind: str):
        yield self.json_ld(kind)
        meta = self.page.meta
        _, rdfa_keys, md_keys, _ = self._KEYS[kind]
        yield [(v, "rdfa") for k in rdfa_keys for v in meta.rdfa.get(k, [])[:1]]
        yield [(v, "microdata") for k in md_keys for v in meta.microdata(k)[:1]]
        yield self.meta_tags(kind)

    def json_ld(self, kind: str) -> list[tuple[str, str]]:
        ld = self.page.meta.article_ld
        return [(ld_text(ld.get(k)), "json_ld") for k in self._KEYS[kind][0]]

    def meta_tags(self, kind: str) -> list[tuple[str, str]]:
        named = self.page.meta.named_meta
        return [(named[k], "meta") for k in self._KEYS[kind][3] if named.get(k)]


_HAS_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_EARLIEST = "1990-01-01"


@lru_cache(maxsize=4096)
def parse_any_date(raw: str | None, tz: str | None) -> str | None:
    """A machine-readable or printed (Arabic) date -> ISO 8601; a printed wall-clock time without
    a zone gets the outlet's declared zone ``tz``."""
    from crawler.arabic import parse_date

    if not raw:
        return None
    iso = parse_machine_date(raw, tz)
    if iso is None:
        try:
            iso = parse_date(raw)
        except Exception:  # a date we cannot read is unknown, not a crash
            iso = None
        if iso and "T" in iso and not _HAS_OFFSET.search(iso):
            iso = parse_machine_date(iso, tz)
    if iso and (len(iso) < 10 or iso.startswith("--")):
        return None  # a month, a year or a day without a year is no publication date
    return iso


def _plausible(iso: str, latest: datetime | None) -> bool:
    if iso[:10] < _EARLIEST:
        return False
    when = to_datetime(iso)
    return not (latest and when and when > latest)


def choose_date(candidates: list[tuple[str, str]], tz: str | None,
                latest: datetime | None = None) -> tuple[str | None, str | None, str | None]:
    """THE date rule. ``candidates``: (raw, step) in the chain's order of trust (outlet selectors,
    JSON-LD, RDFa, microdata, meta tags, ``<time>`` near the headline, printed stamps, the URL).

    1. The first candidate that parses to a plausible date wins (not before 1990, not after
       ``latest``: the fetch time plus a day's slack).
    2. A winner that states only the day is refined by a later candidate with a time on that same
       day ("2020-06-03" from the URL, "03 يونيو 2020 - 14:05" printed: the time is kept).
    Returns (raw, iso, step); (first raw, None, None) when nothing parses."""
    parsed = []
    for raw, step in candidates:
        iso = parse_any_date(raw, tz)
        if iso and _plausible(iso, latest):
            parsed.append((raw, iso, step))
    if not parsed:
        return (candidates[0][0] if candidates else None), None, None
    raw, iso, step = parsed[0]
    if "T" not in iso:
        for raw2, iso2, step2 in parsed[1:]:
            if "T" in iso2 and iso2[:10] == iso:
                return raw2, iso2, step2
    return raw, iso, step


def _disagree(a: str | None, b: str | None) -> bool:
    """Two dates of one article disagree: different days when either is date-only, else more
    than 12 hours apart (a wall-clock time labelled UTC is a few hours off, not a day)."""
    if not a or not b:
        return False
    if "T" not in a or "T" not in b:
        return a[:10] != b[:10]
    da, db = to_datetime(a), to_datetime(b)
    return bool(da and db and abs((da - db).total_seconds()) > 12 * 3600)


def _titles_disagree(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    wa, wb = _fold_words(a), _fold_words(b)
    return bool(wa and wb) and len(wa & wb) / max(min(len(wa), len(wb)), 1) < 0.5


# ----- generic body ---------------------------------------------------------------------------

def _article_roots(page: Page) -> list:
    """Where a page without outlet selectors keeps its article: <article>, else <main>, else all."""
    for xpath in ("//article", "//main", "/*"):
        found = elements(query(page.sel.root, xpath))
        if found:
            return found
    return []


def _add_generic_body(loader: ArticleLoader, page: Page) -> None:
    """trafilatura finds the body; the markup still tells us embeds and related links, which are
    then kept out of the body text."""
    roots = _article_roots(page)
    found_embeds, _ = structure.embeds(roots, page.url)
    read_also, _ = structure.read_also(roots, page.url)
    loader.step = "markup"
    loader.add_if_missing("embeds", found_embeds)
    if not loader.has("related"):
        blocks = structure.related_blocks(page.sel.root, page.url)
        loader.add_if_missing("related", read_also + blocks)
    embed_texts = {structure.fold_marker(e["text"]) for e in found_embeds if e.get("text")}
    body = []
    found = fallback.body_paragraphs(page.sel, page.url)
    for para in found:
        folded = structure.fold_marker(para)
        if structure.RELATED_MARKER.match(folded + " ") or any(t and t in folded for t in embed_texts):
            continue
        body.append(para)
    body = _trim_lead(body, loader.get_output_value("title"))
    lead = structure.lead_before_body(page.sel.root, body)
    if lead:
        body = [*lead, *body]
    loader.step = "trafilatura"
    loader.add_value("body", body)


_SENTENCE_END = re.compile(r"[.!?؟:؛…\"»”]\s*$")
_BYLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:author|authors|byline|writer|writeby|reporter|kateb)(?:$|[\s_-])", re.I)
_BYLINE_XPATH = "//a[@rel='author'] | //*[@class]"  # (XPath contains() per class word was 3x slower)


def _trim_lead(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop what generic extractors keep above the first sentence: the headline again and short
    label lines (bylines, roles, dates, "Article information"). A lead paragraph is a sentence."""
    title_key = structure.fold_marker(title or "")
    start = 0
    for para in paragraphs[:6]:
        short_label = len(para.split()) < 7 and not _SENTENCE_END.search(para)
        if (title_key and structure.fold_marker(para) == title_key) or short_label:
            start += 1
            continue
        break
    return paragraphs[start:] if start < len(paragraphs) else paragraphs


def _byline_elements(page: Page) -> list:
    """Elements marked up as a byline (class, itemprop or rel naming an author), document order;
    microdata author items are read by ``PageMeta.microdata_people``."""
    out = []
    for el in elements(query(page.sel.root, _BYLINE_XPATH)):
        attrs = " ".join(filter(None, (el.get("class"), el.get("rel"))))
        if el.get("rel") != "author" and not _BYLINE_CLASS.search(attrs):
            continue
        if el.get("itemprop") == "author" or el.get("itemscope") is not None:
            continue
        out.append(el)
    return out


_LISTING_LINK = re.compile(r"/(?:category|categories|section|sections|tag|tags|topics?|cat)(?:/|$)", re.IGNORECASE)


def _generic_byline(page: Page, section: str | None = None) -> tuple[list[str], object]:
    """(texts, element) of the first byline element with short text, outside page chrome. An
    element named "author" that holds the page's section (its text is the section, or its links
    lead to a category or tag listing) is not a byline."""
    from crawler.arabic import fold

    for el in _byline_elements(page):
        text = el.get("content") or text_of(el)
        if not text or len(text) > 80:
            continue
        if chrome_ancestor(el) is not None:
            continue
        links = [a.get("href") or "" for a in el.iter("a")]
        if (section and fold(text) == fold(section)) or (links and all(_LISTING_LINK.search(h) for h in links)):
            continue
        return [text], el
    return [], None


class _PageDates:
    """``choose_date`` applied to one page: the outlet's own candidates, then the machine tiers
    (JSON-LD, RDFa, microdata, meta), the outlet's printed fallback, the ``<time>`` and printed
    stamps near the headline or byline, the URL. A tier is read only while the candidates before it
    give no date with a time (later ones could neither win nor refine it): the stamp walk, the
    costly part, runs on few pages."""

    def __init__(self, page: Page, title: str | None, byline_el, tz: str | None, latest: datetime):
        self.page, self.title, self.byline_el, self.tz, self.latest = page, title, byline_el, tz, latest
        self.machine = _MachineDates(page)

    @cached_property
    def _stamps(self) -> list[tuple[str, str, str]]:
        byline = self.byline_el if self.byline_el is not None else _generic_byline(self.page)[1]
        return page_stamps([_headline_element(self.page, self.title), byline])

    def cheap_generic(self, kind: str) -> str | None:
        """What the generic chain reads from the page's JSON-LD and meta tags (already parsed): the
        outlet's date is checked against these, not against the costlier tiers."""
        return choose_date(self.machine.json_ld(kind) + self.machine.meta_tags(kind), self.tz, self.latest)[1]

    def _later(self, kind: str) -> list[tuple[str, str]]:
        out = [(value, step) for step, k, value in self._stamps if k == kind]
        day = date_from_url(self.page.url) if kind == "published" else None
        return out + ([(day, "url")] if day else [])

    def choose(self, kind: str, own: list, fallback_own: list | tuple = (), *,
               machine: bool = True) -> tuple[str | None, str | None, str | None]:
        """(raw, iso, step) for ``kind`` ("published" / "modified"); ``machine=False``: the outlet's
        own candidates alone."""
        candidates = list(own)
        if not machine:
            return choose_date(candidates, self.tz, self.latest)
        for tier in itertools.chain(self.machine.tiers(kind), [list(fallback_own)]):
            candidates.extend((raw, step) for raw, step in tier if raw)
            found = choose_date(candidates, self.tz, self.latest)
            if found[1] and "T" in found[1]:
                return found
        return choose_date(candidates + self._later(kind), self.tz, self.latest)


# ----- the chain ------------------------------------------------------------------------------

def extract_article(
    selector: Selector,
    url: str,
    *,
    selectors: Selectors | None = None,
    outlet: str | None = None,
    outlet_name: str | None = None,
    timezone: str | None = None,
    language: str | None = None,
    aliases: tuple[str, ...] = (),
    hook: Callable[[Page, ArticleLoader], None] | None = None,
    meta: PageMeta | None = None,
    domains: tuple[str, ...] = (),
) -> Article:
    """Run the whole chain on one parsed page and return an Article (not yet cleaned). ``meta``:
    the page's PageMeta when the caller has one (its JSON-LD and meta tags are then read once);
    ``domains``: the outlet's, where its canonical URLs may point. What the chain refused
    (a canonical URL on another host, a JSON-LD block too deep to read) is counted in
    ``item._notes``."""
    page = Page(selector, url, timezone, meta, domains)
    fetched = datetime.now(UTC)
    loader = ArticleLoader(item=Article(), selector=selector)
    masthead = page_masthead(page, outlet_name, aliases, outlet, read_title=not selectors)
    credits = _Credits(loader, masthead)
    matched: set[str] = set()
    if selectors:
        matched = _add_selector_fields(loader, page, selectors, credits)
    if hook:
        loader.step = "outlet"
        hook(page, loader)
    outlet_title = loader.get_output_value("title") if loader.provenance.get("title") == "outlet" else None
    _add_structured_fields(loader, page, masthead, credits)
    title = loader.get_output_value("title")
    byline_el = None
    # a byline element of the page: for pages without a module, and for a module whose authors
    # selector found nothing (its fallback); a module without one reads authors from metadata
    if not loader.has("authors") and (not selectors or (selectors.authors and "authors" not in matched)):
        byline_texts, byline_el = _generic_byline(page, loader.get_output_value("section"))
        credits.add(byline_texts, "byline")
    if not loader.has("body"):
        _add_generic_body(loader, page)
    credits.fill()
    loader.step = None
    loader.add_value("url", url)
    loader.add_value("outlet", outlet)
    # a page of an outlet without a module is named by what it states (og:site_name, its title)
    loader.add_value("outlet_name", outlet_name or (masthead.site_name if not selectors else None))
    loader.add_value("language", language)
    loader.add_value("fetched_at", fetched.isoformat(timespec="seconds"))
    loader.add_value("schema_version", SCHEMA_VERSION)
    provenance = dict(loader.provenance)
    outlet_raw = {k: list(v) for k, v in loader.date_candidates.items()}
    item = loader.load_item()

    dates = _PageDates(page, title, byline_el, timezone, fetched + timedelta(days=1))
    fallback_raw = _texts(query(selector.root, selectors.published_fallback))[:1] if (
        selectors and selectors.published_fallback) else []
    layout: dict[str, list[str]] = {"missed": [], "disagree": []}
    for kind in ("published", "modified"):
        field = f"{kind}_at"
        own = outlet_raw.get(f"{kind}_raw", [])
        own_iso = item.get(field)
        if own_iso:  # an outlet hook read this date itself: keep it, and the raw text
            item[f"{kind}_raw"] = own[0][0] if own else None
            provenance.setdefault(field, "outlet")
        else:
            fallback_own = [(r, "outlet") for r in fallback_raw] if kind == "published" else []
            raw, iso, step = dates.choose(kind, own, fallback_own)
            if step == "url":
                raw = None  # the raw text is what the page printed; the URL is no printed date
            item[f"{kind}_raw"], item[field] = raw, iso
            if step:
                provenance[field] = step
            own_iso = dates.choose(kind, own, machine=False)[1] if own else None
        declared = selectors and (selectors.published if kind == "published" else selectors.modified)
        # an outlet that declares only a printed fallback expects the machine dates first: its
        # selector missed only when it matched nothing
        fallback_missed = bool(selectors and kind == "published" and not selectors.published
                               and selectors.published_fallback and not fallback_raw)
        if (declared and own_iso is None) or fallback_missed:
            layout["missed"].append(field)
        if declared and own_iso and kind == "published" and _disagree(own_iso, dates.cheap_generic(kind)):
            layout["disagree"].append(field)
    if selectors:
        for sel_name, field in _SELECTOR_FIELDS.items():
            if field in ("published_at", "modified_at") or not getattr(selectors, sel_name):
                continue
            if field not in matched:
                layout["missed"].append(field)
        if outlet_title:
            generic_title, _ = _choose_title(page, masthead)
            if _titles_disagree(outlet_title, generic_title):
                layout["disagree"].append("title")
    for field in FIELD_KINDS:  # every field present: empty means unknown
        item.setdefault(field, empty_value(field))
    item["provenance"] = {f: step for f, step in provenance.items() if f in PROVENANCE_FIELDS and item.get(f)}
    if selectors:
        item._layout = layout
    if page.meta.json_ld_skipped:
        page.notes["extract/json_ld_skipped"] += page.meta.json_ld_skipped
    item._notes = page.notes
    return item


# Fields whose provenance is recorded (the others are the request's, or computed later).
PROVENANCE_FIELDS = ("title", "subtitle", "body", "authors", "dateline", "source", "published_at", "modified_at",
                     "section", "tags", "images", "related", "embeds")
