"""JavaScript rendering add-on: wires scrapy-splash or scrapy-playwright for the crawls that need it.

``ADDONS = {"crawler.addons.rendering.RenderingAddon": 200}`` in settings.py. Then:

* always: ``crawler.rendering.RenderMiddleware`` (a dictionary look-up per request), which marks the
  requests to render and counts ``render/not_enabled`` when a page asks for rendering that this
  crawl has not wired;
* only when the crawl's outlet has ``needs_js`` or ``RENDER_ENABLED = True``:
  - ``SPLASH_URL`` set: scrapy-splash's middleware (with ``crawler.splash_compat``'s fixes for
    Scrapy 2.19) sends the marked requests to Splash's ``render.html``;
  - otherwise ``RENDER_ENGINE = "playwright"`` (the default): scrapy-playwright's download handler
    for http/https, launching Debian's Chromium (``find_chromium()``; set ``RENDER_CHROMIUM`` or
    ``PLAYWRIGHT_LAUNCH_OPTIONS`` to choose another). The handler passes unmarked requests to
    Scrapy's own HTTP handler, and starts the browser at the first marked request.
  ``RENDER_ENGINE = "off"`` wires nothing.

Crawls of outlets that do not need JavaScript therefore start no browser and no Node driver.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.settings import BaseSettings

from crawler.redact import redact
from crawler.rendering import CHROMIUM_ARGS, ENGINES, RenderMiddleware, find_chromium, spider_needs_js

logger = logging.getLogger(__name__)

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


class RenderingError(RuntimeError):
    """Rendering is required but cannot work here; the message says what to install or set."""


def choose_engine(settings: BaseSettings) -> str:
    """``splash`` when SPLASH_URL is set, else RENDER_ENGINE (default ``playwright``)."""
    if settings.get("SPLASH_URL"):
        return "splash"
    engine = (settings.get("RENDER_ENGINE") or "playwright").strip().lower()
    if engine not in ENGINES:
        raise RenderingError(f"RENDER_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "splash":
        raise RenderingError("RENDER_ENGINE=splash needs SPLASH_URL (e.g. http://127.0.0.1:8050)")
    return engine


class RenderingAddon:
    """Chooses the rendering engine and wires it only for crawls that can render."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderingAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        engine = choose_engine(settings)
        needed = spider_needs_js(self.crawler.spidercls) or settings.getbool("RENDER_ENABLED")
        wired = needed and engine != "off"
        # The middleware reads these two; "cmdline" priority because they are derived, not chosen.
        settings.set("RENDER_ENGINE", engine, "cmdline")
        settings.set("RENDER_WIRED", wired, "cmdline")
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", RenderMiddleware, 700)
        if not wired:
            return
        if engine == "splash":
            self._wire_splash(settings)
        else:
            self._wire_playwright(settings)

    def _wire_splash(self, settings: BaseSettings) -> None:
        try:
            from crawler.splash_compat import SplashCompatMiddleware
        except ImportError as exc:
            raise RenderingError(f"SPLASH_URL is set but scrapy-splash cannot be imported ({exc}): "
                                 "pip install 'scrapy-splash==0.11.1'") from exc
        # After RenderMiddleware (700), which writes meta["splash"]; HttpCompression moves after
        # the Splash middleware, as scrapy-splash requires, so Splash's answers are decoded first.
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", SplashCompatMiddleware, 725)
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", HttpCompressionMiddleware, 810)
        logger.info("Rendering JavaScript pages with Splash at %s", redact(settings.get("SPLASH_URL")))

    def _wire_playwright(self, settings: BaseSettings) -> None:
        try:
            import scrapy_playwright  # noqa: F401
        except ImportError as exc:
            raise RenderingError("this crawl renders JavaScript with Playwright, but scrapy-playwright is not "
                                 "installed: pip install scrapy-playwright (or set SPLASH_URL)") from exc
        options = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        if not options.get("executable_path"):
            path = settings.get("RENDER_CHROMIUM") or find_chromium()
            if not path:
                raise RenderingError("no Chromium found for rendering: apt-get install chromium-headless-shell "
                                     "(bash .ci/playwright.sh install), or set RENDER_CHROMIUM")
            options = {"executable_path": path, "headless": True, "args": list(CHROMIUM_ARGS), **options}
            settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", options, "addon")
        settings["DOWNLOAD_HANDLERS"]["http"] = PLAYWRIGHT_HANDLER
        settings["DOWNLOAD_HANDLERS"]["https"] = PLAYWRIGHT_HANDLER
        settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", "addon")
        settings.set("PLAYWRIGHT_ABORT_REQUEST", "crawler.rendering.skip_heavy_resources", "addon")
        settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", 1000 * settings.getfloat("RENDER_TIMEOUT", 30.0), "addon")
        # One context; as many pages as the crawl fetches at once from one site.
        settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, "addon")
        settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 4), "addon")
        logger.info("Rendering JavaScript pages with Playwright and %s", options["executable_path"])


__all__ = ["RenderingAddon", "RenderingError", "choose_engine"]
