"""Visible text of page elements, as paragraphs.

Outlets mark paragraphs in different ways (``<p>``, ``<br><br>`` inside one ``<div>``, nested
``<div>`` blocks), so we walk the lxml tree once and cut at block elements and at double line
breaks. Elements that never carry article text (scripts, figures, hidden labels, ads) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

SKIP_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "svg", "button", "form", "input", "select", "textarea",
    "figure", "figcaption", "template", "object", "embed", "video", "audio", "canvas", "nav", "picture",
    "img", "head", "title", "meta", "link",
})
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "aside", "header", "footer", "blockquote", "ul", "ol", "li",
    "dl", "dt", "dd", "table", "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "address", "center", "hr",
})
_HIDDEN_CLASSES = frozenset({"d-none", "hidden", "visually-hidden", "sr-only", "screen-reader-text", "hide"})
_BR = "\ue000"  # a private-use sentinel: a raw newline in the source is not a line break, a <br> is
_PARA_SPLIT = re.compile(_BR + r"\s*(?:" + _BR + r"\s*)+")
_WS = re.compile(r"\s+")


def local_tag(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if "}" in tag:  # pages re-serialised as XHTML carry a namespace on every tag
        tag = tag.rsplit("}", 1)[1]
    return tag.lower()


def is_hidden(el) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    cls = el.get("class")
    if cls and not _HIDDEN_CLASSES.isdisjoint(cls.split()):
        return True
    style = el.get("style")
    return bool(style) and "display:none" in style.replace(" ", "").lower()


def squash(text: str) -> str:
    """Collapse whitespace runs to one space and trim."""
    return _WS.sub(" ", text).strip()


def paragraphs(elements: Iterable, drop: frozenset | set = frozenset(), keep_hidden: bool = False) -> list[str]:
    """Paragraph texts of ``elements`` (lxml elements), in document order.

    ``drop`` is a set of elements whose whole subtree is left out (an outlet's boilerplate inside
    the body container). Empty paragraphs are omitted.
    """
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if not buf:
            return
        raw = "".join(buf)
        buf.clear()
        for part in _PARA_SPLIT.split(raw):
            text = squash(part.replace(_BR, " "))
            if text:
                out.append(text)

    def walk(node, depth: int) -> None:
        for child in node:
            tag = local_tag(child)
            if not tag:  # comment or processing instruction: only its tail is text
                if child.tail:
                    buf.append(child.tail)
                continue
            if tag in SKIP_TAGS or child in drop or (not keep_hidden and is_hidden(child)):
                pass
            elif tag == "br":
                buf.append(_BR)
            elif tag in BLOCK_TAGS:
                flush()
                if child.text:
                    buf.append(child.text)
                if depth < 200:
                    walk(child, depth + 1)
                flush()
            else:
                if child.text:
                    buf.append(child.text)
                if depth < 200:
                    walk(child, depth + 1)
            if child.tail:
                buf.append(child.tail)

    for el in elements:
        tag = local_tag(el)
        if not tag or tag in SKIP_TAGS or el in drop:
            continue
        flush()
        if el.text:
            buf.append(el.text)
        walk(el, 0)
        flush()
    return out


def text_of(el) -> str:
    """All visible text of one element, whitespace squashed."""
    if isinstance(el, str):
        return squash(el)
    return " ".join(paragraphs([el]))


def iter_elements(selector_list) -> list:
    """lxml elements of a parsel SelectorList (skipping text/attribute results)."""
    return [s.root for s in selector_list if isinstance(s.root, etree._Element)]
