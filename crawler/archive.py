"""Archives as input: WARC files (our own, Common Crawl News, any WARC collection) read record by
record for the crawl's extraction and pipelines (``spiders/archive.py``).

What this module does, each step pure or a plain iterator:

- **Locations.** A WARC is named by a local path, a ``file://``, ``http(s)://`` or ``s3://`` URL, or
  a *listing* (CC-NEWS's ``warc.paths.gz``, or any ``*.paths[.gz]`` / ``*.txt`` file with one WARC
  per line). Common Crawl's bucket is public over HTTPS, so ``s3://commoncrawl/KEY`` is read as
  ``https://data.commoncrawl.org/KEY`` (setting ``ARCHIVE_CC_BASE`` names a mirror, e.g. a local
  directory or a loopback server in tests); a listing's relative ``crawl-data/...`` keys resolve the
  same way. ``s3://`` URLs of other buckets are refused: they need credentials we do not handle.
- **File selection by date.** CC-NEWS names each file by the time its first record was written
  (``CC-NEWS-20250301123456-00012.warc.gz``); a file ends where the next one starts. So a
  date window keeps exactly the files that can hold records inside it, and the record date
  (``WARC-Date``) filter then trims the edges. A CC-NEWS root (``s3://commoncrawl/crawl-data/CC-NEWS/``)
  expands to the monthly listings the window touches.
- **Records, streamed.** ``iter_pages`` reads a file sequentially with warcio (gzip'd per record or
  not); a record that is filtered out (type, host, date, status, media type, size) is skipped
  without reading its payload. Payloads larger than ``DOWNLOAD_MAXSIZE`` are refused before they
  are read, and ``Content-Encoding`` is decoded by the crawl's own decoders with the same cap, so
  a 1 KB record cannot inflate to 100 MB. Revisit records are counted and skipped: they say "same
  payload as an earlier capture", and that capture's article is stored from its own record.
- **Language.** ``arabic_page`` judges a page by ``<html lang>`` (or ``Content-Language``), and
  by the share of Arabic letters in its visible text when the page does not say (or says a
  language but is written in Arabic): the cheap checks that let a non-Arabic record cost a
  decode, never a parse.

Counts go into a ``Counter``-like mapping under ``archive/...`` (the spider adds them to its stats).
"""

from __future__ import annotations

import gzip
import io
import re
import urllib.request
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import HtmlResponse
from scrapy.utils.gz import gunzip
from w3lib.url import safe_url_string
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

try:  # the decoders Scrapy's HttpCompressionMiddleware uses, so a record decodes as a live page does
    from scrapy.utils._compression import _inflate, _unbrotli, _unzstd
except ImportError:  # pragma: no cover - a Scrapy that moved them: those encodings are skipped
    _inflate = _unbrotli = _unzstd = None

from pipelines.validate import arabic_share

__all__ = [
    "CC_HTTPS", "ArchivePage", "ArchiveSourceError", "ContentTooLarge", "arabic_page", "expand_sources", "file_key",
    "iter_pages", "open_location", "page_response", "resolve",
]

CC_BUCKET = "commoncrawl"
CC_HTTPS = "https://data.commoncrawl.org/"
CC_NEWS_ROOT = "crawl-data/CC-NEWS/"
_CC_NEWS_NAME = re.compile(r"CC-NEWS-(\d{14})-\d+\.warc(?:\.gz)?$")
_LISTING = re.compile(r"(?:\.paths(?:\.gz)?|\.txt)$", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})", re.IGNORECASE)
_BODY_START = re.compile(r"<body\b", re.IGNORECASE)
_NOT_TEXT = re.compile(r"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>|&[#\w]+;",
                       re.IGNORECASE | re.DOTALL)
_NO_READ_TIMEOUT = 60.0


class ArchiveSourceError(Exception):
    """A WARC location or listing that cannot be read; the message is one line for the user."""


# ------------------------------------------------------------------------------------ locations


def resolve(location: str, cc_base: str | None = None) -> str:
    """Where to read ``location`` from: ``s3://commoncrawl/KEY`` and a bare ``crawl-data/...`` key
    become ``{cc_base}KEY`` (default ``https://data.commoncrawl.org/``); anything else is returned
    as given (``~`` expanded for paths)."""
    base = (cc_base or CC_HTTPS).rstrip("/") + "/"
    parts = urlsplit(location)
    if parts.scheme == "s3":
        if parts.netloc != CC_BUCKET:
            raise ArchiveSourceError(f"{location}: only s3://{CC_BUCKET}/ is read (public over HTTPS); "
                                     "copy other buckets locally or give an https:// URL")
        return base + parts.path.lstrip("/")
    if location.startswith(CC_NEWS_ROOT.split("/")[0] + "/"):
        return base + location
    if not parts.scheme or len(parts.scheme) == 1:  # a path (a drive letter is not a scheme)
        return str(Path(location).expanduser())
    return location


def file_key(location: str, cc_base: str | None = None) -> str:
    """The name a WARC file is recorded under as done: the same on every machine and mirror.
    Common Crawl files by their bucket key (``crawl-data/CC-NEWS/...``), other URLs as they are,
    local files by absolute path."""
    resolved = resolve(location, cc_base)
    for base in {CC_HTTPS, (cc_base or CC_HTTPS).rstrip("/") + "/"}:
        if resolved.startswith(base):
            return resolved[len(base):]
    if urlsplit(resolved).scheme in ("http", "https", "file"):
        return resolved
    return str(Path(resolved).resolve())


def open_location(location: str, cc_base: str | None = None, timeout: float = _NO_READ_TIMEOUT) -> IO[bytes]:
    """A binary stream of the file at ``location`` (read sequentially, never whole)."""
    resolved = resolve(location, cc_base)
    scheme = urlsplit(resolved).scheme
    try:
        if scheme in ("http", "https"):
            request = urllib.request.Request(resolved, headers={"User-Agent": "arabic-news-crawler archive reader"})
            return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) only, checked above
        if scheme == "file":
            return open(urllib.request.url2pathname(urlsplit(resolved).path), "rb")  # noqa: SIM115
        if scheme:
            raise ArchiveSourceError(f"{location}: cannot read {scheme}:// locations")
        return open(resolved, "rb")  # noqa: SIM115 - the caller closes it
    except ArchiveSourceError:
        raise
    except OSError as exc:  # URLError and HTTPError are OSErrors
        reason = getattr(exc, "reason", None) or exc.strerror or exc
        raise ArchiveSourceError(f"cannot open {location}: {reason}") from None


def cc_news_date(name: str) -> datetime | None:
    """The time the first record of a CC-NEWS file was written, from its name."""
    m = _CC_NEWS_NAME.search(name)
    return datetime.strptime(m.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC) if m else None


def select_by_date(locations: list[str], since: datetime | None, until: datetime | None) -> list[str]:
    """The files that can hold records in [since, until]. A CC-NEWS file holds records from the
    time in its name up to the next file's; files without such a name are always kept."""
    dated = sorted((d, loc) for loc in locations if (d := cc_news_date(loc)) is not None)
    keep = [loc for loc in locations if cc_news_date(loc) is None]
    for i, (start, loc) in enumerate(dated):
        end = dated[i + 1][0] if i + 1 < len(dated) else None
        if until is not None and start > until:
            continue
        if since is not None and end is not None and end <= since:
            continue
        keep.append(loc)
    return keep


def _months(since: datetime, until: datetime) -> Iterator[str]:
    year, month = since.year, since.month
    while (year, month) <= (until.year, until.month):
        yield f"{year:04d}/{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def read_listing(location: str, cc_base: str | None = None) -> list[str]:
    """The WARC locations a listing names, one per line (gzip'd or not). Relative Common Crawl keys
    resolve against the bucket; other relative entries against the listing's own location."""
    with open_location(location, cc_base) as fh:
        raw = fh.read(64 * 1024 * 1024)  # a month of CC-NEWS is ~1 MB uncompressed
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    where = resolve(location, cc_base)
    out = []
    for line in raw.decode("utf-8", "replace").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if urlsplit(entry).scheme in ("s3", "http", "https", "file") or entry.startswith(("/", "crawl-data/")):
            out.append(entry)
        elif urlsplit(where).scheme in ("http", "https", "file"):
            out.append(urljoin(where, entry))
        else:
            out.append(str(Path(where).parent / entry))
    return out


def expand_sources(locations: Iterable[str], since: datetime | None = None, until: datetime | None = None,
                   cc_base: str | None = None) -> list[str]:
    """WARC locations from what the user named: listings are read, a CC-NEWS root becomes the
    monthly listings of the date window, and CC-NEWS files outside the window are left out. Order
    is kept (each file once)."""
    out: list[str] = []
    for location in locations:
        location = location.strip()
        if not location:
            continue
        resolved = resolve(location, cc_base)
        if resolved.rstrip("/").endswith(CC_NEWS_ROOT.rstrip("/")):
            if since is None:
                raise ArchiveSourceError(f"{location}: a CC-NEWS root needs a date window (since=YYYY-MM-DD)")
            last = until or datetime.now(UTC)
            listed: list[str] = []
            for month in _months(since, last):
                listed += read_listing(resolved.rstrip("/") + f"/{month}/warc.paths.gz", cc_base)
            out += select_by_date(listed, since, until)
        elif _LISTING.search(urlsplit(resolved).path or resolved):
            out += select_by_date(read_listing(location, cc_base), since, until)
        else:
            out.append(location)
    return list(dict.fromkeys(out))


# -------------------------------------------------------------------------------------- records


@dataclass
class ArchivePage:
    """One HTML response record, payload decoded (content and transfer encodings undone)."""

    url: str
    date: str  # WARC-Date, ISO 8601
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    offset: int = 0


class ContentTooLarge(ValueError):
    """A payload, or what it inflates to, is over the size cap (DOWNLOAD_MAXSIZE)."""


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _host_matches(host: str, hosts: tuple[str, ...]) -> bool:
    return any(host == h or host.endswith("." + h) for h in hosts)


def decode_content(body: bytes, encoding: str, max_size: int) -> bytes:
    """``body`` with its Content-Encoding undone, at most ``max_size`` bytes (0: no cap). Raises
    ``ContentTooLarge`` past the cap and ValueError for an encoding we cannot decode."""
    for coding in reversed([c.strip().lower() for c in encoding.split(",") if c.strip()]):
        try:
            if coding in ("gzip", "x-gzip"):
                if body[:2] != b"\x1f\x8b":  # an archiver that stored the decoded body kept the header
                    continue
                body = gunzip(body, max_size=max_size)
            elif coding == "deflate" and _inflate is not None:
                body = _inflate(body, max_size=max_size)
            elif coding == "br" and _unbrotli is not None:
                body = _unbrotli(body, max_size=max_size)
            elif coding == "zstd" and _unzstd is not None:
                body = _unzstd(body, max_size=max_size)
            elif coding != "identity":
                raise ValueError(f"unsupported content encoding {coding!r}")
        except ContentTooLarge:
            raise
        except ValueError as exc:
            if "exceeded the specified maximum" in str(exc):
                raise ContentTooLarge(str(exc)) from None
            raise
        except (OSError, EOFError) as exc:  # a damaged gzip stream
            raise ValueError(f"undecodable {coding} body: {exc}") from None
    return body


def _read_capped(stream: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes (0: all); ``ContentTooLarge`` when the stream has more."""
    if not limit:
        return stream.read()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ContentTooLarge(f"payload over {limit} bytes")
    return data


def iter_pages(stream: IO[bytes], counts: MutableMapping[str, int], *, max_size: int = 0,
               hosts: tuple[str, ...] = (), since: datetime | None = None, until: datetime | None = None,
               ) -> Iterator[ArchivePage]:
    """The HTML response records of a WARC stream (status 200), read one at a time.

    Everything else is counted in ``counts`` and skipped before its payload is read:
    ``archive/records`` (all), ``archive/records/<type>`` (not responses), ``archive/skipped/<why>``
    (host, date, status, not_html, too_large, encoding, unreadable)."""
    for record in ArchiveIterator(stream, arc2warc=True):
        counts["archive/records"] += 1
        if record.rec_type != "response":
            counts[f"archive/records/{record.rec_type}"] += 1
            continue
        url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or record.http_headers is None:
            counts["archive/skipped/not_http"] += 1
            continue
        if hosts and not _host_matches((parts.hostname or "").lower(), hosts):
            counts["archive/skipped/host"] += 1
            continue
        date_text = record.rec_headers.get_header("WARC-Date") or ""
        when = _warc_date(date_text)
        if (since and (when is None or when < since)) or (until and (when is None or when > until)):
            counts["archive/skipped/date"] += 1
            continue
        http = record.http_headers
        status = http.get_statuscode()
        if status != "200":
            counts["archive/skipped/status"] += 1
            continue
        content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type and content_type not in _HTML_TYPES:
            counts["archive/skipped/not_html"] += 1
            continue
        declared = record.rec_headers.get_header("Content-Length") or ""
        if max_size and declared.isdigit() and int(declared) > max_size + 65536:  # + room for the headers
            counts["archive/skipped/too_large"] += 1
            continue
        try:
            body = _read_capped(record.raw_stream, max_size)
            if (http.get_header("Transfer-Encoding") or "").lower() == "chunked":
                body = _read_capped(ChunkedDataReader(io.BytesIO(body)), max_size)
            body = decode_content(body, http.get_header("Content-Encoding") or "", max_size)
        except ContentTooLarge:
            counts["archive/skipped/too_large"] += 1
            continue
        except ValueError:
            counts["archive/skipped/encoding"] += 1
            continue
        except Exception:  # noqa: BLE001 - one damaged record costs that record, not the file
            counts["archive/skipped/unreadable"] += 1
            continue
        headers = [(name.encode("utf-8", "surrogateescape"), value.encode("utf-8", "surrogateescape"))
                   for name, value in http.headers
                   if name.lower() not in ("content-encoding", "transfer-encoding", "content-length")]
        counts["archive/html"] += 1
        # as a crawl's response has it: the request's URL, percent-encoded (an Arabic path in a
        # WARC-Target-URI written by another tool would otherwise give the row another key)
        yield ArchivePage(url=safe_url_string(url), date=date_text, status=int(status), headers=headers, body=body)


def page_response(page: ArchivePage) -> HtmlResponse:
    """The page as the Scrapy response a crawl would have handed to the spider."""
    return HtmlResponse(url=page.url, status=page.status, headers=page.headers, body=page.body)


def iso_date(warc_date: str) -> str | None:
    """A WARC-Date as the item's ISO 8601 form (seconds, with offset)."""
    when = _warc_date(warc_date)
    return when.isoformat(timespec="seconds") if when else None


# ------------------------------------------------------------------------------------- language


# Languages written in the Arabic script: their pages pass a script-share test, so their own
# declaration is believed, and their letters tell them apart when a page declares nothing.
_ARABIC_SCRIPT_LANGS = frozenset({"fa", "ur", "ps", "ku", "ckb", "sd", "ug", "ks", "bal", "prs", "pnb", "azb", "glk",
                                  "mzn", "lrc", "bqi", "khw", "bsk"})
# Letters Persian, Urdu, Pashto and Kurdish use and Arabic does not (گ and چ appear in Iraqi and
# Gulf dialect words, so only a share above a threshold counts).
_NON_ARABIC_LETTERS = re.compile(r"[\u067e\u0686\u0698\u06af\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2\u06b5\u06ce\u0695\u06c6\u06d5\u067c\u0681\u0685\u0689\u0693\u069a\u06bc]")
_ARABIC_SCRIPT_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def arabic_page(response: HtmlResponse, lang: str = "ar", min_share: float = 0.5) -> tuple[bool, str]:
    """(in the wanted language, the signal that decided): ``lang`` (the page declares it, or
    declares another language and its title agrees), ``script`` (no declaration: the share of
    Arabic letters in the first visible text, and few letters of the other Arabic-script languages).
    A page declaring a non-Arabic-script language whose text is Arabic is kept as
    ``script_mislabelled``: templates copied from an English site keep ``lang="en"``."""
    head = response.body[:16384]
    m = _HTML_LANG.search(head)
    declared = m.group(1).decode("ascii").lower() if m else ""
    if not declared:
        content_language = (response.headers.get(b"Content-Language") or b"").decode("latin-1").strip().lower()
        declared = content_language[:2] if content_language[:2].isalpha() else ""
    if declared == lang:
        return True, "lang"
    if lang != "ar" or declared in _ARABIC_SCRIPT_LANGS:
        return False, "lang" if declared else "unknown"
    html = response.text
    if declared:
        title = _TITLE.search(html[:65536])
        if title is None or arabic_share(title.group(1)) < 0.3:
            return False, "lang"  # the cheap answer for most non-Arabic pages: no look at the text
    text = visible_text(html)
    if arabic_share(text) >= min_share and not _other_arabic_script(text):
        return True, "script_mislabelled" if declared else "script"
    return False, "lang" if declared else "script"


def _other_arabic_script(text: str, sample: int = 4000) -> bool:
    """Persian, Urdu, Kurdish...: more than 1% of the Arabic-script letters are theirs alone."""
    text = text[:sample]
    letters = len(_ARABIC_SCRIPT_LETTER.findall(text))
    return bool(letters) and len(_NON_ARABIC_LETTERS.findall(text)) > 0.01 * letters


def visible_text(html: str, window: int = 65536) -> str:
    """The text of the first ``window`` characters of the page's body, markup and scripts removed
    (enough letters to tell the language; a regex, not a parse)."""
    m = _BODY_START.search(html)
    start = m.start() if m else 0
    text = _NOT_TEXT.sub(" ", html[start:start + window])
    if len(text.strip()) < 200 and start:  # a body that starts with a big script: look at the head too
        text = _NOT_TEXT.sub(" ", html[:window])
    return text


def window(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    """A date window with both ends aware (naive means UTC)."""
    def aware(d: datetime | None) -> datetime | None:
        return d if d is None or d.tzinfo else d.replace(tzinfo=UTC)
    return aware(since), aware(until)


ONE_DAY = timedelta(days=1)
