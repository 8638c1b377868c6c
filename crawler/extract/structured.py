"""Structured metadata of a page: JSON-LD, OpenGraph / article:* / twitter / meta tags, microdata.

Everything here reads the one parsed tree of the page (a parsel ``Selector``) and returns plain
values; nothing decides between sources (that is the loader chain's job).
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Any

from lxml import etree
from parsel import Selector
from w3lib.html import replace_entities

from crawler.extract.query import first, query

ARTICLE_TYPES = frozenset({
    "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
    "Article", "BlogPosting", "LiveBlogPosting", "Report", "ScholarlyArticle", "TechArticle",
})
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.rsplit("/", 1)[-1]}
    if isinstance(t, list):
        return {x.rsplit("/", 1)[-1] for x in t if isinstance(x, str)}
    return set()


# A page's JSON-LD describes one article and its parts: tens of nodes. A block nested thousands of
# levels deep, or holding this many nodes, is hostile or broken and is skipped (JsonLdTooDeep).
MAX_LD_NODES = 2_000
MAX_LD_DEPTH = 64


class JsonLdTooDeep(ValueError):
    """A JSON-LD block nested too deep or with too many nodes to read."""


def _too_big(data: Any) -> str | None:
    """Why decoded JSON is too deep or too large to walk safely (None when it is fine); iterative,
    one step per value."""
    stack, values = [(data, 1)], 0
    while stack:
        node, depth = stack.pop()
        values += 1
        if depth > MAX_LD_DEPTH:
            return f"JSON-LD nested deeper than {MAX_LD_DEPTH} levels"
        if values > 50 * MAX_LD_NODES:
            return f"JSON-LD with more than {50 * MAX_LD_NODES} values"
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return None


def parse_json_ld(raw: str) -> list[dict]:
    """All JSON objects of one ``application/ld+json`` script, flattened (lists and ``@graph``).

    Tolerates what real pages do: CDATA wrappers (BBC's re-serialised pages), trailing commas,
    control characters inside strings. Raises ``JsonLdTooDeep`` for a block nested deeper than
    ``MAX_LD_DEPTH`` or too large to walk (then the page's other blocks are still read).
    """
    text = _CDATA.sub("", raw.strip()).strip()
    if not text:
        return []
    try:
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            try:
                data = json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
            except ValueError:
                return []
    except RecursionError:  # json's C scanner recurses once per level
        raise JsonLdTooDeep("JSON-LD nested too deep to decode") from None
    problem = _too_big(data)
    if problem:
        raise JsonLdTooDeep(problem)
    out: list[dict] = []
    stack = [data]
    seen = 0
    while stack:
        seen += 1
        if seen > MAX_LD_NODES:
            raise JsonLdTooDeep(f"JSON-LD with more than {MAX_LD_NODES} nodes")
        node = stack.pop(0)
        if isinstance(node, list):
            stack[0:0] = node
        elif isinstance(node, dict):
            out.append(node)
            graph = node.get("@graph")
            if isinstance(graph, list):
                stack[0:0] = graph
            elif isinstance(graph, dict):
                stack.insert(0, graph)
    return out


def ld_text(value: Any) -> str | None:
    """A JSON-LD value as display text: strings entity-decoded (LBCI writes &quot; inside JSON)."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("text")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if not isinstance(value, str):
        return None
    value = replace_entities(value).strip()
    return value or None


def ld_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def ld_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return ld_url(value.get("url") or value.get("@id") or value.get("contentUrl"))
    if isinstance(value, list):
        for v in value:
            u = ld_url(v)
            if u:
                return u
    return None


class PageMeta:
    """Lazy views of one page's structured metadata, sharing its parsed tree."""

    def __init__(self, selector: Selector):
        self.sel = selector
        self.json_ld_skipped = 0  # JSON-LD blocks too deep or too large to read (set by json_ld)

    @cached_property
    def json_ld(self) -> list[dict]:
        objs: list[dict] = []
        self.json_ld_skipped = 0
        for raw in query(self.sel.root, '//script[@type="application/ld+json"]/text()'):
            try:
                objs.extend(parse_json_ld(raw))
            except JsonLdTooDeep:
                self.json_ld_skipped += 1  # counted by the spider: extract/json_ld_skipped
        return objs

    @cached_property
    def article_ld(self) -> dict:
        """The page's article object (NewsArticle and kin), or {}."""
        for obj in self.json_ld:
            if _types(obj) & ARTICLE_TYPES:
                return obj
        return {}

    @cached_property
    def _ld_by_id(self) -> dict[str, dict]:
        return {o["@id"]: o for o in self.json_ld if isinstance(o.get("@id"), str) and len(o) > 1}

    def resolve(self, value: Any) -> Any:
        """Follow ``{"@id": ...}`` references to the node they name (Yoast writes author, image and
        publisher as references into its @graph); lists are resolved item by item."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict) and isinstance(value.get("@id"), str) and not value.get("name"):
            return self._ld_by_id.get(value["@id"], value)
        return value

    def ld_of_type(self, *names: str) -> list[dict]:
        want = set(names)
        return [o for o in self.json_ld if _types(o) & want]

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """Meta tags by lower-cased property / name / itemprop, in page order, entity-decoded."""
        out: dict[str, list[str]] = {}
        named: dict[str, str] = {}
        for m in query(self.sel.root, "//meta[@content]"):
            content = m.get("content", "").strip()
            if not content:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = m.get(attr)
                if key:
                    key = key.strip().lower()
                    if attr != "http-equiv":
                        out.setdefault(key, []).append(content)
                    if attr != "itemprop":
                        named.setdefault(key, content)
        self.named_meta = named
        return out

    @cached_property
    def named_meta(self) -> dict[str, str]:
        """The first content of each meta tag named by property, name or http-equiv (not itemprop:
        those are microdata), by lower-cased name; filled by the same pass as ``meta``."""
        _ = self.meta
        return self.__dict__["named_meta"]

    def first_meta(self, *keys: str) -> str | None:
        for key in keys:
            vals = self.meta.get(key)
            if vals:
                return vals[0]
        return None

    def all_meta(self, key: str) -> list[str]:
        return list(self.meta.get(key, []))

    @cached_property
    def canonical(self) -> str | None:
        return first(self.sel.root, '//link[@rel="canonical"]/@href')

    @cached_property
    def html_lang(self) -> str | None:
        lang = first(self.sel.root, "/html/@lang | /html/@*[local-name()='lang']")
        if not lang:
            lang = self.first_meta("og:locale", "language", "content-language")
        return lang.split("-")[0].split("_")[0].lower() if lang else None

    @cached_property
    def _itemprops(self) -> dict[str, list]:
        """Elements by itemprop name (one pass over the page for every property looked up)."""
        out: dict[str, list] = {}
        for el in self._annotated:
            for name in (el.get("itemprop") or "").split():
                out.setdefault(name, []).append(el)
        return out

    @cached_property
    def _annotated(self) -> list:
        """Every element with an itemprop or a property: microdata and RDFa read them from one scan."""
        return [el for el in query(self.sel.root, "//*[@itemprop or @property]") if isinstance(el, etree._Element)]

    def microdata(self, prop: str) -> list[str]:
        """itemprop values of the page's article (or of no item at all): content / datetime
        attributes or text. Properties of other items (comments, related stories, the publisher)
        are left out."""
        out = []
        for el in self._itemprops.get(prop, ()):
            if not _in_article_scope(el):
                continue
            val = el.get("content") or el.get("datetime")
            if val is None and el.tag != "meta":
                val = " ".join(query(el, ".//text()"))
            if val and val.strip():
                out.append(" ".join(val.split()))
        return out

    def microdata_people(self, prop: str = "author") -> list[tuple[str, bool]]:
        """(name, is_organization) of the article's ``itemprop=author`` (or ``prop``) values: an
        item's own ``itemprop=name`` when it is an item (``itemscope``), else the element's text."""
        out = []
        for el in self._itemprops.get(prop, ()):
            if not _in_article_scope(el):
                continue
            if el.get("itemscope") is not None:
                names = [n for n in el.iter() if n.get("itemprop") == "name" and _scope_of(n) is el]
                value = (names[0].get("content") or " ".join(names[0].itertext())) if names else None
                kind = (el.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1]
                is_org = "Organization" in kind or kind in ("Corporation", "NewsMediaOrganization")
            else:
                value, is_org = el.get("content") or " ".join(el.itertext()), False
            if value and value.strip():
                out.append((" ".join(value.split()), is_org))
        return out

    @cached_property
    def rdfa(self) -> dict[str, list[str]]:
        """RDFa values by lower-cased local property name, for the vocabularies that describe
        articles (dc:, dcterms:, schema:, rnews:, sioc:; as prefixes, full IRIs or under a
        ``vocab``): ``content``, ``datetime``, ``resource`` / ``href``, else the element's text.
        OpenGraph (og:, article:) is read as meta tags (``meta``)."""
        out: dict[str, list[str]] = {}
        for el in self._annotated:
            for prop in (el.get("property") or "").split():
                local = _rdfa_local(prop, el)
                if not local:
                    continue
                value = el.get("content") or el.get("datetime") or el.get("resource")
                if value is None and el.tag != "meta":
                    value = " ".join(" ".join(el.itertext()).split())
                if value and value.strip():
                    out.setdefault(local, []).append(value.strip())
        return out

    def first_rdfa(self, *names: str) -> str | None:
        for name in names:
            vals = self.rdfa.get(name.lower())
            if vals:
                return vals[0]
        return None


_RDFA_PREFIXES = frozenset({"dc", "dcterms", "dct", "schema", "rnews", "sioc", "foaf"})
_RDFA_IRIS = ("http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/", "http://schema.org/",
              "https://schema.org/", "http://iptc.org/std/rnews/2011-10-07#", "http://rdfs.org/sioc/ns#")


def _rdfa_local(prop: str, el) -> str | None:
    if prop.startswith(_RDFA_IRIS):
        return prop.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    if ":" in prop:
        prefix, local = prop.split(":", 1)
        return local.lower() if prefix.lower() in _RDFA_PREFIXES and local else None
    node = el
    while node is not None:  # a bare term under vocab="http://schema.org/"
        vocab = node.get("vocab") if isinstance(node.tag, str) else None
        if vocab:
            return prop.lower() if vocab.startswith(_RDFA_IRIS) else None
        node = node.getparent()
    return None


def _scope_of(el):
    """The microdata item ``el`` belongs to: its nearest ancestor with ``itemscope``."""
    for anc in el.iterancestors():
        if anc.get("itemscope") is not None:
            return anc
    return None


def _in_article_scope(el) -> bool:
    scope = _scope_of(el)
    if scope is None:
        return True
    kind = (scope.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1]
    return kind in ARTICLE_TYPES or kind in ("WebPage", "ItemPage", "")
