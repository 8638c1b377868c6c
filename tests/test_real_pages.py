"""Every real page in ../shared/corpus (evaluation only, never copied here) against its gold:
title, publication day, authors, every must_contain in the body, no must_not_contain, first and
last words of the body, related titles. Same comparison rules as the project's scoring: text after
whitespace normalisation and Arabic letter folding. Skipped where the corpus is absent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

from crawler.commands.extract import extract_file

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GOLDS = sorted(CORPUS.glob("*/*.gold.json")) if CORPUS.exists() else []
pytestmark = pytest.mark.skipif(not GOLDS, reason="../shared/corpus is not here")

_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك", "ـ": None,
                       "\u200c": None, "\u200f": None, "\u200e": None, "\u201c": '"', "\u201d": '"',
                       "\u00ab": '"', "\u00bb": '"'})


def norm(text: str | None) -> str:
    return re.sub(r"[\u064b-\u0652]", "", re.sub(r"\s+", " ", text or "").strip().translate(_FOLD))


_items: dict[Path, dict] = {}


def item_for(gold_path: Path) -> tuple[dict, dict]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    if gold_path not in _items:
        page = gold_path.with_name(gold_path.name.replace(".gold.json", ".html"))
        _items[gold_path] = extract_file(page, gold["url"], get_project_settings())
    return _items[gold_path], gold


CHECKS = ("title", "date", "authors", "must_contain", "must_not_contain", "first", "last", "related")


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("gold_path", GOLDS, ids=[g.name.split(".")[0] for g in GOLDS])
def test_real_page(gold_path, check):
    item, gold = item_for(gold_path)
    body = norm(item.get("body"))
    if check == "title":
        assert norm(item.get("title")) == norm(gold["title"])
    elif check == "date":
        assert str(item.get("published_at") or "")[:10] == gold["published_at"][:10]
    elif check == "authors":
        assert {norm(a) for a in item.get("authors") or []} == {norm(a) for a in gold.get("authors") or []}
    elif check == "must_contain":
        missing = [s for s in gold.get("must_contain", []) if norm(s) not in body]
        assert not missing
    elif check == "must_not_contain":
        present = [s for s in gold.get("must_not_contain", []) if norm(s) in body]
        assert not present
    elif check == "first":
        assert body.startswith(norm(gold["body_first"])[:40])
    elif check == "last":
        assert norm(gold["body_last"])[-40:] in body[-400:]
    elif check == "related":
        got = {norm(r["title"]) for r in item.get("related") or []}
        missing = [r["title"] for r in gold.get("related") or [] if norm(r["title"]) not in got]
        assert not missing
