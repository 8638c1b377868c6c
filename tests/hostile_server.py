"""A misbehaving web site on 127.0.0.1 for the hostile-input crawls (tests/test_hostile.py).

It always serves the three good youm7 fixture articles (their paths, their bytes, outlet URLs
rewritten to the server's address) beside whatever hostile routes a test adds, so every test can
check that the good articles of the crawl are still stored. A route is a path (unquoted, as text;
a trailing ``*`` matches every path under it)
mapped to a ``Reply`` or to a function ``(handler, hit_number) -> Reply | None`` (None: the
function answered, or chose never to answer, itself). Every request's raw path is recorded.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from tests.sites import load_manifest

YOUM7 = "https://www.youm7.com"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})


Route = Reply | Callable[[BaseHTTPRequestHandler, int], "Reply | None"]


def route_key(raw_path: str) -> str:
    """The unquoted path + query of a request, the form routes are registered under."""
    parts = urlsplit(raw_path)
    return unquote(parts.path, errors="replace") + (("?" + unquote(parts.query)) if parts.query else "")


class HostileSite:
    """Context manager: ``with HostileSite() as site: site.add("/x", Reply(...))``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[str] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's naming
                key = route_key(self.path)
                with site._lock:
                    site.requests.append(self.path)
                    site.hits[key] = site.hits.get(key, 0) + 1
                    n = site.hits[key]
                route = site.routes.get(key)
                if route is None:  # "/prefix/*" routes answer every path under the prefix
                    route = next((r for p, r in site.routes.items() if p.endswith("*") and key.startswith(p[:-1])), None)
                if route is None:
                    reply = Reply(404, b"", {"Content-Type": "text/plain"})
                else:
                    reply = route if isinstance(route, Reply) else route(self, n)
                if reply is None:
                    return
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler hung up (a refused body): nothing to answer

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a crawler hanging up on a held or refused answer is the point, not news

        self.server = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.good: list[str] = []  # paths of the good fixture articles
        self._add_good_articles()
        self.add("/robots.txt", Reply(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))

    def _add_good_articles(self) -> None:
        folder, manifest = load_manifest("youm7")
        for page in manifest["pages"]:
            path = urlsplit(page["url"]).path
            if path.startswith("/story/"):
                body = (folder / page["file"]).read_bytes().replace(YOUM7.encode(), self.base.encode())
                self.add(path, Reply(200, body))
                self.good.append(path)

    def add(self, path: str, route: Route) -> str:
        """Register a route; returns its absolute URL (unencoded; the crawler quotes it)."""
        self.routes[path] = route
        return self.base + path

    def url(self, path: str) -> str:
        return self.base + path

    def sitemap(self, path: str, urls: list[str], prefix: bytes = b"") -> str:
        """Serve a plain urlset listing ``urls`` (after an optional DOCTYPE ``prefix``)."""
        locs = "".join(f"<url><loc>{u.replace('&', '&amp;')}</loc></url>\n" for u in urls)
        body = (b'<?xml version="1.0" encoding="utf-8"?>\n' + prefix
                + b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + locs.encode() + b"</urlset>\n")
        return self.add(path, Reply(200, body, {"Content-Type": "application/xml; charset=utf-8"}))

    def good_urls(self) -> list[str]:
        return [self.base + p for p in self.good]

    def __enter__(self) -> HostileSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()  # releases routes that hold their connection open
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def never_answer(site: HostileSite) -> Route:
    """Reads the request, then holds the connection without a byte of answer until the site stops."""

    def hold(handler, n):
        site.stopping.wait(60)
        return None

    return hold


def fail_first(times: int, status: int, then: Reply) -> Route:
    """Answers ``status`` to the first ``times`` requests, then ``then``."""

    def reply(handler, n):
        return Reply(status, b"busy", {"Content-Type": "text/plain", "Retry-After": "0"}) if n <= times else then

    return reply


def stream(size: int, chunk: int = 1 << 20, content_length: bool = True) -> Route:
    """A ``size``-byte HTML body written chunk by chunk (never held in memory), with or without a
    Content-Length header (without: the body ends when the connection closes)."""

    def send(handler, n):
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            if content_length:
                handler.send_header("Content-Length", str(size))
            else:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            block = b"<p>" + ("حشو " * (chunk // 8)).encode()[: chunk - 3]
            sent = 0
            while sent < size:
                part = block[: size - sent]
                handler.wfile.write(part)
                sent += len(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused by the crawler: expected
        return None

    return send


def gzip_bomb(expanded: int) -> bytes:
    """A gzip stream of ``expanded`` zero bytes (about 1000:1), built without holding them."""
    import io

    out = io.BytesIO()
    zeros = b"\0" * (1 << 20)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as gz:
        for _ in range(expanded // len(zeros)):
            gz.write(zeros)
    return out.getvalue()


def wait_until(pred: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()
