"""scrapy export --format jsonl|parquet|csv [--outlet SLUG ...] [--since DAY] [--until DAY] [--dedup] [-o PATH]

Writes a snapshot of the store and, beside it, a dataset card (``PATH.card.json`` and
``PATH.card.md``): counts per outlet and per day, field coverage, schema version, filters.

- JSONL: one UTF-8 object per line, the same keys and types on every line (nested records always
  carry every key), so ``datasets.load_dataset("json", data_files=PATH)`` loads it as is.
- Parquet: written through pyarrow with the declared schema ``PARQUET_SCHEMA``.
- CSV: UTF-8 with a byte-order mark (spreadsheets then show Arabic correctly); list fields as JSON.
  A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  ``'``: spreadsheets run such a cell as a formula, and the text comes from pages anyone can write.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from scrapy.commands import ScrapyCommand

from crawler.items import FIELD_KINDS, SCHEMA_VERSION
from crawler.options import EXIT_USAGE, UsageError, check_outlets, module_outlets, outlet_list
from crawler.storage import ArticleStore, StoreError

FORMATS = ("jsonl", "parquet", "csv")
EXTRA_COLUMNS = ("duplicate_of", "duplicate_kind", "first_seen", "last_seen")
COLUMNS = tuple(FIELD_KINDS) + tuple(c for c in EXTRA_COLUMNS if c not in FIELD_KINDS)

# Nested records: every key always present (None when unknown), in this order.
NESTED_KEYS: dict[str, tuple[str, ...]] = {
    "images": ("url", "caption"),
    "related": ("title", "url", "text"),
    "embeds": ("platform", "url", "author", "handle", "published_at", "text"),
}

_str = pa.string()
PARQUET_SCHEMA = pa.schema(
    [pa.field(name, {
        "str": _str, "int": pa.int64(), "float": pa.float64(), "map": pa.map_(_str, _str),
        "list": pa.list_(pa.struct([(k, _str) for k in NESTED_KEYS[name]])) if name in NESTED_KEYS
        else pa.list_(_str),
    }[kind]) for name, kind in FIELD_KINDS.items()]
    + [pa.field(name, _str) for name in ("duplicate_of", "duplicate_kind") if name not in FIELD_KINDS]
    # Parquet has no seconds unit; pyarrow would store "s" as "ms" anyway, so declare what is on disk.
    + [pa.field(name, pa.timestamp("ms", tz="UTC")) for name in ("first_seen", "last_seen")],
    metadata={b"schema_version": str(SCHEMA_VERSION).encode()},
)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class ExportError(ValueError):
    """A bad argument or an unwritable output; the message is one line for the user."""


def _day(value: str, option: str) -> str:
    if not _DAY.fullmatch(value or ""):
        raise ExportError(f"{option} must be a day as YYYY-MM-DD, not {value!r}")
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise ExportError(f"{option} {value!r} is not a calendar day") from None
    return value


def shape(row: dict[str, Any]) -> dict[str, Any]:
    """A stored article -> the exported record: fixed columns, nested keys filled, ISO times."""
    out: dict[str, Any] = {}
    for name in COLUMNS:
        value = row.get(name)
        if name in NESTED_KEYS:
            value = [{k: (None if e.get(k) is None else str(e.get(k))) for k in NESTED_KEYS[name]}
                     for e in (value or []) if isinstance(e, dict)]
        elif FIELD_KINDS.get(name) == "list":
            value = [str(v) for v in (value or []) if v is not None]
        elif FIELD_KINDS.get(name) == "map":
            value = {str(k): str(v) for k, v in (value or {}).items() if v is not None}
        elif isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat(timespec="seconds")
        out[name] = value
    return out


class Card:
    """Counts gathered while the rows stream past, so an export reads the store once."""

    def __init__(self) -> None:
        self.rows = 0
        self.per_outlet: Counter[str] = Counter()
        self.per_day: dict[str, Counter[str]] = defaultdict(Counter)
        self.known: Counter[str] = Counter()
        self.duplicates = 0

    def add(self, record: dict[str, Any]) -> None:
        self.rows += 1
        outlet = record.get("outlet") or "(none)"
        self.per_outlet[outlet] += 1
        self.per_day[outlet][(record.get("published_at") or "")[:10] or "(undated)"] += 1
        self.duplicates += bool(record.get("duplicate_of"))
        for name in COLUMNS:
            if record.get(name) not in (None, "", []):
                self.known[name] += 1

    def as_dict(self, path: Path, fmt: str, filters: dict[str, Any]) -> dict[str, Any]:
        return {
            "file": path.name, "format": fmt, "schema_version": SCHEMA_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"), "filters": filters,
            "rows": self.rows, "duplicates_linked": self.duplicates,
            "per_outlet": dict(sorted(self.per_outlet.items())),
            "per_outlet_day": {o: dict(sorted(d.items())) for o, d in sorted(self.per_day.items())},
            "field_coverage": {n: round(self.known[n] / self.rows, 4) if self.rows else 0.0 for n in COLUMNS},
        }


def card_markdown(card: dict[str, Any]) -> str:
    lines = [f"# Dataset card: {card['file']}", "",
             f"- format: {card['format']}; schema version {card['schema_version']}; created {card['created_at']}",
             f"- rows: {card['rows']} ({card['duplicates_linked']} linked to an original by `duplicate_of`)",
             f"- filters: {json.dumps(card['filters'], ensure_ascii=False)}", "",
             "Field meanings: docs/fields.md. Empty means unknown, never a guess.", "",
             "## Articles per outlet and day", "", "| outlet | day | articles |", "|---|---|---|"]
    for outlet, days in card["per_outlet_day"].items():
        lines += [f"| {outlet} | {day} | {n} |" for day, n in days.items()]
    lines += ["", "## Field coverage (share of rows with a known value)", "", "| field | coverage |", "|---|---|"]
    lines += [f"| {name} | {100 * share:.1f}% |" for name, share in card["field_coverage"].items()]
    return "\n".join(lines) + "\n"


def write_jsonl(records: Iterator[dict[str, Any]], path: Path, card: Card) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            card.add(record)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(records: Iterator[dict[str, Any]], path: Path, card: Card) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # -sig: the BOM spreadsheets need
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        writer.writeheader()
        for record in records:
            card.add(record)
            writer.writerow({k: csv_cell(v) for k, v in record.items()})


def write_parquet(records: Iterator[dict[str, Any]], path: Path, card: Card, chunk: int = 2000) -> None:
    with pq.ParquetWriter(path, PARQUET_SCHEMA, compression="zstd") as writer:
        buffer: list[dict[str, Any]] = []

        def flush() -> None:
            for r in buffer:
                for name in ("first_seen", "last_seen"):
                    r[name] = datetime.fromisoformat(r[name]) if r.get(name) else None
            writer.write_table(pa.Table.from_pylist(buffer, schema=PARQUET_SCHEMA))
            buffer.clear()

        for record in records:
            card.add(record)
            buffer.append(dict(record))
            if len(buffer) >= chunk:
                flush()
        flush()  # also writes an empty table, so an empty export still has its schema


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def export(store: ArticleStore, fmt: str, path: Path, outlets: list[str] | None = None, since: str | None = None,
           until: str | None = None, dedup: bool = False) -> dict[str, Any]:
    """Write the snapshot and its card; return the card."""
    if fmt not in WRITERS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    since = _day(since, "--since") if since else None
    until = _day(until, "--until") if until else None
    if since and until and since > until:
        raise ExportError(f"--since {since} is after --until {until}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create folder {path.parent}: {exc.strerror or exc}") from None
    card = Card()
    records = (shape(r) for r in store.iter_articles(outlets or None, since=since, until=until, dedup=dedup))
    temporary = path.with_name(path.name + ".part")  # a failed export leaves no half file under the name
    try:
        WRITERS[fmt](records, temporary, card)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    filters = {"outlet": outlets or None, "since": since, "until": until, "dedup": dedup}
    data = card.as_dict(path, fmt, filters)
    path.with_name(path.name + ".card.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                                        encoding="utf-8")
    path.with_name(path.name + ".card.md").write_text(card_markdown(data), encoding="utf-8")
    return data


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "--format jsonl|parquet|csv [--outlet SLUG ...] [--since DAY] [--until DAY] [--dedup] [-o PATH]"

    def short_desc(self) -> str:
        return "Write a dataset snapshot of the store (JSONL, Parquet or CSV) and its dataset card"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--format", dest="fmt", default="jsonl", help="jsonl (default), parquet or csv")
        parser.add_argument("--outlet", action="append", default=None,
                            help="only this outlet (repeatable, or comma-separated)")
        parser.add_argument("--since", help="first publication day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--until", help="last publication day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--dedup", action="store_true", help="leave out articles linked as duplicates")
        parser.add_argument("-o", "--output", dest="path", help="output file (default data/export/articles.FORMAT)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            return self._fail(f"unexpected argument {args[0]!r}", EXIT_USAGE)
        fmt = (opts.fmt or "").lower()
        if fmt not in FORMATS:
            return self._fail(f"unknown format {opts.fmt!r}: choose one of {', '.join(FORMATS)}", EXIT_USAGE)
        path = Path(opts.path or f"data/export/articles.{fmt}")
        if path.is_dir():
            return self._fail(f"output {path} is a folder; name a file", EXIT_USAGE)
        try:
            outlets = outlet_list(opts.outlet)
        except UsageError as exc:
            return self._fail(str(exc), EXIT_USAGE)
        try:
            store = ArticleStore.from_settings(self.settings, create=False)  # a typo must not make a store
        except StoreError as exc:
            return self._fail(str(exc))
        try:
            if outlets:
                check_outlets(outlets, module_outlets(self.settings) | store.outlet_names())
            card = export(store, fmt, path, outlets, opts.since, opts.until, opts.dedup)
        except (ExportError, UsageError) as exc:
            return self._fail(str(exc), EXIT_USAGE)
        finally:
            store.close()
        print(f"{card['rows']} articles -> {path} (card: {path.name}.card.md, {path.name}.card.json)")

    def _fail(self, message: str, status: int = 1) -> None:
        """One line on stderr; status 2 for a bad option value (as ``scrapy crawl``), 1 for a store
        that cannot be read."""
        print(f"scrapy export: {message}", file=sys.stderr)
        self.exitcode = status
