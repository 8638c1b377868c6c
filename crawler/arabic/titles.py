"""Headline markers: "(فيديو)", "بالصور:", "عاجل -", "|فيديو", "شاهد ..." and their variants.

Markers are matched on a tatweel-free, Persian-folded copy ("عــاجـل", "(فیدیو)") but the title
returned is the normalized display text. A ".." inside the headline is a separator that belongs
to it ("إجازة رسمية.. موعد ..."); only a last segment made of media words alone is a marker.
"""

from __future__ import annotations

import re

from crawler.arabic.normalize import fold, normalize

__all__ = ["MEDIA_WORDS", "clean_title", "media_of"]

# Media words (folded spelling) -> media kind. Contributors extend this table.
MEDIA_WORDS: dict[str, str] = {
    "فيديو": "video", "فديو": "video", "بالفيديو": "video", "فيديوجراف": "video", "فيديوغراف": "video",
    "فيديوجرافيك": "video", "موشن جرافيك": "video", "بث مباشر": "video", "شاهد": "video", "شاهدوا": "video",
    "فيديو وصور": "video", "بالفيديو والصور": "video",
    "صور": "photos", "بالصور": "photos", "صوره": "photos", "البوم صور": "photos", "جاليري": "photos",
    "انفوجراف": "photos", "انفوجرافيك": "photos", "انفوغراف": "photos", "صور وفيديو": "photos",
    "بالصور والفيديو": "photos",
    "مستند": "document", "مستندات": "document", "بالمستندات": "document", "بالمستند": "document",
    "وثيقه": "document", "وثائق": "document", "بالوثائق": "document", "بالوثيقه": "document", "pdf": "document",
}
_MEDIA_ALT = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(MEDIA_WORDS, key=len, reverse=True))
_L = "\u0621-\u064a"

# "(فيديو)" / "[صور]" / "«فيديوجراف»" anywhere
_BRACKETED = re.compile(rf"\s*[(\[«]\s*(?P<w>{_MEDIA_ALT})\s*[)\]»]\s*")
# "| فيديو", "- صور", ".. صور", ": فيديو" as the last segment
_SUFFIX = re.compile(rf"\s*(?:\||-|–|—|\.\.+|:|،)\s*«?(?P<w>{_MEDIA_ALT})»?\s*$")
# "فيديو -", "بالصور:", "شاهد..", "بالفيديو .." as the first segment
_PREFIX = re.compile(rf"^\s*«?(?P<w>{_MEDIA_ALT})»?\s*(?:\||-|–|—|\.\.+|:|،)\s*")
# Leading imperative "شاهد" with no separator, accepted only when another video marker is present
# and the next word is not part of a noun phrase ("شاهد عيان" is an eyewitness).
_WATCH = re.compile(rf"^\s*(?:شاهد|شاهدوا)\s+(?!(?:عيان|اثبات|علي)(?![{_L}]))")

# Breaking-news flags: "عاجل -", "عاجل و رسمي :", "خبر عاجل:", "(عاجل)", "عاجل|", "- عاجل"
_BREAKING_PREFIX = re.compile(
    rf"^\s*[(\[]?\s*(?:خبر\s+)?عاجل(?![{_L}])(?:\s*(?:و\s*)?(?:رسمي|هام|مهم|بالفيديو|بالصور))?\s*[)\]]?\s*"
    r"(?:\||-|–|—|:|\.\.+|،)\s*"
)
_BREAKING_BRACKET = re.compile(r"\s*[(\[]\s*عاجل\s*[)\]]\s*")
_BREAKING_SUFFIX = re.compile(r"\s*(?:\||-|–|—|:)\s*عاجل\s*$")


def media_of(word: str) -> str | None:
    return MEDIA_WORDS.get(re.sub(r"\s+", " ", word))


def _key(text: str) -> str:
    # Matching copy: folded (tatweel, diacritics, Persian letters, alef forms); offsets found in it
    # are mapped back to the display title by _map_offsets.
    return fold(text)


def clean_title(text: str | None) -> dict:
    """Headline without media and breaking-news markers.

    Returns {"title": str, "media": "video"|"photos"|"document"|None, "breaking": bool}."""
    title = normalize(text).replace("\n", " ")
    media: str | None = None
    breaking = False
    # Work on the folded key so that stretched and Persian-lettered markers match; the title is
    # rebuilt from the key only where a marker was cut, which keeps diacritics elsewhere intact.
    changed = True
    while changed and title:
        changed = False
        key = _key(title)
        for pattern, kind in ((_BREAKING_PREFIX, "breaking"), (_BREAKING_BRACKET, "breaking"),
                              (_BREAKING_SUFFIX, "breaking"), (_BRACKETED, "media"), (_SUFFIX, "media"),
                              (_PREFIX, "media")):
            m = pattern.search(key)
            if not m:
                continue
            if kind == "breaking":
                breaking = True
            else:
                media = media or media_of(m.group("w"))
            title = _cut(title, key, m)
            changed = True
            break
    if media == "video":
        key = _key(title)
        m = _WATCH.search(key)
        if m:
            title = _cut(title, key, m)
    return {"title": title.strip(), "media": media, "breaking": breaking}


def _cut(title: str, key: str, m: re.Match[str]) -> str:
    """Remove the span m (found in the folded key) from the display title.

    fold() removes diacritics and tatweel, so key offsets are mapped back by walking the display
    text and counting the characters fold keeps."""
    start, end = _map_offsets(title, key, m.start(), m.end())
    middle = " " if start > 0 and end < len(title) else ""
    return (title[:start].rstrip() + middle + title[end:].lstrip()).strip()


_DROPPED_BY_FOLD = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def _map_offsets(title: str, key: str, kstart: int, kend: int) -> tuple[int, int]:
    if len(title) == len(key):
        return kstart, kend
    # positions in `title` of the characters that survive folding
    kept = [i for i, ch in enumerate(title) if not _DROPPED_BY_FOLD.match(ch)]
    if len(kept) != len(key):  # folding changed lengths some other way: fall back to the key
        return kstart, kend
    start = kept[kstart] if kstart < len(kept) else len(title)
    end = kept[kend - 1] + 1 if kend > 0 else 0
    while end < len(title) and _DROPPED_BY_FOLD.match(title[end]):
        end += 1
    return start, end
