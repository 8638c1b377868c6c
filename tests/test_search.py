"""Search: folded FTS5 over title and body, kept current by the store, and `scrapy search`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.items import empty_article
from crawler.storage import ArticleStore, term_variants

ROOT = Path(__file__).resolve().parents[1]


def row(n: int, title: str, body: str) -> dict:
    r = empty_article()
    r.update(url=f"https://example.test/news/{n}", outlet="example", title=title, body=body,
             published_at=f"2024-05-0{n}T10:00:00+03:00")
    return r


ROWS = [
    row(1, "إعلان نتائج امتحانات الثانوية", "أعلنت الوزارة النتائج مساء الأحد بنسبة نجاح مرتفعة."),
    row(2, "أمطار غزيرة في الشمال", "توقعت الأرصاد استمرار الأمطار، وتأجيل إعلان النتائج بسبب الطقس."),
    row(3, "افتتاح مستشفى جديد", "افتتح الوزير مستشفى في المحافظة الشرقية يضم قسما للطوارئ."),
]


@pytest.fixture
def store(tmp_path: Path):
    s = ArticleStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    s.upsert_many(ROWS)
    yield s
    s.close()


def urls(matches: list[dict]) -> list[str]:
    return [m["canonical_url"][-1] for m in matches]


def test_hamza_and_letter_variants_match(store: ArticleStore) -> None:
    assert urls(store.search("اعلان")) == ["1", "2"]  # title match ranks first
    assert urls(store.search("إعلان")) == ["1", "2"]
    assert urls(store.search("مستشفي")) == ["3"]  # ى/ي
    assert urls(store.search("الطوارىء")) == []  # hamza on ya is kept by fold: no false merge


def test_definite_article_and_clitics(store: ArticleStore) -> None:
    assert urls(store.search("نتائج")) == ["1", "2"]  # finds النتائج in the bodies too
    assert urls(store.search("والامتحانات")) == ["1"]
    assert set(term_variants("النتائج")) >= {"نتائج", "النتائج", "والنتائج", "بالنتائج"}


def test_every_word_must_match_and_syntax_is_plain_text(store: ArticleStore) -> None:
    assert urls(store.search("أمطار الطقس")) == ["2"]
    assert store.search('"NEAR(" OR *') == []
    assert store.search("   ") == []


def test_index_follows_changes(store: ArticleStore) -> None:
    changed = dict(ROWS[2], title="تأجيل افتتاح المستشفى", body="أرجأت الوزارة افتتاح المستشفى الجديد.")
    store.upsert_many([changed])
    assert urls(store.search("الطوارئ")) == []
    assert urls(store.search("أرجأت")) == ["3"]


def test_search_command(store: ArticleStore, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    done = subprocess.run([sys.executable, "-m", "scrapy", "search", "الأمطار", "--limit", "5", "-s",
                           f"SQLITE_PATH={db}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "1. [أمطار] غزيرة في الشمال  [example 2024-05-02]"  # the match marked
    as_json = subprocess.run([sys.executable, "-m", "scrapy", "search", "اعلان", "--json", "-s", f"SQLITE_PATH={db}"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    found = [json.loads(x) for x in as_json.stdout.splitlines()]
    # the snippet is the stored text (إعلان, not the folded اعلان) with the match marked
    assert [f["url"][-1] for f in found] == ["1", "2"] and "[إعلان]" in found[1]["snippet"]
    bad = subprocess.run([sys.executable, "-m", "scrapy", "search", "x", "--limit", "0", "-s", f"SQLITE_PATH={db}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and bad.stderr.strip() == "scrapy search: --limit must be a whole number from 1 to 10000, not '0'"


def _search(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "search", *args, "-s", f"SQLITE_PATH={db}"],
                          cwd=ROOT, capture_output=True, timeout=60)


def test_stored_terminal_escapes_are_never_printed(tmp_path: Path) -> None:
    """A page's title and body may carry terminal control sequences (retitle the window, clear the
    screen, C1 CSI, a bidi override); `scrapy search` prints only printable text, and its JSON
    escapes them, so the decoded values are unchanged."""
    db = tmp_path / "s.sqlite3"
    title = "حريق\x1b]0;pwned\x07 في \x1b[2Jالميناء\x9b31m \u202eمعكوس"
    s = ArticleStore(f"sqlite:///{db}")
    s.upsert_many([row(1, title, "اندلع حريق في الميناء\x1b[5m صباح اليوم\x07.")])
    s.close()
    plain = _search(db, "الميناء")
    assert plain.returncode == 0, plain.stderr
    first = plain.stdout.decode("utf-8").splitlines()[0]
    assert first.startswith("1. حريق ]0;pwned  في  [2J") and "31m معكوس" in first, first  # the text, minus controls
    as_json = _search(db, "الميناء", "--json")
    for out in (plain.stdout, as_json.stdout):
        text = out.decode("utf-8")
        assert not [ch for ch in text if not ch.isprintable() and ch != "\n"], repr(text)
    assert json.loads(as_json.stdout)["title"] == title


@pytest.mark.parametrize("limit", ["99999999999999999999", "ten"])
def test_a_limit_out_of_range_is_one_line(tmp_path: Path, limit: str) -> None:
    db = tmp_path / "s.sqlite3"
    ArticleStore(f"sqlite:///{db}").close()
    done = _search(db, "الميناء", "--limit", limit)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == f"scrapy search: --limit must be a whole number from 1 to 10000, not {limit!r}"


@pytest.mark.parametrize("body, query, shown", [
    ("توقعت الأرصاد استمرار الأمطار، وتأجيل إعلان النتائج.", "امطار",
     "توقعت الأرصاد استمرار [الأمطار]، وتأجيل إعلان النتائج."),
    # diacritics and tatweel are part of the word shown, as stored
    ("هطلت الأَمْطَار الغزيـرة ليلاً", "الامطار الغزيرة", "هطلت [الأَمْطَار] [الغزيـرة] ليلاً"),
    # ى/ي and ة/ه: matched folded, shown as stored (the folded form read "الي كره السله")
    ("وصل الفريق إلى نهائي كرة السلة", "الي كره السله", "وصل الفريق [إلى] نهائي [كرة] [السلة]"),
    # a word that only contains the term is no match (the index matches whole words)
    ("الأمطاريات كلمة مصنوعة", "امطار", "الأمطاريات كلمة مصنوعة"),
])
def test_snippets_show_the_stored_text_with_the_match_marked(body: str, query: str, shown: str) -> None:
    from crawler.commands.search import snippet
    from crawler.storage import search_terms

    assert snippet(body, search_terms(query)) == shown


def test_a_long_snippet_is_cut_at_words_around_the_first_match() -> None:
    from crawler.commands.search import snippet
    from crawler.storage import search_terms

    words = ["كلمة"] * 40 + ["الأمطار"] + ["نص"] * 40
    shown = snippet(" ".join(words), search_terms("امطار"))
    assert shown.startswith("…كلمة ") and shown.endswith(" نص…") and "[الأمطار]" in shown
    assert len(shown) <= 75
