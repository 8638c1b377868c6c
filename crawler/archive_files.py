"""Which archive files are done: the table ``archive_files`` in the article store's database.

An archive run records a WARC file as ``done`` once every record of it was read and the items it
gave were written by the store (at the close of the crawl, after the store's last batch), so a
file is never processed twice and an interrupted run resumes with the files it had not finished.
Tasks of the distributed runner (``crawler.archive_tasks``) also *claim* a file before they start
it (``running``, with the task's name as owner): a task that is run again after its worker died
takes its own claim over; a claim by another owner is taken over only once it is older than
``lease`` seconds.

The table is ours (created here through SQLAlchemy on ``DATABASE_URL`` / ``SQLITE_PATH``); the
article store's tables are not touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, create_engine, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url

from crawler.storage import database_url

metadata = MetaData()

archive_files = Table(
    "archive_files", metadata,
    Column("file", Text, primary_key=True),  # crawler.archive.file_key: bucket key, URL or absolute path
    Column("state", Text, nullable=False),  # running | done
    Column("owner", Text),  # the task that claimed it
    Column("worker", Text),  # where it ran (host:pid, or the engine's worker address)
    Column("attempts", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("records", Integer),  # WARC records read
    Column("articles", Integer),  # items the file gave to the pipelines
    Column("stats", Text),  # the file's archive/* counts as JSON
)

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Several archive processes share one SQLite file on a machine: wait for the lock, don't fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class FileLedger:
    """The ``archive_files`` table of one database."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() not in _INSERTS:
            raise ValueError(f"archive files need SQLite or PostgreSQL, not {parsed.get_backend_name()}")
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._insert = _INSERTS[parsed.get_backend_name()]
        metadata.create_all(self.engine)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> FileLedger:
        return cls(database_url(settings))

    def close(self) -> None:
        self.engine.dispose()

    def done(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are done."""
        keys = list(keys)
        found: set[str] = set()
        with self.engine.connect() as con:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                found |= {r[0] for r in con.execute(select(archive_files.c.file).where(
                    archive_files.c.file.in_(chunk), archive_files.c.state == "done"))}
        return found

    def is_done(self, key: str) -> bool:
        return bool(self.done([key]))

    def claim(self, key: str, owner: str, worker: str, lease: float = 600.0) -> bool:
        """Take ``key`` for ``owner``; False when it is done, or claimed by another owner within
        the lease."""
        now = _now()
        with self.engine.begin() as con:
            inserted = con.execute(self._insert(archive_files).values(
                file=key, state="running", owner=owner, worker=worker, attempts=1, started_at=now,
            ).on_conflict_do_nothing(index_elements=["file"])).rowcount
            if inserted:
                return True
            taken = con.execute(update(archive_files).where(
                archive_files.c.file == key, archive_files.c.state != "done",
                (archive_files.c.owner == owner) | (archive_files.c.started_at < now - timedelta(seconds=lease)),
            ).values(state="running", owner=owner, worker=worker, attempts=archive_files.c.attempts + 1,
                     started_at=now)).rowcount
        return bool(taken)

    def finish(self, key: str, worker: str, records: int, articles: int, stats: Mapping[str, int]) -> None:
        """Record ``key`` as done (whoever claimed it)."""
        now = _now()
        values = {"state": "done", "worker": worker, "finished_at": now, "records": records,
                  "articles": articles, "stats": json.dumps(dict(stats), sort_keys=True)}
        with self.engine.begin() as con:
            con.execute(self._insert(archive_files).values(file=key, attempts=1, started_at=now, **values)
                        .on_conflict_do_update(index_elements=["file"], set_=values))

    def rows(self) -> list[dict[str, Any]]:
        with self.engine.connect() as con:
            return [dict(r._mapping) for r in con.execute(select(archive_files).order_by(archive_files.c.file))]
