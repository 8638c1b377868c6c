"""The article store and the store pipeline, on real SQLite files."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured, ScrapyDeprecationWarning
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import FIELD_KINDS, SCHEMA_VERSION, Article, empty_article
from crawler.storage import ArticleStore, StoreError
from pipelines.store import StorePipeline, item_to_row

PROJECT_ROOT = Path(__file__).resolve().parents[1]

T1 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
T2 = datetime(2024, 3, 2, 9, 30, tzinfo=UTC)


def article(n: int, **fields: Any) -> dict[str, Any]:
    row = empty_article()
    row.update(url=f"https://example.test/news/{n}", outlet="example", title=f"خبر رقم {n}")
    row.update(fields)
    return row


@pytest.fixture
def store(tmp_path: Path):
    s = ArticleStore(f"sqlite:///{tmp_path / 'store' / 'articles.sqlite3'}")
    yield s
    s.close()


# --- ArticleStore ---------------------------------------------------------------------------


def test_reupsert_keeps_one_row_and_first_seen_moves_last_seen(store: ArticleStore) -> None:
    url = "https://example.test/news/1"
    assert store.upsert_many([article(1, canonical_url=url, title="عنوان أول")], seen_at=T1) == 1
    store.upsert_many([article(1, canonical_url=url, title="عنوان معدل", word_count=42)], seen_at=T2)

    rows = list(store.iter_articles())
    assert store.count() == 1 and len(rows) == 1
    assert rows[0]["title"] == "عنوان معدل"
    assert rows[0]["word_count"] == 42
    assert rows[0]["first_seen"] == T1
    assert rows[0]["last_seen"] == T2


def test_key_is_canonical_url_else_url_and_last_duplicate_in_batch_wins(store: ArticleStore) -> None:
    canonical = "https://example.test/news/7"
    written = store.upsert_many([
        article(7, url=canonical + "?utm_source=feed", canonical_url=canonical, title="أولى"),
        article(7, url=canonical + "?amp=1", canonical_url=canonical, title="ثانية"),
        article(8),  # no canonical URL: keyed by its url
        {"title": "بلا رابط"},  # no key at all: skipped
    ])
    rows = {r["canonical_url"]: r for r in store.iter_articles()}
    assert written == 2
    assert set(rows) == {canonical, "https://example.test/news/8"}
    assert rows[canonical]["title"] == "ثانية"
    assert rows[canonical]["url"] == canonical + "?amp=1"


def test_lists_round_trip_arabic_unchanged_and_stored_as_readable_json(store: ArticleStore, tmp_path: Path) -> None:
    authors = ["سَلمى الحدّاد", "يوسف قاسم"]
    tags = ["طقس", "الـزراعة"]  # diacritics and tatweel must survive the store untouched
    images = [{"url": "https://example.test/a.jpg", "caption": "سوق الخضار صباح الجمعة"}]
    store.upsert_many([article(1, authors=authors, tags=tags, images=images, body="أمطار غزيرة\nعلى الساحل")])

    (row,) = store.iter_articles()
    assert row["authors"] == authors
    assert row["tags"] == tags
    assert row["images"] == images
    assert row["body"] == "أمطار غزيرة\nعلى الساحل"
    assert row["related"] == [] and row["embeds"] == []

    with sqlite3.connect(tmp_path / "store" / "articles.sqlite3") as raw:
        (stored,) = raw.execute("SELECT authors FROM articles").fetchone()
    assert stored == json.dumps(authors, ensure_ascii=False)
    assert "\\u" not in stored


def test_sqlite_runs_in_wal_mode_with_normal_sync(store: ArticleStore, tmp_path: Path) -> None:
    store.upsert_many([article(1)])
    with sqlite3.connect(tmp_path / "store" / "articles.sqlite3") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store.engine.connect() as conn:
        # synchronous is per connection: 1 means NORMAL
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1


def test_int_fields_are_integers_and_numeric_strings_are_converted(store: ArticleStore) -> None:
    store.upsert_many([article(1, word_count="350", schema_version=1), article(2)])
    rows = {r["url"][-1]: r for r in store.iter_articles()}
    assert rows["1"]["word_count"] == 350 and rows["1"]["schema_version"] == 1
    assert rows["2"]["word_count"] is None


def test_iter_articles_filters_by_outlet(store: ArticleStore) -> None:
    store.upsert_many([article(1, outlet="north"), article(2, outlet="south"), article(3, outlet="north")])
    assert [r["url"] for r in store.iter_articles("north")] == [
        "https://example.test/news/1", "https://example.test/news/3"]


def test_summary_coverage_counted_by_hand(store: ArticleStore) -> None:
    store.upsert_many([
        article(1, outlet="north", subtitle="تمهيد قصير", authors=["منى سعيد"], word_count=0),
        article(2, outlet="north", subtitle="", authors=[], word_count=None),
        article(3, outlet="south", subtitle=None, tags=["اقتصاد"], word_count=120),
    ])
    summary = store.summary()
    assert summary["total"] == 3
    assert summary["per_outlet"] == {"north": 2, "south": 1}
    north, south = summary["coverage"]["north"], summary["coverage"]["south"]
    assert set(north) == set(FIELD_KINDS)
    # north: title 2/2; subtitle "" is unknown -> 1/2; authors [] is unknown -> 1/2;
    # word_count 0 is a known value -> 1/2; nobody has tags or body.
    assert north["title"] == 1.0
    assert north["subtitle"] == 0.5
    assert north["authors"] == 0.5
    assert north["word_count"] == 0.5
    assert north["tags"] == 0.0 and north["body"] == 0.0
    # the key column is filled from url, so it is always covered
    assert north["canonical_url"] == 1.0
    assert south["subtitle"] == 0.0 and south["tags"] == 1.0 and south["word_count"] == 1.0


def test_summary_of_empty_store(store: ArticleStore) -> None:
    assert store.summary() == {"total": 0, "per_outlet": {}, "coverage": {}}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "malformed database URL"),
        ("postgresql+nosuchdriver://u:hunter2@db.test/news", "cannot open article store"),
        ("mysql://u:hunter2@db.test/news", "only sqlite and postgresql"),
    ],
)
def test_bad_urls_give_one_line_store_error_without_password(url: str, expected: str) -> None:
    with pytest.raises(StoreError) as info:
        ArticleStore(url)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert "hunter2" not in message


def test_unwritable_sqlite_path_gives_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create folder") as info:
        ArticleStore.from_settings({"SQLITE_PATH": str(blocker / "articles.sqlite3")})
    assert "\n" not in str(info.value)


def test_sqlite_path_that_is_a_folder_gives_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open article store"):
        ArticleStore.from_settings({"SQLITE_PATH": str(tmp_path)})


def test_database_url_wins_over_sqlite_path(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen.sqlite3"
    s = ArticleStore.from_settings({"DATABASE_URL": f"sqlite:///{chosen}",
                                    "SQLITE_PATH": str(tmp_path / "ignored.sqlite3")})
    s.close()
    assert chosen.exists() and not (tmp_path / "ignored.sqlite3").exists()


def test_table_from_an_older_schema_is_migrated_forward(tmp_path: Path) -> None:
    """A store written before versioning and dedup: missing columns are added, old rows kept,
    recorded as their first version and made searchable."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE articles (canonical_url TEXT PRIMARY KEY, url TEXT, title TEXT, body TEXT)")
        raw.execute("INSERT INTO articles VALUES ('https://example.test/old', 'https://example.test/old', "
                    "'إغلاق الميناء القديم', 'نص قديم عن الميناء')")
    s = ArticleStore(f"sqlite:///{path}")
    try:
        (row,) = s.iter_articles()
        assert row["title"] == "إغلاق الميناء القديم" and row["duplicate_of"] is None
        assert [v["title"] for v in s.versions("https://example.test/old")] == ["إغلاق الميناء القديم"]
        assert [r["canonical_url"] for r in s.search("اغلاق")] == ["https://example.test/old"]
        s.upsert_many([article(1, canonical_url="https://example.test/old", title="فتح الميناء القديم")], seen_at=T2)
        assert [v["title"] for v in s.versions("https://example.test/old")] == [
            "إغلاق الميناء القديم", "فتح الميناء القديم"]
    finally:
        s.close()
    with sqlite3.connect(path) as raw:
        columns = {r[1] for r in raw.execute("PRAGMA table_info(articles)")}
    assert {"first_seen", "last_seen", "version_hash", "duplicate_of", "authors"} <= columns


def test_a_table_without_the_key_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)")
    with pytest.raises(StoreError, match="no canonical_url column"):
        ArticleStore(f"sqlite:///{path}")


# --- versioning -----------------------------------------------------------------------------


def test_changed_content_keeps_the_previous_version(store: ArticleStore) -> None:
    url = "https://example.test/news/1"
    store.upsert_many([article(1, body="الصيغة الأولى من الخبر", fetched_at="2024-03-01T08:00:00+00:00")], seen_at=T1)
    store.upsert_many([article(1, body="الصيغة الثانية من الخبر بعد التحديث", fetched_at="2024-03-02T09:30:00+00:00")],
                      seen_at=T2)
    versions = store.versions(url)
    assert [v["body"] for v in versions] == ["الصيغة الأولى من الخبر", "الصيغة الثانية من الخبر بعد التحديث"]
    assert [v["seen_at"] for v in versions] == [T1, T2]
    assert versions[0]["fetched_at"] == "2024-03-01T08:00:00+00:00"
    (row,) = store.iter_articles()
    assert row["body"] == "الصيغة الثانية من الخبر بعد التحديث"
    assert (row["first_seen"], row["last_seen"]) == (T1, T2)


def test_unchanged_recrawl_only_moves_last_seen(store: ArticleStore) -> None:
    store.upsert_many([article(1, body="نص ثابت", section="محليات", fetched_at="2024-03-01")], seen_at=T1)
    # Same folded title and body (diacritics and hamza variants fold away); other fields differ.
    store.upsert_many([article(1, title="خبر رقم 1", body="نَصّ ثابت", section="تغيرت", fetched_at="2024-03-02")],
                      seen_at=T2)
    (row,) = store.iter_articles()
    assert row["section"] == "محليات" and row["fetched_at"] == "2024-03-01" and row["body"] == "نص ثابت"
    assert (row["first_seen"], row["last_seen"]) == (T1, T2)
    assert len(store.versions("https://example.test/news/1")) == 1


def test_title_change_alone_is_a_new_version(store: ArticleStore) -> None:
    store.upsert_many([article(1, title="عاجل: حريق في المصنع", body="نص")], seen_at=T1)
    store.upsert_many([article(1, title="السيطرة على حريق المصنع", body="نص")], seen_at=T2)
    assert [v["title"] for v in store.versions("https://example.test/news/1")] == [
        "عاجل: حريق في المصنع", "السيطرة على حريق المصنع"]


def test_versions_within_one_batch_and_replays_add_no_copies(store: ArticleStore) -> None:
    batch = [article(1, body="أ"), article(1, body="ب"), article(1, body="ب"), article(2, body="ج")]
    assert store.upsert_many(batch, seen_at=T1) == 2
    assert store.upsert_many(batch, seen_at=T2) == 2  # a spool replayed twice
    assert [v["body"] for v in store.versions("https://example.test/news/1")] == ["أ", "ب"]
    assert store.version_count() == 3
    assert {r["body"] for r in store.iter_articles()} == {"ب", "ج"}


def test_dedup_columns_and_signatures_are_stored(store: ArticleStore) -> None:
    import base64
    sig = base64.b64encode(bytes(range(16))).decode()
    store.upsert_many([article(1, duplicate_of="https://other.test/a", duplicate_kind="near", minhash=sig,
                               num_perm=2)])
    (row,) = store.iter_articles()
    assert (row["duplicate_of"], row["duplicate_kind"]) == ("https://other.test/a", "near")
    assert list(store.iter_signatures()) == []  # duplicates are not loaded into the index
    store.upsert_many([article(2, body="نص آخر", minhash=sig, num_perm=2)])
    assert list(store.iter_signatures()) == [("https://example.test/news/2", 2, bytes(range(16)))]


def test_nul_characters_do_not_break_a_batch(store: ArticleStore) -> None:
    # PostgreSQL refuses NUL in text; inside list fields JSON escapes it, so it round-trips.
    store.upsert_many([article(1, body="نص\x00مكسور", tags=["و\x00سم"])])
    (row,) = store.iter_articles()
    assert row["body"] == "نصمكسور" and row["tags"] == ["و\x00سم"]


# --- StorePipeline --------------------------------------------------------------------------


def make_pipeline(tmp_path: Path, **settings: Any) -> StorePipeline:
    defaults = {
        "SQLITE_PATH": str(tmp_path / "data" / "articles.sqlite3"),
        "SPOOL_PATH": str(tmp_path / "data" / "spool.jsonl"),
        "STORE_BATCH_SIZE": 2,
    }
    crawler = get_crawler(Spider, {**defaults, **settings})
    return build_from_crawler(StorePipeline, crawler)


def stored_count(tmp_path: Path) -> int:
    reader = ArticleStore.from_settings({"SQLITE_PATH": str(tmp_path / "data" / "articles.sqlite3")})
    try:
        return reader.count()
    finally:
        reader.close()


def test_item_to_row_fills_every_field() -> None:
    row = item_to_row(Article(url="https://example.test/news/1", title="عنوان", tags=None))
    assert set(row) == set(FIELD_KINDS)
    assert row["tags"] == [] and row["authors"] == [] and row["body"] is None
    assert row["schema_version"] == SCHEMA_VERSION


def test_pipeline_flushes_every_n_items_and_on_close(tmp_path: Path) -> None:
    pipeline = make_pipeline(tmp_path)
    stats = pipeline.crawler.stats
    pipeline.open_spider()
    counts = []
    for n in range(5):
        item = Article(**article(n))
        assert pipeline.process_item(item) is item
        pipeline.writer.drain()  # batches are written on the writer's thread
        counts.append(stored_count(tmp_path))
    assert counts == [0, 2, 2, 4, 4]
    pipeline.close()
    assert stored_count(tmp_path) == 5
    assert stats.get_value("store/rows_upserted") == 5
    assert stats.get_value("store/batches") == 3
    assert stats.get_value("store/errors") is None


def test_pipeline_counts_items_it_cannot_key(tmp_path: Path) -> None:
    pipeline = make_pipeline(tmp_path)
    pipeline.open_spider()
    pipeline.process_item({"title": "بلا رابط"})
    pipeline.close()
    assert pipeline.crawler.stats.get_value("store/skipped_no_url") == 1
    assert stored_count(tmp_path) == 0


def test_pipeline_is_switched_off_by_setting(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        make_pipeline(tmp_path, STORE_ENABLED=False)


def test_pipeline_loads_in_scrapy_without_spider_arg_deprecation(tmp_path: Path) -> None:
    crawler = get_crawler(Spider, {"ITEM_PIPELINES": {"pipelines.store.StorePipeline": 900},
                                   "SQLITE_PATH": str(tmp_path / "a.sqlite3")})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manager = ItemPipelineManager.from_crawler(crawler)
    assert any(isinstance(mw, StorePipeline) for mw in manager.middlewares)
    assert not [w for w in caught if issubclass(w.category, ScrapyDeprecationWarning)]


def test_unopenable_store_spools_then_next_run_writes_the_spool(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    spool = tmp_path / "data" / "spool.jsonl"
    tags = ["انتخابات", "برلمان"]

    bad = make_pipeline(tmp_path, SQLITE_PATH=str(blocker / "articles.sqlite3"))
    bad.open_spider()
    for n in range(3):
        bad.process_item(Article(**article(n, tags=tags)))
    bad.close()
    lines = spool.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["tags"] == tags
    bad_stats = bad.crawler.stats
    assert bad_stats.get_value("store/errors") == 1  # the open; the batches then go to the spool untried
    assert bad_stats.get_value("store/rows_spooled") == 3
    assert bad_stats.get_value("store/rows_upserted") is None

    good = make_pipeline(tmp_path)
    good.open_spider()
    good.writer.drain()  # the store is opened and the spool written on the writer's thread
    assert not spool.exists()
    assert good.crawler.stats.get_value("store/rows_replayed") == 3
    good.process_item(Article(**article(9)))
    good.close()
    assert good.crawler.stats.get_value("store/rows_upserted") == 4
    reader = ArticleStore.from_settings({"SQLITE_PATH": str(tmp_path / "data" / "articles.sqlite3")})
    rows = list(reader.iter_articles())
    reader.close()
    assert len(rows) == 4
    assert rows[0]["tags"] == tags


def test_a_batch_that_fails_mid_crawl_is_spooled_and_written_when_the_store_is_back(tmp_path: Path) -> None:
    db = tmp_path / "data" / "articles.sqlite3"
    spool = tmp_path / "data" / "spool.jsonl"
    first = make_pipeline(tmp_path, STORE_RETRY_SECONDS=3600)  # no retry before close
    first.open_spider()
    first.process_item(Article(**article(1)))
    first.process_item(Article(**article(2)))  # batch of 2 written
    first.writer.drain()
    with sqlite3.connect(db) as raw:  # the database goes away mid-crawl
        raw.execute("DROP TABLE articles")
    first.process_item(Article(**article(3)))
    first.process_item(Article(**article(4)))  # this batch fails
    first.writer.drain()
    assert first.crawler.stats.get_value("store/errors") == 1
    assert first.crawler.stats.get_value("store/rows_spooled") == 2
    assert [json.loads(x)["url"][-1] for x in spool.read_text(encoding="utf-8").splitlines()] == ["3", "4"]
    first.close()  # the last try at close reopens the store (the table is made again) and writes the spool
    assert not spool.exists()
    assert first.crawler.stats.get_value("store/rows_replayed") == 2
    assert stored_count(tmp_path) == 2


def test_spool_survives_a_failed_replay_and_sets_aside_broken_lines(tmp_path: Path) -> None:
    spool = tmp_path / "data" / "spool.jsonl"
    spool.parent.mkdir(parents=True)
    good_line = json.dumps(article(1), ensure_ascii=False)
    spool.write_text(good_line + "\n" + '{"url": "https://exa', encoding="utf-8")

    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    failing = make_pipeline(tmp_path, SQLITE_PATH=str(blocker / "x.sqlite3"))
    failing.open_spider()
    failing.close()
    assert spool.read_text(encoding="utf-8").startswith(good_line)  # untouched

    ok = make_pipeline(tmp_path)
    ok.open_spider()
    ok.close()
    assert not spool.exists()
    assert stored_count(tmp_path) == 1
    assert (tmp_path / "data" / "spool.jsonl.rejected").read_text(encoding="utf-8") == '{"url": "https://exa\n'


def test_real_crawl_stores_items_and_counts_stats(tmp_path: Path) -> None:
    """A whole Scrapy crawl (no network: items come from start()) through the pipeline."""
    script = textwrap.dedent(f"""
        import json, scrapy
        from scrapy.crawler import CrawlerProcess

        class Items(scrapy.Spider):
            name = "items"
            async def start(self):
                for n in range(5):
                    yield {{"url": f"https://example.test/news/{{n}}", "outlet": "example",
                            "title": "خبر عاجل من الميناء", "authors": ["ليلى منصور"]}}

        process = CrawlerProcess({{
            "ITEM_PIPELINES": {{"pipelines.store.StorePipeline": 900}},
            "SQLITE_PATH": {str(tmp_path / "crawl.sqlite3")!r},
            "SPOOL_PATH": {str(tmp_path / "spool.jsonl")!r},
            "STORE_BATCH_SIZE": 2, "LOG_LEVEL": "ERROR",
            "REMOTE_CONTROL_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
        }})
        crawler = process.create_crawler(Items)
        process.crawl(crawler)
        process.start()
        print(json.dumps({{k: v for k, v in crawler.stats.get_stats().items() if k.startswith("store/")}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    assert stats == {"store/rows_upserted": 5, "store/batches": 3}
    reader = ArticleStore(f"sqlite:///{tmp_path / 'crawl.sqlite3'}")
    rows = list(reader.iter_articles())
    reader.close()
    assert len(rows) == 5 and rows[0]["authors"] == ["ليلى منصور"]


def test_timer_flushes_a_partial_batch(tmp_path: Path) -> None:
    from twisted.internet.task import Clock

    clock = Clock()
    pipeline = build_from_crawler(StorePipeline, get_crawler(Spider, {
        "SQLITE_PATH": str(tmp_path / "data" / "articles.sqlite3"),
        "SPOOL_PATH": str(tmp_path / "data" / "spool.jsonl"),
        "STORE_BATCH_SIZE": 100, "STORE_FLUSH_SECONDS": 5}), clock=clock)
    pipeline.open_spider()
    pipeline.process_item(Article(**article(1)))
    clock.advance(4.9)
    pipeline.writer.drain()
    assert stored_count(tmp_path) == 0
    clock.advance(0.2)
    pipeline.writer.drain()
    assert stored_count(tmp_path) == 1
    clock.advance(5)  # an empty buffer is not a flush
    assert pipeline.crawler.stats.get_value("store/timed_flushes") == 1
    pipeline.close()
    assert not clock.getDelayedCalls()  # the timer is stopped at close


def test_a_poison_row_is_spooled_alone_and_the_rest_of_the_batch_is_written(tmp_path: Path) -> None:
    pipeline = make_pipeline(tmp_path, STORE_BATCH_SIZE=3)
    pipeline.open_spider()
    pipeline.writer.drain()
    with sqlite3.connect(tmp_path / "data" / "articles.sqlite3") as raw:  # a constraint the middle row breaks
        raw.execute("CREATE TRIGGER no_poison BEFORE INSERT ON articles WHEN NEW.title = 'سم' "
                    "BEGIN SELECT RAISE(ABORT, 'poison row'); END")
    for n, title in enumerate(["أول", "سم", "ثالث"]):
        pipeline.process_item(Article(**article(n, title=title)))
    pipeline.close()
    assert stored_count(tmp_path) == 2
    spooled = (tmp_path / "data" / "spool.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["title"] for x in spooled] == ["سم"]
    assert pipeline.crawler.stats.get_value("store/rows_isolated") == 2
