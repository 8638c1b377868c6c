"""Downloader middleware: archive every response to WARC, or serve the crawl from a WARC archive.

Settings:

- ``WARC_OUTPUT`` (path, default None): append each downloaded exchange to this gzip'd WARC file.
- ``REPLAY_WARC`` (path, default None): answer every request from this archive, never the network.
  A URL the archive lacks gets an empty 404, so robots.txt that was never recorded means "allowed".

Both may be set: the crawl is replayed from one archive while the replayed responses are written to
another. Neither set: the middleware disables itself.

It must sit above HttpCompressionMiddleware (590) — the project registers it at 950 — because
``process_response`` runs from the highest priority down: at 950 it sees the body before
decompression, so the archive holds the bytes as sent and a replayed gzip'd body is decoded by the
same middleware as a live one. Stats: ``warc/records_written``, ``warc/replay_hits``,
``warc/replay_missing``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.warc import WarcError, WarcIndex, WarcWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REPLAYED_FLAG = "warc"
# Marks the 404 we invent for a URL the archive lacks, so it is never archived as if it was real.
MISSING_FLAG = "warc-missing"


class WarcMiddleware:
    """Archive responses to ``WARC_OUTPUT`` and/or replay requests from ``REPLAY_WARC``."""

    def __init__(self, stats: StatsCollector, writer: WarcWriter | None, index: WarcIndex | None) -> None:
        self.stats = stats
        self.writer = writer
        self.index = index

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMiddleware:
        output = crawler.settings.get("WARC_OUTPUT")
        replay = crawler.settings.get("REPLAY_WARC")
        if not output and not replay:
            raise NotConfigured("neither WARC_OUTPUT nor REPLAY_WARC is set")
        index = None
        if replay:
            try:
                index = WarcIndex(replay)
            except WarcError as exc:
                # Failing here stops the crawl before any request could reach the network.
                raise WarcError(f"REPLAY_WARC: {exc}") from exc
            logger.info("Replaying from WARC %s (%d URLs); no network requests", replay, len(index))
        writer = WarcWriter(output) if output else None
        if writer is not None:
            logger.info("Archiving responses to WARC %s", output)
        assert crawler.stats is not None
        middleware = cls(crawler.stats, writer, index)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> Response | None:
        """In replay mode, answer from the archive; otherwise let the download happen."""
        if self.index is None:
            return None
        archived = self.index.get(request.url)
        if archived is None:
            self.stats.inc_value("warc/replay_missing")
            logger.debug("Not in WARC archive, replaying 404: %s", request.url)
            return Response(url=request.url, status=404, request=request,
                            flags=[REPLAYED_FLAG, MISSING_FLAG])
        self.stats.inc_value("warc/replay_hits")
        headers = Headers(archived.headers)
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=archived.body)
        return respcls(url=request.url, status=archived.status, headers=headers, body=archived.body,
                       request=request, flags=[REPLAYED_FLAG], protocol=archived.protocol)

    def process_response(self, request: Request, response: Response) -> Response:
        """In archive mode, write the exchange with the body as received."""
        if self.writer is not None and MISSING_FLAG not in response.flags:
            written = self.writer.write_exchange(
                response.url,
                request.method,
                request.headers,
                response.status,
                _reason(response.status),
                response.headers,
                response.body,
                request_body=request.body,
                # Scrapy reports HTTP/2 as "h2"; WARC records carry HTTP/1.x framing either way.
                protocol=response.protocol if (response.protocol or "").startswith("HTTP/") else "HTTP/1.1",
            )
            self.stats.inc_value("warc/records_written", written)
        return response

    def spider_closed(self) -> None:
        """Close the output archive so its last gzip member is complete."""
        if self.writer is not None:
            self.writer.close()


def _reason(status: int) -> str:
    # Scrapy does not keep the reason phrase; the standard one is the closest honest record.
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
