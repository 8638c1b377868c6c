"""The README's outlets table is generated from the code; this fails when they drift apart."""

from pathlib import Path

from crawler.outlets import readme_block, table

ROOT = Path(__file__).resolve().parents[1]


def test_readme_outlets_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_block(readme) == table(), "README outlets table is stale: run python -m crawler.outlets --write"


def test_table_lists_every_outlet_spider_once():
    lines = [ln for ln in table().splitlines()[2:]]
    slugs = [ln.split("`")[1] for ln in lines]
    assert len(slugs) == len(set(slugs))
    assert {"bbc-arabic", "youm7", "lbci", "cnn-arabic"} <= set(slugs)
    assert "generic" not in slugs
