"""Microseconds per 1,000-word Arabic article: normalize and fold vs a plain str.translate floor.

Run: python bench/arabic_norm.py  (prints one table from one run; no thresholds, ratios matter)."""

from __future__ import annotations

import random
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.arabic import fold, normalize  # noqa: E402
from crawler.arabic.normalize import _MEMO, _fold_cached  # noqa: E402

# A synthetic article built from a small word list with the usual damage sprinkled in: diacritics,
# Persian letters, NBSP, RLM, tatweel, Arabic-Indic digits, smart quotes, paragraph breaks.
SAMPLE = (
    "الحكومة أعلنت اليوم عن خطة جديدة لتطوير النقل العام في المدن الكبرى وقال الوزير إن المشروع "
    "سيبدأ خلال الأشهر المقبلة بتكلفة تقدر بملايين الدولارات مُؤكِّداً أهمية التعاون مع القطاع الخاص "
    "الأمریکیة فی ٢٠٢٤ “المرحلة” الأولى بفضــل الـ5 مشاريع"
)
WORDS = SAMPLE.split()


def make_article(n_words: int = 1000, seed: int = 7) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(n_words):
        w = rng.choice(WORDS)
        if i % 97 == 0:
            w += "\u200f"
        out.append(w)
        if i % 60 == 59:
            out.append(".\n\n")
        elif i % 13 == 0:
            out.append("\u00a0")
    return " ".join(out)


# The floor: one str.translate call with a small table (what a naive implementation would do).
FLOOR_TABLE = str.maketrans({"\u200f": None, "\u00a0": " ", "ی": "ي", "ک": "ك", "ـ": None})


def main() -> None:
    text = make_article()
    runs = 200
    rows = []
    def forget() -> None:  # normalize and fold remember long texts: time the work, not the lookup
        _MEMO.clear()
        _fold_cached.cache_clear()

    for name, fn in (("str.translate floor", lambda: text.translate(FLOOR_TABLE)),
                     ("normalize", lambda: (forget(), normalize(text))),
                     ("fold", lambda: (forget(), fold(text))),
                     ("normalize, remembered", lambda: normalize(text)),
                     ("fold, remembered", lambda: fold(text))):
        best = min(timeit.repeat(fn, number=runs, repeat=5)) / runs * 1e6
        rows.append((name, best))
    floor = rows[0][1]
    print(f"article: {len(text.split())} words, {len(text)} chars")
    for name, us in rows:
        print(f"{name:22s} {us:9.1f} µs/article   x{us / floor:5.2f} of floor")


if __name__ == "__main__":
    main()
