"""Hand-written pages of outlets we have no module for (tests/fixtures/pages), through the generic
chain and the text pipelines as ``scrapy extract --generic`` runs them, against their gold files.

Each page is modelled on a kind of real markup and carries the traps of its kind (see each gold's
``notes``): dates only as printed text or RDFa or microdata, the outlet's name or a desk credit
where an author would be, masthead clocks and tickers, outlet leads and agency tails in the body,
lead paragraphs outside the body container, related lists with cut titles. The gold files have the
corpus' format, so ``check_pages.py tests/fixtures/pages tests/fixtures/pages`` scores them too.
Besides the shared checks, a gold may state ``source``, ``dateline``, ``section``, ``tags``,
``modified_at``, ``not_related`` (titles that must not be related) and ``steps`` (the provenance
of fields)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

from crawler.commands.extract import extract_file
from tests.gold import CHECKS, failure, norm

PAGES = Path(__file__).parent / "fixtures" / "pages"
GOLDS = sorted(PAGES.glob("*.gold.json"))
_items: dict[Path, dict] = {}


def item_for(gold_path: Path) -> tuple[dict, dict]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    if gold_path not in _items:
        page = gold_path.with_name(gold_path.name.replace(".gold.json", ".html"))
        _items[gold_path] = extract_file(page, gold["url"], get_project_settings(), generic=True)
    return _items[gold_path], gold


IDS = [g.name.split(".")[0] for g in GOLDS]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("gold_path", GOLDS, ids=IDS)
def test_generic_page(gold_path, check):
    item, gold = item_for(gold_path)
    problem = failure(check, item, gold)
    assert problem is None, problem


@pytest.mark.parametrize("gold_path", GOLDS, ids=IDS)
def test_generic_page_fields(gold_path):
    item, gold = item_for(gold_path)
    for field in ("source", "dateline", "section"):
        if field in gold:
            assert norm(item.get(field)) == norm(gold[field]), (field, item.get(field))
    if "tags" in gold:
        assert [norm(t) for t in item["tags"]] == [norm(t) for t in gold["tags"]]
    if "modified_at" in gold:
        assert item["modified_at"] == gold["modified_at"]
    if "published_at" in gold:  # the whole value, not only the day
        assert item["published_at"] == gold["published_at"]
    related = {norm(r["title"]) for r in item["related"]}
    assert not related & {norm(t) for t in gold.get("not_related", [])}
    for r in gold.get("related", []):
        assert {"title": r["title"], "url": r["url"]} in [{"title": x["title"], "url": x["url"]} for x in item["related"]]
    for field, step in gold.get("steps", {}).items():
        assert item["provenance"].get(field) == step, (field, item["provenance"])
