"""A fixture site served over real HTTP on 127.0.0.1, for end-to-end crawls.

Fixture folders (``tests/fixtures/sites/<outlet>/manifest.json``) list pages with the URLs they
have on the outlet's real domain. The server answers those paths, and rewrites the outlet's
absolute URLs inside XML and HTML bodies to its own address, so a spider pointed at it with
``-a sources=...`` crawls the same site over loopback.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "sites"


def load_manifest(outlet: str | Path) -> tuple[Path, dict]:
    """(folder, manifest) of a fixture outlet by name, or of a fixture folder given as a path (a
    changed copy made by a test)."""
    folder = outlet if isinstance(outlet, Path) else FIXTURES / outlet
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean."""

    def log_message(self, *args):
        pass


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 (a free port), used as a context manager: subclasses
    build their handler and call ``_bind(Handler)``; ``base`` is the server's address."""

    def _bind(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _key(url: str) -> str:
    parts = urlsplit(url)
    path = quote(unquote(parts.path), safe="/-_.~%!$&'()*+,;=:@")
    return path + (("?" + unquote(parts.query)) if parts.query else "")


class FixtureSite(LoopbackServer):
    """Serves one or more fixture folders (outlet names, or folder paths); use as a context
    manager. Counts requests by path."""

    def __init__(self, *outlets: str | Path):
        self.pages: dict[str, tuple[Path, str, int]] = {}
        self.origins: set[str] = set()
        self.requests: list[str] = []
        for outlet in outlets:
            folder, manifest = load_manifest(outlet)
            for page in manifest["pages"]:
                parts = urlsplit(page["url"])
                self.origins.add(f"{parts.scheme}://{parts.netloc}")
                self.pages[_key(page["url"])] = (folder / page["file"], page.get("content_type", "text/html; charset=utf-8"),
                                                 int(page.get("status", 200)))
        site = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                site.requests.append(self.path)
                found = site.pages.get(_key(self.path))
                if found is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, ctype, status = found
                body = path.read_bytes()
                if "xml" in ctype or "html" in ctype or "rss" in ctype or "atom" in ctype or ctype.startswith("text/"):
                    for origin in site.origins:
                        for variant in (origin, origin.replace("https://", "http://")):
                            body = body.replace(variant.encode(), site.base.encode())
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)


        self._bind(Handler)

    def url(self, real_url: str) -> str:
        return self.base + _key(real_url)

