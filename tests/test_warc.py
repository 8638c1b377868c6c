"""WARC archiving and replay: the pure writer/index, the downloader middleware, the demo archive
builder, and a real record-then-replay crawl over loopback."""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.middlewares.warc import WarcMiddleware
from crawler.warc import WarcError, WarcIndex, WarcWriter
from tests.sites import LoopbackServer, QuietHandler

ROOT = Path(__file__).resolve().parents[1]
DATE = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
ARTICLE_HTML = (
    "<html><head><meta charset='utf-8'><title>الرئيس يفتتح مشروعات جديدة</title></head>"
    "<body><p>افتتح الرئيس اليوم عدداً من المشروعات في محافظة أسوان.</p></body></html>"
).encode()
ARTICLE_URL = "https://www.youm7.com/story/2025/3/1/خبر-عاجل/123"


def write_sample(path: Path, *, date: datetime | None = DATE) -> None:
    """An archive with a plain Arabic page, a gzip-encoded one and a redirect."""
    with WarcWriter(path) as writer:
        writer.write_exchange(ARTICLE_URL, "GET", {"User-Agent": "test"}, 200, "OK",
                              [("Content-Type", "text/html; charset=utf-8"),
                               ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                              ARTICLE_HTML, date=date)
        writer.write_exchange("https://example.com/gz", "GET", None, 200, "OK",
                              {b"Content-Type": [b"text/html; charset=utf-8"], b"Content-Encoding": [b"gzip"]},
                              gzip.compress(ARTICLE_HTML, mtime=0), date=date)
        # A raw UTF-8 Location, as some Arabic sites send, must survive untouched.
        writer.write_exchange("https://example.com/old", "GET", None, 301, "Moved Permanently",
                              [(b"Location", "https://example.com/مصر".encode())], b"", date=date)


def records(path: Path) -> list[Any]:
    with path.open("rb") as fh:
        return [(r.rec_type, r.rec_headers, r.content_stream().read())
                for r in ArchiveIterator(fh)]


# ------------------------------------------------------------------------- writer and index


def test_round_trip_keeps_status_headers_and_body_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    write_sample(path)
    index = WarcIndex(path)

    page = index.get(ARTICLE_URL)
    assert page is not None
    assert page.status == 200
    assert page.body == ARTICLE_HTML
    assert page.headers == [(b"Content-Type", b"text/html; charset=utf-8"),
                            (b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2")]
    assert page.date == "2025-03-01T12:30:00Z"

    encoded = index.get("https://example.com/gz")
    assert encoded is not None
    assert encoded.header("content-encoding") == b"gzip"
    assert encoded.body == gzip.compress(ARTICLE_HTML, mtime=0)  # stored raw, not decoded

    redirect = index.get("https://example.com/old")
    assert redirect is not None
    assert (redirect.status, redirect.body) == (301, b"")
    assert redirect.header("Location") == "https://example.com/مصر".encode()
    assert index.urls() == ["https://www.youm7.com/story/2025/3/1/%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84/123",
                            "https://example.com/gz", "https://example.com/old"]


def test_records_are_linked_request_response_pairs(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    write_sample(path)
    recs = records(path)
    assert [kind for kind, _, _ in recs] == ["warcinfo"] + ["request", "response"] * 3
    assert recs[0][1].protocol == "WARC/1.1"
    (_, request, request_block), (_, response, _) = recs[1], recs[2]
    assert request.get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID")
    assert response.get_header("WARC-Concurrent-To") == request.get_header("WARC-Record-ID")
    assert request.get_header("WARC-Target-URI") == response.get_header("WARC-Target-URI")
    assert request.get_header("WARC-Date") == response.get_header("WARC-Date") == "2025-03-01T12:30:00Z"
    assert request_block == b""  # a GET has no body; its head is parsed into http_headers


def test_request_record_has_request_line_and_host(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    write_sample(path)
    with path.open("rb") as fh:
        request = next(r for r in ArchiveIterator(fh) if r.rec_type == "request")
        assert request.http_headers.protocol == "GET"
        assert request.http_headers.statusline.startswith("/story/2025/3/1/%D8%AE")
        assert request.http_headers.get_header("Host") == "www.youm7.com"


@pytest.mark.parametrize("lookup", [
    ARTICLE_URL,
    ARTICLE_URL + "#comments",
    "https://www.youm7.com/story/2025/3/1/%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84/123",
])
def test_lookup_normalises_fragment_and_percent_encoding(tmp_path: Path, lookup: str) -> None:
    path = tmp_path / "a.warc.gz"
    write_sample(path)
    page = WarcIndex(path).get(lookup)
    assert page is not None and page.body == ARTICLE_HTML


def test_lookup_normalises_query_order_and_misses_unknown(tmp_path: Path) -> None:
    path = tmp_path / "q.warc.gz"
    with WarcWriter(path) as writer:
        writer.write_exchange("https://e.com/s?b=2&a=1", "GET", None, 200, "OK", [], b"q", date=DATE)
    index = WarcIndex(path)
    assert index.get("https://e.com/s?a=1&b=2") is not None
    assert index.get("https://e.com/s?a=1") is None
    assert "https://e.com/other" not in index


def test_appending_keeps_one_warcinfo_and_latest_record_wins(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    for body in (b"old", b"new"):
        with WarcWriter(path) as writer:
            writer.write_exchange("https://e.com/p", "GET", None, 200, "OK", [], body, date=DATE)
    assert [kind for kind, _, _ in records(path)].count("warcinfo") == 1
    index = WarcIndex(path)
    assert index.urls() == ["https://e.com/p"]
    assert index.get("https://e.com/p").body == b"new"  # type: ignore[union-attr]


def test_output_is_reproducible_only_with_a_fixed_date(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    write_sample(tmp_path / "x" / "a.warc.gz")
    write_sample(tmp_path / "y" / "a.warc.gz")
    assert (tmp_path / "x" / "a.warc.gz").read_bytes() == (tmp_path / "y" / "a.warc.gz").read_bytes()
    write_sample(tmp_path / "x" / "b.warc.gz", date=None)
    write_sample(tmp_path / "y" / "b.warc.gz", date=None)
    assert (tmp_path / "x" / "b.warc.gz").read_bytes() != (tmp_path / "y" / "b.warc.gz").read_bytes()


def test_uncompressed_warc_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    write_sample(path)
    plain = tmp_path / "a.warc"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    assert WarcIndex(plain).get(ARTICLE_URL).body == ARTICLE_HTML  # type: ignore[union-attr]


def test_chunked_record_from_another_tool_is_dechunked(tmp_path: Path) -> None:
    # wget and warcprox keep the chunked framing in the record; Scrapy needs the plain body.
    path = tmp_path / "foreign.warc.gz"
    chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        http_headers = StatusAndHeaders("200 OK", [("Transfer-Encoding", "chunked")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://e.com/c", "response", payload=BytesIO(chunked),
                                                      length=len(chunked), http_headers=http_headers))
    page = WarcIndex(path).get("https://e.com/c")
    assert page is not None
    assert page.body == b"hello world"
    assert page.header("Transfer-Encoding") is None


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _header_cut(data: bytes) -> bytes:
    # Ends inside the WARC headers of the last record: warcio alone would stop without complaint.
    raw = gzip.decompress(data)
    return raw[: raw.rindex(b"WARC-Type: response") + 40]


@pytest.mark.parametrize(("name", "damage", "message"), [
    ("missing", None, "not found"),
    ("junk", lambda data: b"<html>not an archive</html>\n" * 5, "cannot read"),
    ("truncated-gzip", _truncated, ""),
    ("truncated-plain", lambda data: gzip.decompress(data)[:-200], "truncated"),
    ("header-cut", _header_cut, "Content-Length"),
    ("single-gzip-stream", lambda data: gzip.compress(gzip.decompress(data)), "recompress"),
])
def test_missing_or_damaged_file_raises_one_line_warc_error(tmp_path: Path, name: str, damage: Any,
                                                            message: str) -> None:
    good = tmp_path / "good.warc.gz"
    write_sample(good)
    path = tmp_path / f"{name}.warc.gz"
    if damage is not None:
        path.write_bytes(damage(good.read_bytes()))
    with pytest.raises(WarcError) as caught:
        WarcIndex(path)
    text = str(caught.value)
    assert "\n" not in text
    assert message in text


def test_writer_refuses_writes_after_close(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path / "a.warc.gz")
    writer.close()
    with pytest.raises(WarcError):
        writer.write_exchange("https://e.com/", "GET", None, 200, "OK", [], b"", date=DATE)


# ------------------------------------------------------------------------------ middleware


def make_middleware(**settings: Any) -> tuple[WarcMiddleware, Any]:
    crawler = get_crawler(settings_dict=settings)
    return WarcMiddleware.from_crawler(crawler), crawler


def test_middleware_sits_above_http_compression_in_project_settings() -> None:
    # process_response runs from high priority to low: above 590 it sees the body still gzip'd.
    from crawler import settings

    priority = settings.DOWNLOADER_MIDDLEWARES["crawler.middlewares.warc.WarcMiddleware"]
    assert priority > DOWNLOADER_MIDDLEWARES_BASE[
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"]
    assert settings.WARC_OUTPUT is None and settings.REPLAY_WARC is None


def test_middleware_disabled_without_settings() -> None:
    with pytest.raises(NotConfigured):
        make_middleware()


def test_replay_missing_archive_fails_at_startup(tmp_path: Path) -> None:
    with pytest.raises(WarcError, match="REPLAY_WARC"):
        make_middleware(REPLAY_WARC=str(tmp_path / "nope.warc.gz"))


def test_replay_serves_recorded_response_and_scrapy_decodes_gzip(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    write_sample(path)
    middleware, crawler = make_middleware(REPLAY_WARC=str(path))
    request = Request("https://example.com/gz")
    response = middleware.process_request(request)
    # Still encoded, so a plain Response, exactly what the HTTP handler hands over for a live page.
    assert type(response) is Response
    assert response.status == 200 and response.body[:2] == b"\x1f\x8b"
    decoded = HttpCompressionMiddleware.from_crawler(crawler).process_response(request, response)
    assert isinstance(decoded, HtmlResponse)
    assert decoded.css("title::text").get() == "الرئيس يفتتح مشروعات جديدة"
    assert crawler.stats.get_value("warc/replay_hits") == 1

    redirect = middleware.process_request(Request("https://example.com/old"))
    assert redirect is not None and redirect.status == 301
    assert redirect.headers.getlist("Set-Cookie") == []
    article = middleware.process_request(Request(ARTICLE_URL))
    assert isinstance(article, HtmlResponse) and article.body == ARTICLE_HTML
    assert article.headers.getlist("Set-Cookie") == [b"a=1", b"b=2"]
    assert "warc" in article.flags


def test_replay_unknown_url_is_404_counted_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "a.warc.gz"
    write_sample(path)
    middleware, crawler = make_middleware(REPLAY_WARC=str(path))
    with caplog.at_level(logging.DEBUG, logger="crawler.middlewares.warc"):
        response = middleware.process_request(Request("https://example.com/robots.txt"))
    assert response is not None and response.status == 404 and response.body == b""
    assert crawler.stats.get_value("warc/replay_missing") == 1
    assert "https://example.com/robots.txt" in caplog.text


def test_archive_mode_writes_raw_response(tmp_path: Path) -> None:
    path = tmp_path / "out" / "crawl.warc.gz"
    middleware, crawler = make_middleware(WARC_OUTPUT=str(path))
    request = Request("https://example.com/a", headers={"Accept-Encoding": "gzip"})
    body = gzip.compress(ARTICLE_HTML)
    response = Response("https://example.com/a", status=200, body=body, request=request,
                        headers={"Content-Encoding": "gzip", "Transfer-Encoding": "chunked"})
    assert middleware.process_request(request) is None  # no replay: the download goes ahead
    assert middleware.process_response(request, response) is response
    middleware.spider_closed()
    assert crawler.stats.get_value("warc/records_written") == 3  # warcinfo, request, response
    archived = WarcIndex(path).get("https://example.com/a")
    assert archived is not None and archived.body == body
    with path.open("rb") as fh:
        response_record = next(r for r in ArchiveIterator(fh) if r.rec_type == "response")
        # The body we hold is no longer chunked, so the record must not claim it is.
        assert response_record.http_headers.get_header("Transfer-Encoding") is None
        assert response_record.http_headers.get_header("Content-Encoding") == "gzip"


def test_replay_while_archiving_skips_invented_404s(tmp_path: Path) -> None:
    source, copy = tmp_path / "a.warc.gz", tmp_path / "copy.warc.gz"
    write_sample(source)
    middleware, _ = make_middleware(REPLAY_WARC=str(source), WARC_OUTPUT=str(copy))
    for url in (ARTICLE_URL, "https://example.com/missing"):
        request = Request(url)
        middleware.process_response(request, middleware.process_request(request))  # type: ignore[arg-type]
    middleware.spider_closed()
    copied = WarcIndex(copy)
    assert len(copied) == 1
    assert copied.get(ARTICLE_URL).body == ARTICLE_HTML  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- demo builder


def load_build_warc() -> Any:
    spec = importlib.util.spec_from_file_location("build_warc", ROOT / "demo" / "build_warc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_warc_is_byte_reproducible(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "article-1.html").write_bytes(ARTICLE_HTML)
    (site / "manifest.json").write_text(json.dumps({"outlet": "youm7", "pages": [
        {"url": ARTICLE_URL, "file": "article-1.html", "content_type": "text/html; charset=utf-8",
         "status": 200},
        {"url": "https://www.youm7.com/old", "status": 301, "headers": {"Location": ARTICLE_URL}},
    ]}, ensure_ascii=False), encoding="utf-8")
    build_warc = load_build_warc()
    first, second = tmp_path / "one" / "demo.warc.gz", tmp_path / "two" / "demo.warc.gz"
    first.parent.mkdir()
    second.parent.mkdir()
    assert build_warc.main([str(site), "-o", str(first)]) == 0
    assert build_warc.main([str(site), "-o", str(first)]) == 0  # rebuilt in place, not appended
    assert build_warc.main([str(site), "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    index = WarcIndex(first)
    assert len(index) == 2
    assert index.get(ARTICLE_URL).body == ARTICLE_HTML  # type: ignore[union-attr]
    assert index.get("https://www.youm7.com/old").status == 301  # type: ignore[union-attr]


def test_build_warc_reports_a_missing_page_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"outlet": "x", "pages": [{"url": "https://x.com/", "file": "gone.html"}]}), encoding="utf-8")
    output = tmp_path / "demo.warc.gz"
    assert load_build_warc().main([str(tmp_path), "-o", str(output)]) == 1
    assert "gone.html" in capsys.readouterr().err
    assert not output.exists()


# ------------------------------------------------------------------- end-to-end over loopback


def page_html(number: int) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>خبر رقم {number}</title></head>"
            f"<body><p>نص الخبر رقم {number} عن الاقتصاد المصري.</p></body></html>").encode()


class SiteHandler(QuietHandler):
    """A tiny news site: robots.txt, an index, a chunked page, a gzip page and a redirect."""

    protocol_version = "HTTP/1.1"  # needed for the chunked page

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        routes = {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
            "/": (200, {"Content-Type": "text/html; charset=utf-8"},
                  b"<a href='/page-1'>1</a><a href='/page-2'>2</a><a href='/old-page'>3</a>"
                  b"<a href='/private/secret'>x</a><a href='/missing'>y</a>"),
            "/page-2": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
                        gzip.compress(page_html(2))),
            "/old-page": (301, {"Location": "/page-3"}, b""),
            "/page-3": (200, {"Content-Type": "text/html; charset=utf-8"}, page_html(3)),
        }
        if self.path == "/page-1":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            body = page_html(1)
            for chunk in (body[:40], body[40:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        status, headers, body = routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


SPIDER = '''
import json
from pathlib import Path

import scrapy


class SiteSpider(scrapy.Spider):
    name = "site"

    async def start(self):
        yield scrapy.Request(self.base + "/")

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse_page)

    def parse_page(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "title": response.css("title::text").get(),
            "text": response.css("p::text").get(),
            "redirect_urls": response.meta.get("redirect_urls", []),
        }

    def closed(self, reason):
        Path(self.stats_out).write_text(json.dumps(self.crawler.stats.get_stats(), default=str))
'''


class NewsSite(LoopbackServer):
    def __init__(self) -> None:
        self._bind(SiteHandler)


@pytest.fixture
def news_site() -> Iterator[ThreadingHTTPServer]:
    with NewsSite() as site:
        yield site.server


def crawl(tmp_path: Path, name: str, base: str, **settings: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the spider in a fresh process; return its items (sorted by URL) and final stats."""
    spider = tmp_path / "site_spider.py"
    spider.write_text(SPIDER, encoding="utf-8")
    items, stats = tmp_path / f"{name}.jsonl", tmp_path / f"{name}-stats.json"
    command = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-O", f"{items}:jsonlines",
               "-a", f"base={base}", "-a", f"stats_out={stats}"]
    defaults = {
        "ROBOTSTXT_OBEY": "True", "TELNETCONSOLE_ENABLED": "False", "REMOTE_CONTROL_ENABLED": "False",
        "LOG_LEVEL": "INFO", "RETRY_ENABLED": "False", "ITEM_PIPELINES": "{}", "DOWNLOAD_TIMEOUT": "5",
        "FEED_EXPORT_ENCODING": "utf-8",
        "DOWNLOADER_MIDDLEWARES": json.dumps({"crawler.middlewares.warc.WarcMiddleware": 950}),
    }
    for key, value in {**defaults, **settings}.items():
        command += ["-s", f"{key}={value}"]
    # Run outside the project folder so only these settings apply, not components still being written.
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = items.read_text(encoding="utf-8").splitlines()
    return sorted((json.loads(line) for line in lines), key=lambda item: item["url"]), \
        json.loads(stats.read_text(encoding="utf-8"))


def test_crawl_recorded_to_warc_replays_identically_without_network(
    tmp_path: Path, news_site: ThreadingHTTPServer
) -> None:
    host, port = news_site.server_address[:2]
    base = f"http://{host}:{port}"
    archive, copy = tmp_path / "crawl.warc.gz", tmp_path / "copy.warc.gz"

    recorded, recorded_stats = crawl(tmp_path, "recorded", base, WARC_OUTPUT=str(archive))
    assert [item["url"] for item in recorded] == [f"{base}/page-{n}" for n in (1, 2, 3)]
    assert [item["title"] for item in recorded] == [f"خبر رقم {n}" for n in (1, 2, 3)]
    assert recorded[2]["redirect_urls"] == [f"{base}/old-page"]
    assert recorded_stats["robotstxt/forbidden"] == 1
    responses = recorded_stats["downloader/response_count"]
    assert recorded_stats["warc/records_written"] == 1 + 2 * responses

    index = WarcIndex(archive)
    gz_page = index.get(f"{base}/page-2")
    assert gz_page is not None and gz_page.header("Content-Encoding") == b"gzip"
    assert gzip.decompress(gz_page.body) == page_html(2)  # archived before Scrapy decoded it
    assert index.get(f"{base}/page-1").body == page_html(1)  # type: ignore[union-attr]  # de-chunked
    assert index.get(f"{base}/old-page").status == 301  # type: ignore[union-attr]
    assert index.get(f"{base}/missing").status == 404  # type: ignore[union-attr]
    assert f"{base}/robots.txt" in index

    # Take the site down and leave a bare listening socket on its port: any connection the replay
    # attempted would be queued there and counted.
    news_site.shutdown()
    news_site.server_close()
    tripwire = socket.socket()
    tripwire.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tripwire.bind((host, port))
    tripwire.listen(16)
    tripwire.setblocking(False)
    try:
        replayed, replayed_stats = crawl(tmp_path, "replayed", base, REPLAY_WARC=str(archive),
                                         WARC_OUTPUT=str(copy))
        attempts = 0
        while True:
            try:
                tripwire.accept()[0].close()
                attempts += 1
            except BlockingIOError:
                break
    finally:
        tripwire.close()

    assert attempts == 0
    assert replayed == recorded
    assert replayed_stats["warc/replay_hits"] == responses
    assert "warc/replay_missing" not in replayed_stats
    assert replayed_stats["robotstxt/forbidden"] == 1  # robots.txt came from the archive too
    assert sorted(WarcIndex(copy).urls()) == sorted(index.urls())
