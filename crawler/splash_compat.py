"""scrapy-splash 0.11.1 on Scrapy 2.16+ (tested on 2.19): the three things that break, mended.

1. ``import scrapy_splash`` fails: it imports ``canonicalize_url`` from ``scrapy.utils.url``, a
   re-export of w3lib's function that Scrapy removed in 2.16. We put w3lib's function back under
   that name *before* scrapy_splash is imported, so import this module first.
2. Every Splash request fails with ``AttributeError: ... '_get_slot_key'``: the middleware's
   per-domain slot policy calls a private downloader method that Scrapy 2.14 replaced with the public
   ``Downloader.get_slot_key(request)``.
3. The middleware's ``process_request``/``process_response`` require the ``spider`` argument that
   Scrapy 2.19 warns it will stop passing; ours make it optional and fill it from the crawler.

We do not use ``SplashDeduplicateArgsMiddleware`` (a spider middleware with a synchronous
``process_spider_output``, which Scrapy 2.19 refuses) nor ``SplashAwareDupeFilter`` (deprecated): the
project only sends small ``render.html`` arguments, so there is nothing to deduplicate.
"""

from __future__ import annotations

from typing import Any

import scrapy.utils.url
import w3lib.url

if not hasattr(scrapy.utils.url, "canonicalize_url"):
    scrapy.utils.url.canonicalize_url = w3lib.url.canonicalize_url  # type: ignore[attr-defined]

from scrapy import Request, Spider  # noqa: E402 - after the shim above
from scrapy.http import Response  # noqa: E402
from scrapy_splash.middleware import SplashMiddleware  # noqa: E402


class SplashCompatMiddleware(SplashMiddleware):
    """``scrapy_splash.SplashMiddleware`` with the slot-key and spider-argument fixes."""

    def _get_slot_key(self, request_or_response: Request | Response) -> str:
        request = request_or_response if isinstance(request_or_response, Request) else request_or_response.request
        return self.crawler.engine.downloader.get_slot_key(request)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        return super().process_request(request, spider or self.crawler.spider)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        return super().process_response(request, response, spider or self.crawler.spider)


__all__ = ["SplashCompatMiddleware"]
