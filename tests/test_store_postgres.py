"""The store contract against a real PostgreSQL server (started by tests/pg.py on 127.0.0.1 and
stopped by PID): the SQLite store tests re-run here (articles, versions, runs), plus search, dedup
and an outage mid-crawl."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.storage import ArticleStore
from pipelines.store import StorePipeline
from tests.pg import PostgresServer, unavailable_reason
from tests.test_report_store import test_report_reads  # noqa: F401 - run against the PostgreSQL `store`
from tests.test_search import ROWS
from tests.test_self_healing_unit import (  # noqa: F401 - collected here, run against the PostgreSQL `store`
    test_runs_are_stored_and_read_newest_per_outlet,
)
from tests.test_store import (  # noqa: F401 - collected here, run against the PostgreSQL `store`
    T1,
    article,
    test_changed_content_keeps_the_previous_version,
    test_dedup_columns_and_signatures_are_stored,
    test_int_fields_are_integers_and_numeric_strings_are_converted,
    test_iter_articles_filters_by_outlet,
    test_key_is_canonical_url_else_url_and_last_duplicate_in_batch_wins,
    test_nul_characters_do_not_break_a_batch,
    test_reupsert_keeps_one_row_and_first_seen_moves_last_seen,
    test_summary_coverage_counted_by_hand,
    test_summary_of_empty_store,
    test_title_change_alone_is_a_new_version,
    test_unchanged_recrawl_only_moves_last_seen,
    test_versions_within_one_batch_and_replays_add_no_copies,
)

pytestmark = [pytest.mark.service,
              pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))]


@pytest.fixture(scope="module")
def pg():
    with PostgresServer() as server:
        yield server


@pytest.fixture
def store(pg: PostgresServer):
    pg.reset()
    s = ArticleStore(pg.url)
    yield s
    s.close()


def test_it_really_is_postgresql(store: ArticleStore) -> None:
    assert store.dialect == "postgresql"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW server_version").scalar().split(".")[0].isdigit()
        assert conn.exec_driver_sql("SELECT data_type FROM information_schema.columns WHERE "
                                    "table_name='articles' AND column_name='first_seen'").scalar() == \
            "timestamp with time zone"


def test_lists_round_trip_arabic(store: ArticleStore) -> None:
    authors = ["سَلمى الحدّاد", "يوسف قاسم"]
    store.upsert_many([article(1, authors=authors, images=[{"url": "https://e.test/a.jpg", "caption": "سوق"}])],
                      seen_at=T1)
    (row,) = store.iter_articles()
    assert row["authors"] == authors and row["images"][0]["caption"] == "سوق"
    assert row["first_seen"] == T1


def test_full_text_search_is_folded(store: ArticleStore) -> None:
    store.upsert_many(ROWS)
    assert [m["canonical_url"][-1] for m in store.search("اعلان")] == ["1", "2"]
    assert [m["canonical_url"][-1] for m in store.search("نتائج")] == ["1", "2"]
    assert [m["canonical_url"][-1] for m in store.search("مستشفي")] == ["3"]
    assert store.search("كلمة غير موجودة") == []


def test_export_filters_on_postgresql(store: ArticleStore, tmp_path: Path) -> None:
    from crawler.commands.export import export

    store.upsert_many([article(1, published_at="2024-05-01T10:00:00+03:00"),
                       article(2, published_at="2024-05-03T10:00:00+03:00")])
    card = export(store, "jsonl", tmp_path / "pg.jsonl", since="2024-05-02")
    assert card["rows"] == 1 and card["per_outlet_day"] == {"example": {"2024-05-03": 1}}


def test_an_outage_mid_crawl_is_spooled_and_written_on_the_next_start(pg: PostgresServer, tmp_path: Path) -> None:
    pg.reset()
    settings = {"DATABASE_URL": pg.url, "SPOOL_PATH": str(tmp_path / "spool.jsonl"), "STORE_BATCH_SIZE": 2}
    first = build_from_crawler(StorePipeline, get_crawler(Spider, settings))
    first.open_spider()
    for n in range(2):
        first.process_item(Article(**article(n)))  # written
    first.writer.drain()  # (on the writer's thread)
    pg.stop_server()  # the database goes away
    try:
        for n in range(2, 5):
            first.process_item(Article(**article(n)))
        first.close_spider()
    finally:
        pg.start_server()
    assert first.crawler.stats.get_value("store/rows_spooled") == 3
    assert first.crawler.stats.get_value("store/rows_upserted") == 2

    second = build_from_crawler(StorePipeline, get_crawler(Spider, settings))
    second.open_spider()
    second.close_spider()
    assert second.crawler.stats.get_value("store/rows_replayed") == 3
    assert not (tmp_path / "spool.jsonl").exists()
    reader = ArticleStore(pg.url)
    assert reader.count() == 5
    reader.close()


def test_dedup_index_persists_through_postgresql(pg: PostgresServer, tmp_path: Path) -> None:
    from tests.test_dedup import STORIES, item, run_pipelines

    pg.reset()
    settings = {"DATABASE_URL": pg.url, "SPOOL_PATH": str(tmp_path / "spool.jsonl")}
    run_pipelines(settings, [item("https://north.test/a/1", STORIES["exam_results"], "north")])
    stats = run_pipelines(settings, [item("https://south.test/b/1", "عمان - " + STORIES["exam_results"], "south")])
    assert stats["dedup/index_loaded"] == 1
    reader = ArticleStore(pg.url)
    rows = {r["canonical_url"]: r for r in reader.iter_articles()}
    reader.close()
    assert rows["https://south.test/b/1"]["duplicate_of"] == "https://north.test/a/1"
