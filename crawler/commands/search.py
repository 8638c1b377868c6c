"""scrapy search "عبارة" [--limit N] [--json]: the stored articles that best match a phrase.

Matching is on folded text (``crawler.arabic.fold``), so أ/إ/آ/ا, ى/ي, ة/ه, diacritics and tatweel
do not matter; every word must occur, and title matches rank above body matches.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from urllib.parse import unquote

from scrapy.commands import ScrapyCommand

from crawler.arabic import fold
from crawler.storage import ArticleStore, StoreError, search_terms, term_variants

MAX_LIMIT = 10_000


def printable(text: str) -> str:
    """Stored text made safe for a terminal: control characters (an escape sequence ``ESC]0;...BEL``
    retitles the window, ``ESC[2J`` clears it) and line breaks become spaces; format characters
    (bidi overrides, which reorder what is shown) are dropped."""
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch.isspace():
            out.append(" ")
    return "".join(out)


_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def printable_json(data: object) -> str:
    """One JSON line with every character a terminal could act on written as a \\u escape (the
    decoded value is unchanged: json.dumps leaves C1 controls and bidi overrides raw)."""
    def escape(match: re.Match[str]) -> str:
        ch = match.group()
        if ch.isprintable():
            return ch
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, json.dumps(data, ensure_ascii=False))


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
        if not 1 <= limit <= MAX_LIMIT:
            return self._fail(f"--limit must be a whole number from 1 to {MAX_LIMIT}, not {opts.limit!r}")
        try:
            store = ArticleStore.from_settings(self.settings, create=False)  # a typo must not make a store
        except StoreError as exc:
            return self._fail(str(exc))
        try:
            matches = store.search(phrase, limit)
        finally:
            store.close()
        terms = search_terms(phrase)
        for n, m in enumerate(matches, 1):
            # Stored text comes from the pages crawled: nothing of it may reach the terminal raw.
            if opts.json:
                m = {k: v for k, v in m.items() if k != "body"} | {"snippet": snippet(m["body"], terms)}
                print(printable_json(m))
            else:
                title = printable(m["title"] or "(no title)")
                print(f"{n}. {title}  [{printable(m['outlet'] or '-')} {printable((m['published_at'] or '')[:10])}]")
                # decoded for reading: an Arabic slug is unreadable percent-encoded
                print(f"   {printable(unquote(m['url'] or m['canonical_url'] or ''))}")
                print(f"   {printable(snippet(m['body'], terms))}")
        if not matches and not opts.json:
            print(f"no article matches {printable(phrase)!r}")

    def _fail(self, message: str) -> None:
        print(f"scrapy search: {message}", file=sys.stderr)
        self.exitcode = 1
