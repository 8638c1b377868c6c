"""The extraction chain: outlet selectors -> JSON-LD -> meta tags / microdata -> generic fallback.

``extract_article`` is pure (a parsed page and its URL in, an ``Article`` out), so spiders, the
``scrapy extract`` command and tests all run the same code on the same single parse of the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from crawler.extract import fallback, structure
from crawler.extract.dates import date_from_url, parse_machine_date
from crawler.extract.query import elements, first, is_xpath, query
from crawler.extract.structured import PageMeta, ld_list, ld_text, ld_url
from crawler.extract.text import local_tag, paragraphs, squash, text_of
from crawler.items import FIELD_KINDS, SCHEMA_VERSION, Article
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


@dataclass
class Page:
    """One parsed page, shared by every step of the chain."""

    sel: Selector
    url: str
    timezone: str | None = None
    meta: PageMeta | None = None  # the page's metadata views when a caller has read them already

    def __post_init__(self):
        if self.meta is None or self.meta.sel is not self.sel:
            self.meta = PageMeta(self.sel)
        self.inbody_related: list[dict] = []

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if href.startswith(("javascript:", "mailto:", "#")):
            return None
        return urljoin(self.url, href)


# "كتب", "كتبت", "بقلم", "بواسطة", "إعداد", "تقرير", "تحرير" (written by ...): a verb or label, not a name.
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:كتبت|كتبه|كتب|بقلم|بواسطة|إعداد|اعداد|تقرير|تحرير|حوار|ترجمة|by|written by|author)(?=[\s:：\-–—/|]|$)\s*[:：\-–—/|]*\s*)+",
    re.IGNORECASE,
)
# Given names that begin with و: a leading و there is part of the name, not "and".
_WAW_NAMES = frozenset(("وليد", "وائل", "وفاء", "وسام", "وداد", "وجدي", "وحيد", "وهبة", "وردة", "وعد", "وديع", "وصفي",
              "ولاء", "وفيق", "وهيب", "ورد", "وجيه", "وضاح", "ولید", "وفاء", "وداعة", "وصال", "وئام"))
_SPLIT_AUTHORS = re.compile(r"\s*(?:،|,|;|\s&\s|\sand\s|\s[-–—|]\s)\s*")


def clean_author_names(raw: str | None) -> list[str]:
    """One byline string -> author names: strips "كتب"-style prefixes and splits joint bylines.

    "أ ب وج د" (two people joined by the attached conjunction و) is split only when both sides
    have at least two words, so a single name such as "سارة وليد" stays whole.
    """
    if not raw:
        return []
    text = _BYLINE_PREFIX.sub("", squash(raw)).strip(" :-–—|")
    if not text or text.startswith(("http://", "https://", "www.")):
        return []
    names: list[str] = []
    for part in _SPLIT_AUTHORS.split(text):
        part = part.strip()
        if not part:
            continue
        words = part.split()
        cut = None
        for i in range(2, len(words) - 1):
            w = words[i]
            if w.startswith("و") and len(w) > 2 and w not in _WAW_NAMES:
                cut = i
                break
        if cut is not None:
            names.append(" ".join(words[:cut]))
            names.append(" ".join([words[cut][1:], *words[cut + 1:]]))
        else:
            names.append(part)
    return [n for n in names if n]


def _fold_words(text: str) -> set[str]:
    from crawler.arabic import fold

    return set(re.findall(r"\w+", fold(text)))


def _strip_site_suffix(title: str, site_names: list[str]) -> str:
    """'Headline - BBC News عربي' -> 'Headline' when the tail is the site's name."""
    for sep in (" - ", " | ", " – ", " — ", " :: "):
        if sep in title:
            head, tail = title.rsplit(sep, 1)
            tail_l = tail.strip().casefold()
            short_name = len(tail.split()) <= 3 and len(head.split()) >= 3 and not any(c.isdigit() for c in tail)
            if any(n and (n.casefold() in tail_l or tail_l in n.casefold()) for n in site_names) or short_name:
                return head.strip()
    return title.strip()


def _site_names(page: Page, outlet_name: str | None, aliases: tuple[str, ...] = ()) -> list[str]:
    names = [outlet_name, *aliases, page.meta.first_meta("og:site_name", "application-name")]
    pub = page.meta.resolve(page.meta.article_ld.get("publisher"))
    names.append(ld_text(pub) if pub else None)
    return [n for n in names if n]


def _masthead_names(page: Page, outlet_name: str | None, aliases: tuple[str, ...]) -> set[str]:
    return {n.casefold() for n in _site_names(page, outlet_name, aliases)}


def _choose_title(page: Page, outlet_name: str | None) -> str | None:
    sites = _site_names(page, outlet_name)
    ld = page.meta.article_ld
    meta_titles = [ld_text(ld.get("headline")), ld_text(ld.get("name")),
                   page.meta.first_meta("og:title"), page.meta.first_meta("twitter:title"),
                   first(page.sel.root, "//title/text()")]
    meta_titles = [_strip_site_suffix(squash(t), sites) for t in meta_titles if t and squash(t)]
    h1s = [text_of(h) for h in query(page.sel.root, "//h1")]
    h1s = [h for h in h1s if len(h) >= 8]
    # The visible headline wins when it agrees with the metadata: outlets give SEO variants to
    # og:title and JSON-LD (BBC), but the h1 is what readers see.
    for h in h1s:
        hw = _fold_words(h)
        for t in meta_titles:
            tw = _fold_words(t)
            if hw and tw and len(hw & tw) / max(len(hw), 1) >= 0.5:
                return h
    if meta_titles:
        return meta_titles[0]
    return h1s[0] if h1s else None


def _is_masthead(name: str, exclude: set[str]) -> bool:
    """A masthead name is not an author ("LBCI" on LBCI, whose og:site_name is "LBCIV7")."""
    n = name.casefold()
    return any(n == x or (len(n) >= 3 and x.startswith(n)) for x in exclude)


def _ld_people(value, exclude: set[str]) -> list[str]:
    names: list[str] = []
    for person in ld_list(value):
        if isinstance(person, dict):
            types = person.get("@type")
            if types and ("Organization" in str(types) or "NewsMediaOrganization" in str(types)):
                continue
            name = ld_text(person.get("name"))
        else:
            name = ld_text(person)
        names.extend(n for n in clean_author_names(name) if not _is_masthead(n, exclude))
    return names


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


def _add_selector_fields(loader: ArticleLoader, page: Page, s: Selectors, exclude: set[str]) -> None:
    root = page.sel.root
    if s.title:
        loader.add_value("title", _texts(query(root, s.title)))
    if s.subtitle:
        loader.add_value("subtitle", _texts(query(root, s.subtitle)))
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
        loader.add_if_missing("body", paragraphs(containers, drop=frozenset(drop)))
    if s.authors:
        names: list[str] = []
        for text in _texts(query(root, s.authors)):
            names.extend(n for n in clean_author_names(text) if not _is_masthead(n, exclude))
        loader.add_if_missing("authors", names)
    if s.published:
        loader.add_value("published_raw", _texts(query(root, s.published))[:1])
    if s.modified:
        loader.add_value("modified_raw", _texts(query(root, s.modified))[:1])
    if s.section:
        loader.add_value("section", _texts(query(root, s.section)))
    if s.source:
        loader.add_value("source", _texts(query(root, s.source)))
    if s.tags:
        loader.add_if_missing("tags", _texts(query(root, s.tags)))
    related = []
    if s.related:
        for a in elements(query(root, s.related)):
            url = page.absolute(a.get("href"))
            title = text_of(a) or squash(a.get("title") or "")
            if url and title:
                related.append({"title": title, "url": url, "text": None})
    loader.add_if_missing("related", related + page.inbody_related)
    if s.images:
        images = []
        for img in elements(query(root, s.images)):
            url = page.absolute(img.get("data-src") or img.get("src"))
            if url and not url.startswith("data:"):
                caption = squash(img.get("alt") or "") or None
                images.append({"url": url, "caption": caption})
        loader.add_if_missing("images", images)


def _add_structured_fields(loader: ArticleLoader, page: Page, outlet_name: str | None,
                           aliases: tuple[str, ...] = ()) -> None:
    meta, ld = page.meta, page.meta.article_ld
    if not loader.has("title"):
        loader.add_value("title", _choose_title(page, outlet_name))
    loader.add_value("published_raw", [ld_text(ld.get("datePublished")),
                                       meta.first_meta("article:published_time", "og:published_time",
                                                       "datepublished", "pubdate", "publishdate",
                                                       "date", "dc.date.issued", "dcterms.created"),
                                       *meta.microdata("datePublished")[:1],
                                       first(page.sel.root, "//time/@datetime")])
    loader.add_value("modified_raw", [ld_text(ld.get("dateModified")),
                                      meta.first_meta("article:modified_time", "og:updated_time",
                                                      "datemodified", "dcterms.modified"),
                                      *meta.microdata("dateModified")[:1]])
    exclude = _masthead_names(page, outlet_name, aliases)
    loader.add_if_missing("authors", _ld_people(meta.resolve(ld.get("author")), exclude))
    meta_author = meta.first_meta("author", "article:author", "dc.creator")
    loader.add_if_missing("authors", _ld_people(meta_author, exclude))
    section = ld.get("articleSection")
    loader.add_value("section", [meta.first_meta("article:section"), ld_text(section)])
    loader.add_if_missing("tags", meta.all_meta("article:tag"))
    loader.add_if_missing("tags", _split_keywords(ld.get("keywords")))
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
    desc = meta.first_meta("og:description", "description", "twitter:description")
    loader.add_value("subtitle", None if not desc else None)  # descriptions are teasers, not subtitles
    canonical = meta.canonical or ld_url(ld.get("mainEntityOfPage")) or ld_url(ld.get("url"))
    loader.add_value("canonical_url", page.absolute(canonical) if canonical else page.url)
    loader.add_value("language", meta.html_lang)
    body = ld_text(ld.get("articleBody"))
    if body and len(body) >= 300 and not loader.has("body"):
        from w3lib.html import remove_tags

        loader.add_value("body", [p for p in re.split(r"\n\s*\n|\r?\n", remove_tags(body)) if p.strip()])


def _article_roots(page: Page) -> list:
    """Where a page without outlet selectors keeps its article: <article>, else <main>, else all."""
    for xpath in ("//article", "//main", "/*"):
        found = elements(query(page.sel.root, xpath))
        if found:
            return found
    return []


def _add_generic_body(loader: ArticleLoader, page: Page, exclude: set[str]) -> None:
    """trafilatura finds the body; the markup still tells us embeds and related links, which are
    then kept out of the body text."""
    roots = _article_roots(page)
    found_embeds, _ = structure.embeds(roots, page.url)
    read_also, _ = structure.read_also(roots, page.url)
    loader.add_if_missing("embeds", found_embeds)
    if not loader.has("related"):
        blocks = structure.related_blocks(page.sel.root, page.url)
        loader.add_if_missing("related", read_also + blocks)
    if not loader.has("authors"):
        loader.add_if_missing("authors", [n for n in _generic_byline(page) if not _is_masthead(n, exclude)])
    embed_texts = {structure.fold_marker(e["text"]) for e in found_embeds if e.get("text")}
    body = []
    for para in fallback.body_paragraphs(page.sel, page.url):
        folded = structure.fold_marker(para)
        if structure.RELATED_MARKER.match(folded + " ") or any(t and t in folded for t in embed_texts):
            continue
        body.append(para)
    loader.add_value("body", _trim_lead(body, loader.get_output_value("title")))


_HAS_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


_SENTENCE_END = re.compile(r"[.!?؟:؛…\"»”]\s*$")
_BYLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:author|authors|byline|writer|writeby|reporter|kateb)(?:$|[\s_-])", re.I)


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


def _generic_byline(page: Page) -> list[str]:
    """Bylines marked up as such (class/itemprop/rel naming an author) when metadata has none."""
    names: list[str] = []
    # every classed element of the page is looked at: on the lxml tree, not as parsel Selectors
    for el in elements(query(page.sel.root, '//*[@itemprop="author"] | //a[@rel="author"] | //*[@class]')):
        attrs = " ".join(filter(None, (el.get("class"), el.get("itemprop"), el.get("rel"))))
        if not _BYLINE_CLASS.search(attrs) and el.get("itemprop") != "author" and el.get("rel") != "author":
            continue
        text = el.get("content") or text_of(el)
        if not text or len(text) > 80:
            continue
        names.extend(clean_author_names(text))
        if names:
            break
    return names


def _parse_first(candidates: list[str], tz: str | None) -> tuple[str | None, str | None]:
    """(raw, iso) of the first candidate that parses; (first raw, None) when none does."""
    from crawler.arabic import parse_date

    for raw in candidates:
        iso = parse_machine_date(raw, tz)
        if iso is None:
            try:
                iso = parse_date(raw)
            except Exception:  # a date we cannot read is unknown, not a crash
                iso = None
            if iso and "T" in iso and not _HAS_OFFSET.search(iso):
                # a printed wall-clock time without a zone: the outlet's declared zone applies
                iso = parse_machine_date(iso, tz)
        if iso:
            return raw, iso
    return (candidates[0] if candidates else None), None


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
) -> Article:
    """Run the whole chain on one parsed page and return an Article (not yet cleaned). ``meta``:
    the page's PageMeta when the caller has one (its JSON-LD and meta tags are then read once)."""
    page = Page(selector, url, timezone, meta)
    loader = ArticleLoader(item=Article(), selector=selector)
    if selectors:
        _add_selector_fields(loader, page, selectors, _masthead_names(page, outlet_name, aliases))
    if hook:
        hook(page, loader)
    _add_structured_fields(loader, page, outlet_name, aliases)
    if selectors and selectors.published_fallback:
        loader.add_value("published_raw", _texts(query(selector.root, selectors.published_fallback))[:1])
    if not loader.has("body"):
        _add_generic_body(loader, page, _masthead_names(page, outlet_name, aliases))
    loader.add_value("url", url)
    loader.add_value("outlet", outlet)
    loader.add_value("outlet_name", outlet_name)
    loader.add_value("language", language)
    loader.add_value("fetched_at", datetime.now(UTC).isoformat(timespec="seconds"))
    loader.add_value("schema_version", SCHEMA_VERSION)
    item = loader.load_item()

    for kind in ("published", "modified"):
        raws = item.get(f"{kind}_raw") or []
        if item.get(f"{kind}_at"):  # an outlet hook read this date itself: keep it, and the raw text
            item[f"{kind}_raw"] = raws[0] if raws else None
            continue
        raw, iso = _parse_first(raws, timezone)
        if iso is None and kind == "published":  # some outlets state the day only in the URL
            iso = date_from_url(url)  # (CNN Arabic /2013/middle_east/8/3/)
        item[f"{kind}_raw"], item[f"{kind}_at"] = raw, iso
    for field, kind in FIELD_KINDS.items():  # every field present: empty means unknown
        item.setdefault(field, [] if kind == "list" else None)
    return item
