"""Options the read commands share (``scrapy export``, ``outlets``, ``report``): outlet lists
checked against what exists, and output paths checked before any work.

Each problem is a ``UsageError`` whose message is one line for the user; the commands print it
and exit 2, as ``scrapy crawl`` does for a bad value. ``scrapy export --outlet nosuch`` used to
write "0 articles" and exit 0, which reads as "that outlet collected nothing".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

EXIT_USAGE = 2


class UsageError(ValueError):
    """A bad option value; the message is one line."""


def outlet_list(values: str | Iterable[str] | None, option: str = "--outlet") -> list[str] | None:
    """``youm7,lbci`` (or several such values) -> ``["youm7", "lbci"]``; None when not given."""
    if values is None:
        return None
    raw = [values] if isinstance(values, str) else list(values)
    if not raw:
        return None
    slugs = list(dict.fromkeys(s.strip() for v in raw for s in v.split(",") if s.strip()))
    if not slugs:
        raise UsageError(f"{option} needs one or more outlet slugs, e.g. {option} youm7,lbci")
    return slugs


def module_outlets(settings: Any) -> set[str]:
    """The slugs of the outlet modules (spiders) of the project."""
    from scrapy.spiderloader import get_spider_loader

    from crawler.spider import outlet_spiders

    return {cls.outlet.slug for cls in outlet_spiders(get_spider_loader(settings)) if cls.outlet.domains}


def check_outlets(slugs: list[str] | None, known: Iterable[str], option: str = "--outlet") -> None:
    """Refuse a slug that is neither an outlet module nor an outlet the store holds."""
    known = set(known)
    for slug in slugs or []:
        if slug in known:
            continue
        close = difflib.get_close_matches(slug, sorted(known), n=1)
        hint = f"; did you mean {close[0]}?" if close else "; `scrapy list` names the outlet modules"
        raise UsageError(f"{option}: unknown outlet {slug!r} (no outlet module, nothing stored under it{hint})")


def output_file(value: str | None, default: str, suffixes: tuple[str, ...], option: str = "-o") -> Path:
    """The file an option names: not a folder, not under a file, with one of ``suffixes``."""
    if value is not None and not value.strip():
        raise UsageError(f"{option} needs a file name")
    path = Path(value if value is not None else default)
    if "\x00" in str(path):
        raise UsageError(f"{option}: a file name cannot hold a NUL character")
    if path.is_dir() or str(value or "").endswith(("/", "\\")):
        raise UsageError(f"{option} {str(path)!r} is a folder; name a file")
    if suffixes and path.suffix.lower() not in suffixes:
        raise UsageError(f"{option} {str(path)!r}: the file name must end in {' or '.join(suffixes)}")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise UsageError(f"{option} {str(path)!r}: {str(parent)!r} is a file, not a folder")
    return path
