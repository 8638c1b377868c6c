"""JavaScript rendering per outlet and per request, with the real engines.

A local site (127.0.0.1) serves two outlets. ``scripted-site`` (``needs_js``) sends article pages
whose headline and text are written by an external script after a timer, so they exist only in a
browser's DOM. ``static-site`` sends ordinary HTML articles that also include a probe script: a
browser would fetch it, Scrapy's HTTP client never does, so probe hits count rendered pages.

Service tests crawl ``scripted-site`` through scrapy-playwright with Debian's Chromium and through
a real Splash 3.5 server (started by .ci/splash.sh on a free port), and check the stored articles.
The other tests need no service: the add-on's wiring, which requests are chosen, that the static
outlet is fetched without any browser, and that the scripted outlet really yields nothing unrendered.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.addons.rendering import PLAYWRIGHT_HANDLER, RenderingAddon, RenderingError, choose_engine
from crawler.rendering import RenderMiddleware, find_chromium, skip_heavy_resources, wants_render
from tests.service_spiders import ScriptedSiteSpider, StaticSiteSpider
from tests.sites import LoopbackServer, QuietHandler

ROOT = Path(__file__).resolve().parents[1]
ADDONS = json.dumps({"crawler.addons.rendering.RenderingAddon": 200})
JS_ARTICLES = (1, 2, 3)
STATIC_ARTICLES = (101, 102, 103)

# The script assembles each sentence from words at run time, so no sentence below appears in
# any byte the server sends; only a JavaScript engine can produce it.
SCRIPT_WORDS = {
    1: (["افتتاح", "جسر", "جديد", "فوق", "النهر"],
        ["شاركت", "فرق", "هندسية", "من", "ثلاث", "مدن", "في", "بناء", "الجسر", "خلال", "عامين", "كاملين",
         "وسيخفف", "الازدحام", "عن", "وسط", "المدينة", "بحسب", "البلدية"]),
    2: (["موسم", "قطاف", "الزيتون", "يبدأ", "مبكراً"],
        ["بدأ", "المزارعون", "في", "القرى", "الجبلية", "قطاف", "الزيتون", "قبل", "موعده", "المعتاد",
         "بأسبوعين", "بسبب", "ارتفاع", "درجات", "الحرارة", "في", "الخريف", "الحالي"]),
    3: (["مكتبة", "الحي", "تمدد", "ساعات", "عملها"],
        ["قررت", "إدارة", "مكتبة", "الحي", "فتح", "أبوابها", "حتى", "منتصف", "الليل", "طوال", "أيام",
         "الامتحانات", "لتستقبل", "الطلاب", "الذين", "يبحثون", "عن", "مكان", "هادئ"]),
}


def rendered_title(n: int) -> str:
    return " ".join(SCRIPT_WORDS[n][0])


def rendered_sentence(n: int) -> str:
    return " ".join(SCRIPT_WORDS[n][1]) + "."


STORY_JS = """(function () {
  var stories = %s;
  var n = document.body.getAttribute('data-story');
  setTimeout(function () {
    var story = stories[n];
    var title = story[0].join(' ');
    document.title = title;
    document.getElementById('headline').appendChild(document.createTextNode(title));
    var box = document.getElementById('text');
    for (var i = 0; i < 3; i++) {
      var p = document.createElement('p');
      p.appendChild(document.createTextNode(story[1].join(' ') + '.'));
      box.appendChild(p);
    }
  }, 150);
})();
"""


def scripted_page(n: int) -> str:
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>جار التحميل</title></head>'
            f'<body data-story="{n}"><article><h1 id="headline"></h1><div id="text" class="article-body"></div>'
            '</article><script src="/assets/story.js"></script></body></html>')


def static_page(n: int) -> str:
    title = f"البلدية تزرع ألف شجرة في الحدائق العامة رقم {n}"
    text = ("أطلقت البلدية حملة لزراعة ألف شجرة في الحدائق العامة والشوارع الرئيسية، "
            "بمشاركة متطوعين من المدارس والجامعات، على أن تستمر الحملة حتى نهاية الشهر.")
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><article><h1>{title}</h1><div class="article-body"><p>{text}</p><p>{text}</p></div></article>'
            f'<script src="/assets/probe.js?page={n}"></script></body></html>')


def sitemap(base: str, numbers: tuple[int, ...]) -> str:
    urls = "".join(f"<url><loc>{base}/news/{n}.html</loc></url>" for n in numbers)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


class TwoOutletSite(LoopbackServer):
    """Serves both outlets; ``hits`` counts requests per path (without the query)."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        site = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                path = self.path.split("?")[0]
                with site.lock:
                    site.hits[path] += 1
                body, ctype = site.page(path)
                data = (body or "").encode("utf-8")
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)


        self._bind(Handler)

    def page(self, path: str) -> tuple[str | None, str]:
        html, xml, js = "text/html; charset=utf-8", "application/xml; charset=utf-8", "application/javascript; charset=utf-8"
        if path == "/js/sitemap.xml":
            return sitemap(self.base, JS_ARTICLES), xml
        if path == "/static/sitemap.xml":
            return sitemap(self.base, STATIC_ARTICLES), xml
        if path == "/assets/story.js":
            return STORY_JS % json.dumps({str(k): v for k, v in SCRIPT_WORDS.items()}, ensure_ascii=False), js
        if path == "/assets/probe.js":
            return "/* a browser fetched this */", js
        m = re.fullmatch(r"/news/(\d+)\.html", path)
        if m and int(m[1]) in JS_ARTICLES:
            return scripted_page(int(m[1])), html
        if m and int(m[1]) in STATIC_ARTICLES:
            return static_page(int(m[1])), html
        return None, "text/plain"



def crawl(spider: str, site: TwoOutletSite, tmp: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    kind = "js" if spider == "scripted-site" else "static"
    db = tmp / f"{spider}.sqlite3"
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"sources={site.base}/{kind}/sitemap.xml",
           "-s", "SPIDER_MODULES=tests.service_spiders", "-s", f"ADDONS={ADDONS}",
           "-s", f"SQLITE_PATH={db}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO", *args]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    rows: list[dict] = []
    if db.exists():
        con = sqlite3.connect(db)
        con.row_factory = sqlite3.Row
        try:
            rows = [dict(r) for r in con.execute("select * from articles order by url")]
        finally:
            con.close()
    return result, rows


def stats_of(log: str) -> dict[str, int]:
    dump = log.rpartition("Dumping Scrapy stats:")[2]
    return {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+)[,}]", dump)}


def assert_rendered_articles(result: subprocess.CompletedProcess, rows: list[dict], site: TwoOutletSite) -> dict:
    assert result.returncode == 0, result.stderr[-3000:]
    by_number = {int(re.search(r"/news/(\d+)\.html", r["url"])[1]): r for r in rows}
    assert sorted(by_number) == list(JS_ARTICLES), result.stderr[-3000:]
    for n, row in by_number.items():
        assert row["title"] == rendered_title(n)
        assert rendered_sentence(n) in row["body"]
    assert site.hits["/assets/story.js"] >= 1  # a browser loaded the script (it may cache it after that)
    stats = stats_of(result.stderr)
    assert site.hits["/js/sitemap.xml"] == 1
    return stats


# ----- fast: wiring and choice of requests -----------------------------------------------------------


def test_the_text_exists_only_after_javascript_runs():
    """The fixture is honest: no served byte contains a sentence the test later looks for."""
    with TwoOutletSite() as site:
        served = "".join(site.page(p)[0] or "" for p in ("/assets/story.js", "/news/1.html", "/news/2.html", "/news/3.html"))
    for n in JS_ARTICLES:
        assert rendered_sentence(n)[:-1] not in served
        assert rendered_title(n) not in served


def _crawler(spidercls, **settings):
    return get_crawler(spidercls, {"ADDONS": {RenderingAddon: 200}, **settings})


needs_scrapy_playwright = pytest.mark.skipif(importlib.util.find_spec("scrapy_playwright") is None,
                                             reason="scrapy-playwright is not installed (pip install -e '.[render]')")
needs_scrapy_splash = pytest.mark.skipif(importlib.util.find_spec("scrapy_splash") is None,
                                         reason="scrapy-splash is not installed (pip install -e '.[render]')")


@needs_scrapy_playwright
def test_playwright_is_wired_only_for_an_outlet_that_needs_js(monkeypatch):
    monkeypatch.setattr("crawler.addons.rendering.find_chromium", lambda: "/usr/lib/chromium/chromium-headless-shell")
    js = _crawler(ScriptedSiteSpider).settings
    assert js.getdict("DOWNLOAD_HANDLERS")["https"] == PLAYWRIGHT_HANDLER
    assert js.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == "/usr/lib/chromium/chromium-headless-shell"
    assert js.get("RENDER_ENGINE") == "playwright" and js.getbool("RENDER_WIRED")
    static = _crawler(StaticSiteSpider).settings
    assert PLAYWRIGHT_HANDLER not in static.getdict("DOWNLOAD_HANDLERS").values()  # no browser
    assert not static.getbool("RENDER_WIRED")
    assert RenderMiddleware in static.getdict("DOWNLOADER_MIDDLEWARES")  # the cheap guard stays


@needs_scrapy_playwright
def test_render_enabled_wires_an_outlet_that_renders_per_request(monkeypatch):
    monkeypatch.setattr("crawler.addons.rendering.find_chromium", lambda: "/usr/bin/chromium")
    s = _crawler(StaticSiteSpider, RENDER_ENABLED=True).settings
    assert s.getdict("DOWNLOAD_HANDLERS")["http"] == PLAYWRIGHT_HANDLER


@needs_scrapy_splash
def test_splash_url_selects_splash_with_the_compat_middleware():
    from crawler.splash_compat import SplashCompatMiddleware

    s = _crawler(ScriptedSiteSpider, SPLASH_URL="http://127.0.0.1:8050").settings
    assert s.get("RENDER_ENGINE") == "splash"
    mws = s.getdict("DOWNLOADER_MIDDLEWARES")
    assert mws[SplashCompatMiddleware] == 725 and mws[RenderMiddleware] < 725
    assert PLAYWRIGHT_HANDLER not in s.getdict("DOWNLOAD_HANDLERS").values()


@needs_scrapy_playwright
def test_a_missing_browser_is_a_clear_error(monkeypatch):
    monkeypatch.setattr("crawler.addons.rendering.find_chromium", lambda: None)
    with pytest.raises(RenderingError, match="apt-get install chromium-headless-shell"):
        _crawler(ScriptedSiteSpider)


@pytest.mark.parametrize(("values", "expected"), [
    ({}, "playwright"),
    ({"RENDER_ENGINE": "off"}, "off"),
    ({"RENDER_ENGINE": "Playwright"}, "playwright"),
    ({"SPLASH_URL": "http://127.0.0.1:8050"}, "splash"),
    ({"SPLASH_URL": "http://127.0.0.1:8050", "RENDER_ENGINE": "playwright"}, "splash"),
])
def test_choose_engine(values, expected):
    assert choose_engine(Settings(values)) == expected


@pytest.mark.parametrize("values", [{"RENDER_ENGINE": "selenium"}, {"RENDER_ENGINE": "splash"}])
def test_choose_engine_rejects_what_cannot_work(values):
    with pytest.raises(RenderingError):
        choose_engine(Settings(values))


@pytest.mark.parametrize(("spidercls", "callback", "meta", "expected"), [
    (ScriptedSiteSpider, "parse_article", {}, True),  # an article of a JS outlet
    (ScriptedSiteSpider, "parse_source", {}, False),  # its sitemaps and feeds: never
    (ScriptedSiteSpider, "parse_article", {"render": False}, False),  # a request may opt out
    (StaticSiteSpider, "parse_article", {}, False),
    (StaticSiteSpider, "parse_source", {"render": True}, True),  # ... or in
])
def test_wants_render(spidercls, callback, meta, expected):
    spider = spidercls()
    request = Request("http://127.0.0.1/news/1.html", callback=getattr(spider, callback), meta=meta)
    assert wants_render(request, spider) is expected


def test_heavy_resources_are_skipped_in_rendered_pages():
    class Resource:
        def __init__(self, kind):
            self.resource_type = kind

    assert [skip_heavy_resources(Resource(k)) for k in ("image", "font", "media", "script", "document", "xhr")] == [
        True, True, True, False, False, False]


def test_static_outlet_is_fetched_without_a_browser(tmp_path):
    """With the add-on active and Playwright the default engine, a non-JS outlet starts no browser
    and no page of it is rendered: the probe script in every page is never fetched."""
    with TwoOutletSite() as site:
        result, rows = crawl("static-site", site, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(rows) == len(STATIC_ARTICLES)
    assert site.hits["/assets/probe.js"] == 0
    stats = stats_of(result.stderr)
    assert not [k for k in stats if k.startswith(("render/", "playwright/", "splash/"))], stats
    assert "scrapy-playwright" not in result.stderr  # its handler never started


def test_scripted_outlet_stores_nothing_without_rendering(tmp_path):
    """The control: fetched as plain HTML, the scripted pages have no article, and the crawl says
    rendering was asked for but off."""
    with TwoOutletSite() as site:
        result, rows = crawl("scripted-site", site, tmp_path, "-s", "RENDER_ENGINE=off")
    # Nothing stored and every page dropped is the bad run the monitors exist to catch: exit 3.
    assert result.returncode == 3, result.stderr[-3000:]
    assert rows == []
    stats = stats_of(result.stderr)
    assert stats.get("render/not_enabled") == len(JS_ARTICLES)
    assert site.hits["/assets/story.js"] == 0


# ----- service: the real engines ---------------------------------------------------------------------


@pytest.mark.service
def test_playwright_with_debian_chromium_renders_the_articles(tmp_path):
    pytest.importorskip("scrapy_playwright", reason="scrapy-playwright is not installed (bash .ci/playwright.sh install)")
    if find_chromium() is None:
        pytest.skip("no Chromium installed (bash .ci/playwright.sh install)")
    with TwoOutletSite() as site:
        result, rows = crawl("scripted-site", site, tmp_path)
        stats = assert_rendered_articles(result, rows, site)
    assert stats.get("render/playwright") == len(JS_ARTICLES)  # the articles, not the sitemap
    assert stats.get("playwright/request_count/navigation") == len(JS_ARTICLES)
    assert stats.get("playwright/browser_count") == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def splash_url(tmp_path):
    """SPLASH_URL from the environment, else a Splash started by .ci/splash.sh on a free port."""
    if os.environ.get("SPLASH_URL"):
        yield os.environ["SPLASH_URL"]
        return
    if importlib.util.find_spec("scrapy_splash") is None:
        pytest.skip("scrapy-splash is not installed (pip install -e '.[render]')")
    import crawler.splash_compat  # noqa: F401 - scrapy_splash imports only after its shim (any test order)
    venv = Path(os.environ.get("SPLASH_VENV", ROOT / ".venv-splash"))
    if not (venv / "bin" / "python").exists() or shutil.which("Xvfb") is None:
        pytest.skip("Splash is not installed (bash .ci/splash.sh install)")
    env = {**os.environ, "SPLASH_VENV": str(venv), "SPLASH_PORT": str(_free_port()), "SPLASH_RUN": str(tmp_path / "splash")}
    script = ROOT / ".ci" / "splash.sh"
    started = subprocess.run(["bash", str(script), "start"], env=env, capture_output=True, text=True, timeout=60)
    try:
        assert started.returncode == 0, started.stderr + (tmp_path / "splash" / "splash.log").read_text(errors="replace")[-2000:]
        yield started.stdout.strip().rpartition("SPLASH_URL=")[2]
    finally:
        subprocess.run(["bash", str(script), "stop"], env=env, capture_output=True, timeout=60)


@pytest.mark.service
def test_splash_renders_the_articles(splash_url, tmp_path):
    with TwoOutletSite() as site:
        result, rows = crawl("scripted-site", site, tmp_path, "-s", f"SPLASH_URL={splash_url}")
        stats = assert_rendered_articles(result, rows, site)
    assert stats.get("render/splash") == len(JS_ARTICLES)
    assert stats.get("splash/render.html/response_count/200") == len(JS_ARTICLES)


def test_project_settings_enable_the_addon():
    """The one line in crawler/settings.py that wires rendering."""
    import crawler.settings as project

    settings = Settings()
    settings.setmodule(project)
    assert "crawler.addons.rendering.RenderingAddon" in settings.getdict("ADDONS")
    assert not settings.get("SPLASH_URL")  # Playwright unless a Splash server is named
