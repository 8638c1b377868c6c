"""Each outlet's boilerplate, learned from the crawl.

Lines that recur across many articles of one outlet — newsletter prompts, follow-us lines,
disclaimers, app promotions, a fixed sign-off — are the outlet's template, not its articles. The
segmenter recognises residue by its shape; this catches what has no tell-tale shape but repetition.

The decision list, for one body line (a paragraph of at most ``MAX_WORDS`` words) of outlet O:

1. O has seen the line in at least ``TEMPLATE_MIN_ARTICLES`` distinct articles (this one included);
2. and in at least ``TEMPLATE_MIN_SHARE`` of the articles O published over the days the line was
   seen: boilerplate is in (nearly) every article, a background paragraph an outlet reuses in a
   few follow-up stories is not;
3. and over at least ``TEMPLATE_MIN_DAYS`` days (from the first to the last publication day it was
   seen on): a line repeated within one news cycle is news (the statement of the day), not template;
4. and no other outlet printed it within ``TEMPLATE_NEWS_WINDOW_DAYS`` of those days: a line
   several outlets carry at the same time is a quote or an agency paragraph.

Then the line leaves the body, counted as ``related/template_line``; a body is never cut below what
validation accepts as an article (VALIDATE_MIN_BODY_CHARS): then it is kept whole
(``related/template_kept_by_guard``). A new outlet with little history is left alone (rule 1).

Counts live in the store (``template_lines``: outlet, folded line hash, distinct articles, first and
last day; the total of each outlet's articles per day under the key ``*``), so what one run learns
the next uses. The page workers compute the line keys (``line_keys``, in the related stage); the
crawl process only looks them up.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from crawler.arabic.normalize import fold_normalized

logger = logging.getLogger(__name__)

MAX_WORDS = 60  # longer paragraphs are article text; they are not counted
KEY_ATTR = "_line_keys"  # on an item: one key (or None) per body paragraph, set by the related stage
TOTAL = "*"  # the line key under which an outlet's article count per day is kept


def line_key(paragraph: str) -> str | None:
    """The key a body paragraph is counted under (folded text, hashed), or None when the
    paragraph is too long to be boilerplate."""
    words = paragraph.split()
    if not words or len(words) > MAX_WORDS:
        return None
    # the body was normalized by the clean step: fold its paragraphs without normalizing again
    return hashlib.sha1(" ".join(fold_normalized(paragraph).split()).encode("utf-8")).hexdigest()[:20]


def line_keys(body: str | None) -> list[str | None]:
    return [line_key(p) for p in (body or "").split("\n\n")]


def _day(item: Any) -> str | None:
    for field in ("published_at", "fetched_at"):
        value = item.get(field)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                continue
    return None


def _span_days(first: str, last: str) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days + 1


class _Line:
    __slots__ = ("articles", "first", "last")

    def __init__(self, articles: int = 0, first: str | None = None, last: str | None = None):
        self.articles, self.first, self.last = articles, first, last

    def add(self, day: str) -> None:
        self.articles += 1
        self.first = min(self.first or day, day)
        self.last = max(self.last or day, day)


class TemplateBook:
    """What one outlet's crawl knows about its lines: the stored counts, loaded once, plus this run's,
    written back in batches (``flush``) off the reactor thread."""

    def __init__(self, store: Any, outlet: str, *, min_articles: int = 12, min_share: float = 0.1, min_days: int = 2,
                 news_window: int = 3, prune_days: int = 90, min_kept_chars: int = 80):
        self.store, self.outlet = store, outlet
        self.min_kept_chars = min_kept_chars
        self.min_articles, self.min_share, self.min_days = min_articles, min_share, min_days
        self.news_window, self.prune_days = news_window, prune_days
        self.lines: dict[str, _Line] = {}
        self.totals: Counter[str] = Counter()  # articles per day of this outlet (stored + this run)
        self._pending: dict[str, _Line] = {}  # this run's counts not yet written
        self._pending_totals: Counter[str] = Counter()
        self._elsewhere: dict[str, list[tuple[str, str, str]]] = {}
        self._seen_urls: set[str] = set()
        self._lock = threading.Lock()
        if store is not None:
            self._load()

    def _load(self) -> None:
        try:
            stored = self.store.template_lines(self.outlet, min_articles=1 if self.min_articles <= 2 else 2)
        except Exception as exc:  # noqa: BLE001 - learning is an improvement, never a reason to stop
            logger.warning("template lines of %s could not be read: %s", self.outlet, exc)
            return
        for key, (articles, first, last) in stored.items():
            if key.startswith(TOTAL):
                self.totals[key[len(TOTAL):]] += articles
            else:
                self.lines[key] = _Line(articles, first, last)

    # ----- the decision ------------------------------------------------------------------------

    def _articles_between(self, first: str, last: str) -> int:
        return sum(n for day, n in self.totals.items() if first <= day <= last)

    def _news_elsewhere(self, key: str, first: str, last: str) -> bool:
        if key not in self._elsewhere:
            try:
                found = self.store.template_lines_elsewhere(self.outlet, [key]) if self.store is not None else {}
            except Exception:  # noqa: BLE001
                found = {}
            self._elsewhere[key] = found.get(key, [])
        window = timedelta(days=self.news_window)
        lo, hi = date.fromisoformat(first) - window, date.fromisoformat(last) + window
        return any(date.fromisoformat(f) <= hi and date.fromisoformat(la) >= lo for _, f, la in self._elsewhere[key])

    def is_template(self, key: str, day: str | None = None) -> bool:
        """Whether the line ``key`` of an article published on ``day`` (not counted yet: it
        counts here as one more article) is the outlet's template."""
        line = self.lines.get(key)
        if line is None:
            return False
        articles = line.articles + 1
        first, last = min(filter(None, (line.first, day))), max(filter(None, (line.last, day)))
        if articles < self.min_articles or not first:
            return False
        if _span_days(first, last) < self.min_days:
            return False
        published = self._articles_between(first, last) + 1
        if articles < self.min_share * published:
            return False
        return not self._news_elsewhere(key, first, last)

    # ----- one item ----------------------------------------------------------------------------

    def remove(self, item: Any, keys: list[str | None]) -> int:
        """Take the outlet's template lines out of ``item``'s body (``keys``: one per paragraph).
        Returns the lines removed; -1 when what would be left is no article (the body is kept whole)."""
        body = item.get("body")
        if not isinstance(body, str) or not body:
            return 0
        paragraphs = body.split("\n\n")
        if len(keys) != len(paragraphs):
            return 0
        day = _day(item)
        drop = {i for i, k in enumerate(keys) if k and self.is_template(k, day)}
        if not drop:
            return 0
        kept = "\n\n".join(p for i, p in enumerate(paragraphs) if i not in drop)
        if len(kept) < self.min_kept_chars:
            return -1  # what is left would not be an article: the body is kept whole
        item["body"] = kept
        return len(drop)

    def count(self, item: Any, keys: list[str | None] | None) -> None:
        """Learn from ``item``: each distinct line key once, on the article's publication day."""
        day = _day(item)
        url = item.get("canonical_url") or item.get("url")
        if not day or not keys or url in self._seen_urls:  # a copy of an article seen in this run counts once
            return
        self._seen_urls.add(url)
        self._count(day, {k for k in keys if k})

    def _count(self, day: str, keys: set[str]) -> None:
        with self._lock:
            self.totals[day] += 1
            self._pending_totals[day] += 1
            for key in keys:
                self.lines.setdefault(key, _Line()).add(day)
                self._pending.setdefault(key, _Line()).add(day)

    # ----- persistence -------------------------------------------------------------------------

    def flush(self) -> int:
        """Write this run's counts to the store; returns the rows written (0 when the store is down:
        the counts stay pending for the next flush)."""
        if self.store is None:
            return 0
        with self._lock:
            pending, totals = self._pending, self._pending_totals
            self._pending, self._pending_totals = {}, Counter()
        rows = [(self.outlet, key, line.articles, line.first, line.last) for key, line in pending.items()]
        rows += [(self.outlet, TOTAL + day, n, day, day) for day, n in totals.items()]
        if not rows:
            return 0
        newest = max((line.last for line in pending.values()), default=None) or max(totals, default=None)
        prune = (date.fromisoformat(newest) - timedelta(days=self.prune_days)).isoformat() if newest else None
        try:
            self.store.add_template_lines(rows, prune_before=prune)
        except Exception as exc:  # noqa: BLE001
            logger.warning("template lines of %s could not be written (kept for the next try): %s", self.outlet, exc)
            with self._lock:
                for key, line in pending.items():
                    mine = self._pending.setdefault(key, _Line())
                    mine.articles += line.articles
                    mine.first = min(filter(None, (mine.first, line.first)))
                    mine.last = max(filter(None, (mine.last, line.last)))
                self._pending_totals.update(totals)
            return 0
        return len(rows)


# ----- the books of this process ---------------------------------------------------------------
# The crawl process's related pipeline registers its live book (it counts and decides); a page
# worker loads a read-only copy from the store and reloads it every TEMPLATE_REFRESH_SECONDS, so
# what the crawl learns reaches the workers within that time.

_BOOKS: dict[tuple[str, str], tuple[TemplateBook, float]] = {}


def options(settings: Any) -> dict[str, Any]:
    return {"min_articles": int(settings.get("TEMPLATE_MIN_ARTICLES", 12)),
            "min_share": float(settings.get("TEMPLATE_MIN_SHARE", 0.1)),
            "min_days": int(settings.get("TEMPLATE_MIN_DAYS", 2)),
            "news_window": int(settings.get("TEMPLATE_NEWS_WINDOW_DAYS", 3)),
            "min_kept_chars": int(settings.get("VALIDATE_MIN_BODY_CHARS", 80))}


def enabled(settings: Any) -> bool:
    value = settings.get("TEMPLATE_LEARNING", True) if settings is not None else False
    return str(value).lower() not in ("0", "false", "no", "off", "")


def register(settings: Any, outlet: str, book: TemplateBook) -> None:
    """Make ``book`` the one this process decides with for ``outlet`` (the crawl process's live book)."""
    _BOOKS[_cache_key(settings, outlet)] = (book, float("inf"))


def unregister(settings: Any, outlet: str) -> None:
    _BOOKS.pop(_cache_key(settings, outlet), None)


def _cache_key(settings: Any, outlet: str) -> tuple[str, str]:
    from crawler.storage import database_url

    return database_url(settings), outlet


def book_for(settings: Any, outlet: str | None) -> TemplateBook | None:
    """The book this process decides with for ``outlet``: the registered live one, else a copy
    loaded from the store (reloaded when older than TEMPLATE_REFRESH_SECONDS); None when learning is
    off or there is no store to read."""
    if not outlet or settings is None or not enabled(settings):
        return None
    key = _cache_key(settings, outlet)
    found = _BOOKS.get(key)
    refresh = float(settings.get("TEMPLATE_REFRESH_SECONDS", 30))
    if found is not None and time.monotonic() - found[1] < refresh:
        return found[0]
    book = TemplateBook(_ReadOnlyStore(key[0]), outlet, **options(settings))
    _BOOKS[key] = (book, time.monotonic())
    return book


class _ReadOnlyStore:
    """The two reads a worker's book needs, on a plain engine (no migration, no writes); a store
    that cannot be read reads as empty (no learned template: bodies are left as they are)."""

    def __init__(self, url: str):
        self.url = url
        self._engine = None

    def _engine_(self):
        if self._engine is None:
            from pathlib import Path

            from sqlalchemy import create_engine
            from sqlalchemy.engine import make_url

            url = make_url(self.url)
            if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
                raise FileNotFoundError(f"no store at {url.database}")  # a reader never creates one
            self._engine = create_engine(url, pool_pre_ping=True)
        return self._engine

    def template_lines(self, outlet: str, min_articles: int = 2) -> dict:
        from crawler.storage import read_template_lines

        try:
            return read_template_lines(self._engine_(), outlet, min_articles)
        except Exception as exc:  # noqa: BLE001
            logger.debug("template lines not readable: %s", exc)
            return {}

    def template_lines_elsewhere(self, outlet: str, keys: Any) -> dict:
        from crawler.storage import read_template_lines_elsewhere

        try:
            return read_template_lines_elsewhere(self._engine_(), outlet, keys)
        except Exception as exc:  # noqa: BLE001
            logger.debug("template lines not readable: %s", exc)
            return {}
