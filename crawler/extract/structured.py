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


def parse_json_ld(raw: str) -> list[dict]:
    """All JSON objects of one ``application/ld+json`` script, flattened (lists and ``@graph``).

    Tolerates what real pages do: CDATA wrappers (BBC's re-serialised pages), trailing commas,
    control characters inside strings.
    """
    text = _CDATA.sub("", raw.strip()).strip()
    if not text:
        return []
    try:
        data = json.loads(text, strict=False)
    except ValueError:
        try:
            data = json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
        except ValueError:
            return []
    out: list[dict] = []
    stack = [data]
    while stack:
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

    @cached_property
    def json_ld(self) -> list[dict]:
        objs: list[dict] = []
        for raw in query(self.sel.root, '//script[@type="application/ld+json"]/text()'):
            objs.extend(parse_json_ld(raw))
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
        for m in query(self.sel.root, "//meta[@content]"):
            content = m.get("content", "").strip()
            if not content:
                continue
            for attr in ("property", "name", "itemprop"):
                key = m.get(attr)
                if key:
                    out.setdefault(key.strip().lower(), []).append(content)
        return out

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

    def microdata(self, prop: str) -> list[str]:
        """itemprop values: content / datetime attributes or text."""
        out = []
        for el in query(self.sel.root, f'//*[@itemprop="{prop}"]'):
            if not isinstance(el, etree._Element):
                continue
            val = el.get("content") or el.get("datetime")
            if val is None and el.tag != "meta":
                val = " ".join(query(el, ".//text()"))
            if val and val.strip():
                out.append(" ".join(val.split()))
        return out
