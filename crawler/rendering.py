"""JavaScript rendering, per outlet and per request.

Which requests are rendered:
  * ``request.meta["render"] = True`` renders that request, ``False`` never renders it;
  * otherwise, for an outlet with ``Outlet.needs_js``, its article pages (callback
    ``parse_article``) are rendered. Sitemaps, feeds and robots.txt never are: they are XML or text,
    and a browser would only slow them down.

How: ``RenderMiddleware`` (a downloader middleware, wired by ``crawler.addons.rendering.RenderingAddon``)
marks a chosen request for the engine the add-on picked:
  * ``"splash"`` (when ``SPLASH_URL`` is set): ``meta["splash"]`` for scrapy-splash's ``render.html``;
  * ``"playwright"`` (the default): ``meta["playwright"]`` for scrapy-playwright's download handler,
    driving Debian's Chromium. Requests without the mark go through Scrapy's ordinary HTTP handler.

Settings: RENDER_ENGINE ("playwright" | "splash" | "off"), RENDER_WAIT (seconds to let scripts run
after the page loads, default 0.5), RENDER_TIMEOUT (seconds, default 30), RENDER_ENABLED (wire the
engine for a crawl whose outlet does not need JS but whose spider sets ``meta["render"]``).
A request may also carry ``meta["render_wait_for"]`` (a CSS selector; Playwright waits for it), and a
spider class may define ``render_wait_for`` for all its rendered pages.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Debian's real binaries first: /usr/bin/chromium* are shell wrappers that do not `exec`, so a
# browser killed through the wrapper's PID would leave the real one running.
CHROMIUM_CANDIDATES = (
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium-headless-shell",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
)

# Chromium flags for crawling: no sandbox (CI containers run as root), no GPU, no background
# traffic to Google services, /tmp instead of the often tiny /dev/shm of containers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--disable-domain-reliability",
]

ENGINES = ("playwright", "splash", "off")

# Resource types a text crawler never needs; skipping them is most of a rendered page's bytes.
SKIPPED_RESOURCE_TYPES = frozenset({"image", "media", "font"})


def find_chromium(candidates: tuple[str, ...] = CHROMIUM_CANDIDATES) -> str | None:
    """The first installed Chromium binary, or None."""
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def skip_heavy_resources(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST predicate: drop images, media and fonts inside rendered pages."""
    return request.resource_type in SKIPPED_RESOURCE_TYPES


def spider_needs_js(spidercls: type | None) -> bool:
    """Whether a spider class belongs to an outlet that renders its articles with JavaScript."""
    outlet = getattr(spidercls, "outlet", None)
    return bool(getattr(outlet, "needs_js", False))


def wants_render(request: Request, spider: Spider | None) -> bool:
    """Whether ``request`` should be rendered: its own ``render`` flag, else the outlet's ``needs_js``
    for article pages."""
    flag = request.meta.get("render")
    if flag is not None:
        return bool(flag)
    if spider is None or not spider_needs_js(type(spider)):
        return False
    return getattr(request.callback, "__name__", None) == "parse_article"


class RenderMiddleware:
    """Marks the requests to render for the configured engine; leaves all others untouched."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.engine = settings.get("RENDER_ENGINE") or "off"
        self.wired = settings.getbool("RENDER_WIRED")  # set by the add-on once the engine is in place
        self.wait = max(0.0, settings.getfloat("RENDER_WAIT", 0.5))
        self.timeout = max(1.0, settings.getfloat("RENDER_TIMEOUT", 30.0))
        self._warned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if "splash" in request.meta or request.meta.get("playwright"):
            return None  # already marked (a retry, or scrapy-splash's rewritten request)
        spider = spider or self.crawler.spider
        if not wants_render(request, spider):
            return None
        if not self.wired or self.engine == "off":
            # Fetched without rendering, which for a JS page means an empty article: say so, once.
            self.stats.inc_value("render/not_enabled")
            if not self._warned:
                self._warned = True
                logger.warning("%s asks to be rendered but rendering is not enabled for this crawl "
                               "(RENDER_ENGINE=%s; set RENDER_ENABLED=True or Outlet.needs_js)",
                               request, self.engine)
            return None
        wait_for = request.meta.get("render_wait_for") or getattr(spider, "render_wait_for", None)
        if self.engine == "splash":
            # render.html returns the DOM after `wait` seconds; images are never loaded.
            request.meta["splash"] = {
                "endpoint": "render.html",
                "args": {"wait": self.wait, "timeout": self.timeout, "images": 0},
            }
        else:
            request.meta["playwright"] = True
            request.meta["playwright_page_methods"] = _page_methods(wait_for, self.wait, self.timeout)
        self.stats.inc_value(f"render/{self.engine}")
        return None


def _page_methods(wait_for: str | None, wait: float, timeout: float) -> list:
    from scrapy_playwright.page import PageMethod

    if wait_for:
        return [PageMethod("wait_for_selector", wait_for, timeout=timeout * 1000)]
    return [PageMethod("wait_for_timeout", wait * 1000)] if wait else []


__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_CANDIDATES",
    "ENGINES",
    "RenderMiddleware",
    "find_chromium",
    "skip_heavy_resources",
    "spider_needs_js",
    "wants_render",
]
