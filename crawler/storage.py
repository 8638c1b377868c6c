"""The article store on SQLAlchemy Core: SQLite by default (WAL), PostgreSQL by URL.

Tables (see ``docs/storage.md``):

- ``articles``: one row per article, keyed by canonical URL (the item's ``url`` when it has none),
  columns derived from ``items.FIELD_KINDS`` plus ``first_seen``/``last_seen``, ``version_hash``
  and the dedup link ``duplicate_of``/``duplicate_kind``. A re-crawl with the same content only
  moves ``last_seen``; changed content replaces the row and adds a version.
- ``article_versions``: every distinct content an article has had (title + body + metadata),
  one row per (canonical_url, version_hash), so no earlier wording is ever lost.
- ``article_signatures``: MinHash signatures of article bodies, so the near-duplicate index of
  ``pipelines.dedup`` can be rebuilt at the start of each run.
- search: an FTS5 table over folded title and body (SQLite) or a ``tsvector`` table with a GIN
  index (PostgreSQL), written in the same transaction as the article.
- ``runs``: one row per finished crawl of an outlet (outlet, spider, start and finish times, finish
  reason, and the run's numeric stats as JSON, see ``safe_run_stats``), written by
  ``crawler.runs.RunRecorder``; read by ``scrapy outlets`` (``ArticleStore.latest_runs``) and
  ``scrapy report`` (``ArticleStore.runs``: failed fetches, drops, monitors, fallbacks per outlet).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    case,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from crawler.arabic import fold
from crawler.items import FIELD_KINDS, LIST_FIELDS, MAP_FIELDS
from crawler.redact import has_credentials, redact

KEY_COLUMN = "canonical_url"
TIMESTAMP_COLUMNS = ("first_seen", "last_seen")
# Store-only columns: not part of the item, filled by the store (version_hash) or the dedup step.
STORE_COLUMNS = ("version_hash", "duplicate_of", "duplicate_kind")
# The fields a version keeps: what a reader would call "the article" plus when it was fetched.
VERSIONED_FIELDS = ("url", "title", "subtitle", "body", "authors", "dateline", "published_at", "modified_at",
                    "section", "tags", "images", "word_count", "content_hash", "fetched_at")
# Bound parameters per IN (...) list: far below SQLite's 32766 and PostgreSQL's 65535.
_CHUNK = 500

_COLUMN_TYPES = {"str": Text, "int": Integer, "float": Float, "list": Text, "map": Text}  # lists, maps: JSON text
# SQLite only aliases the rowid for INTEGER PRIMARY KEY, so a BIGINT key would stay NULL there.
_ID_TYPE = BigInteger().with_variant(Integer, "sqlite")

metadata = MetaData()


def _article_columns() -> list[Column]:
    columns = []
    for name, kind in FIELD_KINDS.items():
        if name == KEY_COLUMN:
            columns.append(Column(name, Text, primary_key=True))
        else:
            columns.append(Column(name, _COLUMN_TYPES[kind]()))
    columns += [Column(name, DateTime(timezone=True), nullable=False) for name in TIMESTAMP_COLUMNS]
    # If the item ever grows one of these fields, FIELD_KINDS already made the column.
    columns += [Column(name, Text) for name in STORE_COLUMNS if name not in FIELD_KINDS]
    return columns


articles = Table(
    "articles", metadata, *_article_columns(),
    Index("ix_articles_outlet", "outlet"),
    Index("ix_articles_content_hash", "content_hash"),
    Index("ix_articles_duplicate_of", "duplicate_of"),
)

article_versions = Table(
    "article_versions", metadata,
    Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
    Column(KEY_COLUMN, Text, nullable=False),
    Column("version_hash", Text, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    *[Column(name, _COLUMN_TYPES[FIELD_KINDS[name]]()) for name in VERSIONED_FIELDS],
    # One row per distinct content: replaying a spool or a resumed crawl never adds a copy.
    UniqueConstraint(KEY_COLUMN, "version_hash", name="uq_article_versions_content"),
)

article_signatures = Table(
    "article_signatures", metadata,
    Column(KEY_COLUMN, Text, primary_key=True),
    Column("num_perm", Integer, nullable=False),
    Column("minhash", LargeBinary, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

runs = Table(
    "runs", metadata,
    Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
    Column("outlet", Text, nullable=False),
    Column("spider", Text, nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("finish_reason", Text),
    Column("stats", Text, nullable=False),  # JSON object: stat name -> number (or a list of the kept lists)
    Index("ix_runs_outlet_finished", "outlet", "finished_at"),
)

# Body lines seen per outlet, for learning each outlet's boilerplate (crawler.templates): one row per
# (outlet, folded line hash) with the number of distinct articles and the first and last publication
# days it was seen on. Rows seen in one article only are pruned once they are old.
template_lines = Table(
    "template_lines", metadata,
    Column("outlet", Text, primary_key=True),
    Column("line_key", Text, primary_key=True),
    Column("articles", Integer, nullable=False),
    Column("first_day", Text, nullable=False),  # YYYY-MM-DD
    Column("last_day", Text, nullable=False),
    Index("ix_template_lines_key", "line_key"),
)

# Stats kept as lists of text (everything else must be a number): the drift monitor's example URLs
# and the monitors' failure messages.
RUN_LIST_STATS = ("layout/examples/", "monitors/failures")


def safe_run_stats(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a crawl's stats that may be stored: numbers, and the lists of ``RUN_LIST_STATS``
    with no value that carries credentials. Text values (exception messages, settings echoed by
    extensions) and times are left out: they may hold a database or Redis URL."""
    out: dict[str, Any] = {}
    for key, value in stats.items():
        # user:password@ in a URL (a DATABASE_URL, a REDIS_URL, a proxy): never stored, whatever the stat.
        if not isinstance(key, str) or has_credentials(key):
            continue
        if isinstance(value, bool):
            out[key] = int(value)
        elif isinstance(value, int | float):
            if value == value and value not in (float("inf"), float("-inf")):  # JSON has no NaN or infinity
                out[key] = value
        elif isinstance(value, list | tuple) and key.startswith(RUN_LIST_STATS):
            out[key] = [str(v) for v in value if isinstance(v, str) and not has_credentials(v)]
    return out


# Upsert is dialect-specific SQL; only these two dialects have the ON CONFLICT form we rely on.
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}

# Search DDL. SQLite: FTS5 rows are tied to a stable integer id (articles has a TEXT key, and
# VACUUM may renumber an implicit rowid). PostgreSQL: 'simple' config, because the text is folded
# by us and a stemmer would undo what fold() decided.
_SQLITE_SEARCH_DDL = (
    "CREATE TABLE IF NOT EXISTS article_search_ids (id INTEGER PRIMARY KEY, canonical_url TEXT NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, body, tokenize='unicode61')",
)
_PG_SEARCH_DDL = (
    "CREATE TABLE IF NOT EXISTS article_search (canonical_url TEXT PRIMARY KEY, document TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_article_search_document ON article_search USING GIN (document)",
)
_WORD = re.compile(r"\w+")


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message is one line meant for the user."""


class StoreUnavailable(StoreError):
    """The database cannot be written at all right now: locked, read-only, an I/O error, a full
    disk, a lost connection. No row of a batch can be written, so a caller keeps the whole batch
    (the spool) instead of retrying it row by row: each retry would wait out the same lock."""


# Messages that mean "the database", not "this row": what drivers say when a file is locked,
# read-only, damaged or full, or a server is gone. Checked after the exception types below.
_UNAVAILABLE_MESSAGES = re.compile(
    r"locked|\bbusy\b|read-?only|read only|i/o error|disk is full|no space left|unable to open|"
    r"not a database|malformed|no such table|connect|server closed|terminat|timed? ?out|lock timeout",
    re.IGNORECASE)


def is_unavailable(exc: BaseException) -> bool:
    """Whether a failed write says the database is unavailable (every row would fail the same way)
    rather than that a row broke a constraint or carried a value the database refuses."""
    if isinstance(exc, StoreUnavailable):
        return True
    cause = exc.__cause__ if isinstance(exc, StoreError) and exc.__cause__ is not None else exc
    if isinstance(cause, IntegrityError | DataError):
        return False
    if isinstance(cause, OperationalError | InterfaceError | DisconnectionError | PoolTimeoutError | OSError):
        return True
    if isinstance(cause, DBAPIError) and cause.connection_invalidated:
        return True
    return bool(_UNAVAILABLE_MESSAGES.search(_one_line(cause)))


def _one_line(exc: BaseException) -> str:
    # SQLAlchemy messages carry the SQL and a "Background on this error" link on extra lines;
    # the driver's own message is the part a user can act on.
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def database_url(settings: Mapping[str, Any]) -> str:
    """DATABASE_URL when set, else a SQLite URL for SQLITE_PATH."""
    url = settings.get("DATABASE_URL")
    if url:
        return str(url)
    return f"sqlite:///{settings.get('SQLITE_PATH') or 'data/articles.sqlite3'}"


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int = 10000) -> None:
    # WAL lets readers (exports, search) work while a crawl writes; NORMAL is safe under WAL and
    # avoids an fsync per transaction; busy_timeout lets a second writer wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.close()


DEFAULT_TIMEOUT = 10.0  # seconds: STORE_TIMEOUT


def _engine_options(dialect: str, timeout: float) -> dict[str, Any]:
    """Bounds on every wait of a connection: connecting, a pool slot, a lock. Without them a
    locked table (PostgreSQL waits for a lock forever by default) or a server that stopped
    answering holds the writer for good."""
    if dialect == "postgresql":
        return {"pool_pre_ping": True, "pool_timeout": timeout,
                "connect_args": {"connect_timeout": max(1, round(timeout)),
                                 "options": f"-c lock_timeout={int(timeout * 1000)}"}}
    return {"connect_args": {"timeout": timeout}}


def version_hash(title: str | None, body: str | None) -> str:
    """SHA-1 of folded title and body: what decides whether a re-crawl is a new version."""
    return _hash_folded(fold(title or ""), fold(body or ""))


def _hash_folded(folded_title: str, folded_body: str) -> str:
    return hashlib.sha1(f"{folded_title}\n\n{folded_body}".encode()).hexdigest()


def _no_nul(value: Any) -> Any:
    # PostgreSQL rejects NUL in text; one such row would fail its batch on every replay.
    return value.replace("\x00", "") if isinstance(value, str) else value


def folded_texts(title: Any, body: Any) -> tuple[str, str]:
    """(folded title, folded body): the version hash and the search index are made from these."""
    return fold(_no_nul(title) or ""), fold(_no_nul(body) or "")


def _encode(row: Mapping[str, Any], folded: tuple[str, str] | None = None) -> dict[str, Any]:
    """An item dict -> column values (lists as JSON text, ints as int). ``folded``: the row's
    folded title and body when the caller has them (fold is the costly part of a write)."""
    out: dict[str, Any] = {}
    for name, kind in FIELD_KINDS.items():
        value = row.get(name)
        if kind == "list":
            out[name] = None if value is None else _no_nul(json.dumps(list(value), ensure_ascii=False))
        elif kind == "map":
            out[name] = _no_nul(json.dumps(dict(value), ensure_ascii=False)) if isinstance(value, Mapping) else None
        elif kind == "int" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
            out[name] = int(value)
        elif kind == "int" and not isinstance(value, int | None):
            out[name] = None  # a stray non-number must not fail the whole batch
        elif kind == "float":
            out[name] = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        else:
            out[name] = _no_nul(value)
    for name in ("duplicate_of", "duplicate_kind"):
        out[name] = _no_nul(row.get(name)) or None
    out["version_hash"] = _hash_folded(*folded) if folded else version_hash(row.get("title"), row.get("body"))
    return out


def _as_utc(value: datetime | None) -> datetime | None:
    # SQLite has no time zone type: values come back naive, but they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _aware_utc(value: datetime | None) -> datetime | None:
    """A time as UTC (a naive one is taken as UTC already, as Scrapy's start_time is)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _decode_run(mapping: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(mapping)
    for name in ("started_at", "finished_at"):
        out[name] = _as_utc(out[name])
    try:
        stats = json.loads(out["stats"] or "{}")
    except ValueError:
        stats = {}
    out["stats"] = stats if isinstance(stats, dict) else {}
    return out


def _decode(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Column values -> an item dict (lists decoded, unknown lists as [])."""
    out = dict(mapping)
    for name in LIST_FIELDS:
        if name in out:
            out[name] = json.loads(out[name]) if out[name] else []
    for name in MAP_FIELDS:
        if name in out:
            out[name] = json.loads(out[name]) if out[name] else {}
    for name in (*TIMESTAMP_COLUMNS, "seen_at"):
        if name in out:
            out[name] = _as_utc(out[name])
    return out


def _row_key(row: Mapping[str, Any]) -> str | None:
    return row.get(KEY_COLUMN) or row.get("url") or None


def _non_empty(column: Column) -> Any:
    """SQL condition: the column holds a known value (not NULL, not '', not an empty JSON list)."""
    kind = FIELD_KINDS.get(column.name, "str")
    if kind in ("int", "float"):
        return column.is_not(None)
    if kind in ("list", "map"):
        return column.is_not(None) & column.not_in(["", "[]", "{}"])
    return column.is_not(None) & (column != "")


def _filtered(query: Any, outlet: str | Iterable[str] | None, since: str | None = None,
              until: str | None = None) -> Any:
    """``query`` over ``articles`` limited to one outlet or several, and to inclusive YYYY-MM-DD
    bounds on the day of ``published_at`` (articles without a date are left out when either is given)."""
    if isinstance(outlet, str):
        query = query.where(articles.c.outlet == outlet)
    elif outlet is not None:
        query = query.where(articles.c.outlet.in_(list(outlet)))
    day = func.substr(articles.c.published_at, 1, 10)
    if since:
        query = query.where(day >= since)
    if until:
        query = query.where(day <= until)
    return query


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def search_terms(query: str) -> list[str]:
    """The folded words of a search query (what both search backends match on)."""
    return _WORD.findall(fold(query))


# Clitics glued to an Arabic noun: the article and the prepositions/conjunctions before it.
_ARTICLE_FORMS = ("وال", "فال", "بال", "كال", "لل", "ال")


def term_variants(term: str) -> list[str]:
    """A folded search word and its forms with/without the definite article and its clitics, so
    "نتائج" finds "النتائج" and "والنتائج" (and the other way round)."""
    base = term
    for prefix in _ARTICLE_FORMS:
        if term.startswith(prefix) and len(term) - len(prefix) >= 2:
            base = term[len(prefix):]
            break
    if len(base) < 2 or not re.match(r"[\u0621-\u064a]", base):
        return [term]
    return list(dict.fromkeys([term, base, *(p + base for p in _ARTICLE_FORMS)]))


def decode_signature(value: Any) -> bytes | None:
    """A signature as carried in a row (base64 text, or bytes) -> bytes."""
    if value is None or value == "":
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return base64.b64decode(value)


def read_template_lines(engine: Engine, outlet: str, min_articles: int = 2) -> dict[str, tuple[int, str, str]]:
    """{line_key: (articles, first_day, last_day)} of ``outlet``'s lines seen in at least
    ``min_articles`` distinct articles, and its articles per day (keys ``*YYYY-MM-DD``). A store
    without the table (older, or not created yet) reads as empty."""
    query = select(template_lines.c.line_key, template_lines.c.articles, template_lines.c.first_day,
                   template_lines.c.last_day).where(
        template_lines.c.outlet == outlet,
        (template_lines.c.articles >= min_articles) | template_lines.c.line_key.startswith("*"))
    with engine.connect() as conn:
        if not inspect(conn).has_table(template_lines.name):
            return {}
        return {r.line_key: (r.articles, r.first_day, r.last_day) for r in conn.execute(query)}


def read_template_lines_elsewhere(engine: Engine, outlet: str, keys: Iterable[str]) -> dict[str, list[tuple[str, str, str]]]:
    """{line_key: [(other outlet, first_day, last_day)]} for the ``keys`` other outlets printed."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    with engine.connect() as conn:
        if not inspect(conn).has_table(template_lines.name):
            return out
        for chunk in _chunks(sorted(set(keys))):
            query = select(template_lines.c.line_key, template_lines.c.outlet, template_lines.c.first_day,
                           template_lines.c.last_day).where(template_lines.c.line_key.in_(chunk),
                                                            template_lines.c.outlet != outlet)
            for r in conn.execute(query):
                out.setdefault(r.line_key, []).append((r.outlet, r.first_day, r.last_day))
    return out


class ArticleStore:
    """Batched, versioned upserts and reads over the article tables."""

    def __init__(self, url: str | URL, *, create: bool = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        """``create=False``: open an existing store only (read-only commands: a mistyped path must
        not leave an empty database behind and report "0 articles"). ``timeout``: seconds any
        connection attempt or lock may be waited for (STORE_TIMEOUT)."""
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            # The raw string may hold a password, so it is not echoed back.
            raise StoreError(f"malformed database URL ({_one_line(exc)})") from None
        self.url = parsed
        self.shown = shown = redact(parsed.render_as_string(hide_password=False))
        self.dialect = parsed.get_backend_name()
        if self.dialect not in _INSERTS:
            raise StoreError(f"unsupported database {shown}: only sqlite and postgresql are supported")
        self._insert = _INSERTS[self.dialect]
        if self.dialect == "sqlite":
            if not create and parsed.database not in (None, "", ":memory:") and not Path(parsed.database).is_file():
                raise StoreError(f"no article store at {parsed.database} (run a crawl first, or set SQLITE_PATH / "
                                 "DATABASE_URL)")
            if create:
                self._prepare_sqlite_path(parsed, shown)
        try:
            self.engine: Engine = create_engine(parsed, **_engine_options(self.dialect, timeout))
            if self.dialect == "sqlite":
                busy_ms = int(timeout * 1000)
                event.listen(self.engine, "connect", lambda con, rec: _set_sqlite_pragmas(con, rec, busy_ms))
            if not create and not inspect(self.engine).has_table(articles.name):
                self.engine.dispose()
                raise StoreError(f"no article store in {shown} (no {articles.name} table; run a crawl first)")
            self._migrate()
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"cannot open article store {shown}: {_one_line(exc)}") from exc

    @classmethod
    def from_settings(cls, settings: Any, *, create: bool = True) -> ArticleStore:
        """Open the store named by DATABASE_URL, or the SQLite file at SQLITE_PATH (STORE_TIMEOUT:
        seconds a connection or a lock may be waited for)."""
        try:
            timeout = float(settings.get("STORE_TIMEOUT") or DEFAULT_TIMEOUT)
        except (TypeError, ValueError):
            raise StoreError(f"STORE_TIMEOUT must be a number of seconds, not {settings.get('STORE_TIMEOUT')!r}") \
                from None
        return cls(database_url(settings), create=create, timeout=timeout)

    @staticmethod
    def _prepare_sqlite_path(url: URL, shown: str) -> None:
        if not url.database or url.database == ":memory:":
            return
        path = Path(url.database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create folder for {shown}: {exc.strerror or exc}") from None

    # ----- schema -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        """Create what is missing; add columns an older ``articles`` table lacks (forward only).

        Workers starting together on an empty database race to create the tables (seen: the loser
        of two PostgreSQL workers got a unique violation in pg_type and spooled its whole run; two
        SQLite processes, "table articles already exists"). PostgreSQL serialises the migration on
        an advisory lock; any backend gets one retry, which then finds the tables made."""
        for attempt in (1, 2):
            try:
                self._migrate_once()
                return
            except SQLAlchemyError:
                if attempt == 2:
                    raise
                time.sleep(0.2)

    def _migrate_once(self) -> None:
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('arabic-news-crawler:migrate'))")
            metadata.create_all(conn)
            present = {c["name"] for c in inspect(conn).get_columns(articles.name)}
            missing = [c for c in articles.columns if c.name not in present]
            if KEY_COLUMN not in present:
                raise StoreError(f"table {articles.name} has no {KEY_COLUMN} column; it is not an article store")
            for column in missing:
                # ADD COLUMN cannot add NOT NULL without a default, so old rows get NULL timestamps.
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f'ALTER TABLE {articles.name} ADD COLUMN "{column.name}" {kind}')
            for index in articles.indexes:  # create_all leaves an existing table's indexes alone
                index.create(conn, checkfirst=True)
            for statement in _SQLITE_SEARCH_DDL if self.dialect == "sqlite" else _PG_SEARCH_DDL:
                conn.exec_driver_sql(statement)
            if "version_hash" in {c.name for c in missing}:
                self._backfill_versions(conn)

    def _backfill_versions(self, conn: Connection) -> None:
        """Rows written before versioning existed: record their content as their first version
        and index them for search, so the first changed re-crawl keeps the old wording."""
        rows = [_decode(m) for m in conn.execute(select(articles)).mappings()]
        now = datetime.now(UTC)
        for chunk in _chunks(rows):
            values = []
            for row in chunk:
                encoded = _encode(row)
                encoded[KEY_COLUMN] = row[KEY_COLUMN]
                encoded["seen_at"] = row.get("last_seen") or now
                values.append(encoded)
            conn.execute(articles.update().where(articles.c[KEY_COLUMN] == bindparam("key"))
                         .values(version_hash=bindparam("vh")),
                         [{"key": v[KEY_COLUMN], "vh": v["version_hash"]} for v in values])
            self._write_versions(conn, values, now)
            self._index_search(conn, chunk)

    # ----- writes -------------------------------------------------------------------------------

    def upsert_many(self, rows: list[Mapping[str, Any]], seen_at: datetime | None = None, *,
                    durable: bool = False) -> int:
        """Write a batch in one transaction; return the number of distinct articles written.

        Per canonical URL (else url): a new article is inserted; changed content (folded title +
        body) replaces the row and adds a version; unchanged content only moves ``last_seen``.
        Within one batch rows are taken in order, so each distinct content becomes a version and
        the last row wins. Rows with neither canonical_url nor url are skipped. Optional row keys
        beyond the item: ``duplicate_of``, ``duplicate_kind``, ``minhash`` (base64 signature) and
        ``num_perm``. ``seen_at`` (default: now, UTC) becomes ``last_seen`` (and ``first_seen``).
        ``durable``: the commit is on disk when this returns, also after a power loss (SQLite:
        ``synchronous=FULL`` for this transaction). Raises ``StoreUnavailable`` when the database
        cannot be written at all (locked, read-only, ...), ``StoreError`` when a row broke the batch.
        """
        seen_at = seen_at or datetime.now(UTC)
        keyed: list[tuple[str, Mapping[str, Any], dict[str, Any]]] = []
        folded: dict[str, tuple[str, str]] = {}
        for row in rows:
            key = _row_key(row)
            if key is None:
                continue
            given = row.get("_folded")  # folded already (in a page worker): see folded_texts
            folded[key] = tuple(given) if isinstance(given, (tuple, list)) and len(given) == 2 \
                else folded_texts(row.get("title"), row.get("body"))
            values = _encode(row, folded[key])
            values[KEY_COLUMN] = key
            values["first_seen"] = values["last_seen"] = seen_at
            keyed.append((key, row, values))
        if not keyed:
            return 0
        keys = list(dict.fromkeys(k for k, _, _ in keyed))
        full_sync = durable and self.dialect == "sqlite"
        try:
            with self.engine.connect() as conn:
                if full_sync:
                    # NORMAL (the default under WAL) may lose the last commits on power loss; a
                    # caller about to delete its only other copy of the rows needs them on disk.
                    conn.exec_driver_sql("PRAGMA synchronous=FULL")
                    conn.commit()
                try:
                    with conn.begin():
                        current = self._current_hashes(conn, keys)
                        changed: dict[str, dict[str, Any]] = {}
                        versions: list[dict[str, Any]] = []
                        signatures: dict[str, dict[str, Any]] = {}
                        for key, row, values in keyed:
                            if current.get(key) != values["version_hash"]:
                                current[key] = values["version_hash"]
                                changed.pop(key, None)  # re-insert: the batch keeps the order of last change
                                changed[key] = values
                                versions.append({**values, "seen_at": seen_at})
                                sig = decode_signature(row.get("minhash"))
                                if sig is not None:
                                    signatures[key] = {KEY_COLUMN: key, "minhash": sig, "seen_at": seen_at,
                                                       "num_perm": int(row.get("num_perm") or len(sig) // 4)}
                        if changed:
                            self._upsert_articles(conn, list(changed.values()))
                            self._write_versions(conn, versions, seen_at)
                            self._upsert_signatures(conn, list(signatures.values()))
                            self._index_search(conn, list(changed.values()), folded)
                        unchanged = [k for k in keys if k not in changed]
                        if unchanged:
                            conn.execute(articles.update().where(articles.c[KEY_COLUMN] == bindparam("key"))
                                         .values(last_seen=bindparam("seen")),
                                         [{"key": k, "seen": seen_at} for k in unchanged])
                finally:
                    if full_sync:
                        with contextlib.suppress(SQLAlchemyError):
                            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                            conn.commit()
        except SQLAlchemyError as exc:
            error = StoreUnavailable if is_unavailable(exc) else StoreError
            raise error(f"writing {len(keys)} rows failed: {_one_line(exc)}") from exc
        return len(keys)

    def _current_hashes(self, conn: Connection, keys: list[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for chunk in _chunks(keys):
            query = select(articles.c[KEY_COLUMN], articles.c.version_hash).where(articles.c[KEY_COLUMN].in_(chunk))
            found.update({k: h for k, h in conn.execute(query)})
        return found

    def _upsert_articles(self, conn: Connection, values: list[dict[str, Any]]) -> None:
        stmt = self._insert(articles)
        # PostgreSQL refuses to touch one row twice in a statement: callers pass distinct keys.
        stmt = stmt.on_conflict_do_update(
            index_elements=[articles.c[KEY_COLUMN]],
            set_={c.name: stmt.excluded[c.name] for c in articles.columns if c.name not in (KEY_COLUMN, "first_seen")},
        )
        conn.execute(stmt, values)

    def _write_versions(self, conn: Connection, rows: list[Mapping[str, Any]], seen_at: datetime) -> None:
        """Rows already encoded (column values with version_hash); existing contents are kept."""
        if not rows:
            return
        values = [{KEY_COLUMN: row[KEY_COLUMN], "version_hash": row["version_hash"],
                   "seen_at": row.get("seen_at") or seen_at, **{f: row.get(f) for f in VERSIONED_FIELDS}}
                  for row in rows]
        stmt = self._insert(article_versions).on_conflict_do_nothing(index_elements=[KEY_COLUMN, "version_hash"])
        conn.execute(stmt, values)

    def _upsert_signatures(self, conn: Connection, values: list[dict[str, Any]]) -> None:
        if not values:
            return
        stmt = self._insert(article_signatures)
        stmt = stmt.on_conflict_do_update(
            index_elements=[article_signatures.c[KEY_COLUMN]],
            set_={n: stmt.excluded[n] for n in ("num_perm", "minhash", "seen_at")},
        )
        conn.execute(stmt, values)

    def _index_search(self, conn: Connection, rows: list[Mapping[str, Any]],
                      folded: Mapping[str, tuple[str, str]] | None = None) -> None:
        if not rows:
            return
        # Only the last row per key reaches here, and the folded text of that row is the last one kept.
        docs = {r[KEY_COLUMN]: (folded or {}).get(r[KEY_COLUMN])
                or (fold(r.get("title") or ""), fold(r.get("body") or "")) for r in rows}
        keys = list(docs)
        if self.dialect == "sqlite":
            conn.execute(text("INSERT OR IGNORE INTO article_search_ids (canonical_url) VALUES (:k)"),
                         [{"k": k} for k in keys])
            ids: dict[str, int] = {}
            for chunk in _chunks(keys):
                query = text("SELECT canonical_url, id FROM article_search_ids WHERE canonical_url IN :keys") \
                    .bindparams(bindparam("keys", expanding=True))
                ids.update(dict(conn.execute(query, {"keys": chunk}).all()))
            conn.execute(text("DELETE FROM articles_fts WHERE rowid = :id"), [{"id": ids[k]} for k in keys])
            conn.execute(text("INSERT INTO articles_fts (rowid, title, body) VALUES (:id, :t, :b)"),
                         [{"id": ids[k], "t": t, "b": b} for k, (t, b) in docs.items()])
        else:
            conn.execute(text(
                "INSERT INTO article_search (canonical_url, document) VALUES (:k, "
                "setweight(to_tsvector('simple', :t), 'A') || setweight(to_tsvector('simple', :b), 'B')) "
                "ON CONFLICT (canonical_url) DO UPDATE SET document = EXCLUDED.document"),
                [{"k": k, "t": t, "b": b} for k, (t, b) in docs.items()])

    # ----- reads --------------------------------------------------------------------------------

    def ping(self) -> bool:
        """Whether the database answers a trivial query now."""
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def count(self) -> int:
        """Number of stored articles."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar_one()

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these canonical URLs are stored (for incremental crawls)."""
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(wanted):
                query = select(articles.c[KEY_COLUMN]).where(articles.c[KEY_COLUMN].in_(chunk))
                found.update(conn.execute(query).scalars())
        return found

    def all_keys(self) -> set[str]:
        """Every stored canonical URL."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(articles.c[KEY_COLUMN])).scalars())

    def iter_content_hashes(self, since: datetime | None = None) -> Iterator[tuple[str, str]]:
        """(content_hash, canonical_url) of stored originals (not duplicates), earliest first."""
        query = (select(articles.c.content_hash, articles.c[KEY_COLUMN])
                 .where(articles.c.content_hash.is_not(None), articles.c.duplicate_of.is_(None))
                 .order_by(articles.c.first_seen, articles.c[KEY_COLUMN]))
        if since is not None:
            query = query.where(articles.c.last_seen >= since)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(query):
                yield row[0], row[1]  # plain tuples, not Rows tied to the closing connection

    def iter_signatures(self, since: datetime | None = None) -> Iterator[tuple[str, int, bytes]]:
        """(canonical_url, num_perm, signature) of stored originals (not duplicates), oldest first."""
        query = (select(article_signatures.c[KEY_COLUMN], article_signatures.c.num_perm,
                        article_signatures.c.minhash)
                 .join(articles, articles.c[KEY_COLUMN] == article_signatures.c[KEY_COLUMN])
                 .where(articles.c.duplicate_of.is_(None))
                 .order_by(articles.c.first_seen))
        if since is not None:
            query = query.where(article_signatures.c.seen_at >= since)
        with self.engine.connect() as conn:
            for key, num_perm, sig in conn.execution_options(yield_per=1000).execute(query):
                yield key, num_perm, bytes(sig)

    def versions(self, key: str) -> list[dict[str, Any]]:
        """Every stored version of one article, in the order they were recorded."""
        query = (select(article_versions).where(article_versions.c[KEY_COLUMN] == key)
                 .order_by(article_versions.c.id))
        with self.engine.connect() as conn:
            return [_decode(m) for m in conn.execute(query).mappings()]

    def version_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(article_versions)).scalar_one()

    def iter_articles(self, outlet: str | Iterable[str] | None = None, since: str | None = None,
                      until: str | None = None, dedup: bool = False) -> Iterator[dict[str, Any]]:
        """Stored articles as item dicts (plus store columns), in canonical URL order.

        ``outlet``: one slug or several; ``since``/``until``: inclusive YYYY-MM-DD bounds on the
        day of ``published_at`` (articles without a date are left out when either is given);
        ``dedup``: leave out articles linked to an original by ``duplicate_of``.
        """
        query = _filtered(select(articles).order_by(articles.c[KEY_COLUMN]), outlet, since, until)
        if dedup:
            query = query.where(articles.c.duplicate_of.is_(None))
        with self.engine.connect() as conn:
            for mapping in conn.execution_options(yield_per=500).execute(query).mappings():
                yield _decode(mapping)

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Best matches for a query, folded so hamza and letter variants match.

        Every folded word must occur (in title or body); title matches rank higher. Returns dicts
        with canonical_url, url, outlet, title, published_at, body and score (higher is better).
        """
        terms = search_terms(query)
        if not terms:
            return []
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                # Each term quoted: FTS5 query syntax in user input must stay plain text.
                match = " AND ".join(
                    "(" + " OR ".join('"' + v.replace('"', '""') + '"' for v in term_variants(t)) + ")" for t in terms)
                ranked = conn.execute(text(
                    "SELECT k.canonical_url, -bm25(articles_fts, 4.0, 1.0) AS score FROM articles_fts "
                    "JOIN article_search_ids k ON k.id = articles_fts.rowid "
                    "WHERE articles_fts MATCH :m ORDER BY bm25(articles_fts, 4.0, 1.0) LIMIT :n"),
                    {"m": match, "n": limit}).all()
            else:
                ranked = conn.execute(text(
                    "SELECT canonical_url, ts_rank(document, q) AS score "
                    "FROM article_search, to_tsquery('simple', :q) AS q "
                    "WHERE document @@ q ORDER BY score DESC, canonical_url LIMIT :n"),
                    {"q": " & ".join("(" + " | ".join(term_variants(t)) + ")" for t in terms), "n": limit}).all()
            if not ranked:
                return []
            cols = [articles.c[n] for n in (KEY_COLUMN, "url", "outlet", "title", "published_at", "body")]
            found = {m[KEY_COLUMN]: dict(m) for m in conn.execute(
                select(*cols).where(articles.c[KEY_COLUMN].in_([k for k, _ in ranked]))).mappings()}
        return [{**found[k], "score": float(s)} for k, s in ranked if k in found]

    def summary(self, outlet: str | Iterable[str] | None = None, since: str | None = None) -> dict[str, Any]:
        """Totals and field coverage per outlet, computed in one grouped query.

        Coverage is the share of an outlet's rows whose field is known (non-empty). Rows without an
        outlet are reported under the key None. ``outlet``, ``since``: as ``iter_articles``.
        """
        fields = list(FIELD_KINDS)
        query = _filtered(select(
            articles.c.outlet.label("group_outlet"),
            func.count().label("group_rows"),
            # labels are prefixed so the per-field sums never clash with the grouping columns
            *[func.sum(case((_non_empty(articles.c[f]), 1), else_=0)).label(f"known_{f}") for f in fields],
        ), outlet, since).group_by(articles.c.outlet)
        per_outlet: dict[str | None, int] = {}
        coverage: dict[str | None, dict[str, float]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                outlet, n = row["group_outlet"], row["group_rows"]
                per_outlet[outlet] = n
                coverage[outlet] = {f: (row[f"known_{f}"] or 0) / n for f in fields}
        return {"total": sum(per_outlet.values()), "per_outlet": per_outlet, "coverage": coverage}

    def articles_per_day(self, outlet: str | Iterable[str] | None = None,
                         since: str | None = None) -> dict[str | None, dict[str, int]]:
        """{outlet: {publication day YYYY-MM-DD: articles}}; undated articles under the day ""."""
        day = func.coalesce(func.substr(articles.c.published_at, 1, 10), "")
        query = _filtered(select(articles.c.outlet, day.label("day"), func.count().label("n")), outlet, since) \
            .group_by(articles.c.outlet, day)
        out: dict[str | None, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                out.setdefault(row.outlet, {})[row.day] = row.n
        return out

    def latest_articles(self, per_outlet: int = 3, outlet: str | Iterable[str] | None = None,
                        since: str | None = None) -> list[dict[str, Any]]:
        """The ``per_outlet`` most recently published articles of each outlet (undated ones last):
        dicts with outlet, outlet_name, url, title, authors, published_at, published_raw, first_seen."""
        rank = func.row_number().over(partition_by=articles.c.outlet,
                                      order_by=(articles.c.published_at.desc().nulls_last(),
                                                articles.c.first_seen.desc()))
        cols = [articles.c[n] for n in ("outlet", "outlet_name", "url", KEY_COLUMN, "title", "authors",
                                        "published_at", "published_raw", "first_seen")]
        ranked = _filtered(select(*cols, rank.label("rank")), outlet, since).subquery()
        query = select(ranked).where(ranked.c.rank <= per_outlet).order_by(ranked.c.outlet, ranked.c.rank)
        with self.engine.connect() as conn:
            return [_decode({k: v for k, v in m.items() if k != "rank"}) for m in conn.execute(query).mappings()]

    def duplicate_links(self, outlet: str | Iterable[str] | None = None, since: str | None = None,
                        limit: int | None = None) -> list[dict[str, Any]]:
        """Articles linked to an original (``duplicate_of``), with the original's outlet and title:
        dicts with outlet, title, url, kind, published_at, original_outlet, original_title,
        original_url (None when the original is no longer stored). ``outlet`` and ``since`` filter
        the copies."""
        original = articles.alias("original")
        query = _filtered(select(
            articles.c.outlet, articles.c.title, articles.c.url, articles.c.published_at,
            articles.c.duplicate_kind.label("kind"), articles.c.duplicate_of,
            original.c.outlet.label("original_outlet"), original.c.title.label("original_title"),
            original.c.url.label("original_url"),
        ).select_from(articles.outerjoin(original, original.c[KEY_COLUMN] == articles.c.duplicate_of))
            .where(articles.c.duplicate_of.is_not(None)), outlet, since) \
            .order_by(articles.c.published_at.desc().nulls_last(), articles.c[KEY_COLUMN])
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(m) for m in conn.execute(query).mappings()]

    def duplicate_pairs(self, outlet: str | Iterable[str] | None = None,
                        since: str | None = None) -> dict[tuple[str, str | None, str | None], int]:
        """{(copy's outlet, original's outlet or None when it is gone, kind): copies}, filtered as
        ``duplicate_links``."""
        original = articles.alias("original")
        query = _filtered(select(articles.c.outlet, original.c.outlet.label("original_outlet"),
                                 articles.c.duplicate_kind, func.count().label("n"))
                          .select_from(articles.outerjoin(original, original.c[KEY_COLUMN] == articles.c.duplicate_of))
                          .where(articles.c.duplicate_of.is_not(None)), outlet, since) \
            .group_by(articles.c.outlet, original.c.outlet, articles.c.duplicate_kind)
        with self.engine.connect() as conn:
            return {(r.outlet, r.original_outlet, r.duplicate_kind): r.n for r in conn.execute(query)}

    def outlet_names(self) -> set[str]:
        """Every outlet the store holds articles or runs of."""
        query = select(articles.c.outlet).where(articles.c.outlet.is_not(None)).distinct() \
            .union(select(runs.c.outlet).distinct())
        with self.engine.connect() as conn:
            return set(conn.execute(query).scalars())

    # ----- runs ---------------------------------------------------------------------------------

    def record_run(self, outlet: str, spider: str, stats: Mapping[str, Any], *, finished_at: datetime | None = None,
                   started_at: datetime | None = None, finish_reason: str | None = None) -> None:
        """Store one finished crawl of an outlet; ``stats`` pass through ``safe_run_stats``."""
        row = {"outlet": outlet, "spider": spider, "started_at": _aware_utc(started_at),
               "finished_at": _aware_utc(finished_at) or datetime.now(UTC), "finish_reason": finish_reason,
               "stats": json.dumps(safe_run_stats(stats), ensure_ascii=False, sort_keys=True)}
        try:
            with self.engine.begin() as conn:
                conn.execute(runs.insert(), [row])
        except SQLAlchemyError as exc:
            raise StoreError(f"writing the run of {outlet} failed: {_one_line(exc)}") from exc

    def runs(self, outlet: str | Iterable[str] | None = None, since: datetime | None = None,
             limit: int | None = None) -> list[dict[str, Any]]:
        """Stored runs, newest first: dicts with id, outlet, spider, started_at, finished_at,
        finish_reason and stats (decoded). ``outlet``: one slug or several; ``since``: runs
        finished at or after it."""
        query = self._runs_query(outlet, since).order_by(runs.c.finished_at.desc(), runs.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_decode_run(m) for m in conn.execute(query).mappings()]

    def latest_runs(self, outlet: str | Iterable[str] | None = None,
                    since: datetime | None = None) -> dict[str, dict[str, Any]]:
        """The newest stored run of each outlet (as ``runs`` gives them), by outlet slug."""
        newest = self._runs_query(outlet, since).with_only_columns(func.max(runs.c.id)).group_by(runs.c.outlet)
        query = select(runs).where(runs.c.id.in_(newest.scalar_subquery())).order_by(runs.c.outlet)
        with self.engine.connect() as conn:
            return {m["outlet"]: _decode_run(m) for m in conn.execute(query).mappings()}

    @staticmethod
    def _runs_query(outlet: str | Iterable[str] | None, since: datetime | None) -> Any:
        query = select(runs)
        if isinstance(outlet, str):
            query = query.where(runs.c.outlet == outlet)
        elif outlet is not None:
            query = query.where(runs.c.outlet.in_(list(outlet)))
        if since is not None:
            query = query.where(runs.c.finished_at >= _aware_utc(since))
        return query

    # ----- learned boilerplate (crawler.templates) -------------------------------------------------

    def template_lines(self, outlet: str, min_articles: int = 2) -> dict[str, tuple[int, str, str]]:
        return read_template_lines(self.engine, outlet, min_articles)

    def template_lines_elsewhere(self, outlet: str, keys: Iterable[str]) -> dict[str, list[tuple[str, str, str]]]:
        return read_template_lines_elsewhere(self.engine, outlet, keys)

    def add_template_lines(self, rows: Iterable[tuple[str, str, int, str, str]], prune_before: str | None = None) -> None:
        """Add (outlet, line_key, articles, first_day, last_day) counts: articles are summed, the day
        range widened. ``prune_before``: then drop lines seen in one article only whose last day is
        before this day (article text: it will not recur)."""
        values = [{"outlet": o, "line_key": k, "articles": n, "first_day": f, "last_day": la} for o, k, n, f, la in rows]
        table = template_lines
        with self.engine.begin() as conn:
            for chunk in _chunks(values):
                stmt = self._insert(table).values(chunk)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[table.c.outlet, table.c.line_key],
                    set_={"articles": table.c.articles + stmt.excluded.articles,
                          "first_day": func.min(table.c.first_day, stmt.excluded.first_day)
                          if self.dialect == "sqlite" else func.least(table.c.first_day, stmt.excluded.first_day),
                          "last_day": func.max(table.c.last_day, stmt.excluded.last_day)
                          if self.dialect == "sqlite" else func.greatest(table.c.last_day, stmt.excluded.last_day)})
                conn.execute(stmt)
            if prune_before:
                conn.execute(table.delete().where(table.c.articles <= 1, table.c.last_day < prune_before,
                                                  ~table.c.line_key.startswith("*")))

    def close(self) -> None:
        """Release pooled connections (and with them SQLite's file handles)."""
        self.engine.dispose()
