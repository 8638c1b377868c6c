"""Peak memory of a crawl that discovers 100,000 article URLs, with and without JOBDIR.

    python bench/memory.py [--urls 100000]

Serves a sitemap index of 10 news sitemaps (percent-encoded Arabic slugs, ~150-character URLs) on
127.0.0.1 whose article pages answer slowly, crawls it with the youm7 spider at concurrency 2 so
nearly every discovered request waits in the scheduler, stops after discovery
(CLOSESPIDER_TIMEOUT) and prints the crawl process's peak RSS. Target (issue 7): under 500 MB with JOBDIR.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
SLUG = quote("وزارة-النقل-تعلن-خطة-جديدة-لتطوير-الطرق")


# Each crawl reports its own peak RSS (RUSAGE_CHILDREN would give the largest child so far).
_RUN_AND_REPORT_RSS = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print(f'peak_rss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr))\n"
    "sys.argv = ['scrapy', *sys.argv[1:]]\n"
    "from scrapy.cmdline import execute\n"
    "execute()\n"
)


def site(base: str, urls: int, parts: int = 10) -> dict[str, bytes]:
    per = urls // parts
    pages = {}
    index = "".join(f"<sitemap><loc>{base}/news-{p}.xml</loc></sitemap>" for p in range(parts))
    pages["/index.xml"] = (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                           f"{index}</sitemapindex>").encode()
    for p in range(parts):
        locs = "".join(f"<url><loc>{base}/story/2026/11/20/{SLUG}-{p}-{i}/{7000000 + p * per + i}</loc></url>"
                       for i in range(per))
        pages[f"/news-{p}.xml"] = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                   f"{locs}</urlset>").encode()
    return pages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--urls", type=int, default=100_000)
    args = ap.parse_args()
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            body = pages.get(self.path, b"")
            if not body:  # article pages answer slowly: their requests pile up in the scheduler
                time.sleep(20)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "application/xml" if body else "text/plain")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # the crawl closes while slow article requests are still open: expected resets

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages.update(site(base, args.urls))
    print(f"{args.urls} article URLs in 10 sitemaps ({sum(map(len, pages.values())) / 1e6:.1f} MB of XML)")
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("in-memory queue", []), ("JOBDIR disk queue", ["-s", f"JOBDIR={tmp}/job"])):
            proc = subprocess.run(
                [sys.executable, "-c", _RUN_AND_REPORT_RSS, "crawl", "youm7", "-a", f"sources={base}/index.xml",
                 "-s", f"SQLITE_PATH={tmp}/{label[:2]}.sqlite3", "-s", f"SPOOL_PATH={tmp}/spool.jsonl",
                 "-s", "CONCURRENT_REQUESTS=2", "-s", "DOWNLOAD_TIMEOUT=5", "-s", "RETRY_ENABLED=False",
                 "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False", "-s", "CLOSESPIDER_TIMEOUT=40", "-s", "SPIDERMON_ENABLED=False", "-s", "LOG_LEVEL=INFO", *extra],
                cwd=ROOT, capture_output=True, text=True)
            peak = re.search(r"peak_rss_kb=(\d+)", proc.stderr)
            scheduled = re.search(r"'news/article_requests': (\d+)", proc.stderr)
            print(f"{label:<18} discovered and queued {scheduled.group(1) if scheduled else '?'} article requests; "
                  f"peak RSS {int(peak.group(1)) / 1024 if peak else float('nan'):.0f} MB (exit {proc.returncode})")
    server.shutdown()


if __name__ == "__main__":
    main()
