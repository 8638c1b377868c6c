"""Where a page's CPU goes: each step of our path timed on its own, in one process.

    python bench/stages.py [--pages 300]

Builds the pages of bench/crawl.py (both markups) and runs, per page: lxml's parse of the bytes
(the floor), decoding and parsel's parse (plain Scrapy pays these too), the spider's page_item
(extraction), then each item pipeline's process_item as configured, into a real SQLite store in
a temporary directory. Prints the mean CPU ms per page of each step, for one of our outlets
(Youm7 markup) and for the generic spider. Steps are timed in the main thread's own CPU clock; the
store writes on a thread of its own (issue 13), whose CPU would otherwise be charged to whichever
step ran beside it, so the other threads' CPU is given on its own line ("store writer thread":
the whole run's process CPU less the main thread's) and the steps still add up to the whole.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)


def load_bench_crawl():
    spec = importlib.util.spec_from_file_location("bench_crawl", ROOT / "bench" / "crawl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=300)
    args = ap.parse_args()

    from lxml import html as lxml_html
    from scrapy.crawler import Crawler
    from scrapy.exceptions import DropItem
    from scrapy.http import HtmlResponse
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import build_from_crawler, load_object
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.reactor import install_reactor

    base = "http://127.0.0.1:8"
    pages = load_bench_crawl().build_site(base, args.pages)
    settings = get_project_settings()
    install_reactor(settings["TWISTED_REACTOR"])
    for name, prefix, kwargs in (("youm7", "/story/", {}), ("generic", "/2026/", {"start": base + "/"})):
        with tempfile.TemporaryDirectory() as tmp:
            s = settings.copy()
            s.set("SQLITE_PATH", f"{tmp}/store.sqlite3")
            s.set("SPOOL_PATH", f"{tmp}/spool.jsonl")
            spidercls = SpiderLoader.from_settings(s).load(name)
            crawler = Crawler(spidercls, s)
            crawler._apply_settings()
            spider = spidercls.from_crawler(crawler, **kwargs)
            crawler.spider = spider
            pipelines = [build_from_crawler(load_object(p), crawler)
                         for p in build_component_list(s.getwithbase("ITEM_PIPELINES"))]
            crawler.stats.open_spider()
            for p in pipelines:
                if hasattr(p, "open_spider"):
                    p.open_spider(spider)
            steps = ["lxml parse (floor)", "decode + parsel parse", "extraction (page_item)"]
            steps += [type(p).__name__ for p in pipelines]
            spent = dict.fromkeys(steps, 0.0)
            dropped = 0
            clock = time.thread_time
            start_process, start_thread = time.process_time(), clock()
            bodies = [(path, body) for path, (body, _) in pages.items() if path.startswith(prefix)]
            for path, body in bodies:
                response = HtmlResponse(base + path, body=body)
                t = clock()
                lxml_html.document_fromstring(body)
                spent[steps[0]] += clock() - t
                t = clock()
                _ = response.text, response.selector
                spent[steps[1]] += clock() - t
                t = clock()
                item = spider.page_item(response)
                spent[steps[2]] += clock() - t
                for step, p in zip(steps[3:], pipelines, strict=True):
                    t = clock()
                    try:
                        item = p.process_item(item, spider)
                    except DropItem:
                        dropped += 1
                        break
                    finally:
                        spent[step] += clock() - t
            for p in pipelines:
                if hasattr(p, "close_spider"):
                    t = clock()
                    p.close_spider(spider)
                    spent[type(p).__name__] += clock() - t
            others = (time.process_time() - start_process) - (clock() - start_thread)
            spent["store writer thread"] = max(0.0, others)
            n = len(bodies)
            ours = sum(v for k, v in spent.items() if k != steps[0])
            print(f"{name} ({n} pages): " + ", ".join(f"{k} {1000 * v / n:.2f}" for k, v in spent.items())
                  + f"; all but the floor {1000 * ours / n:.2f} CPU ms/page ({dropped} items dropped)")


if __name__ == "__main__":
    main()
