"""Who wrote it: one judgement for every author value a page offers.

Author values come from JSON-LD (Person or Organization), meta tags, microdata, byline elements,
outlet selectors and the body's first line, and real pages put all sorts of things there: the
outlet's own name or domain ("akhbarelyom"), an organisation with its logo URL, a desk credit with
a dateline ("(أبوظبي - البيان)"), a city, a masthead line ("رئيس التحرير: ..."). ``read_credit``
turns one such value into the people it names plus the dateline and source it carries:

- role words in front of names are stripped (كتب، بقلم، إعداد، تقرير، ترجمة، تصوير ...);
- shapes are split: "City - كتب Name:", "Name (City)", "(City - Outlet)", "City/ Name";
- each remaining name must look like a person: not the outlet (``Masthead``: its names, aliases,
  domain and slug, and the site name the page itself states), not an agency or credit, not a
  place, not a URL or logo, not a role or a masthead line, not a sentence or a number.

Pure functions of strings; ``Masthead.of_page`` reads the page's own statements of its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.arabic import lexicon
from crawler.arabic.normalize import fold

# Role words that introduce names ("كتب: ...", "إعداد وتقديم ...", "by ..."): stripped, repeatedly.
_ROLES = (
    "كتب", "كتبت", "كتبه", "كتبها", "بقلم", "بواسطة", "حوار", "أجرى الحوار", "أجرت الحوار", "إعداد",
    "اعداد", "تحقيق", "تقرير", "ترجمة", "ترجمه", "متابعة", "تصوير", "تحرير", "تقديم", "مراجعة", "رسم",
    "إشراف", "by", "written by", "reporting by", "words by", "author", "posted by", "photos", "photo",
)
_ROLE_ALT = "|".join(re.escape(fold(r).lower()) for r in sorted(_ROLES, key=len, reverse=True))
_ROLE_PREFIX = re.compile(rf"^\s*(?:(?:{_ROLE_ALT})(?:\s+و(?:{_ROLE_ALT}))*(?=[\s:：\-–—/|]|$)\s*[:：\-–—/|]*\s*)+",
                          re.IGNORECASE)
# A value naming a function or a team is not a person: mastheads, desks, site administrators.
_ROLE_WORDS = frozenset(fold(w).lower() for w in (
    "رئيس", "رئيسة", "نائب", "مدير", "مديرة", "المدير", "سكرتير", "المشرف", "مشرف", "المحرر", "محرر",
    "محررة", "التحرير", "فريق", "قسم", "هيئة", "مكتب", "إدارة", "الإدارة", "مؤسسة", "شركة", "مجموعة",
    "editor", "editors", "desk", "staff", "team", "newsroom", "admin", "administrator", "webmaster", "editorial",
))
# Honorifics and titles before a name ("الدكتور / خالد منصور", "د. محمد سعيد", "المهندس طارق"):
# not part of the name, and not a name on their own.
_HONORIFICS = frozenset(fold(w).lower().rstrip(".") for w in (
    "الدكتور", "الدكتورة", "د", "دكتور", "الأستاذ", "الأستاذة", "أ", "أستاذ", "المهندس", "المهندسة", "م",
    "مهندس", "الشيخ", "الشيخة", "السيد", "السيدة", "اللواء", "العميد", "العقيد", "الفريق", "السفير",
    "السفيرة", "المستشار", "المستشارة", "القاضي", "الأب", "الأمير", "الأميرة", "النائب", "الوزير",
    "الصحفي", "الصحفية", "الكاتب", "الكاتبة", "الإعلامي", "الإعلامية", "الزميل", "الزميلة", "الباحث",
    "الباحثة", "الخبير", "الخبيرة", "dr", "prof", "mr", "mrs", "ms",
))
# Nouns outlets are named with ("صوت الشمال", "أخبار اليوم", "Gulf News"): a value holding one is
# an outlet, not a person.
_MEDIA_NOUNS = frozenset(fold(w).lower() for w in (
    "صوت", "أخبار", "اخبار", "وكالة", "جريدة", "صحيفة", "مجلة", "موقع", "بوابة", "شبكة", "قناة", "إذاعة",
    "راديو", "تلفزيون", "تلفزيونات", "نيوز", "بوست", "تايمز", "برس", "أونلاين", "الإخبارية", "الاخبارية",
    "الإخباري", "ميديا", "news", "press", "post", "times", "online", "media", "tv", "radio", "daily",
))
_AGENCIES = frozenset(fold(w).lower() for w in lexicon.AGENCIES)
_CREDITS = frozenset(fold(w).lower() for w in lexicon.CREDITS)
_PLACES = frozenset(fold(w).lower() for w in lexicon.PLACES)
_OUTLETS = frozenset(fold(w).lower() for w in lexicon.OUTLETS)
_AGENCY_HEADS = ("وكاله ", "وكالة ", "agence ", "agency ")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:png|jpe?g|gif|svg|webp)\b|\S+@\S+\.\w+", re.IGNORECASE)
_DASH = r"[-–—ـ]"
_EDGE = re.compile(r"^[\s:：|\-–—ـ.،,؛;\[\]«»\"'*•]+|[\s:：|\-–—ـ.،,؛;\[\]«»\"'*•]+$")
_WRAPPED = re.compile(r"^\s*\(([^()]*)\)\s*$")
_SPLIT_NAMES = re.compile(r"\s*(?:،|,|;|\s&\s|\sand\s|\sو\s)\s*")
# Given names that begin with و: a leading و there is part of the name, not "and".
_WAW_NAMES = frozenset(fold(w) for w in (
    "وليد", "وائل", "وفاء", "وسام", "وداد", "وجدي", "وحيد", "وهبة", "وردة", "وعد", "وديع", "وصفي", "ولاء",
    "وفيق", "وهيب", "ورد", "وجيه", "وضاح", "وداعة", "وصال", "وئام", "وليم", "وهاب", "ولي", "وافي",
))


def key(text: str | None) -> str:
    """Folded, lower-cased, edge punctuation and inner whitespace runs trimmed."""
    return " ".join(_EDGE.sub("", fold(text or "").lower()).split())


def _compact(text: str) -> str:
    """Latin letters and digits only: "Almadenah News" and "almadenahnews" compare equal."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class Masthead:
    """The names an outlet signs with. ``names`` are display names (the module's name and aliases,
    the page's og:site_name, publisher, application-name, title affix); ``hosts`` are host names
    (their labels, minus www and the public suffix, are names too: "akhbarelyom")."""

    names: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    keys: frozenset[str] = field(init=False)
    compacts: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.keys = frozenset(k for k in (key(n) for n in self.names) if k)
        labels = set()
        for host in self.hosts:
            host = (urlsplit(host).hostname or host) if "/" in host else host
            for label in (host or "").lower().split("."):
                if label and label not in ("www", "com", "net", "org", "news", "co", "ar", "arabic", "m"):
                    labels.add(label)
        compacts = {_compact(n) for n in (*self.names, *labels)}
        self.compacts = frozenset(c for c in compacts if len(c) >= 3)

    @property
    def site_name(self) -> str | None:
        """The first display name (what the page or module calls the outlet)."""
        return next((n for n in self.names if n and n.strip()), None)

    def is_outlet(self, name: str | None) -> bool:
        k = key(name)
        if not k:
            return False
        if k in self.keys:
            return True
        compact = _compact(k)
        if len(compact) >= 3 and (compact in self.compacts or any(
                c.startswith(compact) or compact.startswith(c) for c in self.compacts if len(c) >= 4)):
            return compact == k.replace(" ", "").replace("-", "").replace(".", "") or len(compact) >= 5
        words = k.split()
        for x in self.keys:
            xw = x.split()
            # "بوابة أخبار اليوم" inside "بوابة أخبار اليوم الإلكترونية"; "LBCI" at the start of "LBCIV7"
            if len(words) >= 2 and len(xw) >= 2 and (f" {k} " in f" {x} " or f" {x} " in f" {k} "):
                return True
            if len(words) == 1 and len(k) >= 3 and len(xw) == 1 and x.startswith(k):
                return True
        return False


@dataclass
class Credit:
    """What one author value says: people, and the dateline and source it carried."""

    authors: list[str] = field(default_factory=list)
    dateline: str | None = None
    source: str | None = None
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (value, why): for --explain and tests

    def merge(self, other: Credit) -> None:
        for a in other.authors:
            if key(a) not in {key(x) for x in self.authors}:
                self.authors.append(a)
        self.dateline = self.dateline or other.dateline
        self.source = self.source or other.source
        self.rejected.extend(other.rejected)


def is_place(text: str | None) -> bool:
    k = key(text)
    if not k:
        return False
    if k in _PLACES:
        return True
    parts = [p for p in re.split(r"\s*[،,]\s*", k) if p]
    return len(parts) > 1 and all(p in _PLACES for p in parts)


def is_agency(text: str | None) -> bool:
    k = key(text)
    return bool(k) and (k in _AGENCIES or k in _CREDITS or k.startswith(_AGENCY_HEADS)
                        or any(k == f"{a} {b}" for a in ("وكاله", "وكالة") for b in _AGENCIES))


def is_role(text: str | None) -> bool:
    k = key(text)
    return bool(k) and any(w in _ROLE_WORDS or w.lstrip("وفلب") in _ROLE_WORDS and len(w) > 3 for w in k.split())


def strip_roles(text: str) -> str:
    """"كتب: أحمد" -> "أحمد"; "إعداد وتقديم: سارة" -> "سارة"; "بقلم الدكتور / خالد" -> "خالد"."""
    k = fold(text).lower()
    m = _ROLE_PREFIX.match(k)
    if m and m.group(0).strip():
        text, k = _display_tail(text, k[m.end():]).strip(), k[m.end():]
    return strip_honorifics(text)


def strip_honorifics(text: str) -> str:
    """Titles before a name go: "الدكتور / خالد منصور" -> "خالد منصور", "د.سامي حلمي" -> "سامي حلمي"."""
    out = text.strip()
    while True:
        m = re.match(r"^(?P<w>[^\s/.:\-–—]+)\.?\s*(?:[/:\-–—]\s*)?(?=\S)", out)
        if not m or fold(m["w"]).lower() not in _HONORIFICS or not out[m.end():].strip():
            return out
        out = out[m.end():].strip()


def _display_tail(display: str, folded_tail: str) -> str:
    """The suffix of ``display`` whose fold is ``folded_tail`` (fold drops diacritics and tatweel)."""
    want = folded_tail.strip()
    if not want:
        return ""
    for i in range(len(display)):
        if fold(display[i:]).lower().strip() == want:
            return display[i:]
    return want


def _person_problem(name: str, masthead: Masthead) -> str | None:
    """Why ``name`` is not a person's name, or None when it may be one."""
    k = key(name)
    if not k:
        return "empty"
    if _URL.search(name):
        return "url"
    if masthead.is_outlet(name) or k in _OUTLETS:
        return "outlet"
    if is_agency(name):
        return "agency"
    if any(w in _MEDIA_NOUNS for w in k.split()):
        return "outlet"
    if all(w.rstrip(".") in _HONORIFICS for w in k.split()):
        return "title"
    if is_place(name):
        return "place"
    if is_role(name):
        return "role"
    if re.search(r"\d", k):
        return "number"
    words = k.split()
    # a sentence, not a name: more than five words, or a full stop after a word (not "د. ", "A. ")
    if len(words) > 5 or re.search(r"\w{3,}[.!?؟]\s+\S", name) or "(" in name or ")" in name:
        return "sentence"
    return None


def _split_joint(part: str) -> list[str]:
    """"أ ب وج د" is two people when both sides have at least two words."""
    words = part.split()
    for i in range(2, len(words) - 1):
        w = words[i]
        if w.startswith("و") and len(w) > 2 and fold(w) not in _WAW_NAMES:
            return [" ".join(words[:i]), " ".join([w[1:], *words[i + 1:]])]
    return [part]


def read_credit(raw: str | None, masthead: Masthead | None = None, *, organization: bool = False) -> Credit:
    """One author value (from any source) -> the people it names, its dateline and its source.

    ``organization``: the value is typed as an organisation (JSON-LD / microdata): never a person;
    an organisation that is not the outlet itself is the source."""
    masthead = masthead or Masthead()
    out = Credit()
    text = " ".join((raw or "").split())
    if not text:
        return out
    without_urls = " ".join(_URL.sub(" ", text).split())
    if without_urls != text:
        out.rejected.append((text, "url"))
        text = _EDGE.sub("", without_urls)
        if not text:
            return out
    if organization:
        name = _EDGE.sub("", text)
        if not masthead.is_outlet(name):
            out.source = name
        out.rejected.append((name, "organization"))
        return out
    wrapped = _WRAPPED.match(_EDGE.sub("", text))
    text = _EDGE.sub("", wrapped.group(1)) if wrapped else text.strip()
    # "City - كتب Name:" / "City/ كتب Name" / "City: Name": a dateline before a role word or a name
    m = re.match(rf"^(?P<place>[^:/\-–—ـ()]{{2,40}}?)\s*(?:/|:|{_DASH}+)\s*(?P<rest>.+)$", text)
    if m and (is_place(m["place"]) or (_ROLE_PREFIX.match(fold(m["rest"]).lower() or "-")
                                       and len(m["place"].split()) <= 2)):
        out.dateline = m["place"].strip()
        text = m["rest"].strip()
    text = _EDGE.sub("", strip_roles(text))
    if not text:
        return out
    # "Name (City)" / "Name (Agency)" / "(City - Outlet)" left after the roles
    m = re.match(r"^(?P<name>[^()]*?)\s*\((?P<inner>[^()]{2,50})\)\s*$", text)
    if m:
        inner_credit = read_credit(m["inner"], masthead)
        out.dateline = out.dateline or inner_credit.dateline
        out.source = out.source or inner_credit.source
        inner = m["inner"].strip()
        if not (inner_credit.authors or inner_credit.dateline or inner_credit.source) \
                and (is_place(inner) or len(inner.split()) == 1):
            out.dateline = out.dateline or inner
        out.rejected.extend(inner_credit.rejected)
        text = m["name"].strip()
        if not text:
            return out
    # "X - Y": a place, an outlet or an agency on one side is not part of a name
    parts = [p.strip() for p in re.split(rf"\s+{_DASH}+\s+|\s*{_DASH}{{2,}}\s*|\s*[|/]\s*", text) if p.strip()]
    names: list[str] = []
    judged = [(_EDGE.sub("", strip_roles(part)), None) for part in parts]
    judged = [(part, _person_problem(part, masthead)) for part, _ in judged]
    agencies = [part for part, why in judged if why == "agency"]
    # another outlet beside a place or an agency is a credit: the source, unless an agency is
    # there too ("العراق اليوم/ وكالات": the outlet's own lead, then its source)
    credit_line = len(parts) > 1 or out.dateline is not None
    for part, why in judged:
        if why == "place" and out.dateline is None:
            out.dateline = part
        elif why == "agency":
            out.source = out.source or part
        elif why == "outlet" and credit_line and not masthead.is_outlet(part):
            if agencies:
                out.dateline = out.dateline or part
            else:
                out.source = out.source or part
        if why is not None:
            out.rejected.append((part, why))
            continue
        names.append(part)
    for part in names:
        for piece in _SPLIT_NAMES.split(part):
            for name in _split_joint(_EDGE.sub("", piece)):
                name = _EDGE.sub("", strip_roles(name))
                why = _person_problem(name, masthead)
                if why:
                    out.rejected.append((name, why))
                    if why == "place":
                        out.dateline = out.dateline or name
                    elif why == "agency":
                        out.source = out.source or name
                elif key(name) not in {key(a) for a in out.authors}:
                    out.authors.append(name)
    return out


def read_source(raw: str | None, masthead: Masthead | None = None) -> Credit:
    """A source value ("المصدر: ...") -> its source and dateline: "(الشارقة - الخليج)" is a dateline
    and the outlet itself (no source); "القاهرة - وكالات" a dateline and a source; anything else is
    the source as printed, unless it is the outlet."""
    masthead = masthead or Masthead()
    out = Credit()
    text = " ".join((raw or "").split())
    wrapped = _WRAPPED.match(text)
    text = _EDGE.sub("", wrapped.group(1) if wrapped else text)
    parts = [p for p in re.split(rf"\s+{_DASH}+\s+|\s*/\s*", text) if _EDGE.sub("", p)]
    rest = []
    for part in parts:
        part = _EDGE.sub("", part)
        if out.dateline is None and len(parts) > 1 and is_place(part):
            out.dateline = part
        elif masthead.is_outlet(part):
            out.rejected.append((part, "outlet"))
        else:
            rest.append(part)
    out.source = " - ".join(rest) or None
    return out


def read_credits(values, masthead: Masthead | None = None, *, organization: bool = False) -> Credit:
    """Several values of one source (a list of names, or a joint byline) as one Credit."""
    out = Credit()
    for v in values or ():
        if v:
            out.merge(read_credit(v, masthead, organization=organization))
    return out
