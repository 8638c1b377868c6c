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
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})[/-]"),  # /20261121/ and France 24's /20261120-slug
)


def _zone(tz: str | None):
    if not tz:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_dt(dt: datetime) -> str:
    # one precision for every stored timestamp: seconds (pages that print milliseconds keep them
    # in the raw text beside the parsed value)
    return dt.isoformat(timespec="seconds")


# .NET's invariant culture writes "11/7/2026 9:05:00 PM": month first, 12-hour clock, no zone.
_US_DATETIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)\s*$", re.I)


def _us_datetime(m: re.Match) -> datetime | None:
    month, day, year, hour, minute = int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5])
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if m[7].upper() == "PM" else 0)
    try:
        return datetime(year, month, day, hour, minute, int(m[6] or 0))
    except ValueError:
        return None


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
    us = _US_DATETIME.match(text)
    if us:
        dt = _us_datetime(us)
        if dt is None:
            return None
    elif _ISO_LIKE.match(text):
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
