"""The crawl never reaches a private address it was not started on.

The offsite filter judges host names; a page, a feed or a sitemap can still name a host that
resolves to the crawler's own network — ``127.0.0.1:<another port>``, a 10.x database, a cloud
metadata service at 169.254.169.254 — and the crawler would fetch it and store what it answered.
``PrivateAddressGuard`` resolves each request's host with the crawl's own resolver (Scrapy's
caching resolver, so the address checked is the address the download then connects to) and
refuses a request whose address is not a public one: loopback, private (RFC 1918, fc00::/7),
link-local (169.254/16 with the metadata services, fe80::/10), shared (100.64/10), unspecified,
multicast, reserved, and IPv6 forms of these (IPv4-mapped, 6to4, Teredo, NAT64).

Exceptions:

- the origins (host and port) of the crawl's start requests: a crawl started on a local mirror
  or a test server on 127.0.0.1 may fetch from it (only from it: another port of the same
  machine is still refused). They are learnt from the spider's ``start()`` output, not from
  requests coming back from a shared queue, which anyone who can write to Redis could forge;
- the origin of ``SPLASH_URL``: the operator configured that rendering service, and scrapy-splash
  sends every rendered page through this chain again as a request to it;
- ``ALLOW_PRIVATE_ADDRESSES = True`` turns the guard off (a crawl of an intranet);
- a replayed crawl (``REPLAY_WARC``) makes no connection, so there is nothing to guard.

A refused request is dropped (``IgnoreRequest``), logged at WARNING and counted in
``private_address/refused``. A host that does not resolve is left to the download, which fails
on it the usual way.

Wiring: the class is both a spider middleware (``process_start``) and a downloader middleware
placed before robots.txt (100), so a robots.txt request is judged like any other:
``SPIDER_MIDDLEWARES = {"crawler.middlewares.addresses.PrivateAddressGuard": 10}``,
``DOWNLOADER_MIDDLEWARES = {"crawler.middlewares.addresses.PrivateAddressGuard": 50}``.
"""

from __future__ import annotations

import ipaddress
import logging
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# One set of allowed origins per crawler, shared by the spider-middleware and the
# downloader-middleware instances of the guard.
_ORIGINS: weakref.WeakKeyDictionary[Any, set[tuple[str, int]]] = weakref.WeakKeyDictionary()


def is_public(address: str) -> bool:
    """Whether an IP address is one the public internet routes to (and nothing else)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is not part of it
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d
            return is_public(str(ip.ipv4_mapped))
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def origin(url: str) -> tuple[str, int] | None:
    """(host, port) of an http(s) URL, the default port filled in; None for other schemes."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        return None


class PrivateAddressGuard:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.allowed = _ORIGINS.setdefault(crawler, set())
        splash = origin(crawler.settings.get("SPLASH_URL") or "")
        if splash is not None:
            self.allowed.add(splash)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        if crawler.settings.getbool("ALLOW_PRIVATE_ADDRESSES", False):
            raise NotConfigured("ALLOW_PRIVATE_ADDRESSES is on")
        if crawler.settings.get("REPLAY_WARC"):
            raise NotConfigured("a replayed crawl makes no connection")
        return cls(crawler)

    # ----- spider middleware: learn where the crawl starts -------------------------------------

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in start:
            if isinstance(out, Request):
                where = origin(out.url)
                if where is not None:
                    self.allowed.add(where)
            yield out

    # ----- downloader middleware: judge every request ------------------------------------------

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        where = origin(request.url)
        if where is None or where in self.allowed:
            return None
        host = where[0]
        address = _literal(host) or await self._resolve(host)
        if address is None or is_public(address):
            return None
        self.stats.inc_value("private_address/refused")
        logger.warning("Refused %s: %s is %s, a private address (the crawl did not start there; "
                       "ALLOW_PRIVATE_ADDRESSES=True allows it)", request.url, host,
                       address if address == host else f"at {address}")
        raise IgnoreRequest(f"private address {address} refused: {request.url}")

    async def _resolve(self, host: str) -> str | None:
        from twisted.internet import reactor

        try:
            return await maybe_deferred_to_future(reactor.resolve(host))
        except Exception:  # noqa: BLE001 - unresolvable: the download reports it the usual way
            return None


__all__ = ["PrivateAddressGuard", "is_public", "origin"]
