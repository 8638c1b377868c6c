"""No article lost, none stored twice: a crawl of a local site is killed with SIGKILL at random
moments 20 times, each rerun with the same JOBDIR, then run to the end; the store must hold every
article exactly once (one row and one version each).

The spider is an outlet-less NewsSpider subclass written to a temporary file (``scrapy
runspider``), pointed at a generated site (a sitemap and N article pages with JSON-LD) served by
``http.server`` on 127.0.0.1. What makes the reruns lossless:

- the store commits every STORE_BATCH_SIZE items, so a kill loses at most the open batch;
- each run rediscovers from the sitemap and skips only articles the *store* holds. JOBDIR's
  ``requests.seen`` is written before an item reaches the store (and is not crash-consistent), so
  the dupefilter must not be the record of what is done: the test spider uses Scrapy's
  ``BaseDupeFilter`` and its own per-run set (``NewsSpider._scheduled``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.sites import LoopbackServer, QuietHandler

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 300
KILLS = 20

PARAGRAPHS = (
    "أعلنت البلدية في بيان رسمي أنها ستبدأ أعمال صيانة الطرق في الحي الشرقي مطلع الأسبوع المقبل.",
    "وقال المتحدث باسم البلدية إن الأعمال تستمر شهرين وتشمل إنارة الشوارع وتوسيع الأرصفة.",
    "ودعت البلدية السكان إلى استخدام الطرق البديلة خلال ساعات النهار تجنبا للازدحام.",
)

SPIDER = textwrap.dedent('''
    from crawler.spider import NewsSpider, Outlet
    from crawler.storage import ArticleStore


    class KillTestSpider(NewsSpider):
        name = "killtest"
        outlet = Outlet("killtest", "موقع الاختبار", ("127.0.0.1",), "UTC")
        article_allow = (r"/news/\\d+\\.html$",)

        async def start(self):
            store = ArticleStore.from_settings(self.settings)
            self.stored = store.all_keys()  # the store, not JOBDIR, says what is done
            store.close()
            self.crawler.stats.set_value("killtest/already_stored", len(self.stored))
            async for request in super().start():
                yield request.replace(dont_filter=True)  # rediscover the sitemap on every run

        def is_article_url(self, url):
            return url not in self.stored and super().is_article_url(url)
''')


def article_page(n: int, base: str) -> str:
    url = f"{base}/news/{n}.html"
    title = f"صيانة الطرق في الحي رقم {n}"
    body = " ".join(PARAGRAPHS) + f" ويحمل هذا الخبر الرقم {n} في الأرشيف."
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": f"2024-05-{1 + n % 28:02d}T09:00:00+03:00", "author": {"@type": "Person", "name": "هدى ناصر"},
          "mainEntityOfPage": url}
    paragraphs = "".join(f"<p>{p}</p>" for p in (*PARAGRAPHS, f"ويحمل هذا الخبر الرقم {n} في الأرشيف."))
    assert body  # the visible paragraphs carry the same text
    return (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="canonical" href="{url}">'
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head>'
            f'<body><article><h1>{title}</h1>{paragraphs}</article></body></html>')


class Site(LoopbackServer):
    """The generated site on a free 127.0.0.1 port, with a small delay per page."""

    def __init__(self, delay: float = 0.01) -> None:
        self.hits: dict[str, int] = {}
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                time.sleep(delay)
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                if self.path == "/sitemap.xml":
                    urls = "".join(f"<url><loc>{site.base}/news/{n}.html</loc></url>" for n in range(ARTICLES))
                    body = ('<?xml version="1.0" encoding="UTF-8"?><urlset '
                            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()
                    kind = "application/xml"
                elif self.path.startswith("/news/") and self.path[6:-5].isdigit() and self.path.endswith(".html"):
                    body, kind = article_page(int(self.path[6:-5]), site.base).encode(), "text/html; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._bind(Handler)


def crawl_command(tmp: Path, base: str) -> list[str]:
    pipelines = {"pipelines.clean.CleanPipeline": 100, "pipelines.related.RelatedPipeline": 200,
                 "pipelines.validate.ValidatePipeline": 300, "pipelines.dedup.DedupPipeline": 400,
                 "pipelines.store.StorePipeline": 900}
    return [sys.executable, "-m", "scrapy", "runspider", str(tmp / "killtest_spider.py"),
            "-a", f"sources={base}/sitemap.xml",
            "-s", f"JOBDIR={tmp / 'job'}", "-s", f"SQLITE_PATH={tmp / 'store.sqlite3'}",
            "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}", "-s", "STORE_BATCH_SIZE=20", "-s", "STORE_FLUSH_SECONDS=5",
            "-s", f"ITEM_PIPELINES={json.dumps(pipelines)}",
            "-s", "DUPEFILTER_CLASS=scrapy.dupefilters.BaseDupeFilter",
            "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=WARNING", "-s", "EXTENSIONS={}"]


@pytest.mark.service  # ~40 s: 21 crawler processes against a local HTTP server
def test_twenty_sigkills_lose_nothing_and_store_nothing_twice(tmp_path: Path) -> None:
    (tmp_path / "killtest_spider.py").write_text(SPIDER, encoding="utf-8")
    rng = random.Random(int(os.environ.get("KILL_TEST_SEED", "5")))
    started = time.monotonic()
    with Site() as site:
        command = crawl_command(tmp_path, site.base)
        for _ in range(KILLS):
            proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            # Scrapy needs ~1 s to import and open; kill anywhere from start-up to well into the crawl.
            time.sleep(rng.uniform(0.8, 2.6))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            proc.stderr.close()
        final = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr[-3000:]

    with sqlite3.connect(tmp_path / "store.sqlite3") as con:
        rows = [r[0] for r in con.execute("SELECT canonical_url FROM articles")]
        versions = con.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0]
    expected = {f"{site.base}/news/{n}.html" for n in range(ARTICLES)}
    lost = len(expected - set(rows))
    duplicated = (len(rows) - len(set(rows))) + (versions - len(set(rows)))
    refetched = sum(n - 1 for path, n in site.hits.items() if path.startswith("/news/") and n > 1)
    print(f"kill test: {KILLS} kills, lost {lost}, duplicated {duplicated} "
          f"({ARTICLES} articles, {refetched} pages fetched again after a kill, {time.monotonic() - started:.0f} s)")
    # the final run's errors and store lines say why, if rows are missing (spooled, lost, a failing step)
    why = "\n".join(line for line in final.stderr.splitlines()
                    if "ERROR" in line or "store" in line.lower() or "spool" in line.lower())
    assert set(rows) == expected, why[-3000:]
    assert lost == 0 and duplicated == 0
    assert not (tmp_path / "spool.jsonl").exists()
