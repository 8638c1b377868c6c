"""The Arabic case tables through the public API: the research dev table
(../shared/research/arabic-cases-dev.json, skipped where absent) and our own tables of lines modelled
on real pages (tests/arabic_cases.json and tests/arabic_cases_holdout.json, see tests/ARABIC_CASES.md;
the second was held out until one round of generalisation was measured on it).

Scored with the same rules as research/scoring/check_cases.py (tests/cases.py); each case is its own
test so a failure names the case id, and one test per table checks the pass rate against the bar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cases import safe_score, score

SHARED = Path(__file__).resolve().parents[2] / "shared"
TABLES = {
    "dev": SHARED / "research" / "arabic-cases-dev.json",
    "ours": Path(__file__).with_name("arabic_cases.json"),
    "holdout": Path(__file__).with_name("arabic_cases_holdout.json"),
}
CASES = {name: json.loads(path.read_text(encoding="utf-8")) if path.exists() else [] for name, path in TABLES.items()}
BAR = 0.95
ALL = [(name, c) for name, cases in CASES.items() for c in cases]


@pytest.mark.parametrize(("table", "case"), ALL, ids=[f"{name}-{c['id']}" for name, c in ALL])
def test_case(table: str, case: dict) -> None:
    assert score(case), f"{case['id']}: {case['input'][:80]!r}"


@pytest.mark.parametrize("table", TABLES)
def test_pass_rate(table: str, capsys: pytest.CaptureFixture[str]) -> None:
    cases = CASES[table]
    if not cases:
        pytest.skip(f"{TABLES[table]} is not here")
    passed = sum(safe_score(c) for c in cases)
    rate = passed / len(cases)
    with capsys.disabled():
        print(f"\narabic cases ({table}): {passed}/{len(cases)} ({rate:.1%}, bar {BAR:.0%})")
    assert rate >= BAR
