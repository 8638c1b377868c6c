"""Credentials in URLs, masked wherever a URL is shown: logs, stats, printed lines, log headers.

A database, Redis or proxy URL carries its password in the userinfo (``scheme://user:password@host``).
``redact`` masks every such userinfo in a text: the password becomes ``***`` and the user name is
kept (``postgresql+psycopg://crawler:***@db/news``); a userinfo without a colon is often a token
used as the user name (``https://TOKEN@host``), so all of it is masked (``https://***@host``).
``has_credentials`` says whether a text carries any, for code that must leave such a value out
instead (the run stats, a child process's command line).
"""

from __future__ import annotations

import re

# scheme://userinfo@ — the userinfo runs to the last "@" before the host's "/" (a password may
# hold an unescaped "@"; seen in Redis URLs), never across whitespace.
_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)(?P<userinfo>[^/\s]*)@", re.IGNORECASE)


def _mask(match: re.Match[str]) -> str:
    user, colon, _password = match.group("userinfo").partition(":")
    return f"{match.group('scheme')}{user + ':***' if colon else '***'}@"


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it masked."""
    return _USERINFO.sub(_mask, text) if "@" in text else text


def has_credentials(text: str) -> bool:
    """Whether ``text`` holds a URL with a userinfo (a user name, a password or a token)."""
    return "@" in text and _USERINFO.search(text) is not None


__all__ = ["has_credentials", "redact"]
