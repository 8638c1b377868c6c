"""Machine-readable dates (JSON-LD, meta tags, feeds, URLs) to ISO 8601.

Arabic date *text* is the Arabic toolkit's job (``crawler.arabic.parse_date``); this module only
handles the formats machines write, plus dates stated in article URLs.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_DATE_ONLY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_NUMERIC_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
# /2013/middle_east/8/3/  /2024/5/13/  /2026/11/21/  /20261121/  /2026-11-21/
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/(?:[a-z_\-]+/)?(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})[/-]"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
)


def _zone(tz: str | None):
    if not tz:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_dt(dt: datetime) -> str:
    return dt.isoformat(timespec="milliseconds" if dt.microsecond else "seconds")


def parse_machine_date(value: str | None, tz: str | None = None) -> str | None:
    """ISO 8601 or RFC 822 text -> ISO 8601. A date without a time stays a date.

    A wall-clock time with no offset gets the outlet's time zone ``tz`` when one is declared;
    without ``tz`` it stays naive (unknown offset is not guessed).
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    m = _DATE_ONLY.match(text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    dt = None
    if _ISO_LIKE.match(text):
        candidate = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", text) else text
        candidate = _NUMERIC_OFFSET.sub(r"\1:\2", candidate)
        try:
            dt = datetime.fromisoformat(candidate)
        except ValueError:
            dt = None
    if dt is None:
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if dt.tzinfo is None and text.endswith("-0000"):
        dt = dt.replace(tzinfo=UTC)  # RFC 5322: -0000 is UTC with no statement of the local zone
    if dt.tzinfo is None:
        zone = _zone(tz)
        if zone is not None:
            dt = dt.replace(tzinfo=zone)
    return format_dt(dt)


def date_from_url(url: str) -> str | None:
    """A publication date stated in the URL path (date precision), or None."""
    for pattern in _URL_DATES:
        m = pattern.search(url)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                continue
    return None


def to_datetime(iso: str | None) -> datetime | None:
    """Parse our own ISO output back (for date-window checks). Naive values are taken as UTC."""
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo("UTC"))
    return dt
