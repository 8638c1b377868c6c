"""Store write throughput: rows/second for SQLite and PostgreSQL, batched vs one row per
transaction, through ArticleStore.upsert_many (versioning, signatures-free, search index included).

    python bench/store.py [--rows 5000] [--batch 500]

PostgreSQL is a throwaway server started by tests/pg.py (skipped, with the reason, when it cannot
be started). Rows are ~1.6k-character Arabic bodies; the update pass changes every body, so each
row also writes a version.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.items import empty_article  # noqa: E402
from crawler.storage import ArticleStore  # noqa: E402

SENTENCE = "أعلنت الوزارة في بيان صدر اليوم أن العمل جار على تحسين الخدمات في المحافظات كافة. "


def rows(n: int, start: int, edition: str) -> list[dict]:
    out = []
    for i in range(start, start + n):
        r = empty_article()
        r.update(url=f"https://bench.test/news/{i}", outlet="bench", title=f"خبر رقم {i} {edition}",
                 body=(SENTENCE * 20) + f" {edition} {i}", authors=["كاتب التجربة"], tags=["اختبار"],
                 published_at="2024-05-01T10:00:00+03:00")
        out.append(r)
    return out


def measure(store: ArticleStore, n: int, batch: int) -> tuple[float, float]:
    """(insert rows/s, changed-content update rows/s) writing n rows in transactions of ``batch``."""
    data = rows(n, 0, "أ")
    t = time.perf_counter()
    for i in range(0, n, batch):
        store.upsert_many(data[i:i + batch])
    insert = n / (time.perf_counter() - t)
    data = rows(n, 0, "ب")
    t = time.perf_counter()
    for i in range(0, n, batch):
        store.upsert_many(data[i:i + batch])
    update = n / (time.perf_counter() - t)
    return insert, update


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--single-rows", type=int, default=1000, help="rows for the one-per-transaction runs")
    args = parser.parse_args()
    results: list[tuple[str, str, int, float, float]] = []

    with tempfile.TemporaryDirectory() as tmp:
        for label, n, batch in (("batched", args.rows, args.batch), ("1 row/txn", args.single_rows, 1)):
            store = ArticleStore(f"sqlite:///{tmp}/{label.replace('/', '_')}.sqlite3")
            results.append(("sqlite", label, n, *measure(store, n, batch)))
            store.close()

    try:
        from tests.pg import PostgresServer, unavailable_reason
        reason = unavailable_reason()
    except ImportError as exc:
        reason = f"tests/pg.py not importable: {exc}"
    if reason:
        print(f"PostgreSQL skipped: {reason}")
    else:
        with PostgresServer() as pg:
            for label, n, batch in (("batched", args.rows, args.batch), ("1 row/txn", args.single_rows, 1)):
                pg.reset()
                store = ArticleStore(pg.url)
                results.append(("postgresql", label, n, *measure(store, n, batch)))
                store.close()

    print(f"{'backend':<11}{'mode':<11}{'rows':>7}{'insert rows/s':>15}{'update rows/s':>15}")
    for backend, label, n, ins, upd in results:
        print(f"{backend:<11}{label:<11}{n:>7}{ins:>15,.0f}{upd:>15,.0f}")
    for backend in ("sqlite", "postgresql"):
        pair = [r for r in results if r[0] == backend]
        if len(pair) == 2:
            print(f"{backend}: batched is {pair[0][3] / pair[1][3]:.1f}x faster on insert, "
                  f"{pair[0][4] / pair[1][4]:.1f}x on update")


if __name__ == "__main__":
    main()
