"""scrapy search "عبارة" [--limit N] [--json]: the stored articles that best match a phrase.

Matching is on folded text (``crawler.arabic.fold``), so أ/إ/آ/ا, ى/ي, ة/ه, diacritics and tatweel
do not matter; every word must occur, and title matches rank above body matches.
"""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import unquote

from scrapy.commands import ScrapyCommand

from crawler.arabic import fold
from crawler.storage import ArticleStore, StoreError, search_terms, term_variants


def snippet(body: str | None, terms: list[str], width: int = 70) -> str:
    """A folded window of the body around the first matched term (fold changes lengths, so the
    window is cut from folded text, where positions agree with the match)."""
    text = " ".join(fold(body or "").split())
    hits = [text.find(v) for t in terms for v in term_variants(t) if v in text]
    at = min(hits) if hits else 0
    start = max(0, at - width // 2)
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return '"PHRASE" [--limit N] [--json]'

    def short_desc(self) -> str:
        return "Full-text search of the stored articles (folded, so letter variants match)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--limit", default="10", help="how many matches to print (default 10)")
        parser.add_argument("--json", action="store_true", help="one JSON object per match")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        phrase = " ".join(args).strip()
        if not phrase or not search_terms(phrase):
            return self._fail("give a phrase to search for, e.g. scrapy search \"الأمطار\"")
        try:
            limit = int(opts.limit)
        except ValueError:
            limit = 0
        if limit < 1:
            return self._fail(f"--limit must be a whole number above 0, not {opts.limit!r}")
        try:
            store = ArticleStore.from_settings(self.settings)
        except StoreError as exc:
            return self._fail(str(exc))
        try:
            matches = store.search(phrase, limit)
        finally:
            store.close()
        terms = search_terms(phrase)
        for n, m in enumerate(matches, 1):
            if opts.json:
                m = {k: v for k, v in m.items() if k != "body"} | {"snippet": snippet(m["body"], terms)}
                print(json.dumps(m, ensure_ascii=False))
            else:
                print(f"{n}. {m['title'] or '(no title)'}  [{m['outlet'] or '-'} {(m['published_at'] or '')[:10]}]")
                # decoded for reading: an Arabic slug is unreadable percent-encoded
                print(f"   {unquote(m['url'] or m['canonical_url'] or '')}")
                print(f"   {snippet(m['body'], terms)}")
        if not matches and not opts.json:
            print(f"no article matches {phrase!r}")

    def _fail(self, message: str) -> None:
        print(f"scrapy search: {message}", file=sys.stderr)
        self.exitcode = 1
