"""Character-level repairs for Arabic web text.

Each function fixes one phenomenon and is cheap when the phenomenon is absent: CPython's
``str.translate`` has no fast path for non-ASCII text, so the hot path is a chain of ``in`` checks
and ``str.replace`` calls (see research/perf-baseline.md, section 2e), with regexes only behind a
guard.
"""

from __future__ import annotations

import re
import unicodedata

from pyarabic import araby

# --- invisible characters -------------------------------------------------------------------
# Bidi marks/embeddings/isolates, ZWSP, word joiner, BOM, soft hyphen and the Arabic letter mark:
# CMS editors and Word/Outlook copy-paste leave them around numbers and at line ends.
INVISIBLE = (
    "\u200b", "\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\u2060", "\ufeff", "\u00ad",
)
ZWNJ, ZWJ = "\u200c", "\u200d"
# NBSP (from &nbsp;), narrow NBSP, thin/figure/ideographic spaces: all plain spaces in display text.
SPACES = (
    "\u00a0", "\u202f", "\u2009", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007",
    "\u2008", "\u200a", "\u205f", "\u3000", "\u1680", "\t", "\f", "\v",
)

ARABIC_LETTER = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc"
_ZW_BETWEEN_LETTERS = re.compile(f"(?<=[{ARABIC_LETTER}\u064b-\u0652])\u200c(?=[{ARABIC_LETTER}])")
_ZWJ_NEAR_ARABIC = re.compile(f"\u200d(?=[{ARABIC_LETTER}])|(?<=[{ARABIC_LETTER}])\u200d")


def strip_invisible(text: str) -> str:
    """Remove bidi controls and zero-width characters; a ZWNJ between two words becomes a space."""
    for ch in INVISIBLE:
        if ch in text:
            text = text.replace(ch, "")
    if ZWNJ in text:
        # Arabic has no use for ZWNJ inside a word; CMSs put it where a space was lost.
        text = _ZW_BETWEEN_LETTERS.sub(" ", text).replace(ZWNJ, "")
    if ZWJ in text:
        # Keep ZWJ in emoji sequences, drop it next to Arabic letters (it only forces joining forms).
        text = _ZWJ_NEAR_ARABIC.sub("", text)
    return text


def spaces_to_ascii(text: str) -> str:
    for ch in SPACES:
        if ch in text:
            text = text.replace(ch, " ")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# --- control characters ---------------------------------------------------------------------
# C0 and C1 controls (and DEL) but tab, line feed and carriage return: a stray ESC or backspace in a
# page made lxml refuse to copy the tree, so the generic body came back empty (tests/test_hostile.py).
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """Text without C0/C1 control characters (tab and line breaks kept); vertical tab and form
    feed were line breaks to whoever typed them, so they become spaces."""
    if not CONTROLS.search(text):
        return text
    return CONTROLS.sub(lambda m: " " if m.group(0) in "\x0b\x0c" else "", text)


# --- mojibake -------------------------------------------------------------------------------
# UTF-8 Arabic read as cp1252/latin-1: the lead bytes D8-DB become Ø Ù Ú Û and the continuation
# byte (80-BF) becomes one cp1252 character (or a C1 control where cp1252 has a hole).
_CP1252_CONT = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE_RUN = re.compile(f"(?:[\u00d8-\u00db][{_CP1252_CONT}])+")
_MOJIBAKE_LEADS = ("\u00d8", "\u00d9", "\u00da", "\u00db")


def _unmojibake_run(match: re.Match[str]) -> str:
    raw = bytearray()
    for ch in match.group(0):
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            raw += ch.encode("latin-1")  # C1 controls stand for the bytes cp1252 leaves undefined
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


# windows-1256 Arabic read as windows-1252 ("æÃÖÇÝ Ãä" for "وأضاف أن"): every Arabic letter became
# an accented Latin-1 letter. A line is repaired when most of its words are made of such letters
# only (no plain a-z: French or Spanish words always have some) and the repaired words are Arabic.
_CP1256_WORD = re.compile("[\u00a1-\u00ff\u0152\u0153\u0192\u02c6\u2018-\u201e\u2026\u2039\u203a\u20ac]+"
                          "(?:[.,:;!?()'\"0-9-]+[\u00a1-\u00ff]+)*")
_LATIN1_LETTERS = re.compile("[\u00c0-\u00ff]")
_ARABIC_RUN = re.compile(f"[{ARABIC_LETTER}\u064b-\u0652\u060c\u061b\u061f\u0640]")


def _cp1256_line(line: str) -> tuple[str, int]:
    words = line.split()
    candidates = [w for w in words if _CP1256_WORD.fullmatch(w.strip(".,:;!?()\"'-0123456789"))]
    if len(candidates) < 3 or len(candidates) < 0.6 * len(words):
        return line, 0
    fixed = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal fixed
        try:
            out = m.group(0).encode("cp1252").decode("cp1256")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return m.group(0)
        letters = [ch for ch in out if not ch.isspace() and not ch.isdigit() and ch not in ".,:;!?()'\"-"]
        if letters and sum(1 for ch in letters if _ARABIC_RUN.match(ch)) >= 0.9 * len(letters):
            fixed += 1
            return out
        return m.group(0)

    return _CP1256_WORD.sub(fix, line), fixed


def _repair_cp1256(text: str) -> tuple[str, int]:
    if len(_LATIN1_LETTERS.findall(text[:2000])) < 6:
        return text, 0
    total, lines = 0, text.split("\n")
    for i, line in enumerate(lines):
        if _LATIN1_LETTERS.search(line):
            lines[i], n = _cp1256_line(line)
            total += n
    return ("\n".join(lines), 1) if total else (text, 0)


def repair_mojibake(text: str) -> tuple[str, int]:
    """Repair runs of UTF-8-read-as-cp1252 Arabic, then lines of windows-1256 Arabic read as
    windows-1252. Returns the text and the number of runs fixed (a repaired windows-1256 text
    counts one).

    Works per run, so a page that mixes good Arabic with a mojibake snippet is repaired without
    touching the rest (a whole-text round trip would fail on the good part)."""
    count = 0
    if any(lead in text for lead in _MOJIBAKE_LEADS):

        def fix(m: re.Match[str]) -> str:
            nonlocal count
            out = _unmojibake_run(m)
            count += out != m.group(0)
            return out

        text = _MOJIBAKE_RUN.sub(fix, text)
    if _LATIN1_LETTERS.search(text):
        text, fixed = _repair_cp1256(text)
        count += fixed
    return text, count


# --- presentation forms ---------------------------------------------------------------------
# PDF text extraction and old fonts emit contextual forms (FE70-FEFC) and lam-alef ligatures.
# NFKC decodes them and keeps the hamza (ﻷ -> لأ), unlike pyarabic.normalize_ligature. Only these
# runs are NFKC'd: NFKC on the whole text would also rewrite ″, superscripts and other symbols.
# The honorific ligatures ﷺ ﷻ and the basmala ligature (FDFA, FDFB, FDFD) are deliberate symbols: kept.
_PRESENTATION_RUN = re.compile("[\ufb50-\ufdf9\ufdfc\ufe70-\ufefc]+")


def decode_presentation_forms(text: str) -> str:
    if not _PRESENTATION_RUN.search(text):
        return text
    return _PRESENTATION_RUN.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


# --- Persian / Urdu letter forms ------------------------------------------------------------
# Persian keyboards type ی (06CC) and ک (06A9) for Arabic ي and ك, Urdu ones ھ (06BE) / ہ (06C1)
# for ه, and ۀ (06C0) where Arabic writes ة.
PERSIAN_TO_ARABIC = (("\u06cc", "\u064a"), ("\u06a9", "\u0643"), ("\u06be", "\u0647"), ("\u06c1", "\u0647"), ("\u06c0", "\u0629"))
# Letters that never occur in Arabic words: their presence marks genuine Persian, Kurdish or Urdu.
# (ڤ and چ/گ are also used for foreign names in Arabic, so only the unambiguous ones count, plus پ/ژ.)
NON_ARABIC_LETTERS = "\u067e\u0698\u06d5\u06ce\u0695\u06c6\u06b5\u06ca\u06c7\u06c8\u06cb\u06d2\u0686\u06af"
_NON_ARABIC_RE = re.compile(f"[{NON_ARABIC_LETTERS}]")
# A "span" is the stretch of text between strong separators; language is decided per span so an
# Arabic sentence next to a Kurdish name (« ... / ھەرێمی کوردستان ») is folded only on its side.
_SPAN_SPLIT = re.compile(r"(\n|\s[/|\-–—]\s|[()\[\]«»])")


def _fold_persian_span(span: str) -> str:
    if _NON_ARABIC_RE.search(span):
        return span
    for src, dst in PERSIAN_TO_ARABIC:
        if src in span:
            span = span.replace(src, dst)
    return span


def fold_persian_letters(text: str) -> str:
    """Map Persian/Urdu letter forms to Arabic, except in spans that are genuinely Persian/Kurdish."""
    if not any(src in text for src, _ in PERSIAN_TO_ARABIC):
        return text
    if not _NON_ARABIC_RE.search(text):
        return _fold_persian_span(text)
    return "".join(_fold_persian_span(part) for part in _SPAN_SPLIT.split(text))


# --- digits ---------------------------------------------------------------------------------
DIGIT_PAIRS = tuple(zip(araby.NUMBERS_EAST, araby.NUMBERS_WEST, strict=True)) + tuple(
    zip(araby.NUMBERS_PERS, araby.NUMBERS_WEST, strict=True)
)
_EASTERN_DIGIT = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
_ARABIC_DECIMAL = re.compile(r"(?<=\d)[\u066b\u066c](?=\d)")


def ascii_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII; ٫ ٬ between digits to . and ,"""
    if not _EASTERN_DIGIT.search(text):
        return text
    for src, dst in DIGIT_PAIRS:
        if src in text:
            text = text.replace(src, dst)
    if "\u066b" in text or "\u066c" in text:
        text = _ARABIC_DECIMAL.sub(lambda m: "." if m.group(0) == "\u066b" else ",", text)
    return text


# --- quotes ---------------------------------------------------------------------------------
# WordPress "smart quotes" produce unbalanced pairs (”…” after لـ, ″ after digits); one ASCII
# form reads the same and compares the same. Guillemets « » are standard Arabic quotes: kept.
DOUBLE_QUOTES = ("\u201c", "\u201d", "\u201e", "\u201f", "\u2033", "\u2036", "\u301d", "\u301e", "\uff02")
SINGLE_QUOTES = ("\u2018", "\u2019", "\u201a", "\u201b")


def ascii_quotes(text: str) -> str:
    for ch in DOUBLE_QUOTES:
        if ch in text:
            text = text.replace(ch, '"')
    for ch in SINGLE_QUOTES:
        if ch in text:
            text = text.replace(ch, "'")
    return text


# --- diacritics, tatweel, alef --------------------------------------------------------------
TATWEEL = araby.TATWEEL
# pyarabic's TASHKEEL covers the eight harakat; Quranic and small marks (superscript alef, small
# high letters) also have to go for a search key.
EXTRA_MARKS = ("\u0670", "\u0653", "\u0654", "\u0655", "\u0656", "\u0657", "\u0658", "\u065f") + tuple(
    chr(c) for c in range(0x0610, 0x061B)
) + tuple(chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06E5, 0x06E6))


# One class for pyarabic's harakat and the extra marks. pyarabic's strip_tashkeel first tests
# is_vocalized() with a Python loop over every character (measured: most of a crawl's text-cleaning
# time); a single precompiled class does the same removal in C.
_DIACRITICS_RE = re.compile("[" + "".join(araby.TASHKEEL) + "".join(EXTRA_MARKS) + "]+")


def strip_diacritics(text: str) -> str:
    return _DIACRITICS_RE.sub("", text)


ALEF_FORMS = (araby.ALEF_HAMZA_ABOVE, araby.ALEF_HAMZA_BELOW, araby.ALEF_MADDA, araby.ALEF_WASLA)
