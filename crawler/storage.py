"""The article store: one ``articles`` table on SQLAlchemy Core, SQLite by default, PostgreSQL by URL.

The table layout is derived from ``items.FIELD_KINDS`` so the schema lives in one place. Rows are
keyed by canonical URL (the item's ``url`` when it has none); writing the same article again updates
it in place, keeps ``first_seen`` and moves ``last_seen``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    case,
    create_engine,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from crawler.items import FIELD_KINDS, LIST_FIELDS

KEY_COLUMN = "canonical_url"
TIMESTAMP_COLUMNS = ("first_seen", "last_seen")

_COLUMN_TYPES = {"str": Text, "int": Integer, "list": Text}  # lists are stored as JSON text

metadata = MetaData()


def _article_columns() -> list[Column]:
    columns = []
    for name, kind in FIELD_KINDS.items():
        if name == KEY_COLUMN:
            columns.append(Column(name, Text, primary_key=True))
        else:
            columns.append(Column(name, _COLUMN_TYPES[kind]()))
    columns += [Column(name, DateTime(timezone=True), nullable=False) for name in TIMESTAMP_COLUMNS]
    return columns


articles = Table("articles", metadata, *_article_columns(), Index("ix_articles_outlet", "outlet"))

# Upsert is dialect-specific SQL; only these two dialects have the ON CONFLICT form we rely on.
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message is one line meant for the user."""


def _one_line(exc: BaseException) -> str:
    # SQLAlchemy messages carry the SQL and a "Background on this error" link on extra lines;
    # the driver's own message is the part a user can act on.
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {text[0] if text else ''}".rstrip(": ")


def database_url(settings: Mapping[str, Any]) -> str:
    """DATABASE_URL when set, else a SQLite URL for SQLITE_PATH."""
    url = settings.get("DATABASE_URL")
    if url:
        return str(url)
    return f"sqlite:///{settings.get('SQLITE_PATH') or 'data/articles.sqlite3'}"


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (exports, the summary) work while a crawl writes; NORMAL is safe under WAL
    # and avoids an fsync per transaction.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _encode(row: Mapping[str, Any]) -> dict[str, Any]:
    """An item dict -> column values (lists as JSON text, ints as int)."""
    out: dict[str, Any] = {}
    for name, kind in FIELD_KINDS.items():
        value = row.get(name)
        if kind == "list":
            out[name] = None if value is None else json.dumps(list(value), ensure_ascii=False)
        elif kind == "int" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
            out[name] = int(value)
        else:
            out[name] = value
    return out


def _as_utc(value: datetime | None) -> datetime | None:
    # SQLite has no time zone type: values come back naive, but they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _decode(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Column values -> an item dict (lists decoded, unknown lists as [])."""
    out = dict(mapping)
    for name in LIST_FIELDS:
        out[name] = json.loads(out[name]) if out[name] else []
    for name in TIMESTAMP_COLUMNS:
        out[name] = _as_utc(out[name])
    return out


def _row_key(row: Mapping[str, Any]) -> str | None:
    return row.get(KEY_COLUMN) or row.get("url") or None


def _non_empty(column: Column) -> Any:
    """SQL condition: the column holds a known value (not NULL, not '', not an empty JSON list)."""
    kind = FIELD_KINDS[column.name]
    if kind == "int":
        return column.is_not(None)
    if kind == "list":
        return column.is_not(None) & column.not_in(["", "[]"])
    return column.is_not(None) & (column != "")


class ArticleStore:
    """Batched upserts and simple reads over the ``articles`` table."""

    def __init__(self, url: str | URL) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            # The raw string may hold a password, so it is not echoed back.
            raise StoreError(f"malformed database URL ({_one_line(exc)})") from None
        self.url = parsed
        shown = parsed.render_as_string(hide_password=True)
        if parsed.get_backend_name() not in _INSERTS:
            raise StoreError(f"unsupported database {shown}: only sqlite and postgresql are supported")
        self._insert = _INSERTS[parsed.get_backend_name()]
        if parsed.get_backend_name() == "sqlite":
            self._prepare_sqlite_path(parsed, shown)
        try:
            self.engine: Engine = create_engine(parsed)
            if parsed.get_backend_name() == "sqlite":
                event.listen(self.engine, "connect", _set_sqlite_pragmas)
            metadata.create_all(self.engine)
            self._check_columns()
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"cannot open article store {shown}: {_one_line(exc)}") from exc

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ArticleStore:
        """Open the store named by DATABASE_URL, or the SQLite file at SQLITE_PATH."""
        return cls(database_url(settings))

    @staticmethod
    def _prepare_sqlite_path(url: URL, shown: str) -> None:
        if not url.database or url.database == ":memory:":
            return
        path = Path(url.database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create folder for {shown}: {exc.strerror or exc}") from None

    def _check_columns(self) -> None:
        # create_all never alters an existing table: a store written under an older schema must
        # fail here, clearly, rather than on the first batch.
        present = {c["name"] for c in inspect(self.engine).get_columns(articles.name)}
        missing = [c.name for c in articles.columns if c.name not in present]
        if missing:
            raise StoreError(f"table {articles.name} lacks columns {', '.join(missing)}; it needs migrating")

    def upsert_many(self, rows: list[Mapping[str, Any]], seen_at: datetime | None = None) -> int:
        """Insert or update rows keyed by canonical URL in one transaction; return rows written.

        Within one batch the last row for a key wins; rows with neither canonical_url nor url are
        skipped. ``seen_at`` (default: now, UTC) becomes ``last_seen`` (and ``first_seen`` for new rows).
        """
        seen_at = seen_at or datetime.now(UTC)
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:
            key = _row_key(row)
            if key is None:
                continue
            values = _encode(row)
            values[KEY_COLUMN] = key
            values["first_seen"] = values["last_seen"] = seen_at
            latest.pop(key, None)  # re-insert so the batch keeps the order of last appearance
            latest[key] = values
        if not latest:
            return 0
        stmt = self._insert(articles)
        # PostgreSQL refuses to touch one row twice in a statement, hence the de-duplication above.
        stmt = stmt.on_conflict_do_update(
            index_elements=[articles.c[KEY_COLUMN]],
            set_={c.name: stmt.excluded[c.name] for c in articles.columns
                  if c.name not in (KEY_COLUMN, "first_seen")},
        )
        try:
            with self.engine.begin() as conn:
                conn.execute(stmt, list(latest.values()))
        except SQLAlchemyError as exc:
            raise StoreError(f"writing {len(latest)} rows failed: {_one_line(exc)}") from exc
        return len(latest)

    def count(self) -> int:
        """Number of stored articles."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar_one()

    def iter_articles(self, outlet: str | None = None) -> Iterator[dict[str, Any]]:
        """Stored articles as item dicts (plus first_seen/last_seen), in canonical URL order."""
        query = select(articles).order_by(articles.c[KEY_COLUMN])
        if outlet is not None:
            query = query.where(articles.c.outlet == outlet)
        with self.engine.connect() as conn:
            for mapping in conn.execution_options(yield_per=500).execute(query).mappings():
                yield _decode(mapping)

    def summary(self) -> dict[str, Any]:
        """Totals and field coverage per outlet, computed in one grouped query.

        Coverage is the share of an outlet's rows whose field is known (non-empty). Rows without an
        outlet are reported under the key None.
        """
        fields = list(FIELD_KINDS)
        query = select(
            articles.c.outlet.label("group_outlet"),
            func.count().label("group_rows"),
            # labels are prefixed so the per-field sums never clash with the grouping columns
            *[func.sum(case((_non_empty(articles.c[f]), 1), else_=0)).label(f"known_{f}") for f in fields],
        ).group_by(articles.c.outlet)
        per_outlet: dict[str | None, int] = {}
        coverage: dict[str | None, dict[str, float]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                outlet, n = row["group_outlet"], row["group_rows"]
                per_outlet[outlet] = n
                coverage[outlet] = {f: (row[f"known_{f}"] or 0) / n for f in fields}
        return {"total": sum(per_outlet.values()), "per_outlet": per_outlet, "coverage": coverage}

    def close(self) -> None:
        """Release pooled connections (and with them SQLite's file handles)."""
        self.engine.dispose()
