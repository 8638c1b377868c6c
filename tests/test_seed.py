"""The user's seed page (../shared/seed/seed-article.txt) comes apart as its README describes.

Expected strings are read from the seed file itself at test time; nothing of it is stored here."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.arabic import fold, normalize, segment

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "seed-article.txt"
pytestmark = pytest.mark.skipif(not SEED.exists(), reason="shared seed not present")


@pytest.fixture(scope="module")
def raw() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def lines(raw: str) -> list[str]:
    return [ln.strip() for ln in raw.split("\n")]


@pytest.fixture(scope="module")
def seg(raw: str) -> dict:
    return segment(raw)


def _line_after(lines: list[str], marker_prefix: str, nth: int = 0) -> str:
    """The first non-empty line after the nth line starting with marker_prefix."""
    hits = [i for i, ln in enumerate(lines) if ln.startswith(marker_prefix)]
    i = hits[nth] + 1
    while not lines[i]:
        i += 1
    return lines[i]


def test_body_starts_with_first_paragraph_and_ends_with_the_attacks_paragraph(seg: dict, lines: list[str]) -> None:
    assert seg["body"].startswith(normalize(lines[0]))
    assert seg["body"].endswith("خلال الأيام الماضية.")
    last_para = next(ln for ln in lines if ln.endswith("خلال الأيام الماضية."))
    assert seg["body"].endswith(normalize(last_para))


def test_body_keeps_paragraph_breaks(seg: dict) -> None:
    paragraphs = seg["body"].split("\n\n")
    assert len(paragraphs) == 12
    assert all(p.strip() for p in paragraphs)


def test_broken_pause_is_rejoined(seg: dict) -> None:
    assert "المنطلق.. منطلق" in seg["body"]
    assert ".\n\n." not in seg["body"]


def test_nothing_after_the_body_leaks_into_it(seg: dict) -> None:
    for residue in ("pic.twitter.com", "اقرأ أيضاً", "المصدر", "كلمات دلالية", "مقالات مشابهة", "@", "—", "????"):
        assert residue not in seg["body"], residue


def test_tweet_goes_to_embeds(seg: dict, lines: list[str]) -> None:
    pic = next(ln for ln in lines if ln.startswith("pic.twitter.com/"))
    assert len(seg["embeds"]) == 1
    tweet = seg["embeds"][0]
    assert tweet["platform"] == "twitter"
    assert tweet["handle"] == "Mu_AlSadr"
    assert tweet["published_at"] == "2023-10-27"
    assert tweet["media"] == [pic]
    assert tweet["author"] and "(@" not in tweet["author"]


def test_inline_read_also_headlines_go_to_related(seg: dict, lines: list[str]) -> None:
    titles = [fold(r["title"]) for r in seg["related"]]
    for nth in (0, 1):
        assert fold(_line_after(lines, "اقرأ أيضاً", nth)) in titles


def test_second_article_is_one_related_entry_with_its_text(seg: dict, lines: list[str]) -> None:
    headline = _line_after(lines, "إقرأ أيضاً:")
    entry = next(r for r in seg["related"] if fold(r["title"]) == fold(headline))
    first_para = _line_after(lines, headline)
    assert entry["text"].startswith(normalize(first_para))
    # its own embedded posts are not part of its text, and it stops before the list
    assert "pic.twitter.com" not in entry["text"]
    assert "مقالات مشابهة" not in entry["text"]


def test_bullet_list_gives_ten_related_titles(seg: dict, lines: list[str]) -> None:
    bullets = [ln.lstrip("• ").strip() for ln in lines if ln.startswith("•")]
    assert len(bullets) == 10
    titles = {fold(r["title"]) for r in seg["related"]}
    assert {fold(b) for b in bullets} <= titles
    # 2 inline + 1 second article + 10 bullets, the second article's headline being also bullet 6:
    # deduplicated by fold, 12 entries
    assert len(seg["related"]) == 12
    assert len(titles) == len(seg["related"])


def test_source_once(seg: dict) -> None:
    assert seg["source"] == "الخليج الجديد"


def test_tags_are_folded_to_arabic_letters_and_deduplicated(seg: dict) -> None:
    tags = seg["tags"]
    assert tags
    assert not any(ch in t for t in tags for ch in "یک")
    assert len({fold(t) for t in tags}) == len(tags)
    assert "مقتدى الصدر" in tags


def test_lost_emoji_marks_are_dropped(raw: str) -> None:
    assert "????" in raw
    assert "??" not in normalize(raw)
