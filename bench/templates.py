"""How template learning's thresholds trade boilerplate removed against article lines lost.

A month of four simulated outlets (5, 20, 60 and 150 articles a day) goes through the real
``TemplateBook`` and a real SQLite store, day by day, each article decided before it is counted,
as in a crawl. Each article is made of lines whose truth is known:

- boilerplate: per outlet, one line in every article (a follow-us line), one in 60% (an app
  promotion) and one in 25% (a newsletter prompt on some sections only);
- a follow-up story's background paragraph, reused in two to four articles of one outlet over one
  or two days (article text: must stay);
- a running story's background paragraph, reused in one article a day for ten days (article text);
- a statement quoted the same day by two outlets, twice each (news: must stay);
- one-off sentences (the rest of the article).

For each pair of TEMPLATE_MIN_ARTICLES and TEMPLATE_MIN_SHARE it prints the share of boilerplate
occurrences removed and the article lines removed (by kind), so the defaults are a measured choice:

    python bench/templates.py
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.storage import ArticleStore  # noqa: E402
from crawler.templates import TemplateBook, line_keys  # noqa: E402

WORDS = ("وزارة", "الحكومة", "المدينة", "أعلن", "قال", "مشروع", "الأسعار", "السوق", "المواطنين", "الشرطة",
         "المجلس", "الرئيس", "الطاقة", "المياه", "المدارس", "الطرق", "الصحة", "النقل", "البلدية", "الاقتصاد",
         "المنطقة", "الأسبوع", "اليوم", "خلال", "بعد", "قبل", "على", "في", "من", "إلى", "عن", "مع", "جديد",
         "كبير", "عدد", "نسبة", "ارتفاع", "انخفاض", "اجتماع", "قرار", "خطة", "تقرير", "مصدر", "مسؤول")
OUTLETS = {"small": 5, "medium": 20, "large": 60, "huge": 150}
BOILERPLATE_SHARES = (1.0, 0.6, 0.25)
DAYS = 30


def sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def simulate(min_articles: int, min_share: float, seed: int = 7) -> dict[str, list[int]]:
    """Returns {kind: [occurrences, removed]} over the month."""
    rng = random.Random(seed)
    boiler = {o: [f"تابعوا {o} {i} " + sentence(rng, 8) for i in range(len(BOILERPLATE_SHARES))] for o in OUTLETS}
    running = {o: sentence(rng, 30) for o in OUTLETS}
    tally = {k: [0, 0] for k in ("boilerplate", "follow-up", "running story", "quote", "one-off")}
    start = date(2026, 1, 1)
    with tempfile.TemporaryDirectory() as tmp:
        store = ArticleStore(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        books = {o: TemplateBook(store, o, min_articles=min_articles, min_share=min_share, min_days=2,
                                 news_window=3, min_kept_chars=0) for o in OUTLETS}
        serial = 0
        for d in range(DAYS):
            day = (start + timedelta(days=d)).isoformat()
            quote = "وقال المتحدث في بيانه اليوم: " + sentence(rng, 20)
            quoting = set(rng.sample(sorted(OUTLETS), 2))
            for outlet, per_day in OUTLETS.items():
                follow_up, follow_left = None, 0
                for n in range(per_day):
                    lines: list[tuple[str, str]] = [(sentence(rng, 25), "one-off") for _ in range(rng.randint(3, 8))]
                    if follow_left == 0 and rng.random() < 0.1:
                        follow_up, follow_left = sentence(rng, 30), rng.randint(2, 4)
                    if follow_left:
                        lines.insert(1, (follow_up, "follow-up"))
                        follow_left -= 1
                    if n == 0 and d < 10:
                        lines.insert(1, (running[outlet], "running story"))
                    if outlet in quoting and n < 2:
                        lines.insert(1, (quote, "quote"))
                    for text, share in zip(boiler[outlet], BOILERPLATE_SHARES, strict=True):
                        if rng.random() < share:
                            lines.append((text, "boilerplate"))
                    serial += 1
                    body = "\n\n".join(text for text, _ in lines)
                    item = {"body": body, "published_at": day, "url": f"https://{outlet}.example/{serial}"}
                    keys = line_keys(body)
                    book = books[outlet]
                    removed = {i for i, k in enumerate(keys) if k and book.is_template(k, day)}
                    for i, (_, kind) in enumerate(lines):
                        tally[kind][0] += 1
                        tally[kind][1] += i in removed
                    book.count(item, keys)
            for book in books.values():  # a day's crawl ends: what it learned is stored
                book.flush()
        store.close()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", default="3,5,8,12", help="TEMPLATE_MIN_ARTICLES values")
    parser.add_argument("--shares", default="0.05,0.1,0.2,0.3", help="TEMPLATE_MIN_SHARE values")
    args = parser.parse_args()
    print(f"{DAYS} days, outlets of {', '.join(f'{n}/day' for n in OUTLETS.values())}; boilerplate lines in "
          f"{', '.join(f'{s:.0%}' for s in BOILERPLATE_SHARES)} of each outlet's articles")
    print(f"{'min_articles':>12} {'min_share':>9} {'boilerplate removed':>20} {'follow-up lost':>15} "
          f"{'running story lost':>19} {'quote lost':>11} {'one-off lost':>13}")
    for a in (int(x) for x in args.articles.split(",")):
        for s in (float(x) for x in args.shares.split(",")):
            t = simulate(a, s)

            def share(kind: str, t: dict[str, list[int]] = t) -> str:
                total, removed = t[kind]
                return f"{removed}/{total} ({removed / total:.0%})" if total else "-"

            print(f"{a:>12} {s:>9.2f} {share('boilerplate'):>20} {share('follow-up'):>15} "
                  f"{share('running story'):>19} {share('quote'):>11} {share('one-off'):>13}")


if __name__ == "__main__":
    main()
