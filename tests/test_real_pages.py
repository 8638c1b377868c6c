"""Every real page in ../shared/corpus (evaluation only, never copied here) against its gold:
title, publication day, authors (none where the gold names no person), every must_contain in the
body, no must_not_contain, first and last words of the body, related titles. Same comparison rules
as the project's scoring (tests/gold.py). Each page is judged twice: on the default path (the
outlet module that owns the URL, if any) and through the generic chain alone (``--generic``).
Skipped where the corpus is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

from crawler.commands.extract import extract_file
from tests.gold import CHECKS, failure

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GOLDS = sorted(CORPUS.glob("*/*.gold.json")) if CORPUS.exists() else []
pytestmark = pytest.mark.skipif(not GOLDS, reason="../shared/corpus is not here")

_items: dict[tuple[Path, bool], dict] = {}


def item_for(gold_path: Path, generic: bool) -> tuple[dict, dict]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    if (gold_path, generic) not in _items:
        page = gold_path.with_name(gold_path.name.replace(".gold.json", ".html"))
        _items[gold_path, generic] = extract_file(page, gold["url"], get_project_settings(), generic=generic)
    return _items[gold_path, generic], gold


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("generic", [False, True], ids=["default", "generic"])
@pytest.mark.parametrize("gold_path", GOLDS, ids=[g.name.split(".")[0] for g in GOLDS])
def test_real_page(gold_path, generic, check):
    item, gold = item_for(gold_path, generic)
    problem = failure(check, item, gold)
    assert problem is None, problem
