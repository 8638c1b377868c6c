"""Dates written in Arabic news pages -> ISO 8601.

dateparser knows only the Egyptian/Gulf month names and silently returns year-only or time-only
results for the rest (research/arabic-text.md, section 11), so the Arabic forms are parsed here:
the three month-name systems and their combined spellings ("شباط/فبراير", "فبراير (شباط)"),
ordinal-word days, Hijri dates (only when no Gregorian equivalent is given), ص/م, zone words and
relative stamps. dateparser is kept as a last resort for English-only text with a full date.

Precision is kept: "2021-01" for a month, "--01-22" when the text states no year. A time without
a date, a year alone, a street named after a date and a Persian solar date all give None.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime, timedelta

from crawler.arabic.normalize import fold

__all__ = ["parse_date"]

# --- month names (written naturally; folded at import so they match folded input) ------------
_GREGORIAN_MONTHS: dict[int, tuple[str, ...]] = {
    # Egypt/Gulf; Levant/Iraq; Algeria/Tunisia; Morocco; common misspellings; English
    1: ("يناير", "كانون الثاني", "كانون ثاني", "جانفي", "january", "jan"),
    2: ("فبراير", "شباط", "فيفري", "فبرایر", "february", "feb"),
    3: ("مارس", "آذار", "march", "mar"),
    4: ("أبريل", "إبريل", "ابريل", "نيسان", "أفريل", "افريل", "april", "apr"),
    5: ("مايو", "أيار", "ماي", "may"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun"),
    7: ("يوليو", "يوليه", "تموز", "جويلية", "جويليه", "يوليوز", "july", "jul"),
    8: ("أغسطس", "اغسطس", "أغسطس", "آب", "أوت", "غشت", "august", "aug"),
    9: ("سبتمبر", "أيلول", "شتنبر", "september", "sept", "sep"),
    10: ("أكتوبر", "اكتوبر", "تشرين الأول", "تشرين أول", "october", "oct"),
    11: ("نوفمبر", "تشرين الثاني", "تشرين ثاني", "نونبر", "november", "nov"),
    12: ("ديسمبر", "كانون الأول", "كانون أول", "دجنبر", "december", "dec"),
}
_HIJRI_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("محرم",),
    2: ("صفر",),
    3: ("ربيع الأول", "ربيع أول"),
    4: ("ربيع الثاني", "ربيع الآخر", "ربيع ثاني"),
    5: ("جمادى الأولى", "جمادى الأول", "جمادي الأولى"),
    6: ("جمادى الثانية", "جمادى الآخرة", "جمادى الثاني", "جمادى الأخرى"),
    7: ("رجب",),
    8: ("شعبان",),
    9: ("رمضان",),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة"),
    12: ("ذو الحجة", "ذي الحجة"),
}
# Month names that are also common words (آب "father", مارس "practised", ماي, may, mar...):
# they count only next to a day number or a year.
_AMBIGUOUS = {fold(w) for w in ("آب", "مارس", "ماي", "may", "mar", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "صفر", "رجب")}

_ORDINAL_UNITS = {
    1: ("الأول", "أول", "الحادي", "حادي"), 2: ("الثاني", "ثاني"), 3: ("الثالث", "ثالث"), 4: ("الرابع", "رابع"),
    5: ("الخامس", "خامس"), 6: ("السادس", "سادس"), 7: ("السابع", "سابع"), 8: ("الثامن", "ثامن"),
    9: ("التاسع", "تاسع"), 10: ("العاشر", "عاشر"),
}


def _ordinal_words() -> dict[str, int]:
    words: dict[str, int] = {"غرة": 1, "مطلع": 1}
    for n, forms in _ORDINAL_UNITS.items():
        for f in forms:
            if n == 1 and "حادي" in f:
                continue
            words[f] = n
        if n < 10:
            for f in forms:
                if n == 1 and "حادي" not in f:
                    continue
                words[f"{f} عشر"] = 10 + n
                words[f"{f} والعشرين"] = 20 + n
                if n == 1:
                    words[f"{f} والثلاثين"] = 31
    words.update({"العشرين": 20, "عشرين": 20, "الثلاثين": 30, "ثلاثين": 30})
    return {fold(k): v for k, v in words.items()}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s*") for w in sorted(set(words), key=len, reverse=True))


_GMONTH = {fold(name).lower(): n for n, names in _GREGORIAN_MONTHS.items() for name in names}
_HMONTH = {fold(name): n for n, names in _HIJRI_MONTHS.items() for name in names}
_ORD = _ordinal_words()

_L = "\u0621-\u064a"  # folded Arabic letters
_NB, _NA = f"(?<![{_L}a-z])", f"(?![{_L}a-z])"  # no letter before / after
_M = f"{_NB}(?:{_alternation(list(_GMONTH))}){_NA}"
_H = f"{_NB}(?:{_alternation(list(_HMONTH))}){_NA}"
_DAY = rf"(?:(?<!\d)\d{{1,2}}(?:st|nd|rd|th)?(?!\d)|{_NB}(?:{_alternation(list(_ORD))}){_NA})"
_YEAR = r"(?<!\d)\d{4}(?!\d)"
_SEP = r"\s*(?:[/(|-]|\s)\s*"

# day month[/month2] [year]
_DMY_TEXT = re.compile(
    rf"(?P<day>{_DAY})\s*(?:,|[-–—]\s*(?={_M}))?\s*(?:من\s+)?(?:شهر\s+)?(?P<mon>{_M})(?:\s*[/(-]\s*(?P<mon2>{_M})\s*\)?)?"
    rf"(?:\s*[,،/\-–—]?\s*(?:عام|سنه)?\s*(?P<year>{_YEAR}))?"
)
# month day, year (US order, also with Arabic month names: "يناير 03, 2015")
_MDY_TEXT = re.compile(rf"(?P<mon>{_M})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s*,\s*(?P<year>{_YEAR})")
# month[/month2] year
_MY_TEXT = re.compile(
    rf"(?P<mon>{_M})(?:\s*[/(-]\s*(?P<mon2>{_M})\s*\)?)?\s*[,،]?\s*(?:عام|سنه)?\s*(?P<year>{_YEAR})"
)
# year month day with dashes or slashes ("2025 – تشرين الثاني – 23")
_YMD_TEXT = re.compile(
    rf"(?P<year>{_YEAR})\s*[-–—/]\s*(?P<mon>{_M})\s*[-–—/]\s*(?P<day>\d{{1,2}})(?!\d)"
)
# weekday, then day and month as numbers without a year ("مساء الخميس (8|1)", "الجمعة 9/1"):
# the weekday makes the numbers a date; a score or a ratio has none before it
_WEEKDAY_DM = re.compile(
    rf"{_NB}(?:يوم\s+)?(?:ال)?(?:سبت|احد|اثنين|ثلاثاء|اربعاء|خميس|جمعه){_NA}\s*[(\[]?\s*"
    r"(?P<day>\d{1,2})\s*[|/]\s*(?P<mon>\d{1,2})\s*(?:[)\]]|(?![\d/|]))"
)
_MONTH_ONLY = re.compile(rf"شهر\s+(?P<mon>{_M})")
_HIJRI_TEXT = re.compile(
    rf"(?P<day>{_DAY})\s*(?:من\s+)?(?:شهر\s+)?(?P<mon>{_H})(?:\s+(?:الحرام|المبارك|الخير|المعظم))?"
    rf"(?:\s*,?\s*(?P<year>1[34]\d\d)(?!\d))?\s*(?P<h>ه(?:جريه|جري)?{_NA})?"
)
_YMD_NUM = re.compile(r"(?<![\d.])(?P<year>\d{4})\s*[-/.]\s*(?P<mon>\d{1,2})\s*[-/.]\s*(?P<day>\d{1,2})(?![\d])")
_DMY_NUM = re.compile(r"(?<![\d.])(?P<day>\d{1,2})\s*([-/.])\s*(?P<mon>\d{1,2})\s*\2\s*(?P<year>\d{4})(?!\d)")
_HIJRI_MARK = re.compile(rf"^\s*ه(?:جريه|جري)?{_NA}")

_TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})\s*:\s*(?P<mi>\d{2})(?:\s*:\s*(?P<s>\d{2}))?(?:\.\d+)?"
    rf"(?:\s*(?P<ap>صباحا|مساءا|مساء|ظهرا|عصرا|ليلا|فجرا|ص|م|a\.m\.|p\.m\.|am|pm){_NA})?"
)
_PM = {"م", "مساء", "مساءا", "pm", "p.m.", "ظهرا", "عصرا", "ليلا"}
_AM = {"ص", "صباحا", "am", "a.m.", "فجرا"}

# Zones stated in words. Places with one offset all year get it directly; for places with daylight
# saving ("بتوقيت القاهرة", "بتوقيت نيويورك") the offset is the one in force on the stated date (IANA
# rules via zoneinfo), and only when the text names the zone as a clock ("توقيت ..."): a city named
# after a time is often just where something happened.
_ZONES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:gmt|utc)\s*(?P<sign>[+-])\s*(?P<hh>\d{1,2})(?::?(?P<mm>\d{2}))?"), ""),
    (re.compile(rf"(?:{_NB}(?:gmt|utc){_NA}|غرينتش|جرينتش|غرينيتش|جرينيتش|غرنتش|التوقيت العالمي)"), "+00:00"),
    (re.compile(r"مكه|الرياض|السعوديه|الدوحه|قطر|الكويت|بغداد|العراق|البحرين|المنامه|صنعاء|اليمن"), "+03:00"),
    (re.compile(r"ابوظبي|ابو ظبي|دبي|الامارات|مسقط|سلطنه عمان"), "+04:00"),
    (re.compile(r"الجزائر|تونس"), "+01:00"),
)
_DST_ZONES: tuple[tuple[str, str], ...] = (
    ("القاهره|مصر", "Africa/Cairo"), ("بيروت|لبنان", "Asia/Beirut"), ("دمشق|سوريا|سوريه", "Asia/Damascus"),
    ("عمان|الاردن", "Asia/Amman"), ("القدس|فلسطين|غزه|رام الله", "Asia/Jerusalem"),
    ("الرباط|الدار البيضاء|المغرب", "Africa/Casablanca"), ("طهران|ايران", "Asia/Tehran"),
    ("لندن|بريطانيا", "Europe/London"), ("باريس|فرنسا", "Europe/Paris"), ("برلين|المانيا", "Europe/Berlin"),
    ("نيويورك|واشنطن|الساحل الشرقي", "America/New_York"), ("لوس انجلوس|كاليفورنيا", "America/Los_Angeles"),
    ("موسكو", "Europe/Moscow"), ("اسطنبول|انقره|تركيا", "Europe/Istanbul"),
)
_NAMED_ZONE = re.compile(
    r"(?:ب|بال)?توقيت\s+(?:مدينه\s+)?(?P<place>" + "|".join(p for p, _ in _DST_ZONES) + rf"){_NA}"
)
_ZONE_OF = {name: zone for places, zone in _DST_ZONES for name in places.split("|")}


def _named_offset(window: str, when: datetime | None) -> str:
    """The UTC offset of a zone named as a clock ("بتوقيت نيويورك") at ``when``, or ""."""
    m = _NAMED_ZONE.search(window)
    if not m or when is None:
        return ""
    try:
        from zoneinfo import ZoneInfo

        offset = when.replace(tzinfo=ZoneInfo(_ZONE_OF[m["place"]])).utcoffset()
    except (KeyError, ValueError, OSError, ImportError):
        return ""
    if offset is None:
        return ""
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# A date right after one of these words names a place ("ساحة 20 غشت", "شارع 26 يوليو").
_PLACE_BEFORE = re.compile(
    r"(?:ساحه|شارع|زنقه|نهج|حي|ميدان|مدرسه|ثانويه|اعداديه|ملعب|جامعه|مستشفي|مسجد|جسر|طريق|حديقه|"
    r"مطار|قاعه|مجمع|مؤسسه|عماره|اقامه|تجزئه|دوار|مدينه|محطه|كوبري|نفق|سوق|فندق|قريه|بلديه)\s*$"
)
# Persian solar months: a Persian page's date must not be read as Hijri or Gregorian.
_PERSIAN_MONTHS = re.compile(
    rf"{_NB}(?:فروردين|ارديبهشت|خرداد|مرداد|شهريور|مهر|ابان|اذر|بهمن|اسفند){_NA}"
)

# Relative stamps.
_NUMBER_WORDS = {
    fold(k): v
    for k, v in {
        "واحد": 1, "واحدة": 1, "اثنين": 2, "اثنان": 2, "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "أربعة": 4,
        "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثمان": 8, "ثماني": 8,
        "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10,
    }.items()
}
_UNITS = {
    fold(k): v
    for k, v in {
        "ثانية": ("seconds", 1), "ثوان": ("seconds", None), "ثواني": ("seconds", None), "ثانيتين": ("seconds", 2),
        "دقيقة": ("minutes", 1), "دقائق": ("minutes", None), "دقايق": ("minutes", None), "دقيقتين": ("minutes", 2),
        "دقيقتان": ("minutes", 2), "ساعة": ("hours", 1), "ساعات": ("hours", None), "ساعتين": ("hours", 2),
        "ساعتان": ("hours", 2), "يوم": ("days", 1), "أيام": ("days", None), "يومين": ("days", 2),
        "يومان": ("days", 2), "أسبوع": ("weeks", 1), "أسابيع": ("weeks", None), "أسبوعين": ("weeks", 2),
        "شهر": ("months", 1), "أشهر": ("months", None), "شهور": ("months", None), "شهرين": ("months", 2),
        "شهران": ("months", 2), "سنة": ("years", 1), "سنوات": ("years", None), "سنين": ("years", None),
        "سنتين": ("years", 2), "عام": ("years", 1), "أعوام": ("years", None), "عامين": ("years", 2),
        "second": ("seconds", 1), "seconds": ("seconds", None), "minute": ("minutes", 1), "minutes": ("minutes", None),
        "min": ("minutes", None), "mins": ("minutes", None), "hour": ("hours", 1), "hours": ("hours", None),
        "day": ("days", 1), "days": ("days", None), "week": ("weeks", 1), "weeks": ("weeks", None),
        "month": ("months", 1), "months": ("months", None), "year": ("years", 1), "years": ("years", None),
    }.items()
}
_RELATIVE = re.compile(
    rf"(?:{_NB}(?:منذ|قبل|حوالي|نحو){_NA})\s*(?:(?:حوالي|نحو)\s*)?(?P<n>\d+|{_alternation(list(_NUMBER_WORDS))})?\s*"
    rf"(?P<unit>{_alternation(list(_UNITS))}){_NA}"
    rf"|(?P<en>\d+|an?)\s+(?P<enunit>seconds?|minutes?|mins?|hours?|days?|weeks?|months?|years?)\s+ago"
)
_YESTERDAY = re.compile(rf"{_NB}(?P<before>اول\s+)?(?:امس|البارحه){_NA}|yesterday")
_TODAY = re.compile(rf"{_NB}(?:اليوم){_NA}|today")
_WEEKDAYS_AND_LABELS = re.compile(
    rf"{_NB}(?:ال)?(?:سبت|احد|اثنين|ثلاثاء|اربعاء|خميس|جمعه|يوم)|نشر(?:ت)?|بتاريخ|تاريخ|النشر|في|"
    r"[:،,.()\-/|]"
)


class _Found:
    __slots__ = ("day", "end", "hijri", "month", "rank", "start", "year")

    def __init__(self, rank: int, start: int, end: int, year: int | None, month: int, day: int | None,
                 hijri: bool = False) -> None:
        self.rank, self.start, self.end = rank, start, end
        self.year, self.month, self.day, self.hijri = year, month, day, hijri


def _day_value(raw: str) -> int | None:
    digits = re.match(r"\d+", raw)
    if digits:
        return int(digits.group(0))
    return _ORD.get(re.sub(r"\s+", " ", raw))


def _month_value(raw: str) -> int:
    return _GMONTH[re.sub(r"\s+", " ", raw)]


def _valid(y: int | None, m: int, d: int | None) -> bool:
    if not 1 <= m <= 12:
        return False
    if d is None:
        return True
    if not 1 <= d <= 31:
        return False
    if y is None:
        return d <= monthrange(2000, m)[1]
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _is_place(text: str, start: int) -> bool:
    return bool(_PLACE_BEFORE.search(text[max(0, start - 14):start]))


def _candidates(t: str) -> list[_Found]:
    found: list[_Found] = []
    persian = bool(_PERSIAN_MONTHS.search(t))

    def add(rank: int, m: re.Match[str], y: int | None, mon: int, d: int | None, hijri: bool = False) -> None:
        if _is_place(t, m.start()):
            return
        if y is not None and not hijri and not 1900 <= y <= 2100:
            return
        if _valid(None if hijri else y, mon, d):
            found.append(_Found(rank, m.start(), m.end(), y, mon, d, hijri))

    for m in _YMD_NUM.finditer(t):
        y, mo, d = int(m["year"]), int(m["mon"]), int(m["day"])
        if 1300 <= y <= 1500:
            if not persian:
                add(1, m, y, mo, d, hijri=True)
        else:
            add(0, m, y, mo, d)
    for m in _DMY_NUM.finditer(t):
        y, mo, d = int(m["year"]), int(m["mon"]), int(m["day"])
        if mo > 12 >= d:  # month/day/year
            mo, d = d, mo
        if 1300 <= y <= 1500 or _HIJRI_MARK.match(t, m.end()):
            if not persian:
                add(1, m, y, mo, d, hijri=True)
        else:
            add(0, m, y, mo, d)
    for m in _DMY_TEXT.finditer(t):
        mon = _month_value(m["mon"])
        if m["mon2"] and _month_value(m["mon2"]) != mon:
            continue
        y = int(m["year"]) if m["year"] else None
        if y is not None and not 1900 <= y <= 2100:
            y = None
        add(0 if y else 3, m, y, mon, _day_value(m["day"]))
    for m in _YMD_TEXT.finditer(t):
        add(0, m, int(m["year"]), _month_value(m["mon"]), int(m["day"]))
    for m in _WEEKDAY_DM.finditer(t):
        d, mo = int(m["day"]), int(m["mon"])
        if mo > 12 >= d:
            d, mo = mo, d
        add(3, m, None, mo, d)
    for m in _MDY_TEXT.finditer(t):
        add(0, m, int(m["year"]), _month_value(m["mon"]), int(m["day"]))
    for m in _MY_TEXT.finditer(t):
        mon = _month_value(m["mon"])
        if m["mon2"] and _month_value(m["mon2"]) != mon:
            continue
        add(2, m, int(m["year"]), mon, None)
    for m in _HIJRI_TEXT.finditer(t):
        y = int(m["year"]) if m["year"] else None
        if y is None:
            continue  # a Hijri day and month without a year cannot be placed in the calendar
        add(1, m, y, _HMONTH[re.sub(r"\s+", " ", m["mon"])], _day_value(m["day"]), hijri=True)
    for m in _MONTH_ONLY.finditer(t):
        if re.sub(r"\s+", " ", m["mon"]) not in _AMBIGUOUS:
            add(4, m, None, _month_value(m["mon"]), None)
    return found


def _pick(found: list[_Found]) -> _Found | None:
    if not found:
        return None
    # Gregorian full date beats Hijri (the page's own الموافق equivalence beats Umm al-Qura),
    # which beats month precision, which beats a date with no year.
    return min(found, key=lambda f: (f.rank, f.start))


def _hijri_to_gregorian(y: int, m: int, d: int) -> date | None:
    try:
        from hijridate import Hijri

        return Hijri(y, m, d).to_gregorian()
    except (ValueError, OverflowError, ImportError):
        return None


def _zone(window: str, when: datetime | None = None) -> str:
    named = _named_offset(window, when)
    if named:
        return named
    for pattern, offset in _ZONES:
        z = pattern.search(window)
        if z:
            if offset:
                return offset
            hh, mm = int(z["hh"]), int(z["mm"] or 0)
            if hh > 14 or mm > 59:
                return ""
            return f"{z['sign']}{hh:02d}:{mm:02d}"
    return ""


def _time(t: str, after: int, day: date | None = None) -> str:
    times = list(_TIME.finditer(t))
    chosen = next((m for m in times if m.start() >= after), times[0] if times else None)
    if chosen is None:
        return ""
    h, mi, s = int(chosen["h"]), int(chosen["mi"]), int(chosen["s"] or 0)
    ap = chosen["ap"]
    if ap in _PM and h < 12:
        h += 12
    elif ap in _AM and h == 12:
        h = 0
    if h > 23 or mi > 59 or s > 59:
        return ""
    nxt = next((m.start() for m in times if m.start() > chosen.start()), len(t))
    return f"T{h:02d}:{mi:02d}:{s:02d}" + _zone_near(t, chosen.start(), chosen.end(), nxt, day, h, mi)


def _zone_near(t: str, start: int, end: int, nxt: int, day: date | None, h: int, mi: int) -> str:
    when = datetime(day.year, day.month, day.day, h, mi) if day else None
    window = t[end:min(nxt, end + 40)]
    return _zone(window, when) or _zone(t[max(0, start - 16):start], when)


def _shift_months(ref: datetime, months: int) -> datetime:
    total = ref.year * 12 + ref.month - 1 - months
    y, m = divmod(total, 12)
    return ref.replace(year=y, month=m + 1, day=min(ref.day, monthrange(y, m + 1)[1]))


def _relative(t: str, reference: datetime) -> str | None:
    m = _RELATIVE.search(t)
    if m:
        if m["enunit"]:
            n = 1 if m["en"] in ("a", "an") else int(m["en"])
            unit = m["enunit"].rstrip("s")
            unit = {"min": "minute"}.get(unit, unit) + "s"
        else:
            unit, implied = _UNITS[m["unit"]]
            raw = m["n"]
            n = int(raw) if raw and raw.isdigit() else _NUMBER_WORDS.get(raw or "", implied or 0)
            if raw is None and implied is None:
                return None
        if not n:
            return None
        if unit == "months":
            return _shift_months(reference, n).isoformat(timespec="seconds")
        if unit == "years":
            return _shift_months(reference, 12 * n).isoformat(timespec="seconds")
        return (reference - timedelta(**{unit: n})).isoformat(timespec="seconds")
    # "yesterday" / "today": a date as a bare stamp; inside running text only with evidence that
    # the word names the day of the event, not "nowadays": a clock time right after it ("مساء أمس
    # الأحد عند الساعة 21:40", "فجر اليوم عند 3.20 صباحاً"), or the weekday it falls on ("اليوم
    # /الاثنين/")
    bare = len(_WEEKDAYS_AND_LABELS.sub(" ", t).split()) <= 2
    for pattern in (_YESTERDAY, _TODAY):
        for m in pattern.finditer(t):
            back = (2 if m.groupdict().get("before") else 1) if pattern is _YESTERDAY else 0
            day = (reference - timedelta(days=back)).date()
            window = t[max(0, m.start() - 12): m.end() + 48]
            clock = _clock_after(t, m.end(), day) or _clock_before(t, m.start())
            named = _WEEKDAY_NAME.search(window)
            if named and _WEEKDAY_INDEX[named.group(1)] != day.weekday():
                continue  # the weekday says another day: not this reference
            if bare or clock or named:
                return day.isoformat() + (clock or "")
    return None


_WEEKDAY_INDEX = {"اثنين": 0, "ثلاثاء": 1, "اربعاء": 2, "خميس": 3, "جمعه": 4, "سبت": 5, "احد": 6}
_WEEKDAY_NAME = re.compile(rf"{_NB}(?:ال)?({'|'.join(_WEEKDAY_INDEX)}){_NA}")
# a clock time near a day word: "21:40", "الساعة 10:30 مساء", and with a dot only when the words
# around make it a time ("عند 3.20 صباحا", "الساعة 8.15"), since "4.1 درجات" is a number
_CLOCK_DOT = re.compile(
    rf"(?:(?:الساعه|عند|تمام|في تمام)\s+)(?P<h>\d{{1,2}})\.(?P<mi>\d{{2}})(?!\d)"
    rf"(?:\s*(?P<ap>صباحا|مساءا|مساء|ظهرا|عصرا|ليلا|فجرا|ص|م){_NA})?"
    rf"|(?<![\d.])(?P<h2>\d{{1,2}})\.(?P<mi2>\d{{2}})\s*(?P<ap2>صباحا|مساءا|مساء|ظهرا|عصرا|ليلا|فجرا){_NA}"
)


# a clock time just before the day word: "الساعة 6 صباح أمس", "عند 10:30 من مساء أمس" (an hour
# alone only after "الساعة" and with the part of the day, which together make it a time)
_CLOCK_BEFORE = re.compile(
    r"(?:الساعه|عند|تمام)\s+(?P<h>\d{1,2})(?:\s*[:.]\s*(?P<mi>\d{2}))?\s*(?:من\s+)?"
    rf"(?P<ap>صباحا|صباح|مساءا|مساء|ظهرا|ظهر|عصرا|عصر|ليلا|ليل|فجرا|فجر|ص|م)?{_NA}\s*(?:من\s+)?"
    rf"(?:(?:يوم|صباح|مساء|ظهر|عصر|ليل|فجر|ليله){_NA}\s*)?$"
)
_PM_WORDS = _PM | {"ظهر", "عصر", "ليل"}


def _clock_before(t: str, end: int) -> str:
    """"THH:MM:00" for a clock time ending just before ``end`` (see _CLOCK_BEFORE), else ""."""
    m = _CLOCK_BEFORE.search(t, max(0, end - 40), end)
    if not m or (m["mi"] is None and not (m["ap"] or re.search(r"(?:صباح|مساء|ظهر|عصر|ليل|فجر)\s*$", m.group(0)))):
        return ""
    h, mi = int(m["h"]), int(m["mi"] or 0)
    part = m["ap"] or (re.search(r"(صباح|مساء|ظهر|عصر|ليل|فجر)\s*$", m.group(0)) or [None, None])[1]
    if part in _PM_WORDS and h < 12:
        h += 12
    elif part in ("ص", "صباح", "صباحا", "فجر", "فجرا") and h == 12:
        h = 0
    return f"T{h:02d}:{mi:02d}:00" if h <= 23 and mi <= 59 else ""


def _clock_after(t: str, start: int, day: date | None = None) -> str:
    """"THH:MM:SS" for a clock time within a few words after ``start`` (see _CLOCK_DOT), else ""."""
    window = t[start: start + 60]
    m = _TIME.search(window)
    if m:
        found = _time(window, 0, day)
        if found:
            return found
    d = _CLOCK_DOT.search(window)
    if not d:
        return ""
    h, mi = int(d["h"] or d["h2"]), int(d["mi"] or d["mi2"])
    ap = d["ap"] or d["ap2"]
    if ap in _PM and h < 12:
        h += 12
    elif ap in _AM and h == 12:
        h = 0
    return f"T{h:02d}:{mi:02d}:00" if h <= 23 and mi <= 59 else ""


def _iso_direct(text: str) -> str | None:
    s = text.strip()
    if not re.fullmatch(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?", s):
        return None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    if len(s) == 10:
        return dt.date().isoformat()
    return dt.isoformat()


def _dateparser_fallback(text: str, reference: datetime | None) -> str | None:
    # English-only stamps ("Monday 5th of June 2023"); a full day-month-year is required so that
    # dateparser's habit of filling missing parts from today cannot leak in.
    if not re.search(r"[A-Za-z]", text) or not re.search(r"(?<!\d)\d{4}(?!\d)", text):
        return None
    try:
        import dateparser
    except ImportError:
        return None
    settings = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]}
    if reference is not None:
        settings["RELATIVE_BASE"] = reference
    dt = dateparser.parse(text, languages=["en"], settings=settings)
    return dt.date().isoformat() if dt else None


def parse_date(text: str | None, reference: datetime | None = None) -> str | None:
    """ISO 8601 date/datetime from Arabic (or English) date text, or None if it states no date.

    `reference` is the crawl time, used only for relative stamps (منذ ساعتين, أمس)."""
    if not text:
        return None
    direct = _iso_direct(text)
    if direct:
        return direct
    t = fold(text).lower()
    best = _pick(_candidates(t))
    if best is None:
        if reference is not None:
            rel = _relative(t, reference)
            if rel:
                return rel
        return _dateparser_fallback(t, reference) if not re.search(f"[{_L}]", t) else None
    y, m, d = best.year, best.month, best.day
    if best.hijri:
        if d is None or y is None:
            return None
        g = _hijri_to_gregorian(y, m, d)
        if g is None:
            return None
        y, m, d = g.year, g.month, g.day
    if y is None and d and reference is not None:
        y = _year_from_weekday(t, best, reference)
    if y is None:
        return f"--{m:02d}-{d:02d}" if d else f"--{m:02d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}" + _time(t, best.end, _date_or_none(y, m, d))


def _date_or_none(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year_from_weekday(t: str, found: _Found, reference: datetime) -> int | None:
    """The year of a day and month printed without one, when a weekday is named with them ("مساء
    الخميس (8|1)"): the latest such date on or before the crawl (one day of slack for time zones)
    that falls on that weekday, within a year back."""
    named = _WEEKDAY_NAME.search(t, max(0, found.start - 24), found.end)
    if not named or found.day is None:
        return None
    weekday = _WEEKDAY_INDEX[named.group(1)]
    latest = reference.date() + timedelta(days=1)
    for y in (latest.year, latest.year - 1):
        try:
            candidate = date(y, found.month, found.day)
        except ValueError:
            continue
        if candidate <= latest and candidate.weekday() == weekday:
            return y
    return None


def _date_words() -> frozenset[str]:
    words: set[str] = set()
    for table in (_GMONTH, _HMONTH, _ORD):
        for name in table:
            words.update(name.split())
    labels = (
        "السبت الأحد الاحد الأثنين الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة سبت أحد اثنين ثلاثاء أربعاء خميس جمعة "
        "نشر نشرت بتاريخ تاريخ النشر آخر تحديث تعديل الموافق والموافق الساعة ص م هـ ه هجرية هجري ميلادي am pm gmt utc "
        "يوم اليوم منذ في عام سنة شهر من الجاري الماضي المقبل توقيت بتوقيت غرينتش مكة المكرمة الحرام "
        "صباحا صباح مساء مساءا ظهرا ظهر عصرا فجرا فجر ليلا ليل"
    )
    words.update(fold(w).lower() for w in labels.split())
    return frozenset(words)


DATE_WORDS = _date_words()
MONTH_NAMES = frozenset(_GMONTH) | frozenset(_HMONTH)
