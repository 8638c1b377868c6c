"""Our parse_date vs dateparser alone on the date cases of the research table.

Run: python bench/dates.py  (reads ../shared/research/arabic-cases-dev.json; prints both pass
rates from one run, scored like research/scoring/check_cases.py)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.arabic import parse_date  # noqa: E402
from tests.cases import date_ok, ref_of  # noqa: E402

TABLE = ROOT.parent / "shared" / "research" / "arabic-cases-dev.json"


def dateparser_alone(text: str, reference) -> str | None:
    import dateparser

    settings = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past"}
    if reference is not None:
        settings["RELATIVE_BASE"] = reference
    dt = dateparser.parse(text, languages=["ar", "en"], settings=settings)
    if dt is None:
        return None
    return dt.isoformat() if (dt.hour, dt.minute, dt.second) != (0, 0, 0) else dt.date().isoformat()


def main() -> None:
    if not TABLE.exists():
        print(f"no case table at {TABLE}")
        return
    cases = [c for c in json.loads(TABLE.read_text(encoding="utf-8")) if c["phenomenon"] == "date"]
    for name, fn in (("parse_date", parse_date), ("dateparser alone", dateparser_alone)):
        fn("1 يناير 2020", None)  # warm-up (dateparser loads its language data on first use)
        t0 = time.perf_counter()
        ok = sum(date_ok(fn(c["input"], ref_of(c.get("notes"))), c["expected"], c.get("notes", "")) for c in cases)
        ms = (time.perf_counter() - t0) * 1000 / len(cases)
        print(f"{name:18s} {ok}/{len(cases)} ({ok / len(cases):.0%})  {ms:.2f} ms/case")


if __name__ == "__main__":
    main()
