"""A throwaway PostgreSQL server for tests and benchmarks: initdb into a temporary folder, start it
on a free port bound to 127.0.0.1, stop it by PID and remove the folder at the end.

initdb refuses to run as root, so as root the server runs as the ``postgres`` user (created by
Debian's postgresql package) through ``runuser``. ``TEST_DATABASE_URL`` names an existing server
to use instead (nothing is started or stopped then).

    with PostgresServer() as pg:
        store = ArticleStore(pg.url)
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


def unavailable_reason() -> str | None:
    """Why no server can be started here (None when one can)."""
    if os.environ.get("TEST_DATABASE_URL"):
        return None
    if find_bindir() is None:
        return "PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/initdb; run .ci/postgres.sh)"
    if os.geteuid() == 0:
        try:
            import pwd
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run initdb as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg (v3) is not installed: pip install 'psycopg[binary]'"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """Start with ``start()`` (or ``with``); ``url`` is a SQLAlchemy URL for database ``news``."""

    def __init__(self, database: str = "news") -> None:
        self.database = database
        self.url = os.environ.get("TEST_DATABASE_URL", "")
        self.external = bool(self.url)
        self.folder: Path | None = None
        self.pid: int | None = None
        self.port = 0

    def _run(self, *cmd: str) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)

    def start(self) -> PostgresServer:
        if self.external:
            return self
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        bindir = find_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="news-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        done = self._run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                         "--locale=C.UTF-8", "--no-sync")
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"initdb failed: {done.stderr.strip()[-500:]}")
        self.port = port = free_port()
        try:
            self.start_server()
        except RuntimeError:
            self.stop()
            raise
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{self.database}"
        return self

    def start_server(self) -> None:
        """Start (or start again) the server process on the existing data folder."""
        assert self.folder is not None
        data = self.folder / "data"
        # fsync off: a test server's data is thrown away, and this makes it start and write fast.
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        done = self._run(str(find_bindir() / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "server.log"),
                         "-w", "-t", "30", "start", "-o", options)
        pid_file = data / "postmaster.pid"
        if pid_file.exists():
            self.pid = int(pid_file.read_text().split()[0])
        if done.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")[-500:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()[-300:]} {log}")

    def stop_server(self) -> None:
        """Stop the server process by PID and wait until it is gone; the data folder stays."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)  # "fast" shutdown: end sessions, checkpoint, exit
            pid_file = self.folder / "data" / "postmaster.pid" if self.folder else None
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                # The server removes its pid file as its last act (an unreaped zombie stays "alive").
                if pid_file is not None and not pid_file.exists():
                    break
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                os.kill(self.pid, signal.SIGKILL)
            self.pid = None

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        self.stop_server()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def reset(self) -> None:
        """Drop every table the store made, so each test starts from an empty database."""
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
