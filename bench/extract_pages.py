"""Extraction time per page, next to the parse floor and trafilatura, measured in one run.

    python bench/extract_pages.py [--reps 20]

Pages: the fixture articles under tests/fixtures/sites (and ../shared/corpus when present).
Prints median ms per page for: parse only (Scrapy HtmlResponse + selector), our outlet chain
(selectors + JSON-LD + meta, no pipelines), our generic chain (no outlet selectors), and
trafilatura.extract with metadata; then the ratios. Figures are from one machine and one run:
compare the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrapy.http import HtmlResponse  # noqa: E402
from scrapy.spiderloader import SpiderLoader  # noqa: E402
from scrapy.utils.project import get_project_settings  # noqa: E402

from crawler.extract.article import extract_article  # noqa: E402
from crawler.spider import spider_for_url  # noqa: E402


def pages() -> list[tuple[str, bytes]]:
    out = []
    for gold in sorted((ROOT / "tests" / "fixtures" / "sites").glob("*/*.gold.json")) + \
            sorted((ROOT.parent / "shared" / "corpus").glob("*/*.gold.json")):
        html = gold.with_name(gold.name.replace(".gold.json", ".html"))
        if html.exists():
            out.append((json.loads(gold.read_text(encoding="utf-8"))["url"], html.read_bytes()))
    return out


def timed(fn, reps: int) -> float:
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    reps = ap.parse_args().reps
    import trafilatura

    loader = SpiderLoader.from_settings(get_project_settings())
    rows = []
    for url, body in pages():
        cls = spider_for_url(loader, url)
        spider = cls() if cls else None

        def parse(url=url, body=body):
            return HtmlResponse(url=url, body=body).selector.root

        def outlet(url=url, body=body, spider=spider):
            r = HtmlResponse(url=url, body=body)
            return spider.extract(r) if spider else extract_article(r.selector, url)

        def generic(url=url, body=body):
            r = HtmlResponse(url=url, body=body)
            return extract_article(r.selector, url)

        def traf(url=url, body=body):
            return trafilatura.extract(body.decode("utf-8", "replace"), url=url, with_metadata=True)

        outlet()  # warm up imports and caches
        rows.append((timed(parse, reps), timed(outlet, reps), timed(generic, reps), timed(traf, reps)))
    if not rows:
        sys.exit("no pages found")
    med = [statistics.median(c) for c in zip(*rows, strict=True)]
    print(f"{len(rows)} pages x {reps} reps, median ms/page")
    for name, v in zip(("parse only", "our outlet chain", "our generic chain", "trafilatura+metadata"), med, strict=True):
        print(f"  {name:<22}{v:8.2f}")
    print(f"ratios: outlet/trafilatura {med[1] / med[3]:.2f}  generic/trafilatura {med[2] / med[3]:.2f}  "
          f"outlet/parse {med[1] / med[0]:.2f}")


if __name__ == "__main__":
    main()
