"""Split flattened article text into the body and the things that are not the body.

A naive scraper's text (see the project seed) mixes the article with: embedded posts, "read also"
headlines, related-article lists, a second article after the footer, source/tag/byline/dateline
lines, captions and widget text. `segment` classifies lines, moves each kind to its field and
returns the body with paragraph breaks ("\\n\\n") kept.

Matching is on `fold`ed lines, so hamza/alef/tatweel/diacritic variants of a marker all match.
"""

from __future__ import annotations

import re
from datetime import datetime

from crawler.arabic import lexicon
from crawler.arabic.bylines import Masthead, is_role, read_credit
from crawler.arabic.chars import ARABIC_LETTER, strip_diacritics
from crawler.arabic.dates import DATE_WORDS, MONTH_NAMES, parse_date
from crawler.arabic.normalize import fold, fold_normalized, normalize
from crawler.arabic.quality import DEFAULT_MIN_QUALITY, text_quality
from crawler.arabic.titles import MEDIA_WORDS

__all__ = ["segment", "sentences"]


def _key(text: str) -> str:
    """Folded, lower-cased, without edge punctuation: the form markers are compared in."""
    return fold_normalized(text).lower().strip(_EDGE)  # segment's lines are normalized already


# Edge punctuation and whitespace, stripped from a marker's key. str.strip with this set does what
# re.sub(r"^[\s<marks>]+|[\s<marks>]+$", "") did (the whitespace is every character re's \s matches,
# all below U+3001) at a fraction of its cost: the regex tried its trailing run at every position of
# every line.
_EDGE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + ":|-–—.،,؛;!؟?»«\"'()•*"


def _keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_key(w) for w in words)


def _alt(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s*") for w in sorted({_key(w) for w in words}, key=len, reverse=True))


_RELATED_HEADERS = _keys(lexicon.RELATED_HEADERS)
_SIDEBAR_HEADERS = _keys(lexicon.SIDEBAR_HEADERS)
_UI = _keys(lexicon.UI_LINES)
_NAV = _keys(lexicon.NAV_LABELS)
_UI_PREFIX = re.compile(f"^(?:{_alt(lexicon.UI_PREFIXES)})")
_CREDITS = _keys(lexicon.CREDITS)
_AGENCIES = _keys(lexicon.AGENCIES)
_PLACES = _keys(lexicon.PLACES)
_OUTLETS = _keys(lexicon.OUTLETS)
_L = "\u0621-\u064a"
_NA = f"(?![{_L}a-z])"

_READ_ALSO = re.compile(rf"^(?:{_alt(lexicon.READ_ALSO)}){_NA}\s*[:：\-–—]?\s*")
_WIDGET_GLUED = re.compile(f"(?:{_alt(lexicon.RELATED_HEADERS)})")
_SOURCE = re.compile(rf"^(?:{_alt(lexicon.SOURCE_LABELS)}){_NA}\s*(?:[:|\-–—]\s*|\s+)(?P<v>\S.*)$")
_TAG_LABEL_KEYS = _keys(lexicon.TAG_LABELS)
_TAGS = re.compile(rf"^(?:{_alt(lexicon.TAG_LABELS)}){_NA}\s*(?::\s*(?P<v>.*))?$")
_BYLINE = re.compile(rf"^(?P<m>{_alt(lexicon.BYLINE_MARKERS)}){_NA}\s*(?P<sep>[:\-–—/]?)\s*(?P<rest>.*)$")
# where a date starts inside a byline ("كتب: Name الخميس 05-02-2026 21:40"): a weekday or a digit
_DATE_START = re.compile(r"(?:^|\s)(?=(?:ال|يوم\s+)?(?:سبت|احد|اثنين|ثلاثاء|اربعاء|خميس|جمعه)(?!\S*\s*\S*[؟?])|\d)")
_CAPTION_CREDIT = re.compile(
    rf"(?:\s*[(\[]\s*(?:{_alt(lexicon.CAPTION_CREDITS)})\s*[)\]]|\s*[-–—]\s*(?:{_alt(lexicon.CAPTION_CREDITS)}))\s*$"
)
_CREDIT_TAIL = re.compile(r"\s*[(\[][^()\[\]\n]{1,40}[)\]]\s*$|\s*[-–—]\s*[^-–—\n]{1,40}$")
_CAPTION_PREFIX = re.compile(rf"^(?:{_alt(lexicon.CAPTION_PREFIXES)})\s*[،,:]")
_READ_MORE = re.compile(rf"^(?:{_alt(lexicon.LISTING_READ_MORE)})\s*[»›>]*$")
_PROMO = re.compile(r"زوروا\s*«|(?:تابعوا|تابعونا|متابعه)[^\n]{0,60}(?:عبر|علي)\s*«")
# "تابعوا أخبار الإمارات من <outlet> عبر غوغل نيوز", "اشتركوا في قناتنا على تلغرام": an imperative to
# follow or subscribe and a channel to do it on, in a short line (folded forms)
_FOLLOW_LINE = re.compile(
    r"^(?:تابعوا|تابعونا|تابعنا|اشتركوا|اشترك|انضموا|انضم|حملوا|حمل|نزلوا|لمتابعه|للمزيد تابعوا|ولمتابعه)(?=\s)"
    r"(?=.*\s(?:عبر|علي|في|من خلال)\s+(?:\S+\s+){0,2}?(?:غوغل|جوجل|google|تويتر|اكس|x|فيسبوك|فيس|تلغرام|تليغرام|"
    r"تليجرام|يوتيوب|واتساب|واتس|انستغرام|انستجرام|تيك|قناه|قناتنا|تطبيق|حساب|حساباتنا|صفحه|صفحتنا|نشره|منصات|"
    r"مواقع|خدمه|رابط))"
)
_FOLLOW_STUB = re.compile(r"\s*تابعوا\s+\S+(?:\s+\S+)?\s+على\s*$")
_EMAIL_OR_URL = re.compile(r"^(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+)$")
_BARE_TIME = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$|^-?\d{1,3}\s*°[cf]?$")
_BULLET = re.compile(r"^\s*(?:[•◄►▪●■◆*·▸]|-(?=\s)|\d{1,2}[.)](?=\s))\s*")
_BREADCRUMB = re.compile(r"^الرئيسيه\s*[»›>/]\s*")
_TAIL_LINE = re.compile(r"[\s\-–—ـ]*(?:[(\[]\s*(?P<paren>[^()\[\]\n]{2,30}?)\s*[)\]]|[\-–—ـ]+\s*(?P<bare>[^()\-–—\n]{2,30}?))\s*\.?")
_TAIL_GLUED = re.compile(r"(?<=[.!؟])(?P<end>)\s*[\-–—ـ]*\s*[(\[]\s*(?P<v>[^()\[\]\n]{2,30}?)\s*[)\]]\s*$")
_RELATIVE_STAMP = re.compile(r"^(?:منذ|قبل)\s+\S+(?:\s+\S+)?(?:في)?$")

# Embedded tweets, flattened: text [pic.twitter.com/x] — Name (@handle) Month D, YYYY
_TWEET_ATTR = re.compile(
    r"(?:^|\s|(?<=[.!؟?\"»]))(?P<dash>—|&mdash;|-{1,2}|–)\s*(?P<author>[^\n]*?)\s*\(@(?P<handle>\w{1,15})\)\s*"
    # the embed's date in the English form, or in the Arabic-locale form (lang=ar): "14 فبراير 2026"
    rf"(?P<date>[A-Z][a-z]+\.? \d{{1,2}}, \d{{4}}|\d{{1,2}}\s+[{ARABIC_LETTER}]+(?:\s*/\s*[{ARABIC_LETTER}]+)?,?\s+\d{{4}})\s*$"
)
_PIC = re.compile(r"\s*(?:https?://)?pic\.twitter\.com/\w+")
_INSTAGRAM = re.compile(r"^(?:a post shared by|تمت مشاركة منشور بواسطة|منشور مشترك من)\s*(?P<author>.*?)\s*\(@(?P<handle>[\w.]{1,30})\)(?P<rest>.*)$", re.I)
_INSTAGRAM_UI = re.compile(r"^(?:view this post on instagram|عرض هذا المنشور على (?:instagram|إنستغرام))$", re.I)
_FACEBOOK = re.compile(r"^(?:posted by|تم النشر بواسطة)\s*(?P<author>.+?)\s+(?:on|في)\s+(?P<date>.+)$", re.I)
_VIDEO_URL = re.compile(r"^(?:https?://)?(?:www\.|m\.)?(?:youtube\.com/(?:watch\?v=|embed/|shorts/)|youtu\.be/)[\w-]+\S*$")
_STATUS_URL = re.compile(r"^(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<handle>\w{1,15})/status/\d+\S*$")
_HASHTAG = re.compile(rf"#(?P<h>[\w{ARABIC_LETTER}]+(?:_[\w{ARABIC_LETTER}]+)*)")
_MEDIA_ALT = "|".join(re.escape(w) for w in sorted(MEDIA_WORDS, key=len, reverse=True) if " " not in w)
_MEDIA_PIPE = re.compile(rf"\s*\|\s*«?(?:{_MEDIA_ALT})»?\s*")
_MEDIA_PIPE_END = re.compile(rf"\|\s*«?(?:{_MEDIA_ALT})»?\s*$")
_PREPOSITIONS = frozenset(("في", "من", "علي", "الي", "عن", "مع", "بين", "بن", "ابن", "بنت", "ابو", "عبد", "و"))
_TERMINAL = (".", "!", "؟", "?", "…", ":", '"', "»", ")", "'", "،", "؛")


def _plain(line: str) -> str:
    return strip_diacritics(line).replace("ـ", "")


def _tail(line: str, key_tail: str) -> str:
    """The display suffix of `line` whose fold is `key_tail` (markers are found in the folded key)."""
    if not key_tail:
        return ""
    want = key_tail.strip()
    for i in range(len(line)):
        if i and not line[i - 1].isspace() and line[i - 1] not in ":：-–—|/»«(":
            continue
        if _key(line[i:]) == want:
            return line[i:].strip().lstrip(":：|-–—ـ/ ").strip()
    # the key was rebuilt from parts joined without their separators ("ريم حداد - متابعة" was
    # split at the dash): compare without separators, and never hand back the folded key itself
    squashed = _squash(want)
    for i in range(len(line)):
        if i and not line[i - 1].isspace() and line[i - 1] not in ":：-–—|/»«(":
            continue
        if _squash(_key(line[i:])) == squashed:
            return line[i:].strip().lstrip(":：|-–—ـ/ ").strip()
    return line.strip()


_SEPARATORS = re.compile(r"[\s\-–—ـ/|:：]+")


def _squash(key: str) -> str:
    return _SEPARATORS.sub(" ", key).strip()


def _restore(line: str, frag: str | None) -> str | None:
    """The display spelling (with its diacritics) of a fragment found in the _plain() line."""
    if not frag:
        return frag
    pattern = "".join(re.escape(c) + "[\u0610-\u061a\u064b-\u065f\u0670ـ]*" for c in frag.strip())
    m = re.search(pattern, line)
    return m.group(0) if m else frag.strip()


def _words(s: str) -> int:
    return len(s.split())


def _is_ui(key: str) -> bool:
    return key in _UI or bool(_UI_PREFIX.match(key)) or bool(_BARE_TIME.match(key))


_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")
_AD_WORDS = frozenset(("اعلان", "اعلاني", "اعلانيه", "اعلانات", "ممول", "مموله", "sponsored", "advertisement",
                       "ads", "advertising", "publicite", "publicité"))
# a few words glued to the end of a sentence, without a space after its full stop and without an
# end of their own: a widget label the extraction joined to the text
_GLUED_TAIL = re.compile(f"(?<=[{ARABIC_LETTER}]{{2}}[.!؟])(?P<tail>[{ARABIC_LETTER}][^.!؟:\n]{{0,40}})$")  # not "د.Name"
_ARABIC = re.compile(f"[{ARABIC_LETTER}]")
_SENTENCE_STOP = re.compile(r"[.!?؟…]\s*[\"»”')]*\s*$")


def _is_junk_latin(line: str) -> bool:
    """Widget residue in another script: a line with no Arabic letter, Latin letters, and either at
    most two words ("128M512M", "PlayPlay", "Logo") or at most six words that do not end a sentence
    ("A A A", "Share on Facebook", "logo-icon Expo"). An English sentence stays (it ends like one);
    URLs and e-mail addresses are left to their own rule."""
    if _ARABIC.search(line) or not _LATIN_LETTER.search(line) or _EMAIL_OR_URL.match(line):
        return False
    words = _words(line)
    return words <= 2 or (words <= 6 and not _SENTENCE_STOP.search(line))


def _is_sentence(line: str) -> bool:
    """A line that reads as article text: it ends a sentence, or it is long."""
    return bool(_SENTENCE_STOP.search(line)) or _words(line) >= 8


class _Result(dict):
    def add_related(self, title: str, url: str | None = None, text: str | None = None) -> None:
        title = title.strip()
        if not title:
            return
        k = _key(title)
        for r in self["related"]:
            if _key(r["title"]) == k:
                if text and not r.get("text"):
                    r["text"] = text
                return
        self["related"].append({"title": title, "url": url, "text": text})

    def add_author(self, name: str) -> None:
        name = name.strip(_EDGE)
        if name and _key(name) not in {_key(a) for a in self["authors"]}:
            self["authors"].append(name)

    def add_tag(self, tag: str) -> None:
        tag = tag.strip().lstrip("#").strip()
        if tag and _key(tag) not in {_key(t) for t in self["tags"]}:
            self["tags"].append(tag)


def _empty(masthead: Masthead | None = None) -> _Result:
    res = _Result(
        body="", title=None, source=None, authors=[], dateline=None, section=None, tags=[], hashtags=[],
        related=[], embeds=[], image_captions=[], published_at=None, reject=False, page_type="article",
        quality=1.0,
    )
    res.masthead = masthead or Masthead()  # attributes: not among the returned fields
    res.is_outlet = res.masthead.is_outlet
    res.after_masthead = False
    return res


# ---------------------------------------------------------------------------------------------
def segment(text: str | None, reference: datetime | None = None, *, detect_title: bool = True,
            cut_lead: bool = True, join_wraps: bool = True, tidy: bool = True,
            masthead: Masthead | None = None, quality: float | None = None) -> dict:
    """Split raw article text into body and fields.

    Returns a dict with body, title, source, authors, dateline, section, tags, hashtags,
    related [{title,url,text}], embeds [{platform,type,url,author,handle,published_at,text,media}],
    image_captions, published_at, quality (``text_quality``), reject and page_type ("article",
    "listing", or "unreadable": replacement characters or glyph-scrambled text, nothing split).

    The keyword options make it conservative for bodies that came from HTML: `detect_title=False`
    never takes a first line as the title, `cut_lead=False` leaves an inline "City (Outlet) --"
    lead in the body (the fields are still filled), `join_wraps=False` keeps single line breaks,
    `tidy=False` leaves body wording alone (no "#" removal, no space before a glued quote).
    `quality`: the text's `text_quality` when the caller measured it already (the clean step has).
    A lead that names no place, only a credit (the outlet's own name, known from `masthead`, or an
    agency), is not part of the printed sentence and is cut
    whatever `cut_lead` says ("المدينة نيوز :- بلغت ..." -> dateline, body from "بلغت")."""
    res = _empty(masthead)
    if quality is None:
        quality = text_quality(text)  # on the text as it came: normalize removes what it looks for
    text = normalize(text)
    if not text:
        return res
    res["quality"] = quality
    if quality < DEFAULT_MIN_QUALITY:
        res.update(reject=True, page_type="unreadable")  # never an article: nothing to split
        return dict(res)
    lines: list[str | None] = text.split("\n")
    if _is_listing(lines):
        res.update(reject=True, page_type="listing")
        return res
    cut = _trailer_cut(lines)
    trailer = lines[cut:] if cut is not None else []
    main = lines[:cut] if cut is not None else lines
    _extract_embeds(main, res)
    _classify(main, res, reference, cut_lead=cut_lead, detect_title=detect_title, tidy=tidy)
    if trailer:
        _second_article(trailer, res, reference)
    body_lines = [ln for ln in main if ln is not None]
    body = _assemble(body_lines, join_wraps)
    res["body"] = _body_hashtags(body, res, tidy)
    return dict(res)


def _is_listing(lines: list[str | None]) -> bool:
    content = [ln.strip() for ln in lines if ln and ln.strip()]
    if not content or not any(ln.endswith(("…", "...")) for ln in content):
        return False  # no teaser: no listing (and no line folded for nothing)
    read_more = [ln for ln in content if _words(ln) <= 4 and _READ_MORE.match(_key(ln) or "-")]
    teasers = [ln for ln in content if ln.endswith(("…", "...")) and ln not in read_more]
    others = len(content) - len(read_more) - len(teasers)
    return bool(read_more) and bool(teasers) and others <= len(teasers)


def _trailer_cut(lines: list[str | None]) -> int | None:
    footer = False
    for i, ln in enumerate(lines):
        if not ln or not ln.strip():
            continue
        k = _key(ln[:80])  # the labels looked for open the line
        if _SOURCE.match(k) or _TAGS.match(k) and (":" in ln or k in _TAG_LABEL_KEYS):
            footer = True
        elif footer and _READ_ALSO.match(k):
            return i
    return None


def _second_article(trailer: list[str | None], res: _Result, reference: datetime | None) -> None:
    """After the footer, "إقرأ أيضاً:" introduces a whole other article: one related entry."""
    first = trailer[0] or ""
    m = _READ_ALSO.match(_key(first))
    rest = _tail(first, _key(first)[m.end():]) if m else ""
    body_from = 1
    if not rest:
        for j in range(1, len(trailer)):
            if trailer[j] and trailer[j].strip():
                rest, body_from = trailer[j].strip(), j + 1
                break
    sub = segment("\n".join(ln for ln in trailer[body_from:] if ln is not None), reference,
                  detect_title=False, cut_lead=False)
    if rest:
        res.add_related(rest, text=sub["body"] or None)
    for r in sub["related"]:
        res.add_related(r["title"], r.get("url"), r.get("text"))


# --- embeds ----------------------------------------------------------------------------------
def _extract_embeds(lines: list[str | None], res: _Result) -> None:
    for i, ln in enumerate(lines):
        if not ln:
            continue
        s = ln.strip()
        m = _TWEET_ATTR.search(s) if "(@" in s else None  # the handle first: a cheap test for most lines
        if m and m["dash"] not in ("—", "&mdash;"):
            em = re.search(r"(?:^|\s)—\s*", s)
            if em:
                m = _TWEET_ATTR.search(s, em.start()) or m
        if m and "pic.twitter.com" not in m["author"]:
            _take_tweet(lines, i, s, m, res)
            continue
        if _INSTAGRAM_UI.match(s):
            lines[i] = None
            continue
        ig = _INSTAGRAM.match(s)
        if ig:
            res["embeds"].append({"platform": "instagram", "type": "post", "url": None, "author": ig["author"] or None,
                                  "handle": ig["handle"], "published_at": parse_date(ig["rest"]), "text": None, "media": []})
            lines[i] = None
            continue
        fb = _FACEBOOK.match(s)
        if fb and _words(s) <= 14:
            res["embeds"].append({"platform": "facebook", "type": "post", "url": None, "author": fb["author"],
                                  "handle": None, "published_at": parse_date(fb["date"]), "text": None, "media": []})
            lines[i] = None
            continue
        if _VIDEO_URL.match(s):
            res["embeds"].append({"platform": "youtube", "type": "video", "url": s if s.startswith("http") else "https://" + s,
                                  "author": None, "handle": None, "published_at": None, "text": None, "media": []})
            lines[i] = None
            continue
        st = _STATUS_URL.match(s)
        if st:
            res["embeds"].append({"platform": "twitter", "type": "tweet", "url": s if s.startswith("http") else "https://" + s,
                                  "author": None, "handle": st["handle"], "published_at": None, "text": None, "media": []})
            lines[i] = None
    for i, ln in enumerate(lines):
        if ln and "pic.twitter.com" in ln and _PIC_END.search(ln):
            lines[i] = None  # a post's text and media link whose attribution line was lost


def _take_tweet(lines: list[str | None], i: int, s: str, m: re.Match[str], res: _Result) -> None:
    """An embedded post, flattened, ends with its "— Name (@handle) Date" line: walk back from it
    over the post's text (see _post_start) and move it into an embed."""
    parts = [s[: m.start()].strip()]
    lines[i] = None
    # lines after the attribution in the same paragraph that end with the post's media link
    # ("... (@club) November 22, 2025" / "نراهن ..." / "اكتبوا لنا pic.twitter.com/x"): the post's
    after: list[int] = []
    k = i + 1
    while k < len(lines) and lines[k] and lines[k].strip() and not _TWEET_ATTR.search(lines[k].strip()):
        after.append(k)
        k += 1
    if after and _PIC_END.search(lines[after[-1]]):
        parts.extend(lines[x].strip() for x in after)
        for x in after:
            lines[x] = None
    first = i  # the earliest line the post takes
    j = i - 1
    # the tweet's text: lines above in the same paragraph (no blank line), up to another tweet
    while j >= 0 and lines[j] and lines[j].strip() and not _TWEET_ATTR.search(lines[j].strip()):
        parts.insert(0, lines[j].strip())
        lines[j] = None
        first = j
        j -= 1
    # ... and earlier paragraphs of it
    for k in _post_paragraphs(lines, j, bool(parts[0] or len(parts) > 1)):
        parts.insert(0, lines[k].strip())
        lines[k] = None
        first = k
    # a post glued to the end of the article's sentence ("...الإسكندرية.الفنان يرد ..."): the
    # sentence stays in the body, where the line was
    glued = _GLUED_POST.search(parts[0]) if parts else None
    if glued:
        lines[first] = parts[0][: glued.start() + 2]
        parts[0] = parts[0][glued.start() + 2:]
    raw = "\n".join(p for p in parts if p)
    media = [u.strip() for u in _PIC.findall(raw)]
    text = _PIC.sub("", raw).strip() or None
    when = parse_date(m["date"])
    res["embeds"].append({
        "platform": "twitter", "type": "tweet", "url": None, "author": m["author"].strip() or None,
        "handle": m["handle"], "published_at": when, "date": when, "text": text, "media": media,
    })


_PIC_END = re.compile(r"(?:https?://)?pic\.twitter\.com/\w+\s*$")
_GLUED_POST = re.compile(f"[{ARABIC_LETTER}][.!؟](?=[{ARABIC_LETTER}#])")
_POST_LINK = re.compile(r"pic\.twitter\.com/|t\.co/|https?://")


def _post_paragraphs(lines: list[str | None], j: int, has_text: bool) -> list[int]:
    """Indexes of the paragraphs before line ``j`` that belong to the embedded post ending below.

    The article often introduces a post with a line that ends with ":" ("وقالت الوزارة في تغريدة:"):
    when such an Arabic line stands within the four paragraphs above, everything after it is the
    post. Otherwise the post is what reads as none of the article: paragraphs with no Arabic
    sentence — in another script, a link (pic.twitter.com), or short Arabic lines with no sentence
    end (verse quoted in the post) — up to the first Arabic sentence, and starting at one in another
    script or with a link."""
    paragraphs: list[int] = []  # one index per non-empty line above, nearest first
    k = j
    while k >= 0 and len(paragraphs) < 6:
        if lines[k] is not None and lines[k].strip():
            if _TWEET_ATTR.search(lines[k].strip()):
                break  # the post above this one
            paragraphs.append(k)
        elif lines[k] is None and paragraphs:
            pass
        k -= 1
    for n, k in enumerate(paragraphs[:4]):
        text = lines[k].strip()
        if _ARABIC.search(text) and text.endswith((":", "：")) and _words(text) > 3:
            post = paragraphs[:n]
            if post and all(_words(lines[x]) <= 60 for x in post):
                return post
            break
    post = []
    for k in paragraphs:
        text = lines[k].strip()
        arabic_share = len(_ARABIC.findall(text)) / max(len(_LETTER.findall(text)), 1)
        if arabic_share < 0.5 or _POST_LINK.search(text):
            post.append(k)
        elif not _SENTENCE_STOP.search(text) and _words(text) <= 12 and not text.endswith(":"):
            post.append(k)  # verse or a short line of the post
        else:
            break
    while post:  # the post starts in another script or with its link, not with a short Arabic line
        text = lines[post[-1]].strip()
        if len(_ARABIC.findall(text)) / max(len(_LETTER.findall(text)), 1) < 0.5 or _POST_LINK.search(text):
            break
        post.pop()
    if not has_text and not post:
        return []
    return post


# --- line classification ---------------------------------------------------------------------
def _classify(lines: list[str | None], res: _Result, reference: datetime | None, *, cut_lead: bool,
              detect_title: bool, tidy: bool) -> None:
    mode = ""  # "related" or "sidebar" once a list header is seen
    kept = 0  # body lines kept so far: the "top" of the text is where leads and bylines live
    chrome_before = False
    after_byline_marker = False
    n = len(lines)
    had_text = [bool(ln and ln.strip()) for ln in lines]  # before any line is taken: where paragraphs break
    for i in range(n):
        line = lines[i]
        if line is None or not line.strip():
            continue
        line = line.strip()
        # markers sit at a line's start or end; a long paragraph is folded there only
        f = fold_normalized(line if len(line) <= 400 else f"{line[:200]} {line[-200:]}").lower()
        k = f.strip(_EDGE)
        if not k:
            lines[i] = None
            continue
        if mode and kept == 0 and i > 0 and not had_text[i - 1] and _words(line) >= 10 \
                and not _BULLET.match(line) and _is_sentence(line):
            mode = ""  # a widget above the story ("آخر الأخبار" and its headlines) ends where it starts
        if mode == "sidebar":
            lines[i] = None
            continue
        if k in _RELATED_HEADERS:
            mode, lines[i] = "related", None
            continue
        if k in _SIDEBAR_HEADERS:
            mode, lines[i] = "sidebar", None
            continue
        if mode == "related":
            lines[i] = None
            item = _BULLET.sub("", line).strip()
            if item and not _is_ui(_key(item)) and not item.endswith(("…", "...")) and _words(item) >= 3:
                res.add_related(item)
            continue
        if after_byline_marker:
            after_byline_marker = False
            if _words(k) <= 5:
                res.add_author(line)
                lines[i] = None
                continue
        # read-also: inline headline on the same line or the next one
        m = _READ_ALSO.match(k)
        if m:
            lines[i] = None
            rest = _tail(line, k[m.end():])
            if rest:
                _add_glued_related(rest, res)
            else:
                j = _next_content(lines, i + 1)
                if j is not None and not _is_structural(_key(lines[j] or "")):
                    _add_glued_related(lines[j].strip(), res)
                    lines[j] = None
            continue
        sm = _SOURCE.match(k)
        if sm and not _ARABIC.search(line) and ":" not in line:
            sm = None  # "Source link" is a theme's link text; a Latin source label takes a colon
        if sm:
            value = _source_value(_tail(line, sm["v"]))
            if value and not res["source"]:
                res["source"] = value
            lines[i] = None
            continue
        tm = _TAGS.match(k)
        if tm and (tm["v"] is not None or k in _TAG_LABEL_KEYS):
            value = _tail(line, tm["v"] or "")
            if value:
                for t in _split_tags(value):
                    res.add_tag(t)
            else:
                j = _next_content(lines, i + 1)
                while j is not None and lines[j] and _words(lines[j]) <= 4 and not _is_structural(_key(lines[j])):
                    res.add_tag(lines[j].strip())
                    lines[j] = None
                    j = j + 1 if j + 1 < n and lines[j + 1] and lines[j + 1].strip() else None
            lines[i] = None
            continue
        if _BREADCRUMB.match(k):
            crumbs = [c.strip() for c in re.split(r"\s*[»›>/]\s*", _plain(line)) if c.strip()]
            if len(crumbs) > 1 and not res["section"]:
                res["section"] = crumbs[-1]
            lines[i] = None
            continue
        if _MEDIA_PIPE_END.search(k):
            titles = _media_pipe_titles(line)
            if titles:
                for t in titles:
                    res.add_related(t)
                lines[i] = None
                continue
        if "انته" in line:
            end = _END_MARK.search(line)
            if end:  # the wire's end-of-story mark and the codes after it ("//انتهى//10:12ت م 0041")
                line = line[: end.start()].rstrip()
                if not line:
                    lines[i] = None
                    continue
        glued = _GLUED_TAIL.search(line, max(0, len(line) - 60)) if not line.endswith(_TERMINAL) else None
        if glued and _words(glued["tail"]) <= 3:
            # "... للجسر.اضافة اعلان": a label glued to the end of a sentence; a credit is the source
            if _is_agency(glued["tail"]):
                res["source"] = res["source"] or glued["tail"].strip()
            line = line[: glued.start("tail")]
        if not _LETTER.search(line) and _words(line) <= 3:
            lines[i] = None  # a bare counter or a stray mark ("1", "2/5", "*")
            continue
        if k in _NAV:  # "السابق" / "التالي": the label, and the other article's headline under it
            lines[i] = None
            j = _next_content(lines, i + 1)
            if j is not None and _words(lines[j]) <= 20 and not lines[j].rstrip().endswith((".", "!", "؟", ":")):
                res.add_related(lines[j].strip())
                lines[j] = None
            continue
        if ("ضغط" in line or "نقر" in line or "click" in line.lower()) and _CLICK_HERE.search(line):
            # a link's "click here" left inside a sentence (the words first: the pattern's leading
            # spaces and brackets made its search cost more than the rest of the line's rules)
            line = _CLICK_HERE.sub(" ", line).strip()
            line = re.sub(r"\s+(?=[.،,:؛!؟])", "", re.sub(r"\s{2,}", " ", line))
            if not _LETTER.search(line):
                lines[i] = None
                continue
        if _words(k) <= 3 and _AD_WORDS.intersection(k.split()):
            lines[i] = None  # an ad slot's label ("إعلان", "محتوى إعلاني", "Advertisement")
            continue
        if _is_ui(k) or _is_junk_latin(line) or _EMAIL_OR_URL.match(line) or ("«" in k and _PROMO.search(k)) \
                or (_words(k) <= 15 and _FOLLOW_LINE.match(k)):
            lines[i] = None
            chrome_before = chrome_before or kept == 0
            continue
        if _RELATIVE_STAMP.match(k) and _words(k) <= 4:
            rel = parse_date(k, reference)
            if rel and not res["published_at"]:
                res["published_at"] = rel
            lines[i] = None
            continue
        if _CAPTION_PREFIX.match(k) or (not line.endswith(".") and _CAPTION_CREDIT.search(f[-80:])
                                        and _words(line) <= 40):  # the credit closes the line: search its end only
            res["image_captions"].append(_CREDIT_TAIL.sub("", line).strip())
            lines[i] = None
            continue
        if line.startswith("* ") and any(_key(line) == _key(a) for a in res["authors"]):
            lines[i] = None
            continue
        bm = _BYLINE.match(k)
        # Below the top of the text only "كتب: <name>" with a separator is a byline: a short
        # subheading such as "كتب نادرة وطبعات أولى" (rare books...) is not.
        if bm and (kept == 0 or (bm["sep"] and _words(k) <= 8)):
            done, body_rest = _byline(line, bm, res)
            if done:
                if body_rest is None and bm["m"] == "بواسطه" and not bm["rest"]:
                    after_byline_marker = True
                lines[i] = body_rest or None
                if body_rest:
                    kept += 1
                continue
        if kept == 0:
            consumed, rest = _lead(line, res, reference, cut_lead)
            if consumed:
                lines[i] = (_space_glued_quotes(rest) if tidy else rest) if rest else None
                if rest:
                    kept += 1
                continue
        stub = _FOLLOW_STUB.search(line) if "تابعوا" in line else None
        if stub:
            line = line[: stub.start()].rstrip()
            if not line:
                lines[i] = None
                continue
        lines[i] = _space_glued_quotes(line) if tidy else line
        kept += 1
    _repeated_and_trailing(lines, res, tidy)
    # the agency tail: the last line in parentheses, one to three words ("(المشهد)", "--(بترا)"),
    # or a known agency or credit after a dash ("- وكالات"); or such a credit glued to the end of
    # the last sentence ("... الأربعاء. (رويترز)")
    last = _last_content(lines)
    if last is not None and kept > 1:
        tail_line = lines[last].strip()
        m = _TAIL_LINE.fullmatch(tail_line)
        value = m and (m["paren"] or m["bare"])
        if not value and _words(tail_line) <= 3 and _is_agency(tail_line):
            value = tail_line  # "وكالات" alone on the last line
        if value and (m and m["paren"] and _words(value) <= 3 or _is_agency(value)):
            if not res["source"]:
                res["source"] = value.strip()
            lines[last] = None
        else:
            g = _TAIL_GLUED.search(tail_line)
            if g and _is_agency(g["v"]):
                res["source"] = res["source"] or g["v"].strip()
                lines[last] = tail_line[: g.start()].rstrip() + g["end"]
    if detect_title:
        _detect_title(lines, res, chrome_before)


_CLICK_HERE = re.compile(r"\s*[(\[]?\s*(?:[اإ]ضغط|[اإ]نقر|click)\s+(?:هنا|here)\s*[)\]]?(?=\s|[.،,:]|$)", re.I)
# Notices addressed to the reader about the site, not the story: a paywall ("يتوجب عليك الاشتراك
# ... لتتمكن من قراءة بقية المقال"), the comment disclaimer ("لا يتحمل مسؤولية ما يرد في تعليقات
# الزوار"). Each needs the reader (second person, the readers, the subscribers) and the site or its
# comments in one paragraph, and only trailing paragraphs are read.
_TO_READER = re.compile(r"عليك|لتتمكن|يمكنك|تستطيع|يرجي|نرجو|القراء|الزوار|قرائنا|زوارنا")
# ... and this page: this article, its comments, the subscription it sits behind (a sentence that
# tells the reader how to use another site, "يمكنك الاستعلام عبر موقع الشركة", is news service)
_ABOUT_SITE = re.compile(r"هذا المقال|بقيه المقال|باقي المقال|المقالات المؤرشفه|التعليقات|تعليقات|الباقه|"
                         r"باقات الاشتراك|تسجيل الدخول|محتوي حصري")
# An author's bio box: a name, a profession and where ("سلمى عثمان محررة بموقع ...")
_BIO = re.compile(
    r"^\S+(?:\s+\S+){1,3}\s+(?:محرر|محرره|كاتب|كاتبه|صحفي|صحفيه|صحافي|صحافيه|مراسل|مراسله|اعلامي|اعلاميه|"
    r"باحث|باحثه|مدون|مدونه)\s+(?:ب|في|لدي|ل|و|مهتم|متخصص)"
)
# Hashtags that lost their "#" ("المشهد_الخرطومي"): words joined by underscores
_BARE_HASHTAG = re.compile(f"[{ARABIC_LETTER}\\w]+(?:_[{ARABIC_LETTER}\\w]+)+")


def _is_notice(line: str) -> bool:
    k = _key(line)
    return _words(k) <= 60 and bool(_TO_READER.search(k)) and bool(_ABOUT_SITE.search(k))


def _is_bio(line: str) -> bool:
    return _words(line) <= 60 and bool(_BIO.match(_key(line)))


def _letter_words(text: str) -> int:
    return sum(1 for w in text.split() if _LETTER.search(w))


# A wire service's end-of-story mark: "انتهى" set off by slashes, brackets or dashes ("//انتهى//",
# "(انتهى)", "-انتهى-"), then at most a code or a time; the bare word in prose ("انتهى الاجتماع") stays.
_END_MARK = re.compile(
    r"\s*(?:^|(?<=\s)|(?<=[.!؟]))(?:/{1,2}|\(|\[|-{1,2}|ـ)\s*انته[ىي]\s*(?:/{1,2}|\)|\]|-{1,2}|ـ)"
    r"[^\n]{0,40}$"
)


def _repeated_and_trailing(lines: list[str | None], res: _Result, tidy: bool = True) -> None:
    """Rules on the lines kept so far, by position and repetition rather than by vocabulary:

    - a line (up to forty words) that stands two or more times in the text is page furniture (an
      image caption printed over and under the photo, a share label per block): every occurrence
      goes;
    - at the end of the text, notices to the reader (a paywall, the comment disclaimer) and an
      author's bio box go;
    - after the last Arabic line that reads as a sentence, what follows goes when it is a short
      non-sentence (at most five words with letters, no sentence end: a widget label with nothing
      after it, "اخترنا لك:", a captcha "اكتب ناتج 4 + 7") or has no Arabic letter at all (a
      theme's comment form, "Back To Top"), except a credit (read next as the source) and
      hashtags (a line of them goes to the hashtags, unless `tidy` is off); a text with no such
      sentence is left alone."""
    seen: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        if ln and ln.strip() and _words(ln) <= 40:
            seen.setdefault(" ".join(ln.split()), []).append(i)  # repeated verbatim
    for key, where in seen.items():
        if key and len(where) > 1:
            for i in where:
                lines[i] = None
    last_sentence = None
    for i in range(len(lines) - 1, -1, -1):
        text = (lines[i] or "").strip()
        if not text or not _ARABIC.search(text) or not _is_sentence(text):
            continue
        if _is_notice(text) or _is_bio(text):
            lines[i] = None
            continue
        last_sentence = i
        break
    if last_sentence is None:
        return  # no article text to keep the label off: leave the lines alone
    for i in range(len(lines) - 1, last_sentence, -1):
        text = (lines[i] or "").strip()
        if not text:
            continue
        if _TAIL_LINE.fullmatch(text) or (_words(text) <= 3 and _is_agency(text)):
            continue  # a credit: the source, read next
        tokens = text.split()
        if tidy and all(t.startswith("#") or _BARE_HASHTAG.fullmatch(t) for t in tokens):
            for t in tokens:
                h = t.lstrip("#")
                if h and h not in res["hashtags"]:
                    res["hashtags"].append(h)
            lines[i] = None
            continue
        if "#" in text:
            break  # hashtags in a line of text: read at the end
        if _letter_words(text) > 5 and _ARABIC.search(text):
            break
        lines[i] = None


def _next_content(lines: list[str | None], start: int) -> int | None:
    for j in range(start, len(lines)):
        if lines[j] and lines[j].strip():
            return j
    return None


def _last_content(lines: list[str | None]) -> int | None:
    for j in range(len(lines) - 1, -1, -1):
        if lines[j] and lines[j].strip():
            return j
    return None


def _is_structural(k: str) -> bool:
    return bool(k in _RELATED_HEADERS or k in _SIDEBAR_HEADERS or _SOURCE.match(k) or _TAGS.match(k)
                or _READ_ALSO.match(k) or _is_ui(k))


def _add_glued_related(text: str, res: _Result) -> None:
    # a widget header glued to the headline ("...كْحَزمقالات قد تكون مفيدة من ...") ends it
    k = fold(text).lower()
    m = _WIDGET_GLUED.search(k)
    if m and m.start() > 0:
        cut = _prefix_len(text, m.start())
        text = text[:cut]
    text = text.strip(" :-–—")
    if text:
        res.add_related(text)


def _prefix_len(display: str, folded_len: int) -> int:
    """Length of the display prefix whose fold is `folded_len` characters long."""
    for i in range(len(display) + 1):
        if len(fold(display[:i])) >= folded_len and (i == len(display) or len(fold(display[: i + 1])) > folded_len):
            return i
    return len(display)


def _media_pipe_titles(line: str) -> list[str]:
    """"A |فيديو B|«فيديوجراف»": headlines of related links, each followed by a media marker."""
    chunks = [c.strip() for c in _MEDIA_PIPE.split(line)]
    titles = [c for c in chunks if c]
    return titles if titles and all(_words(t) >= 3 for t in titles) else []


def _source_value(value: str) -> str:
    value = re.split(r"\s+(?=[\w.+-]+@)|\s+(?:https?://|www\.)", value)[0]
    return value.strip(" :|-–—.")


def _split_tags(value: str) -> list[str]:
    if re.search(r"[،,|#\n]|\s[-–—/]\s", value):
        return [t.strip() for t in re.split(r"[،,|#\n]|\s[-–—/]\s", value) if t.strip()]
    return _chunk_tags(value.split())


def _chunk_tags(words: list[str]) -> list[str]:
    """Tags joined by spaces lost their link boundaries. Best effort: a new tag starts at each
    word unless it continues a phrase (a noun + its ال-complement, a nisba adjective, a
    preposition and its object), with at most three words per tag and a repeated word always
    starting a new one."""
    tags: list[list[str]] = []
    for w in words:
        f = fold(w)
        if tags:
            cur = tags[-1]
            prev = fold(cur[-1])
            cont = len(cur) < 3 and f != prev and (
                prev in _PREPOSITIONS or f in _PREPOSITIONS
                or (not prev.startswith("ال") and f.startswith("ال"))
                or (prev.startswith("ال") and f.startswith("ال") and _is_nisba(f))
            )
            if cont:
                cur.append(w)
                continue
        tags.append([w])
    return [" ".join(t) for t in tags]


def _is_nisba(folded: str) -> bool:
    return len(folded) > 5 and folded.endswith(("يه", "يين", "يون", "يات")) or (len(folded) > 5 and folded.endswith("ي"))


def _byline(line: str, m: re.Match[str], res: _Result) -> tuple[bool, str | None]:
    """'كتب - Name:', 'بقلم: Name Outlet- body', 'بواسطة' (name on the next line), 'إعداد Name'."""
    marker, rest_key = m["m"], m["rest"]
    if marker in ("كتب", "كتبت", "كتبه", "كتبها", "تقرير", "تحرير", "by") and not m["sep"] and _words(rest_key) > 4 \
            and not _NAME_THEN_DATE.match(rest_key):
        return False, None  # "كتب الوزير في رسالته ..." is prose
    if not rest_key:
        return marker == "بواسطه", None
    rest = _plain(_tail(line, rest_key))
    dm = _DATE_START.search(fold(rest).lower())
    if dm and dm.start() > 0:
        when = parse_date(rest[dm.start():])
        if when:  # "كتب: Name الخميس 05-02-2026 21:40": the name ends where the date starts
            res["published_at"] = res["published_at"] or when
            rest = _DATE_LEAD_WORD.sub("", rest[: dm.start()]).strip()
    body: str | None = None
    parts = re.split(r"\s*(?:[-–—]|:)\s+|(?<=[^\s\d/])[-–—]\s*|\s*:$", rest, maxsplit=1)
    name = parts[0].strip(" /")
    if len(parts) > 1 and parts[1] and parts[1].strip():
        body = parts[1].strip()
    name = _restore(line, _strip_outlet(name))
    if not name or _words(name) > 6 or re.search(r"\d", name):
        return False, None
    if _key(name) in _OUTLETS or _key(name).endswith(" اليوم"):
        return True, body  # a masthead, not a person
    credit = read_credit(name, res.masthead)  # the one judgement every author value passes
    for person in credit.authors:
        res.add_author(person)
    res["dateline"] = res["dateline"] or credit.dateline
    res["source"] = res["source"] or credit.source
    return True, body


# "كتبها Name بتاريخ 2026/01/19", "Name في الأربعاء 14 يناير": the word that introduces the date
_DATE_LEAD_WORD = re.compile(r"\s*(?:\b(?:بتاريخ|في|فى|يوم|on)|[،,\-–—|])\s*$")
_NAME_THEN_DATE = re.compile(r"^\S+(?:\s+\S+){0,3}\s+(?:بتاريخ|في|يوم)\s+(?:ال)?(?:\d|سبت|احد|اثنين|ثلاثاء|اربعاء|خميس|جمعه)")


def _strip_outlet(name: str) -> str:
    k = _key(name)
    for outlet in sorted(_OUTLETS, key=len, reverse=True):
        if k.endswith(" " + outlet) and k != outlet:
            return " ".join(name.split()[: -len(outlet.split())])
    m = re.search(r"\s+\S+\s+اليوم$", name)
    if m and _words(name) > 3:
        return name[: m.start()].strip()
    return name


# --- lead lines: datelines, outlet lead-ins, date lines --------------------------------------
_LEAD_SPLIT = re.compile(r"\s*(?:/|\s[-–—ـ|]+\s|[-–—ـ]+(?=\s)|(?<=[^\s\d])[-–—]+(?=[^\s\d])|--+)\s*")


def _is_place(s: str) -> bool:
    k = _key(s)
    return k in _PLACES or (("،" in s or "," in s) and all(_key(p) in _PLACES for p in re.split(r"[،,]", s) if p.strip()))


def _is_agency(s: str) -> bool:
    k = _key(s)
    return k in _AGENCIES or k in _CREDITS or k in _OUTLETS or k.startswith(("وكاله ", "صحيفه ", "موقع ", "قناه ", "جريده "))


def _date_only(s: str, reference: datetime | None) -> str | None:
    iso = parse_date(s, reference)
    if not iso:
        return None
    rest = [w for w in re.split(r"[\s,،:/.()\-|]+", fold(s).lower()) if w and not w.isdigit() and w not in DATE_WORDS
            and not re.fullmatch(r"\d+(?:st|nd|rd|th)?|\d{1,2}:\d{2}(?::\d{2})?", w)]
    return iso if not rest else None


# "القاهرة - كتب أحمد محمود:", "بيروت ـ كتبت: رنا شمس", "دمشق/ بقلم ...": a dateline, then a byline
_DATELINE_BYLINE = re.compile(rf"^[^:\-–—ـ/\n]{{2,30}}?\s*(?:[\-–—ـ]+|/|:)\s*(?:{_alt(lexicon.BYLINE_MARKERS)}){_NA}")


_FREE_TATWEEL = re.compile(r"(?<!\S)ـ+(?!\S)")  # "القاهرة ـ كتب": a tatweel standing alone is a dash


_CREDIT_SHAPE = re.compile(r"\([^()]{2,30}\)\s*:?\s*$|\S\s*/\s*\S|\s[-–—]\s")


def _credit_line(line: str, res: _Result) -> bool:
    """A short line at the top that is a credit: "واس (الدمام)", "نوف الحربي (الرياض)",
    "رام الله/ وفا:", "صوت الشمال – مازن الرواشدة". Its shape (a bracket, a slash, a dash) and one
    part being a place, an agency or an outlet say so; the parts go to dateline, source, authors."""
    plain = _plain(line)
    if _words(plain) > 8 or _SENTENCE_STOP.search(plain) or not _CREDIT_SHAPE.search(plain) or re.search(r"\d", plain):
        return False  # a date in the line: the dateline rules below read it
    credit = read_credit(line, res.masthead)
    if not (credit.dateline or credit.source or any(why == "outlet" for _, why in credit.rejected)):
        return False
    for name in credit.authors:
        res.add_author(name)
    res["dateline"] = res["dateline"] or credit.dateline
    res["source"] = res["source"] or credit.source
    return True


# "::سامي الحلبي::", "** Name **", "== Name ==": a name set off by decoration on its own line
_DECORATED = re.compile(r"^(?P<d>[:*=~#_•·|]{2,})\s*(?P<name>[^:*=~#_•·|\d\n]{3,40}?)\s*(?P=d)$")
# "خالد المنصوري في الأربعاء 14 - يناير - 2026 12:00 صباحاً": a name, then when it was written
_NAME_DATE = re.compile(r"^(?P<name>\S+(?:\s+\S+){1,3}?)\s+(?:في|فى|بتاريخ|يوم|[-–—|،,])\s+(?P<date>.*\d.*)$")


def _signed_line(line: str, res: _Result, reference: datetime | None) -> bool:
    """A line at the top that signs the piece without a marker word: a decorated name, or a name
    followed by the date. The name must read as a person's (read_credit), the date as a date only."""
    plain = _plain(line).strip()
    if _words(plain) > 14:
        return False
    m = _DECORATED.match(plain)
    if m:
        people = _person(_restore(line, m["name"]), res)
        for name in people:
            res.add_author(name)
        return bool(people)
    m = _NAME_DATE.match(plain)
    if not m:
        return False
    when = _date_only(m["date"], reference)
    people = _person(_restore(line, m["name"]), res) if when else []
    if not people:
        return False
    for name in people:
        res.add_author(name)
    res["published_at"] = res["published_at"] or when
    return True


def _masthead_role(line: str) -> bool:
    """"رئيس مجلس الإدارة", "رئيس التحرير: Name": a masthead line (it starts with a role word),
    not the piece's credit."""
    plain = _plain(line)
    if _words(plain) > 7 or _SENTENCE_STOP.search(plain) or not is_role(plain.split()[0]):
        return False
    credit = read_credit(line)
    return not credit.authors and any(why == "role" for _, why in credit.rejected)


def _lead(line: str, res: _Result, reference: datetime | None, cut_lead: bool) -> tuple[bool, str | None]:
    if _masthead_role(line):
        res.after_masthead = True  # the name on the next line belongs to the masthead too
        return True, None
    if res.after_masthead:
        res.after_masthead = False
        if _words(line) <= 4 and read_credit(line).authors:
            return True, None
    if _credit_line(line, res) or _signed_line(line, res, reference):
        return True, None
    plain = _plain(_FREE_TATWEEL.sub("-", line))
    if _words(plain) <= 10 and _DATELINE_BYLINE.match(_key(plain)):
        credit = read_credit(line, res.masthead)
        if credit.authors or credit.dateline:
            for name in credit.authors:
                res.add_author(name)
            res["dateline"] = res["dateline"] or credit.dateline
            res["source"] = res["source"] or credit.source
            return True, None
    if _words(plain) <= 12:
        iso = _date_only(plain, reference)
        if iso:
            res["published_at"] = res["published_at"] or iso
            return True, None
    # "وكالة السيمر الاخبارية" alone near the top: the outlet
    if _words(plain) <= 5 and _is_agency(plain) and not plain.endswith((".", "؟", "!")):
        res["source"] = res["source"] or plain.strip(_EDGE)
        return True, None
    # "Outlet :" alone on the first line (a lead-in label)
    m = re.fullmatch(r"([^:\n]{2,40}?)\s*:", plain)
    if m and _words(m.group(1)) <= 3 and not re.match(r"^[وف]|^(?:قال|اكد|أكد|اضاف|أضاف|اوضح|أوضح|تابع)", m.group(1)):
        res["source"] = res["source"] or m.group(1).strip()
        return True, None
    # whole-line leads "A: B", "A - B", "A / B"
    m = re.fullmatch(r"(?P<a>[^:\n]{2,50}?)\s*(?P<sep>:|/|\s[-–—ـ]+\s|[-–—]+)\s*(?P<b>[^\n]{2,60})", plain)
    if m and _words(m["a"]) <= 5 and _words(m["b"]) <= 8 and not plain.endswith((".", "؟", "!")):
        a, b, sep = _restore(line, m["a"]), _restore(line, m["b"]), m["sep"].strip()
        b_date = _date_only(b, reference)
        if b_date:
            if _words(a) <= 3:
                res["dateline"] = res["dateline"] or a
                res["published_at"] = res["published_at"] or b_date
                return True, None
        elif _key(b) in _CREDITS:
            res["source"] = res["source"] or b
            if sep != ":":
                res["dateline"] = res["dateline"] or a
            return True, None
        elif _is_place(b) and not _is_place(a):
            res["dateline"], res["source"] = res["dateline"] or b, res["source"] or a
            return True, None
        elif _is_place(a) or (sep != ":" and _words(a) <= 2 and (_is_agency(b) or _words(b) <= 4)):
            res["dateline"], res["source"] = res["dateline"] or a, res["source"] or b
            return True, None
    # inline lead: City [/ date] / Agency - body  (IRNA), City (Outlet) -- body (CNN)
    done, rest = _inline_lead(line, plain, res, reference, cut_lead)
    if done:
        return done, rest
    done, rest = _run_on_lead(line, plain, res, reference)
    if done:
        return done, rest
    return _named_lead(line, plain, res)


def _run_on_lead(line: str, plain: str, res: _Result, reference: datetime | None) -> tuple[bool, str | None]:
    """A wire lead with no punctuation: place, date, agency, then the body ("الدمام 29 رجب 1447 هـ
    الموافق 18 يناير 2026 م واس أطلقت ..."). The date is the longest run of date words and
    numbers after the place; it must read as a date and nothing else."""
    words = plain.split()
    if len(words) < 8:
        return False, None
    place_n = next((n for n in (2, 1) if _is_place(" ".join(words[:n]))), 0)
    if not place_n:
        return False, None
    end = place_n
    while end < len(words) and _is_date_word(words[end]):
        end += 1
    if end - place_n < 2:
        return False, None
    when = _date_only(" ".join(words[place_n:end]), reference)
    if not when:
        return False, None
    agency = next((n for n in (3, 2, 1) if end + n < len(words) and _is_agency(" ".join(words[end:end + n]))), 0)
    body = words[end + agency:]
    if len(body) < 5:
        return False, None
    res["dateline"] = res["dateline"] or _restore(line, " ".join(words[:place_n]))
    res["published_at"] = res["published_at"] or when
    if agency:
        res["source"] = res["source"] or _restore(line, " ".join(words[end:end + agency]))
    return True, _tail(line, _key(" ".join(body)))


def _is_date_word(word: str) -> bool:
    k = _key(word)
    return bool(k) and (k.isdigit() or k in DATE_WORDS or k in MONTH_NAMES or k in ("ه", "م", "هـ")
                        or bool(re.fullmatch(r"\d{1,4}(?:[/.\-]\d{1,4}){0,2}|\d{1,2}:\d{2}", k)))


# "طقس العرب - لقي ...", "صدى 24: أعلنت ...": a short name, a dash or a colon, then the first sentence
_NAMED_DASH = re.compile(r"^(?P<a>[^\s:\-–—ـ|/.،][^:\-–—ـ|/.،؟!\n]{1,30}?)\s+(?:[-–—ـ]+|\|)\s+(?P<b>\S.*)$")
_NAMED_COLON = re.compile(r"^(?P<a>[^\s:\-–—ـ|/.،][^:\-–—ـ|/.،؟!\n]{1,30}?)\s*:\s+(?P<b>\S.*)$")
# a brand, not a speaker, before a colon: a number or Latin letters in the name, or a word that
# names a news site ("صدى 24", "الخليج أونلاين", "العربي بوست")
_BRANDISH = re.compile(r"\d|[A-Za-z]|(?:^|\s)(?:نيوز|نت|بوست|برس|اونلاين|تايمز|تي في|انفو|الاخباري|الاخباريه)(?:\s|$)")


def _named_lead(line: str, plain: str, res: _Result) -> tuple[bool, str | None]:
    """A one-to-three word name before the first sentence: an outlet's signature or a reporter's
    name. The sentence after it must be a real one (eight words or more, ending in a full stop);
    before a colon the name must look like a brand (a speaker before a colon is a quote)."""
    m = _NAMED_DASH.match(plain)
    colon = False
    if not m:
        m, colon = _NAMED_COLON.match(plain), True
    if not m or _words(m["a"]) > 3 or _words(m["b"]) < 8 or not _SENTENCE_STOP.search(m["b"]):
        return False, None
    a = _restore(line, m["a"].strip())
    ka = _key(a)
    if re.match(r"^[وف]", ka) and _words(a) > 1 or is_role(ka.split()[0]):
        return False, None
    if re.search(r"\s[-–—ـ]+\s", " ".join(m["b"].split()[:8])):
        return False, None  # "محمد صلاح - نجم ليفربول - سجل": a name in apposition, not a lead
    brand = bool(_BRANDISH.search(ka) or _is_agency(a) or res.is_outlet(a))
    # before a dash, a name alone could be anything ("سارة الحلبي - ..."): it is cut when it looks
    # like a brand or when a byline or a date was read just above (the lead block goes on)
    if not brand and (colon or not (res["authors"] or res["published_at"] or res["dateline"])):
        return False, None
    people = [] if colon or res["authors"] else _person(a, res)  # after a byline: the outlet
    if people:
        for name in people:
            res.add_author(name)
    elif res.is_outlet(a):
        res["dateline"] = res["dateline"] or a  # the outlet signing its lead, as in _inline_lead
    else:
        res["source"] = res["source"] or a
    return True, _tail(line, _key(m["b"]))


_CREDIT_LEAD = re.compile(rf"^(?:{_alt(lexicon.CREDITS)}){_NA}(?:\s+[^\s:]+){{0,2}}\s*:\s*")


def _person(text: str, res: _Result) -> list[str]:
    """The names in `text` when it is a credit of people and nothing else."""
    credit = read_credit(text, res.masthead)
    return credit.authors if credit.authors and not credit.rejected else []


def _place_and_date(part: str, reference: datetime | None) -> tuple[str, str] | None:
    """"القاهرة في الاثنين 2 فبراير 2026 05:20 مساءً" -> (place, date)."""
    m = re.match(r"^(?P<place>\S+(?:\s+\S+)?)\s+(?:في|فى|بتاريخ)\s+(?P<date>.+)$", part.strip())
    if not m or not _is_place(m["place"]):
        return None
    when = _date_only(m["date"], reference)
    return (m["place"], when) if when else None


def _inline_lead(line: str, plain: str, res: _Result, reference: datetime | None, cut_lead: bool) -> tuple[bool, str | None]:
    cnn = re.match(r"^(?P<city>[^()\n]{2,40}?)\s*\((?P<outlet>[^()\n]{2,30})\)\s*(?:--+|[-–—ـ]+)\s*(?P<body>\S.*)$", plain)
    if cnn and _words(cnn["city"]) <= 4 and (_is_place(cnn["city"]) or _is_agency(cnn["outlet"])):
        res["dateline"] = res["dateline"] or cnn["city"].strip()
        res["source"] = res["source"] or cnn["outlet"].strip()
        return True, (_tail(line, _key(cnn["body"])) if cut_lead else line)
    parts: list[str] = []
    for part in _LEAD_SPLIT.split(plain, maxsplit=5):
        if parts and _key(part) in MONTH_NAMES and parse_date(parts[-1]):
            parts[-1] = f"{parts[-1]}\x00{part}"  # "تشرين الثاني/نوفمبر" is one date, not two parts
        else:
            parts.append(part)
    if len(parts) < 2:
        return False, None
    dateline = source = published = own = None
    authors: list[str] = []
    used = 0
    # "Name - City في date - body": a reporter's name first, when the next part is a place or a date
    if len(parts) >= 3 and 2 <= _words(parts[0]) <= 4:
        nxt = parts[1].replace("\x00", "/").strip()
        if _is_place(nxt) or _date_only(nxt, reference) or _place_and_date(nxt, reference):
            credit = read_credit(_restore(line, parts[0]), res.masthead)
            if credit.authors and not credit.rejected:
                authors, used = credit.authors, 1
    for part in parts[used:-1]:
        p = part.replace("\x00", "/").strip()
        if not p:
            used += 1
            continue
        pd = _place_and_date(p, reference) if dateline is None and published is None else None
        if pd:
            dateline, published = pd
            used += 1
            continue
        if _words(p) > 5:
            break
        if dateline is None and used <= len(authors) and _is_place(p):
            dateline = _restore(line, p)
        elif published is None and _date_only(p, reference):
            published = _date_only(p, reference)
        elif source is None and _is_agency(p):
            source = p
        elif own is None and used == 0 and res.is_outlet(p):
            own = _restore(line, p).strip(_EDGE)  # the outlet signing its lead: "المدينة نيوز :-"
        elif not authors and (dateline or source) and 2 <= _words(p) <= 4 and _person(_restore(line, p), res):
            authors = _person(_restore(line, p), res)  # "بيروت - Name - ...": the reporter after the place
        else:
            break
        used += 1
    if used == 0 or (dateline is None and source is None and own is None) or used >= len(parts):
        return False, None
    body = " ".join(x.replace("\x00", "/") for x in parts[used:]).strip()
    credit = _CREDIT_LEAD.match(_key(body))
    if credit:  # "... - متابعة بلمحة: أطلقت": the desk's credit before the colon goes with the lead
        body = _tail(body, _key(body)[credit.end():])
    if _words(body) < 3:
        return False, None
    for person in authors:
        res.add_author(person)
    res["dateline"] = res["dateline"] or dateline or own
    res["source"] = res["source"] or source
    res["published_at"] = res["published_at"] or published
    if not cut_lead and dateline is not None and not authors:
        return True, line  # "City / Agency - ...": the printed lead of the sentence stays
    return True, _tail(line, _key(body)) if _key(body) else body


# --- title, assembly, hashtags ---------------------------------------------------------------
def _detect_title(lines: list[str | None], res: _Result, chrome_before: bool) -> None:
    first = _next_content(lines, 0)
    if first is None:
        return
    cand = lines[first].strip()
    # a headline is short and is not a clause list: more than 15 words, or a comma in more than ten,
    # is a first paragraph that lost its full stop
    if _words(cand) > 15 or cand.endswith(_TERMINAL) or ("،" in cand and _words(cand) > 10):
        return
    nxt = _next_content(lines, first + 1)
    own_paragraph = nxt is not None and nxt > first + 1
    if (own_paragraph and (_words(lines[nxt]) > _words(cand) or lines[nxt].rstrip().endswith(_TERMINAL))) or (
        nxt is None and chrome_before and ".." in cand
    ):
        res["title"] = cand
        lines[first] = None


def _assemble(lines: list[str], join_wraps: bool) -> str:
    paragraphs: list[list[str]] = [[]]
    for ln in lines:
        if ln.strip():
            paragraphs[-1].append(ln.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    out = []
    for para in paragraphs:
        if not para:
            continue
        if join_wraps and len(para) > 1:
            para = _join_wraps(para)
        out.append("\n".join(para))
    return "\n\n".join(out)


def _join_wraps(para: list[str]) -> list[str]:
    # A hard wrap breaks a sentence mid-way: the line is long, ends in a letter or comma, and the
    # next line goes on with a letter. Short lines (verse, lists, addresses) are left alone.
    joined = [para[0]]
    for ln in para[1:]:
        prev = joined[-1]
        if len(prev) >= 40 and not prev.endswith(_TERMINAL[:-2]) and re.match(f"[{ARABIC_LETTER}]", ln) \
                and not _BULLET.match(ln):
            joined[-1] = prev + " " + ln
        else:
            joined.append(ln)
    return joined


def _body_hashtags(body: str, res: _Result, tidy: bool) -> str:
    if "#" not in body:
        return body
    for m in _HASHTAG.finditer(body):
        h = m["h"]
        if h not in res["hashtags"]:
            res["hashtags"].append(h)
    if not tidy:
        return body
    # "#روسيا" in prose: the word stays, the "#" and the underscores go
    return _HASHTAG.sub(lambda m: m["h"].replace("_", " "), body)


def _space_glued_quotes(line: str) -> str:
    # 'طهران"علي رضا"': an opening quote glued to the previous word gets its space back.
    if line.count('"') < 2 or line.count('"') % 2:
        return line
    out, n = [], 0
    for i, ch in enumerate(line):
        if ch == '"':
            word = re.search(f"[{ARABIC_LETTER}]+$", line[:i])
            # not after a one-letter proclitic (و"دعم غزة"): that quote is glued on purpose
            if n % 2 == 0 and word and len(word.group(0)) > 1:
                out.append(" ")
            n += 1
        out.append(ch)
    return "".join(out)


# --- sentences --------------------------------------------------------------------------------
# A sentence ends at . ! ? ؟ (and runs of them) followed by space or a closing quote, but not at
# ".." or "…" (the Arabic pause inside a sentence), nor after a one-letter abbreviation ("د.").
_SENTENCE_END = re.compile(
    rf"(?<!\.)(?<!(?<![{ARABIC_LETTER}\w])[{ARABIC_LETTER}])\.(?!\.)[\"»')]*(?=\s)"
    r"|[!?؟]+[\"»')]*(?=\s)"
    r"|\n+"
)


def sentences(text: str | None) -> list[str]:
    """Split text into sentences without splitting at ".." pauses."""
    text = normalize(text)
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start:m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out
