"""Scoring a case of an Arabic case table through the public API (crawler.arabic), with the rules
of the project's scoring (../shared/research/scoring/check_cases.py), for the shared dev table and
our own table (tests/arabic_cases.json). One copy of the rules, used by tests/test_arabic_cases.py."""

from __future__ import annotations

import re
from datetime import datetime

import crawler.arabic as A


def ws(s: str | None) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


def same(a: str | None, b: str | None) -> bool:
    a, b = ws(a), ws(b)
    return a == b or ws(A.fold(a)) == ws(A.fold(b))


def ref_of(notes: str | None) -> datetime | None:
    m = re.search(r"crawl (?:time|date) (\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d)?)?)", notes or "")
    return datetime.fromisoformat(m.group(1)) if m else None


def date_ok(got: str | None, exp: str | None, notes: str = "") -> bool:
    if exp is None:
        return got is None
    if exp.startswith("relative"):
        return True
    if got is None:
        return False
    ctx = bool(re.search(r"year from|context|weekday", notes or ""))
    if exp.startswith("--"):
        return got.endswith(exp[1:]) or got == exp or bool(re.fullmatch(r"\d{4}" + re.escape(exp[1:]) + r"(T.*)?", got))
    if ctx and re.fullmatch(r"--\d\d(-\d\d)?", got):
        return exp[4:4 + len(got) - 1] == got[1:]
    if re.fullmatch(r"\d{4}-\d\d", exp):
        return got[:7] == exp
    if "T" not in exp:
        return got[:10] == exp
    if got[:16] != exp[:16]:
        return False
    off = re.search(r"([+-]\d\d:\d\d|Z)$", exp)
    return not off or got.endswith(off.group(1)) or (off.group(1) in ("+00:00", "Z") and got.endswith(("+00:00", "Z")))


def titles(items: list | None) -> set[str]:
    return {ws(A.fold(ws(i.get("title") if isinstance(i, dict) else i))) for i in items or []}


def score(c: dict) -> bool:  # noqa: C901 - mirrors the scorer one rule per branch
    inp, exp, ph, notes = c["input"], c["expected"], c["phenomenon"], c.get("notes", "")
    ref = ref_of(notes)
    if ph == "date":
        return date_ok(A.parse_date(inp, reference=ref), exp, notes)
    if isinstance(exp, str):
        if ph == "broken_sentence":
            return same(A.normalize(inp), exp) or same(A.segment(inp, reference=ref).get("body"), exp)
        return ws(A.normalize(inp)) == ws(exp)
    e = dict(exp)
    if "key" in e or "display" in e:
        # a key is judged by the project's own fold of the expected key: which letters fold together
        # is the project's choice; that diacritics, tatweel and variants disappear is the case's point
        return ("key" not in e or ws(A.fold(inp)) == ws(A.fold(e["key"]))) and (
            "display" not in e or ws(A.normalize(inp)) == ws(e["display"]))
    if ph == "title_marker":
        t = A.clean_title(inp)
        return (same(t.get("title"), e["title"]) and (t.get("media") or None) == e.get("media")
                and bool(t.get("breaking")) == bool(e.get("breaking")))
    if "sentences" in e:
        return [ws(s) for s in A.sentences(inp)] == [ws(s) for s in e["sentences"]] or \
            [ws(A.normalize(s)) for s in A.sentences(inp)] == [ws(A.normalize(s)) for s in e["sentences"]]
    if "text" in e and ("date" in e or "published" in e):
        d = e.get("date", e.get("published"))
        return ws(A.normalize(inp)) == ws(e["text"]) and date_ok(A.parse_date(inp, reference=ref), d)
    s = A.segment(inp, reference=ref)
    if e.get("reject"):
        return bool(s.get("reject")) or bool(e.get("page_type") and s.get("page_type") == e["page_type"])
    ok = True
    if "body" in e:
        ok &= same(s.get("body"), e["body"])
    for k in ("source", "dateline", "section", "title"):
        if k in e:
            ok &= (e[k] is None and not s.get(k)) or (e[k] is not None and same(s.get(k), e[k]))
    if "author" in e:
        authors = s.get("authors") or []
        ok &= (not authors) if e["author"] is None else any(same(a, e["author"]) for a in authors)
    if "tags" in e:
        ok &= titles(s.get("tags")) == titles(e["tags"])
    if "hashtags" in e:
        ok &= titles(e["hashtags"]) <= (titles(s.get("hashtags")) | titles(s.get("tags")))
    if "related" in e:
        ok &= titles(e["related"]) <= titles(s.get("related"))
    if "published" in e:
        ok &= date_ok(s.get("published_at"), e["published"], notes)
    if "embeds" in e:
        got = s.get("embeds") or []
        for x in e["embeds"]:
            h = (x.get("handle") or "").lower()
            ok &= any(str(g.get("handle", "")).lstrip("@").lower() == h
                      and (not x.get("date") or str(g.get("published_at") or "").startswith(x["date"]))
                      for g in got)
    if "image_captions" in e:
        ok &= all(ws(cap) not in ws(s.get("body")) for cap in e["image_captions"])
    return bool(ok)




def safe_score(c: dict) -> bool:
    """``score``, with a crash counted as a failed case (as the scorer does)."""
    try:
        return score(c)
    except Exception:  # noqa: BLE001
        return False
