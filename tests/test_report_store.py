"""The store reads behind ``scrapy report`` (articles per day, latest articles per outlet,
duplicates and their pairs, summary filters, outlet names), on SQLite here and on PostgreSQL in
tests/test_store_postgres.py (the same test, imported there)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.items import empty_article
from crawler.storage import ArticleStore


def _article(n: int, outlet: str, published: str | None, **fields) -> dict:
    r = empty_article()
    r.update(url=f"https://{outlet}.test/news/{n}", outlet=outlet, outlet_name=f"اسم {outlet}",
             title=f"عنوان الخبر رقم {n}", body=f"نص الخبر رقم {n} " * 20, published_at=published)
    r.update(fields)
    return r


@pytest.fixture
def store(tmp_path: Path):
    s = ArticleStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    yield s
    s.close()


def test_report_reads(store: ArticleStore) -> None:
    store.upsert_many([
        _article(1, "north", "2026-11-20T09:30:00+02:00", authors=["سلمى"]),
        _article(2, "north", "2026-11-21T09:30:00+02:00"),
        _article(3, "north", None),
        _article(4, "north", "2026-11-19T09:30:00+02:00"),
        _article(5, "south", "2026-11-21T10:00:00+00:00", duplicate_of="https://north.test/news/1",
                 duplicate_kind="near"),
        _article(6, "south", "2026-11-01T10:00:00+00:00", duplicate_of="https://gone.test/x", duplicate_kind="url"),
    ])
    store.record_run("east", "east", {"item_scraped_count": 0}, finished_at=datetime(2026, 11, 22, tzinfo=UTC))

    assert store.articles_per_day() == {"north": {"2026-11-19": 1, "2026-11-20": 1, "2026-11-21": 1, "": 1},
                                        "south": {"2026-11-21": 1, "2026-11-01": 1}}
    assert store.articles_per_day("south", since="2026-11-10") == {"south": {"2026-11-21": 1}}

    latest = store.latest_articles(2)
    assert [(r["outlet"], r["url"][-1]) for r in latest] == [("north", "2"), ("north", "1"), ("south", "5"),
                                                             ("south", "6")]
    assert latest[1]["authors"] == ["سلمى"] and latest[0]["outlet_name"] == "اسم north"
    # undated articles come last
    assert [r["url"][-1] for r in store.latest_articles(4, "north")] == ["2", "1", "4", "3"]

    links = store.duplicate_links()
    assert [(d["outlet"], d["original_outlet"], d["kind"]) for d in links] == [("south", "north", "near"),
                                                                              ("south", None, "url")]
    assert links[0]["original_title"] == "عنوان الخبر رقم 1"
    assert len(store.duplicate_links(limit=1)) == 1
    assert store.duplicate_pairs() == {("south", "north", "near"): 1, ("south", None, "url"): 1}
    assert store.duplicate_pairs(since="2026-11-10") == {("south", "north", "near"): 1}

    assert store.summary(["north"], since="2026-11-20")["per_outlet"] == {"north": 2}
    assert store.summary()["total"] == 6
    assert store.outlet_names() == {"north", "south", "east"}
