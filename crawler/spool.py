"""The spool: rows the store could not take, kept on disk (JSON Lines) until a store can.

Several crawls may share one spool file (``scrapy schedule`` runs outlets in parallel with the
same ``SPOOL_PATH``), so every change of the file happens under an exclusive ``flock`` on
``<spool>.lock``:

- ``append`` adds lines and fsyncs them (and the folder, when the file is new) before it returns:
  the spool exists for outages, so it must survive a crash too.
- ``claim`` takes the file away for a replay: under the lock it is renamed to
  ``<spool>.replay-<pid>-<random>``, which the replayer keeps locked while it writes the rows.
  Rows spooled meanwhile start a new spool file; nothing is read, written and deleted while
  another process appends (the race that lost rows). A claimed file whose replayer died (its lock
  is free) is claimed again by the next replay.
- ``read`` streams a claimed file line by line as bytes (a spool may be large, and a line cut
  inside a multi-byte character by a crash or a full disk must not stop the replay): lines that
  do not decode or parse go to ``<spool>.rejected``, the others come back as rows.
- ``done`` deletes a claimed file; the replayer calls it only after the store's commit of its rows
  is durable. ``release`` puts the unwritten part of a claimed file back for a later replay.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written (a write may take only part of them)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot open a folder; the file is synced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def encode_row(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, default=str) + "\n").encode("utf-8")


@dataclass
class Claim:
    """A spool file taken for a replay, locked by this process until ``done`` or ``release``."""

    path: Path
    fh: IO[bytes]
    rejected: int = 0


class Spool:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.rejected_path = self.path.with_name(self.path.name + ".rejected")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # held for a rename or an append: milliseconds
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def append(self, rows: list[dict[str, Any]]) -> None:
        """Add rows; they are on disk when this returns. Raises OSError (a full disk, no access)."""
        data = b"".join(encode_row(row) for row in rows)
        with self._locked():
            self._append_bytes(self.path, data)

    @staticmethod
    def _append_bytes(path: Path, data: bytes) -> None:
        new = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:
            _fsync_dir(path.parent)

    def pending(self) -> bool:
        """Whether there is anything to replay (a spool file, or a claimed file left by a replayer)."""
        return self.path.exists() or any(self._claimed_files())

    def _claimed_files(self) -> Iterator[Path]:
        if self.path.parent.is_dir():
            found = [p for p in self.path.parent.glob(self.path.name + ".replay-*") if not p.name.endswith(".rest")]
            yield from sorted(found, key=_mtime)

    def claim(self) -> list[Claim]:
        """Take every spool file nobody is replaying: orphaned claims first (older rows), then the
        live spool. Empty when there is nothing to replay."""
        if not self.pending():
            return []
        claims: list[Claim] = []
        with self._locked():
            for path in self._claimed_files():  # left by a replayer that died (its lock is free)
                fh = path.open("rb")
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    fh.close()  # another process is replaying it now
                    continue
                claims.append(Claim(path, fh))
            if self.path.exists():
                taken = self.path.with_name(f"{self.path.name}.replay-{os.getpid()}-{uuid.uuid4().hex[:8]}")
                fh = self.path.open("rb")
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # nobody else has the new name yet
                os.replace(self.path, taken)
                claims.append(Claim(taken, fh))
        return claims

    def read(self, claim: Claim) -> Iterator[tuple[int, dict[str, Any]]]:
        """(byte offset of the line, row) for each readable line of a claimed file, in order.
        Unreadable lines (cut short, not UTF-8, not a JSON object) go to ``<spool>.rejected``."""
        claim.fh.seek(0)
        offset = 0
        for raw in claim.fh:
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                row = None
            if not isinstance(row, dict):
                self.reject(raw)
                claim.rejected += 1
                continue
            yield start, row

    def reject(self, raw: bytes) -> None:
        with self._locked():
            self._append_bytes(self.rejected_path, raw if raw.endswith(b"\n") else raw + b"\n")

    def done(self, claim: Claim) -> None:
        """Every row of the claimed file is durably stored: delete it."""
        with contextlib.suppress(FileNotFoundError):
            claim.path.unlink()
        claim.fh.close()

    def release(self, claim: Claim, from_offset: int) -> None:
        """The replay stopped (the store went away): keep the lines from ``from_offset`` on for a
        later replay and unlock them. They go back under the spool's own name when no new spool
        was started meanwhile; otherwise they stay a claimed file, which the next replay takes
        before the newer spool (older rows first)."""
        if from_offset > 0:
            rest = claim.path.with_name(claim.path.name + ".rest")
            claim.fh.seek(from_offset)
            fd = os.open(rest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                while chunk := claim.fh.read(1 << 20):
                    _write_all(fd, chunk)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(rest, claim.path)  # atomic: a crash leaves the whole claim or its rest
        with self._locked():
            if not self.path.exists():
                os.replace(claim.path, self.path)
        _fsync_dir(claim.path.parent)
        claim.fh.close()  # closing drops the lock


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


__all__ = ["Claim", "Spool", "encode_row"]
