"""Dates a page prints for readers, near its headline or byline.

Many Arabic pages state their date only as text ("تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً",
"الأربعاء، 07 أكتوبر 2020 - 12:09 م") or in a ``<time>`` element. Pages also print dates that are not
the article's: the masthead clock (today's date, often with the Hijri one), tickers, related and
most-read items with their own times, the footer's copyright years. The rule here is positional:

- only the *article's neighbourhood* counts: the blocks that follow the headline (and up to three
  before it, for outlets that print the date above), up to the first paragraph of body text;
- nothing inside page chrome counts: an ancestor that is a ``header``/``footer``/``nav``/``aside`` the
  headline itself is not in, or whose class or id names a ticker, a related or most-read list, a
  menu, a sidebar, a clock, weather or prayer times, comments;
- a text counts only when it is a date with at most a short label ("نشر في", "آخر تحديث:"): a
  sentence that mentions a date is body text, not a stamp.

A label saying "updated" (آخر تحديث، محدث، updated) makes a stamp a modification date.
"""

from __future__ import annotations

import re

from crawler.arabic.dates import DATE_WORDS, parse_date
from crawler.arabic.normalize import fold
from crawler.extract.text import local_tag, text_of

_CHROME_TAGS = frozenset({"header", "footer", "nav", "aside"})
_CHROME_NAMES = re.compile(
    r"ticker|breaking|marquee|urgent|news-?bar|newsbar|related|most|popular|trending|footer|copyright|"
    r"menu|navbar|sidebar|side-?bar|widget|clock|weather|prayer|comment|latest|recommend|teaser|"
    r"cookie|share|social|newsletter",
    re.IGNORECASE,
)
_STOP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "form", "select", "button"})
_UPDATED = frozenset(fold(w).lower() for w in ("تحديث", "محدث", "محدثة", "حدث", "تعديل", "عدل", "updated", "update",
                                               "modified", "مُحدَّث"))
_MAX_WORDS = 16  # a stamp is short; "تم نشره الجمعة 24 نيسان / أبريل 2020 09:22 مساءً" has 9
_MAX_LABEL_WORDS = 3
_BODY_WORDS = 25  # a block this long is body text: the neighbourhood ends there


def chrome_ancestor(el, anchor_ancestors: frozenset = frozenset()):
    """The nearest ancestor of ``el`` (itself included) that is page chrome, unless the anchor (the
    headline) is inside it too; None when ``el`` sits in the article's own part of the page."""
    node = el
    while node is not None:
        if node not in anchor_ancestors:
            tag = local_tag(node)
            if tag in _CHROME_TAGS:
                return node
            names = f"{node.get('class') or ''} {node.get('id') or ''}"
            if names.strip() and _CHROME_NAMES.search(names):
                return node
        node = node.getparent()
    return None


def _stamp(text: str) -> tuple[str, str] | None:
    """(kind, iso) when ``text`` is a date stamp ("published" or "modified"), else None."""
    words = text.split()
    if not words or len(words) > _MAX_WORDS or not re.search(r"\d", text):
        return None
    iso = parse_date(text)
    if not iso or len(iso) < 10:  # a month or a year alone is no stamp
        return None
    tokens = [w for w in re.split(r"[\s,،:/.()\-|–—]+", fold(text).lower()) if w]
    label = [w for w in tokens if not w.isdigit() and w not in DATE_WORDS and w not in _UPDATED
             and not re.fullmatch(r"\d[\d:.+]*[a-z]*|[a-z]*[+-]?\d+", w)]
    if len(label) > _MAX_LABEL_WORDS:
        return None
    return ("modified" if any(w in _UPDATED for w in tokens) else "published"), iso


def _walk(el):
    tag = local_tag(el)
    if not tag or tag in _STOP_TAGS:
        return
    yield el
    for child in el:
        yield from _walk(child)


def _following(anchor, limit: int = 60):
    """Elements after ``anchor`` in document order (its later siblings and theirs, climbing up),
    at most ``limit``."""
    node, n = anchor, 0
    while node is not None and n < limit:
        for sib in node.itersiblings():
            for el in _walk(sib):
                yield el
                n += 1
                if n >= limit:
                    return
        node = node.getparent()


def _preceding(anchor, limit: int = 3):
    """Up to ``limit`` earlier siblings of the anchor (dates printed above the headline)."""
    for n, sib in enumerate(anchor.itersiblings(preceding=True)):
        if n >= limit:
            return
        yield from _walk(sib)


def _time_kind(el) -> str:
    hint = f"{el.get('itemprop') or ''} {el.get('class') or ''} {text_of(el)}"
    return "modified" if re.search(r"modif|updat|upd\b|-upd|تحديث|محدث", hint, re.IGNORECASE) else "published"


def page_stamps(anchors) -> list[tuple[str, str, str]]:
    """Dates stated near the headline or byline, nearest first: [(step, kind, value)] where step is
    "time" (a ``<time datetime>``: value is the attribute) or "printed" (value is the printed text),
    and kind is "published" or "modified". ``anchors``: the headline element (and the byline)."""
    found: list[tuple[object, str, str, str]] = []
    seen: set = set()
    for anchor in anchors:
        if anchor is None:
            continue
        ancestors = frozenset(anchor.iterancestors()) | {anchor}
        for where, elements in (("after", _following(anchor)), ("before", _preceding(anchor))):
            for el in elements:
                if el is anchor or el in seen:
                    continue
                seen.add(el)
                tag = local_tag(el)
                if tag == "time" and (el.get("datetime") or "").strip():
                    if chrome_ancestor(el, ancestors) is None:
                        found.append((el, "time", _time_kind(el), el.get("datetime").strip()))
                    continue
                if any(local_tag(c) in _BLOCKS for c in el):
                    continue  # a container: its leaves are looked at one by one
                words = len(el.text_content().split())  # C speed; text_of (visible text) only for stamps
                if not words:
                    continue
                if where == "after" and words >= _BODY_WORDS and tag in ("p", "div", "section", "article"):
                    break  # the body starts here: dates further down belong to other things
                if words > _MAX_WORDS or chrome_ancestor(el, ancestors) is not None:
                    continue
                text = text_of(el)
                stamp = _stamp(text) if text else None
                if stamp:
                    found.append((el, "printed", stamp[0], text))
    # a wrapper around two stamps ("GMT 17:27 ... (محدثة GMT 17:49 ...)") reads as neither: the
    # innermost elements carry the stamps
    holders = {id(a) for el, *_ in found for a in el.iterancestors()}
    return [(step, kind, value) for el, step, kind, value in found if id(el) not in holders]


_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "table", "section", "article"})


__all__ = ["chrome_ancestor", "page_stamps"]
