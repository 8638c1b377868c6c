"""Downloader and spider middlewares of the project."""

from __future__ import annotations

from typing import Any

_TRUE = {"1", "true", "yes", "on"}


def refresh_requested(crawler: Any, spider: Any) -> bool:
    """A refresh run (fetch stored articles and documents again): ``INCREMENTAL_REFRESH`` or
    ``-a refresh=1``. One reading for the incremental and conditional-request middlewares."""
    if crawler.settings.getbool("INCREMENTAL_REFRESH", False):
        return True
    return str(getattr(spider, "refresh", "") or "").strip().lower() in _TRUE
