"""Compiled queries on a page's lxml tree.

An outlet's selectors are the same strings on every page, so they are compiled once per process
and run on the page's root element. Going through parsel instead compiled each XPath again on
every call and wrapped every result in a Selector object: the ~20 queries of the outlet chain
cost ~1 ms a page that way, a third of the chain (bench/crawl.py profile).
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree
from parsel.csstranslator import HTMLTranslator

_CSS = HTMLTranslator()  # what parsel uses for HTML pages: the same ::text and ::attr(name)
# the EXSLT prefixes parsel declares by default (outlets use re:test in XPath selectors)
_NAMESPACES = {"re": "http://exslt.org/regular-expressions", "set": "http://exslt.org/sets"}


def is_xpath(expr: str) -> bool:
    """Outlet selectors are XPath when they start with "/", "(" or "./", CSS otherwise."""
    return expr.lstrip().startswith(("/", "(", "./"))


@lru_cache(maxsize=2048)
def compiled(expr: str) -> etree.XPath:
    """The XPath (or CSS, translated) ``expr`` compiled; results are elements or plain strings."""
    return etree.XPath(expr if is_xpath(expr) else _CSS.css_to_xpath(expr), namespaces=_NAMESPACES, smart_strings=False)


def query(node, expr: str) -> list:
    """Elements or strings that ``expr`` selects, evaluated on ``node`` (an lxml element)."""
    found = compiled(expr)(node)
    return found if isinstance(found, list) else [found]  # normalize-space(...) gives one string


def first(node, expr: str):
    """The first result of ``expr`` on ``node``, or None."""
    found = query(node, expr)
    return found[0] if found else None


def elements(results) -> list:
    """The elements among query results (text and attribute values left out)."""
    return [r for r in results if isinstance(r, etree._Element)]
