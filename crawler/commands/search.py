"""scrapy search "عبارة" [--limit N] [--json]: the stored articles that best match a phrase.

Matching is on folded text (``crawler.arabic.fold``), so أ/إ/آ/ا, ى/ي, ة/ه, diacritics and tatweel
do not matter; every word must occur, and title matches rank above body matches. What is shown is
the stored display text, with the matching words of the snippet marked ``[...]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from urllib.parse import unquote

from scrapy.commands import ScrapyCommand

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


# A word of stored text with its diacritics, tatweel and Quranic marks (\w alone stops at a
# combining mark, so "الأَمْطار" would be three words).
_DISPLAY_WORD = re.compile(r"[\w\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]+")
MARK = ("[", "]")


def _hits(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """(start, end) of the words of ``text`` that match a query term."""
    wanted = {v for t in terms for v in term_variants(t)}
    return [m.span() for m in _DISPLAY_WORD.finditer(text) if wanted & set(search_terms(m.group()))]


def _marked(text: str, hits: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    pieces, cursor = [], start
    for a, b in hits:
        if a >= start and b <= end:
            pieces += [text[cursor:a], MARK[0], text[a:b], MARK[1]]
            cursor = b
    pieces.append(text[cursor:end])
    return "".join(pieces)


def mark(text: str, terms: list[str]) -> str:
    """``text`` with its words that match a query term marked ``[...]``."""
    return _marked(text, _hits(text, terms))


def snippet(body: str | None, terms: list[str], width: int = 70) -> str:
    """A window of the body as stored (its display form, not the folded search key) around the
    first word that matches, every matching word in it marked ``[...]``.

    A word matches as the index matches: one of its folded words is a query term or the term
    with or without the article and its clitics (``term_variants``). Shown folded, the window
    read as misspelled Arabic ("الي", "كره السله")."""
    text = " ".join((body or "").split())
    hits = _hits(text, terms)
    at = hits[0][0] if hits else 0
    start = max(0, at - width // 2)
    if start:  # begin at a word, not inside one
        space = text.find(" ", start, at)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", max(start + 1, at + 1), end)
        end = space if space != -1 and space >= (hits[0][1] if hits else 0) else end
    return ("…" if start else "") + _marked(text, hits, start, end) + ("…" if end < len(text) else "")


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
                title = mark(printable(m["title"] or ""), terms) or "(no title)"
                print(f"{n}. {title}  [{printable(m['outlet'] or '-')} {printable((m['published_at'] or '')[:10])}]")
                # decoded for reading: an Arabic slug is unreadable percent-encoded
                print(f"   {printable(unquote(m['url'] or m['canonical_url'] or ''))}")
                print(f"   {printable(snippet(m['body'], terms))}")
        if not matches and not opts.json:
            print(f"no article matches {printable(phrase)!r}")

    def _fail(self, message: str) -> None:
        print(f"scrapy search: {message}", file=sys.stderr)
        self.exitcode = 1
