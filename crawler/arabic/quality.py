"""Is this text readable Arabic? A quality signal for text that must never be stored as an article.

Damaged text has tell-tale marks that running Arabic never shows:

- replacement characters (U+FFFD: bytes a decoder could not read), question marks glued to
  letters (characters a charset could not carry: "???? ?????", "U?O?O?") and private-use glyphs
  (PDF fonts that map letters to their own code points);
- mojibake left after ``repair_mojibake`` (Latin-1 letters standing for UTF-8 bytes, or the
  ط/ظ pairs of UTF-8 read as windows-1256), and letters
  of scripts Arabic news does not run in (a page read as windows-874 shows Thai);
- glyph-scrambled PDF text: letters standing alone between spaces ("ا ل ق ا ه ر ة"), words
  written backwards (a word cannot start with ة or ى), and ligatures decomposed in the wrong order
  ("األحداث" for "الأحداث": a word cannot start with alef + hamza-alef + lam).

``text_quality`` is 1 minus twice the share of damaged units (characters for the first two marks,
words for the others), floored at 0. Clean text scores 1.0; one stray "�" in an article barely
moves it. It reads the text as it came, mojibake repaired and presentation forms decoded
(normalize removes the other marks it looks for).
"""

from __future__ import annotations

import re

from crawler.arabic.chars import ARABIC_LETTER, decode_presentation_forms, repair_mojibake

_REPLACEMENT = "\ufffd"
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_MOJIBAKE = re.compile("[\u00d8-\u00db][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
# UTF-8 Arabic read as windows-1256: each letter's lead byte shows as ط or ظ, its second byte as
# a Latin-1 sign, a typographic mark or a Persian/Urdu letter ("ط§ظ„ط¨ط­ط«")
_MOJIBAKE_1256 = re.compile(
    "[طظ][\u00a0-\u00bf\u2013-\u203a\u20ac\u2122\u0152\u0153\u0192\u02c6\u067e\u0679\u0686\u0698\u0688"
    "\u06af\u06a9\u0691\u06ba\u06be\u200c\u200d](?=[طظ])"
)
_WORD_OR_DAMAGE = re.compile(f"[{ARABIC_LETTER}\u064b-\u0652\u0670\u0640\ufffd]+")  # tatweel inside words too
_LETTER = re.compile(r"[^\W\d_]")  # any letter, mojibake's Latin-1 ones included
# Single Arabic letters that do stand alone in real text: the conjunction و (typed apart) and the
# abbreviations of dates and units (هـ, م, ص, ق, ك): never a sign of damage on their own.
_ALONE_OK = frozenset("وهمصقكد")
_BACKWARDS_START = ("ة", "ى")  # word-final letters at the start of a word: the word is backwards
# "األحداث", "اأمانة": a bare alef before a hamza-alef never starts a word; PDF text layers that
# lost or reordered the lam of a lam-alef ligature produce it
_BROKEN_LIGATURE = re.compile("^ا[أإآ]")
# A question mark glued to a letter ("O?O?O�", "U?O?"): a character the charset could not carry;
# in prose a question mark ends a sentence and a space or a quote follows it
_LOST_CHAR = re.compile(r"\?(?=[^\W_])|(?<=[^\W\d_])\?{2,}|\?{3,}")
# Letters of scripts that Arabic news text does not run in: a page read in the wrong charset
# (windows-874 shows Thai, a PDF font with its own encoding Hebrew); Arabic, Latin (with Latin-1
# and the extended forms) count as the page's own
_FOREIGN_LETTER = re.compile(r"[\u063b-\u063f\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0e00-\u0e7f\u0900-\u0dff\u3040-\u30ff\u4e00-\u9fff]")

# Signs and marks glued between two Arabic letters ("ط·آ·ط¢آ§"): bytes of a text decoded in the
# wrong charset more than once. Guillemets, curly quotes and dashes are left out: sloppy typing
# glues those to words ("و«الأهرام»").
_GLUED_SIGN = re.compile(
    f"(?<=[{ARABIC_LETTER}])[\u00a0-\u00aa\u00ac-\u00ba\u00bc-\u00bf\u2020-\u203a\u20ac\u2122"
    f"\u0152\u0153\u0192\u02c6\u02dc](?=[{ARABIC_LETTER}])"
)
# A digit inside an Arabic word, or a vowel mark on a digit ("ن٢٨ؾ٤", "١ْ"): a PDF font's own
# glyph numbering, not text
_DIGIT_IN_WORD = re.compile(f"(?<=[{ARABIC_LETTER}])[0-9\u0660-\u0669\u06f0-\u06f9]+(?=[{ARABIC_LETTER}])"
                            "|[0-9\u0660-\u0669\u06f0-\u06f9][\u064b-\u0652]")
# A Latin "word" that no language writes: a symbol between its letters ("ôL∑ö∑", "IC¬∑H"), or
# accented Latin-1 letters with a capital after a small letter ("eÕL"): a PDF font that maps Arabic
# glyphs onto Latin code points
_LATIN_TOKEN = re.compile(r"\S*[A-Za-z\u00c0-\u00ff]\S*")
_SYMBOL_INSIDE = re.compile(r"[A-Za-z\u00c0-\u00ff][\u00a1-\u00bf\u00d7\u00f7\u2013-\u2044\u2122\u2190-\u2bff\u0152\u0153\u0192\u02c6\u02dc\u03c0]+(?=[A-Za-z\u00c0-\u00ff])")
_MIXED_CASE = re.compile(r"[a-z\u00df-\u00ff][A-Z\u00c0-\u00de]")
_ACCENTED = re.compile(r"[\u00c0-\u00ff\u0152\u0153]")

# Running Arabic is held together by function words and the article: on news text (our fixtures,
# the case tables, the real pages) at least one word in six is a function word or starts with
# "ال"; text written backwards or scrambled by a font has almost none (measured: under 0.05)
_FUNCTION_WORDS = frozenset((
    "في", "من", "علي", "الي", "عن", "ان", "مع", "هذا", "هذه", "ذلك", "تلك", "التي", "الذي", "الذين",
    "كان", "كانت", "قد", "لا", "ما", "لم", "لن", "بعد", "قبل", "حيث", "كما", "او", "ثم", "بين", "عند",
    "منذ", "خلال", "حول", "ضد", "دون", "غير", "كل", "بعض", "هو", "هي", "هم", "انه", "انها", "حتي",
    "لكن", "بل", "اذا", "اذ", "اي", "وفي", "ومن", "وعلي", "وان", "وقد", "ولا", "وما", "وهو", "وهي",
    "له", "لها", "به", "بها", "فيه", "فيها", "منه", "منها", "عليه", "عليها",
))
_ARTICLE = re.compile("^(?:[وف]?[بلك]?ال|[وف]?لل)")
_FOLDED_WORD = re.compile("[\u0621-\u064a]{2,}")
_LIST_SEPARATORS = re.compile("[\n،,;؛]")
_MIN_PLAUSIBLE = 0.1
_PLAUSIBLE_MIN_WORDS = 20

DEFAULT_MIN_QUALITY = 0.6


def _implausible_share(text: str) -> float | None:
    """The share of function words and "ال" words among the Arabic words, when it is so low that
    the words are not running Arabic (see _FUNCTION_WORDS); None for text that reads as Arabic or
    is too short to judge."""
    if text.count("ال") > 0.12 * text.count(" ") + 2:  # the usual case (news text: 0.24 to 0.4), two counts
        return None
    from crawler.arabic.normalize import fold_normalized

    words = _FOLDED_WORD.findall(fold_normalized(text))
    if len(words) < _PLAUSIBLE_MIN_WORDS:
        return None
    segments = [seg for seg in _LIST_SEPARATORS.split(text) if seg.strip()]
    if sum(1 for seg in segments if len(seg.split()) <= 4) >= 0.6 * len(segments):
        return None  # a list of names or items ("محمد أحمد، علي حسن، ..."): few function words, rightly
    share = sum(1 for w in words if w in _FUNCTION_WORDS or _ARTICLE.match(w)) / len(words)
    return share if share < _MIN_PLAUSIBLE else None


# Any sign of damage at all; most articles have none and are scored by these three scans (each
# a single pattern the engine scans for quickly, where one alternation of them all was ~10x slower)
_ALONE = "".join(chr(c) for c in range(0x0621, 0x064B) if chr(c) not in _ALONE_OK)
_DAMAGE_CHARS = re.compile(
    "[?\ufffd\ue000-\uf8ff\u00d8-\u00db\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0e00-\u0e7f\u0900-\u0dff"
    "\u3040-\u30ff\u4e00-\u9fff\ufb50-\ufdff\ufe70-\ufeff\u063b-\u063f\u00c0-\u00ff\u2200-\u22ff]"
)
_LONE_LETTER = re.compile(f"\\s[{_ALONE}]\\s")
# word starts no Arabic word has (a backwards word, a ligature decomposed wrongly), and the two
# commonest windows-1256 pairs (ا and ل read as "ط§", "ظ„"): plain substring tests
_DAMAGE_SUBSTRINGS = tuple(f"{space}{start}" for space in " \n" for start in ("ة", "ى", "اأ", "اإ", "اآ")) + ("ط§", "ظ„")


def _any_damage(text: str) -> bool:
    if _DAMAGE_CHARS.search(text) or any(s in text for s in _DAMAGE_SUBSTRINGS):
        return True
    return text[:1] in "ةى" or bool(_LONE_LETTER.search(text))


def text_quality(text: str | None) -> float:
    """1.0 for readable text, down to 0.0 for text made of damage (see the module docstring)."""
    if not text:
        return 1.0
    implausible = _implausible_share(text)
    if implausible is not None:  # not running Arabic: scaled down to 0.5 at the threshold
        return round(min(_quality(text), 0.5 * implausible / _MIN_PLAUSIBLE), 3)
    if not _any_damage(text):
        return 1.0
    return _quality(text)


def _quality(text: str) -> float:
    # what normalize repairs is no damage: mojibake that decodes, presentation forms
    text = decode_presentation_forms(repair_mojibake(text)[0])
    lost = sum(len(m) for m in _LOST_CHAR.findall(text))
    letters = len(_LETTER.findall(text)) + text.count(_REPLACEMENT) + len(_PRIVATE_USE.findall(text)) + lost
    if not letters:
        return 1.0 if not text.count(_REPLACEMENT) else 0.0
    bad_chars = (text.count(_REPLACEMENT) + len(_PRIVATE_USE.findall(text)) + 2 * len(_MOJIBAKE.findall(text))
                 + 2 * len(_MOJIBAKE_1256.findall(text)) + 2 * len(_GLUED_SIGN.findall(text))
                 + sum(len(d) for d in _DIGIT_IN_WORD.findall(text))
                 + lost + len(_FOREIGN_LETTER.findall(text)) + _font_latin(text))
    words = _WORD_OR_DAMAGE.findall(text)
    bad_words = 0
    for w in words:
        if _REPLACEMENT in w:
            bad_words += len(w) > 1  # a replacement character inside a word: the word is damaged
        elif len(w) == 1:
            bad_words += w not in _ALONE_OK
        elif w.startswith(_BACKWARDS_START) or _BROKEN_LIGATURE.match(w):
            bad_words += 1
    char_share = bad_chars / letters
    word_share = bad_words / len(words) if words else 0.0
    return round(max(0.0, 1.0 - 2 * char_share - 2 * word_share), 3)


def _font_latin(text: str) -> int:
    """Letters of Latin "words" that no language writes (see _LATIN_TOKEN)."""
    if not _ACCENTED.search(text) and not _SYMBOL_INSIDE.search(text):
        return 0
    bad = 0
    for token in _LATIN_TOKEN.findall(text):
        if _SYMBOL_INSIDE.search(token) or (_ACCENTED.search(token) and _MIXED_CASE.search(token)):
            bad += sum(1 for ch in token if ch.isalpha())
    return bad


def is_unreadable(text: str | None, minimum: float = DEFAULT_MIN_QUALITY) -> bool:
    return text_quality(text) < minimum


__all__ = ["DEFAULT_MIN_QUALITY", "is_unreadable", "text_quality"]
