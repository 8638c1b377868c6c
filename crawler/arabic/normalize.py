"""Display normalisation (`normalize`) and the search/dedup key (`fold`).

`normalize` keeps what a reader sees (diacritics, guillemets, paragraph breaks) and removes what
the web added (mojibake, invisible controls, Persian keyboard letters, kashida, script residue).
`fold` goes further for comparison only: no diacritics, one alef, ى = ي, ة = ه.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import lru_cache

from pyarabic import araby

from crawler.arabic import chars
from crawler.arabic.chars import ARABIC_LETTER

__all__ = ["NormalizeStats", "fold", "normalize", "normalize_with_stats"]

# Combining hamza/madda typed after the base letter (some Mac and mobile keyboards): precompose.
_COMBINING_HAMZA = (
    ("\u0627\u0654", "\u0623"), ("\u0627\u0655", "\u0625"), ("\u0627\u0653", "\u0622"),
    ("\u0648\u0654", "\u0624"), ("\u064a\u0654", "\u0626"), ("\u0649\u0654", "\u0626"),
)

# Tatweel (kashida) is justification, except in three places where it carries meaning:
# after a proclitic written apart from a non-Arabic word (لـ"تمرد", الـ48, بـ(الصهاينة));
# standing alone as a dash ("القاهرة ـ وكالات", then written "-"). Runs collapse to one.
_TATWEEL_RUN = re.compile("ـ+")
_PROCLITIC_BEFORE = re.compile(r"(?:^|(?<=[^\w\u064b-\u0652]))[وف]?(?:[بلك]?ال|لل|[بلك])$")
_ARABIC_OR_MARK = re.compile(f"[{ARABIC_LETTER}\u064b-\u0652]")


def _tatweel_sub(m: re.Match[str]) -> str:
    text, s, e = m.string, m.start(), m.end()
    after = text[e] if e < len(text) else " "
    if (s == 0 or text[s - 1].isspace()) and after.isspace():
        return "-"  # standing alone: a dash, written as one ("القاهرة ـ وكالات" -> "القاهرة - وكالات")
    if not _ARABIC_OR_MARK.match(after) and _PROCLITIC_BEFORE.search(text, max(0, s - 4), s):
        return "ـ"  # proclitic written apart from a digit, quote or Latin word
    return ""


# Residue of things that were never text.
_FOOTNOTE = re.compile(r"\[\s*\d{1,3}\s*\]|\[(?:بحاجة لمصدر|citation needed)\]")
_LOST_EMOJI = re.compile(r"\?{3,}")  # emoji squeezed through a non-Unicode charset: "????"
# ... and one such character at the start of a line ("? وأكد المتحدثون"): a lost bullet or emoji;
# an Arabic line never starts with a Latin question mark
_LOST_LEAD = re.compile(f"(?m)^\\?[ ]+(?=[{ARABIC_LETTER}])")
_CF_EMAIL = re.compile(r"[^\u0600-\u06ff\n]*\[email(?:\s|&#160;)*protected\][^\u0600-\u06ff\n]*")
_SCRIPT_RESIDUE = re.compile(
    r"googletag\.cmd\.push\(\s*function\s*\(\)\s*\{.*?\}\s*\)\s*;?"
    r"|googletag\.\w+\([^()]*\)(?:\.\w+\([^()]*\))*\s*;?"
    r"|\(\s*adsbygoogle\s*=\s*window\.adsbygoogle\s*\|\|\s*\[\]\s*\)\.push\(\s*\{\s*\}\s*\)\s*;?"
)
# Script code that leaked into text, often glued to a word ("تسجيلwindow.dataLayer = window.dataLayer
# || [];"): a run of ASCII that reads as statements, not prose. A run is code when it shows at least
# three kinds of code syntax; a URL or an English sentence shows one or two.
_ASCII_RUN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_CODE_SIGNS = (
    re.compile(r"(?<![=!<>])=(?!=)"),  # assignment
    re.compile(r";"),
    re.compile(r"\w\s*\("),  # a call
    re.compile(r"[{}]"),
    re.compile(r"\[\s*\]|\{\s*\}"),  # empty literals
    re.compile(r"\|\||&&|=>|===?|!=="),
    re.compile(r"\b[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*\s*(?:\(|=)"),  # obj.member( / obj.member =
    re.compile(r"\b(?:var|let|const|function|return|typeof|undefined|null|true|false|window|document)\b"),
)


def _strip_code(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        run = m.group(0)
        if len(run) < 8:
            return run
        return " " if sum(1 for sign in _CODE_SIGNS if sign.search(run)) >= 3 else run

    return _ASCII_RUN.sub(sub, text)


_RN_GLUE = re.compile(f"(?<=[{ARABIC_LETTER}])rn(?=[{ARABIC_LETTER}])")  # "\r\n" escape lost its backslashes
# ".." (the Arabic pause) split by an extractor into "." + paragraph break + ". "
_BROKEN_PAUSE = re.compile(r"\.[ ]*\n[ ]*\n?[ ]*\.(?=[ ])")

# Punctuation spacing: no space inside brackets or before Arabic/Latin commas and marks; a space
# after an Arabic comma/semicolon glued to the next word. "." is left alone: its spacing is too
# often part of a number, an abbreviation or a source's own text to be "fixed" safely.
_SPACE_AFTER_OPEN = re.compile(r"([(\[{«])[ ]+")
_SPACE_BEFORE_CLOSE = re.compile(r"[ ]+([)\]}])")
_SPACE_BEFORE_GUILLEMET = re.compile(r"(«[^«»\n]*?)[ ]+»")
_SPACE_BEFORE_MARK = re.compile(r"(?<=\S)[ ]+([،؛,;:!؟?])(?![\w/])")
# Arabic marks take no space before them even when the next word is glued on (" ،من" -> "، من")
_SPACE_BEFORE_ARABIC_MARK = re.compile(r"(?<=\S)[ ]+([،؛؟])")
_GLUED_AFTER_COMMA = re.compile(f"([،؛])(?=[{ARABIC_LETTER}])")
# ... and a space after a mark that ends a clause when a word is glued to it ("تحتمل!والسؤال",
# "رد آخر:لا"): only before an Arabic letter, so 10:30, URLs and Latin text are left alone
_GLUED_AFTER_MARK = re.compile(f"([!؟:])(?=[{ARABIC_LETTER}«])")
# Repeated marks: one is enough; a mixed run of question and exclamation marks reads "؟!"
_MARK_RUN = re.compile(r"[!؟?]{2,}")
_COMMA_RUN = re.compile(r"،{2,}")
# Four or more dots are three (headlines print "...": kept as printed); an ellipsis with dots after
# it is one ellipsis; ".." is the Arabic pause and stays. None takes a space before it.
_DOT_RUN = re.compile(r"\.{4,}|…[.…]+|\.+…[.…]*")
_SPACE_BEFORE_DOTS = re.compile(r"(?<=\S)[ ]+(…|\.{2,3}(?!\.))")
_PAIRED_QUOTES = re.compile(r'"(?P<lead>[ ]*)(?P<inner>[^"\n]*?)(?P<trail>[ ]*)"')


def _mark_run(m: re.Match[str]) -> str:
    run = m.group(0)
    question, exclaim = "؟" in run or "?" in run, "!" in run
    if question and exclaim:
        return "؟!" if "؟" in run else "?!"
    return run[0]


def _tidy_quotes(text: str) -> str:
    """Quotes paired in order along each line that has an even number of them: spaces just inside
    a pair go (" النسخ واللصق " -> "النسخ واللصق"). A space typed on the wrong side of a quote
    moves outside it ('الإعلامي" سامر"،' -> 'الإعلامي "سامر"،'); a quote glued to a word with no
    space at all is left as written (إيران"شريك", و"دعم غزة")."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.count('"') >= 2 and line.count('"') % 2 == 0 and ('" ' in line or ' "' in line):
            lines[i] = _PAIRED_QUOTES.sub(_tidy_pair, line)
    return "\n".join(lines)


def _tidy_pair(m: re.Match[str]) -> str:
    text, s, e = m.string, m.start(), m.end()
    before = " " if m["lead"] and s > 0 and not text[s - 1].isspace() else ""
    after = " " if m["trail"] and e < len(text) and text[e].isalnum() else ""
    return f'{before}"{m["inner"]}"{after}'


# Two apostrophes typed for a double quote (''تفاصيل''): one double quote.
_TWO_APOSTROPHES = re.compile(r"(?<!')''(?!')")
# A pause or ellipsis with its space on the wrong side ("''تفاصيل'' ..والنقابات"): the space moves
# after it. Dots glued on both sides ("سنوات..تفاصيل") are left as printed.
_GLUED_PAUSE = re.compile(f"(?<=\\S)[ ]+(\\.\\.\\.?|…)(?=[{ARABIC_LETTER}])")
# A clock time split after its colon ("(9: 45 بتوقيت جرينتش)", "الساعة 10: 05"): joined, when the
# text around it says it is a time of day (a clock word before it or a time-of-day word after it).
_SPLIT_CLOCK = re.compile(
    r"(?<![\d:])(?P<h>[01]?\d|2[0-3]): (?P<m>[0-5]\d)(?![\d:])"
)
_CLOCK_BEFORE = re.compile("(?:الساعة|الساعه|تمام|منذ|حتى|حتي|عند)\\s*\\(?\\s*$")
_CLOCK_AFTER = re.compile(
    r"^\s*(?:ص\b|م\b|صباح|مساء|ظهر|عصر|فجر|ليل|بتوقيت|بالتوقيت|توقيت|[ap]\.?m\b|gmt|utc|ت\s*غ)", re.I
)


def _join_clock(m: re.Match[str]) -> str:
    text = m.string
    before, after = text[max(0, m.start() - 12):m.start()], text[m.end():m.end() + 12]
    if _CLOCK_BEFORE.search(before) or _CLOCK_AFTER.match(after):
        return f"{m['h']}:{m['m']}"
    return m.group(0)
_MULTI_SPACE = re.compile(r" {2,}")
_SPACE_AROUND_NL = re.compile(r" *\n *")
_MANY_NL = re.compile(r"\n{3,}")


class NormalizeStats:
    """Counters filled by `normalize_with_stats` (for crawl stats)."""

    __slots__ = ("mojibake_runs",)

    def __init__(self) -> None:
        self.mojibake_runs = 0


def normalize(text: str | None) -> str:
    """Display text: the text a reader should see, with the web's damage repaired.

    Keeps diacritics, guillemets and paragraph breaks ("\\n\\n" and single "\\n")."""
    return normalize_with_stats(text)


# A long text is normalized by clean, then again by related (segment), fold (content hash, dedup,
# store): ~0.3 ms per 500 words each time. normalize is idempotent (checked on ~13,000 fixture,
# seed and research texts; tests/test_normalize.py keeps checking it), so a result is remembered
# as its own normalization too and the later calls are a lookup.
_MEMO: OrderedDict[str, tuple[str, int]] = OrderedDict()  # text -> (normalized, mojibake runs)
_MEMO_SIZE = 128
_MEMO_MIN_CHARS = 400  # shorter texts are cheaper to normalize than to remember


def _remember(key: str, value: tuple[str, int]) -> None:
    _MEMO[key] = value
    _MEMO.move_to_end(key)
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)


def normalize_with_stats(text: str | None, stats: NormalizeStats | None = None) -> str:
    if not text:
        return ""
    if len(text) < _MEMO_MIN_CHARS:
        return _normalize(text, stats)
    found = _MEMO.get(text)
    if found is None:
        counted = NormalizeStats()
        found = (_normalize(text, counted), counted.mojibake_runs)
        _remember(text, found)
        _remember(found[0], (found[0], 0))
    else:
        _MEMO.move_to_end(text)
    if stats is not None:
        stats.mojibake_runs += found[1]
    return found[0]


def _normalize(text: str, stats: NormalizeStats | None = None) -> str:
    # Mojibake first: every later step would damage the Latin-1 characters it is made of.
    text, fixed = chars.repair_mojibake(text)
    if stats is not None:
        stats.mojibake_runs += fixed
    text = chars.strip_controls(text)  # after the repair: mojibake spells bytes with C1 controls
    if "\ufffd" in text:  # a character the decoder lost: nothing to show (text_quality counts them)
        text = text.replace("\ufffd", "")
    for src, dst in _COMBINING_HAMZA:
        if src in text:
            text = text.replace(src, dst)
    text = chars.strip_invisible(text)
    text = chars.spaces_to_ascii(text)
    text = chars.decode_presentation_forms(text)
    text = chars.fold_persian_letters(text)
    text = chars.ascii_digits(text)
    text = chars.ascii_quotes(text)
    if "ـ" in text:
        text = _TATWEEL_RUN.sub(_tatweel_sub, text)
    if "[" in text:
        text = _FOOTNOTE.sub("", text)
        if "protected]" in text:
            text = _CF_EMAIL.sub(" ", text)
    if "???" in text:
        text = _LOST_EMOJI.sub(" ", text)
    if "? " in text:
        text = _LOST_LEAD.sub("", text)
    if "googletag" in text or "adsbygoogle" in text:
        text = _SCRIPT_RESIDUE.sub(" ", text)
    if ";" in text and ("=" in text or "(" in text):
        text = _strip_code(text)
    if "rn" in text:
        text = _RN_GLUE.sub("\n", text)
    if "\n" in text and "." in text:
        text = _BROKEN_PAUSE.sub("..", text)
    # punctuation as a careful copy editor leaves it: one mark, one ellipsis
    if "!!" in text or "؟؟" in text or "??" in text or "؟!" in text or "!؟" in text or "?!" in text:
        text = _MARK_RUN.sub(_mark_run, text)
    if "،،" in text:
        text = _COMMA_RUN.sub("،", text)
    if "...." in text or "…" in text:
        text = _DOT_RUN.sub(lambda m: "..." if m.group(0)[0] == "." and "…" not in m.group(0) else "…", text)
    if "''" in text:
        text = _TWO_APOSTROPHES.sub('"', text)
    if '"' in text:
        text = _tidy_quotes(text)
    if ": " in text:
        text = _SPLIT_CLOCK.sub(_join_clock, text)
    # spacing: every regex pass is guarded by a cheap substring test (most texts need none)
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    if any(f"{p} " in text for p in "([{«"):
        text = _SPACE_AFTER_OPEN.sub(r"\1", text)
    if " )" in text or " ]" in text or " }" in text:
        text = _SPACE_BEFORE_CLOSE.sub(r"\1", text)
    if " »" in text and "«" in text:
        text = _SPACE_BEFORE_GUILLEMET.sub(r"\1»", text)
    if "!" in text or "؟" in text or ":" in text:
        text = _GLUED_AFTER_MARK.sub(r"\1 ", text)
    if any(f" {p}" in text for p in "،؛,;:!؟?"):
        text = _SPACE_BEFORE_MARK.sub(r"\1", text)
        text = _SPACE_BEFORE_ARABIC_MARK.sub(r"\1", text)
    if " …" in text or " .." in text:
        text = _GLUED_PAUSE.sub(r"\1 ", text)
        text = _SPACE_BEFORE_DOTS.sub(r"\1", text)
    if "،" in text or "؛" in text:
        text = _GLUED_AFTER_COMMA.sub(r"\1 ", text)
    if " \n" in text or "\n " in text:
        text = _SPACE_AROUND_NL.sub("\n", text)
    if "\n\n\n" in text:
        text = _MANY_NL.sub("\n\n", text)
    return text.strip()


def fold(text: str | None) -> str:
    """Search/dedup key: normalized, no diacritics or tatweel, alef forms -> ا, ى -> ي, ة -> ه.

    Hamza on waw/yeh (ؤ ئ) is kept: folding it merges unrelated words (رئيس/رييس)."""
    if not text:
        return ""
    return _fold_cached(text)


# One item's body is folded by clean (content hash), dedup (shingles, twice) and the store (version
# hash, search index): ~0.4 ms each time. fold is pure and the same str object flows through the
# pipelines (its hash is computed once), so a small cache makes the later calls free.
@lru_cache(maxsize=256)
def _fold_cached(text: str) -> str:
    text = normalize(text)
    if not text:
        return ""
    return fold_normalized(text)


def fold_normalized(text: str) -> str:
    """``fold`` of a text that went through ``normalize`` already (a line of a normalized text):
    the folding steps alone, without normalizing again."""
    text = chars.strip_diacritics(text)
    if "ـ" in text:
        text = text.replace("ـ", "")
    for ch in chars.ALEF_FORMS:
        if ch in text:
            text = text.replace(ch, araby.ALEF)
    for src, dst in ((araby.ALEF_MAKSURA, araby.YEH), (araby.TEH_MARBUTA, araby.HEH), ("\u06cc", araby.YEH), ("\u06a9", araby.KAF)):
        if src in text:
            text = text.replace(src, dst)
    return text
