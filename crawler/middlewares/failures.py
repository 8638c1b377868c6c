"""FetchFailures (downloader middleware): every fetch that finally failed, by reason, whatever
asked for it — a feed, a sitemap, a section page, an article.

Stats: ``fetch/failed`` and ``fetch/failed/<reason>``, the reasons of ``crawler.spider.failure_reason``:
``http_<status>``, ``timeout``, ``dns``, ``connection_refused``, ``robots_forbidden``,
``private_address``, ``too_large``, else the exception's class name. The crawl's summary line and
``scrapy report`` show them (the demo's youm7 run fetched 22 pages of which 14 were 404s, and its
summary said only "dropped none").

Placed at 540, just below RetryMiddleware (550): a response or an exception reaches it only after
the retries were spent, so each failed fetch counts once, not once per attempt; a redirect never
reaches it (RedirectMiddleware, 600, turns it into a new request first). A request refused before
the download (robots.txt, a private address) reaches it too, as an exception. robots.txt itself is
left out: a site without one answers 404, which is no failure. A plain ``IgnoreRequest`` (a request
a middleware chose not to send, such as a 304) is no failure either.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.spider import failure_reason

FAILED = "fetch/failed"


def _robots_txt(request: Request) -> bool:
    return urlsplit(request.url).path == "/robots.txt"


class FetchFailures:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchFailures:
        return cls(crawler.stats)

    def _count(self, reason: str) -> None:
        self.stats.inc_value(FAILED)
        self.stats.inc_value(f"{FAILED}/{reason}")

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status >= 400 and not _robots_txt(request):
            self._count(f"http_{response.status}")
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if _robots_txt(request):
            return None
        reason = failure_reason(exception)
        if reason != "ignored":
            self._count(reason)
        return None
