"""WARC archiving and offline replay, without the Scrapy engine.

``WarcWriter`` appends HTTP exchanges to a gzip-compressed WARC/1.1 file; ``WarcIndex`` reads one back
and serves the recorded responses by URL. The HTTP header block and body are stored byte for byte as
given (a gzip'd body stays gzip'd), so a replayed crawl goes through the same decoding as a live one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url, safe_url_string
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

__all__ = ["ArchivedResponse", "HeadersLike", "WarcError", "WarcIndex", "WarcWriter"]

WARC_VERSION = "WARC/1.1"
SOFTWARE = "arabic-news-crawler (warcio)"

# Namespace for record IDs derived from content when the caller fixes the date (reproducible archives).
_RECORD_ID_NAMESPACE = uuid.UUID("6f1d6a52-4b7e-4c1e-9a43-0d2f5e7c9b11")

HeadersLike = Mapping[Any, Any] | Iterable[tuple[Any, Any]]


class WarcError(Exception):
    """A WARC file is missing, unreadable or not a WARC file."""


@dataclass(frozen=True)
class ArchivedResponse:
    """One recorded HTTP response, as it came off the wire (body still content-encoded)."""

    url: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    protocol: str = "HTTP/1.1"
    date: str = ""

    def header(self, name: bytes | str) -> bytes | None:
        """First value of header ``name`` (case-insensitive), or None."""
        key = _to_bytes(name).lower()
        return next((value for hname, value in self.headers if hname.lower() == key), None)


# --------------------------------------------------------------------------------------- writing


class WarcWriter:
    """Append request/response record pairs to a gzip-compressed WARC/1.1 file.

    Each record is its own gzip member (the WARC convention), so the file can be read with
    random access and stays valid if the crawl is killed between two exchanges.
    """

    def __init__(self, path: str | os.PathLike[str], *, filename: str | None = None) -> None:
        """Open ``path`` for appending; ``filename`` overrides the name recorded in warcinfo."""
        self.path = Path(path)
        self.filename = filename or self.path.name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A warcinfo record heads every file; appending to an existing archive must not repeat it.
        self._needs_warcinfo = not self.path.exists() or self.path.stat().st_size == 0
        self._fh: IO[bytes] | None = self.path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=True, warc_version=WARC_VERSION)
        self.records_written = 0

    def write_exchange(
        self,
        url: str,
        method: str,
        request_headers: HeadersLike | None,
        status: int,
        reason: str,
        response_headers: HeadersLike | None,
        body: bytes,
        date: datetime | None = None,
        *,
        request_body: bytes = b"",
        protocol: str = "HTTP/1.1",
    ) -> int:
        """Archive one exchange; return how many WARC records were written (2, or 3 with warcinfo).

        ``body`` is stored exactly as given. With ``date`` set (naive means UTC) the output is
        deterministic: record IDs are derived from URL, date and file offset instead of being random.
        """
        if self._fh is None:
            raise WarcError(f"WARC writer for {self.path} is closed")
        # WARC-Target-URI must be a URI: percent-encode Arabic paths (a no-op for Scrapy's URLs).
        url = safe_url_string(url)
        when = date or datetime.now(UTC)
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)
        warc_date = datetime_to_iso_date(when, use_micros=when.microsecond != 0)
        offset = self._fh.tell()

        def record_id(kind: str) -> str:
            if date is None:
                return f"<urn:uuid:{uuid.uuid4()}>"
            return f"<urn:uuid:{uuid.uuid5(_RECORD_ID_NAMESPACE, f'{kind} {offset} {warc_date} {url}')}>"

        written = 0
        if self._needs_warcinfo:
            self._write_warcinfo(warc_date, record_id("warcinfo"))
            self._needs_warcinfo = False
            written += 1

        request_id, response_id = record_id("request"), record_id("response")
        request_block = _request_head(url, method, request_headers, protocol) + request_body
        response_head = _response_head(status, reason, response_headers, protocol)
        self._write_http_record("request", url, warc_date, request_id, response_id, request_block,
                                request_body)
        self._write_http_record("response", url, warc_date, response_id, request_id,
                                response_head + body, body)
        written += 2
        self.records_written += written
        return written

    def close(self) -> None:
        """Flush and close the file; later writes raise WarcError."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write_warcinfo(self, warc_date: str, record_id: str) -> None:
        fields = f"software: {SOFTWARE}\r\nformat: WARC File Format 1.1\r\n".encode()
        record = self._writer.create_warc_record(
            "",
            "warcinfo",
            payload=BytesIO(fields),
            length=len(fields),
            warc_headers_dict={
                "WARC-Record-ID": record_id,
                "WARC-Date": warc_date,
                "WARC-Filename": self.filename,
            },
        )
        self._writer.write_record(record)

    def _write_http_record(
        self, kind: str, url: str, warc_date: str, record_id: str, concurrent_to: str, block: bytes,
        payload: bytes,
    ) -> None:
        # The block is passed pre-serialised (no warcio http_headers object) because warcio would
        # re-encode the header lines and percent-escape raw UTF-8 in them, e.g. an Arabic Location.
        rec_headers = StatusAndHeaders("", [
            ("WARC-Type", kind),
            ("WARC-Record-ID", record_id),
            ("WARC-Date", warc_date),
            ("WARC-Target-URI", url),
            ("WARC-Concurrent-To", concurrent_to),
            ("WARC-Payload-Digest", _digest(payload)),
            ("WARC-Block-Digest", _digest(block)),
        ], protocol=WARC_VERSION)
        content_type = f"application/http; msgtype={kind}"
        record = ArcWarcRecord("warc", kind, rec_headers, BytesIO(block), None, content_type, len(block))
        record.payload_length = len(block)
        self._writer.write_record(record)


def _digest(data: bytes) -> str:
    digester = Digester("sha1")
    digester.update(data)
    return str(digester)


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    # Header text given as str (manifests, tests) is taken as UTF-8, the encoding Arabic sites use.
    return str(value).encode("utf-8")


def _header_pairs(headers: HeadersLike | None) -> list[tuple[bytes, bytes]]:
    """Flatten a mapping (single or list values, e.g. Scrapy ``Headers``) or pairs to byte pairs."""
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    pairs: list[tuple[bytes, bytes]] = []
    for name, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((_to_bytes(name), _to_bytes(v)) for v in values)
    return pairs


def _header_block(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(name + b": " + value + b"\r\n" for name, value in pairs) + b"\r\n"


def _request_head(url: str, method: str, headers: HeadersLike | None, protocol: str) -> bytes:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = _header_pairs(headers)
    # Scrapy adds Host in the download handler, after every middleware; the request record needs it.
    # The URL went through safe_url_string, so the host is already ASCII (punycode).
    if not any(name.lower() == b"host" for name, _ in pairs):
        pairs.insert(0, (b"Host", parts.netloc.encode()))
    return f"{method.upper()} {target} {protocol}\r\n".encode() + _header_block(pairs)


def _response_head(status: int, reason: str, headers: HeadersLike | None, protocol: str) -> bytes:
    # The body we get is already de-chunked, so a recorded Transfer-Encoding would make readers
    # try to de-chunk it again.
    pairs = [(n, v) for n, v in _header_pairs(headers) if n.lower() != b"transfer-encoding"]
    status_line = f"{protocol} {status} {reason}".rstrip() + "\r\n"
    return status_line.encode() + _header_block(pairs)


# --------------------------------------------------------------------------------------- reading


class WarcIndex:
    """Index of the response records in a WARC file (gzip'd or not), by URL.

    The file is read once to find each response's offset; ``get`` re-reads just that record, so
    large archives do not have to fit in memory. When a URL was recorded more than once, the last
    record wins. Revisit records are not indexed.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        # Exact URIs first; canonical forms only answer URLs that were never recorded verbatim.
        self._exact: dict[str, int] = {}
        self._canonical: dict[str, int] = {}
        try:
            with self.path.open("rb") as fh:
                iterator = ArchiveIterator(fh, no_record_parse=True)
                end = 0
                for record in iterator:
                    url = _target_uri(record)
                    block = _read_block(record)  # a damaged record fails now, not mid-crawl
                    if record.rec_type == "response" and url.startswith(("http://", "https://")):
                        _parse_http(block, url)
                        self._exact[url] = iterator.get_record_offset()
                        self._canonical[_canonical(url)] = iterator.get_record_offset()
                    end = iterator.get_record_offset() + iterator.get_record_length()
                # warcio stops quietly when a file ends inside a record header; only blank
                # separator lines may follow the last complete record.
                fh.seek(end)
                if fh.read(64).strip():
                    raise WarcError(f"truncated or corrupt after byte {end}")
        except FileNotFoundError:
            raise WarcError(f"WARC file not found: {self.path}") from None
        except WarcError as exc:
            raise WarcError(f"damaged WARC file {self.path}: {exc}") from None
        except Exception as exc:  # warcio, gzip and zlib raise many types for a damaged file
            raise WarcError(f"cannot read WARC file {self.path}: {_one_line(exc)}") from exc

    def __len__(self) -> int:
        return len(self._exact)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._lookup(url) is not None

    def urls(self) -> list[str]:
        """Recorded response URLs, in first-recorded order."""
        return list(self._exact)

    def get(self, url: str) -> ArchivedResponse | None:
        """The recorded response for ``url`` (exact, else canonicalised match), or None."""
        offset = self._lookup(url)
        if offset is None:
            return None
        try:
            with self.path.open("rb") as fh:
                fh.seek(offset)
                record = next(iter(ArchiveIterator(fh, no_record_parse=True)))
                recorded_url = _target_uri(record)
                block = _read_block(record)
        except Exception as exc:
            raise WarcError(f"cannot read record at offset {offset} of {self.path}: {_one_line(exc)}") \
                from exc
        protocol, status, headers, body = _parse_http(block, recorded_url)
        date = record.rec_headers.get_header("WARC-Date") or ""
        return ArchivedResponse(url=recorded_url, status=status, headers=headers, body=body,
                                protocol=protocol, date=date)

    def __iter__(self) -> Iterator[str]:
        return iter(self.urls())

    def _lookup(self, url: str) -> int | None:
        offset = self._exact.get(url)
        if offset is None:
            offset = self._canonical.get(_canonical(url))
        return offset


def _canonical(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False)


def _target_uri(record: ArcWarcRecord) -> str:
    # Some tools wrap the URI in angle brackets (WARC/1.1 draft syntax).
    return (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")


def _read_block(record: ArcWarcRecord) -> bytes:
    block = record.raw_stream.read()
    declared = record.rec_headers.get_header("Content-Length") or ""
    # Content-Length is mandatory; warcio yields a header-truncated record without one.
    if not declared.isdigit():
        raise WarcError(f"{record.rec_type} record at {_target_uri(record) or 'start'} has no Content-Length "
                        "(truncated?)")
    if len(block) < int(declared):
        raise WarcError(f"record for {_target_uri(record)} is truncated ({len(block)} of {declared} bytes)")
    return block


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "non-chunked gzip" in text:
        return "gzip'd as one stream instead of one member per record (fix: warcio recompress IN OUT)"
    return text[:200]


def _parse_http(block: bytes, url: str) -> tuple[str, int, list[tuple[bytes, bytes]], bytes]:
    """Split a recorded HTTP response block into protocol, status, raw header pairs and body."""
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = block.partition(b"\n\n")
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    status_parts = lines[0].split(None, 2)
    if len(status_parts) < 2 or not status_parts[0].startswith(b"HTTP/") or not status_parts[1].isdigit():
        raise WarcError(f"response record for {url} has no HTTP status line: {lines[0][:80]!r}")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and headers:  # obsolete folded continuation line
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip())
        elif b":" in line:
            name, value = line.split(b":", 1)
            headers.append((name.strip(), value.strip()))
    if any(n.lower() == b"transfer-encoding" and b"chunked" in v.lower() for n, v in headers):
        # Archives from other tools (wget, warcprox) keep the chunked framing; Scrapy expects it gone.
        body = ChunkedDataReader(BytesIO(body)).read()
        headers = [(n, v) for n, v in headers if n.lower() != b"transfer-encoding"]
    return status_parts[0].decode("ascii"), int(status_parts[1]), headers, body


# ------------------------------------------------------------------------- one record, streamed


def find_response(path: str | os.PathLike[str], url: str, *, max_size: int = 0) -> ArchivedResponse | None:
    """The response record for ``url`` in the WARC at ``path`` (the last one when it was recorded
    more than once; exact URI first, else the canonical form), read without loading the file:
    one pass over the record headers, then the one record. Its payload (still content-encoded)
    is read up to ``max_size`` bytes (0: no cap); WarcError when it is larger or the file is bad."""
    path = Path(path)
    exact = canonical = None
    wanted = _canonical(url)
    try:
        with path.open("rb") as fh:
            iterator = ArchiveIterator(fh, no_record_parse=True)
            for record in iterator:
                if record.rec_type != "response":
                    continue
                recorded = _target_uri(record)
                if recorded == url:
                    exact = iterator.get_record_offset()
                elif recorded.startswith(("http://", "https://")) and _canonical(recorded) == wanted:
                    canonical = iterator.get_record_offset()
            offset = exact if exact is not None else canonical
            if offset is None:
                return None
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh, no_record_parse=True)))
            declared = record.rec_headers.get_header("Content-Length") or ""
            if max_size and declared.isdigit() and int(declared) > max_size + 65536:
                raise WarcError(f"record for {url} is {declared} bytes, over DOWNLOAD_MAXSIZE ({max_size})")
            block = record.raw_stream.read(max_size + 65536 + 1) if max_size else record.raw_stream.read()
            if max_size and len(block) > max_size + 65536:
                raise WarcError(f"record for {url} is over DOWNLOAD_MAXSIZE ({max_size} bytes)")
            recorded_url = _target_uri(record)
            date = record.rec_headers.get_header("WARC-Date") or ""
    except FileNotFoundError:
        raise WarcError(f"WARC file not found: {path}") from None
    except WarcError:
        raise
    except Exception as exc:  # warcio, gzip and zlib raise many types for a damaged file
        raise WarcError(f"cannot read WARC file {path}: {_one_line(exc)}") from exc
    protocol, status, headers, body = _parse_http(block, recorded_url)
    return ArchivedResponse(url=recorded_url, status=status, headers=headers, body=body, protocol=protocol,
                            date=date)
