"""Judging an extracted item against a gold annotation, the way the project's scoring does
(../shared/research/scoring/check_pages.py): text compared after whitespace normalisation and
Arabic letter folding; an empty gold author list means the page names no person.

Used for the real pages of ../shared/corpus (tests/test_real_pages.py) and for our own
hand-written pages of outlets we have no module for (tests/test_generic_pages.py)."""

from __future__ import annotations

import re

_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك", "ـ": None,
                       "\u200c": None, "\u200f": None, "\u200e": None, "\u201c": '"', "\u201d": '"',
                       "\u00ab": '"', "\u00bb": '"'})

# the checks of the shared scoring, in its order
CHECKS = ("title", "date", "authors", "must_contain", "must_not_contain", "first", "last", "related")


def norm(text: str | None) -> str:
    return re.sub(r"[\u064b-\u0652]", "", re.sub(r"\s+", " ", text or "").strip().translate(_FOLD))


def failure(check: str, item: dict, gold: dict) -> str | None:
    """Why ``item`` fails ``check`` against ``gold``, or None when it passes (or the gold is silent)."""
    body = norm(item.get("body"))
    if check == "title":
        return None if norm(item.get("title")) == norm(gold["title"]) else f"title {item.get('title')!r}"
    if check == "date":
        if not gold.get("published_at"):
            return None
        got = str(item.get("published_at") or "")
        return None if got[:10] == gold["published_at"][:10] else f"published_at {got!r}"
    if check == "authors":
        if "authors" not in gold:
            return None
        got = {norm(a) for a in item.get("authors") or []}
        return None if got == {norm(a) for a in gold["authors"] or []} else f"authors {item.get('authors')!r}"
    if check == "must_contain":
        missing = [s for s in gold.get("must_contain", []) if norm(s) not in body]
        return f"missing {missing}" if missing else None
    if check == "must_not_contain":
        present = [s for s in gold.get("must_not_contain", []) if norm(s) in body]
        return f"present {present}" if present else None
    if check == "first":
        if not gold.get("body_first"):
            return None
        return None if body.startswith(norm(gold["body_first"])[:40]) else f"body starts {body[:60]!r}"
    if check == "last":
        if not gold.get("body_last"):
            return None
        return None if norm(gold["body_last"])[-40:] in body[-400:] else f"body ends {body[-60:]!r}"
    if check == "related":
        got = {norm(r["title"] if isinstance(r, dict) else r) for r in item.get("related") or []}
        missing = [r["title"] for r in gold.get("related") or [] if norm(r["title"]) not in got]
        return f"related missing {missing}" if missing else None
    raise ValueError(check)
