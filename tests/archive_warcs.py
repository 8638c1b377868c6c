"""WARC files for the archive tests, written here in Common Crawl News' layout:

    crawl-data/CC-NEWS/2025/03/warc.paths.gz              one relative key per line
    crawl-data/CC-NEWS/2025/03/CC-NEWS-20250301000000-00001.warc.gz

Records are gzip'd one per member (as Common Crawl writes them), request + response pairs, plus the
kinds an archive also holds: revisits, metadata, redirects, images, chunked and gzip-encoded
responses. ``StaticServer`` serves such a folder on 127.0.0.1, standing in for
https://data.commoncrawl.org/.
"""

from __future__ import annotations

import functools
import gzip
import json
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.warc import WarcWriter
from tests.sites import FIXTURES, LoopbackServer

CC_MONTH = "crawl-data/CC-NEWS/2025/03"
HTML = "text/html; charset=utf-8"


def fixture_page(outlet: str, name: str) -> tuple[str, bytes]:
    """(real URL, HTML bytes) of a fixture site's page, by file name."""
    manifest = json.loads((FIXTURES / outlet / "manifest.json").read_text(encoding="utf-8"))
    page = next(p for p in manifest["pages"] if p.get("file") == name)
    return page["url"], (FIXTURES / outlet / name).read_bytes()


ENGLISH_PAGE = (b"<html lang='en'><head><title>Markets close higher</title></head><body>"
                + b"<p>Stocks rose on Monday as investors weighed the latest figures from the central bank.</p>" * 12
                + b"</body></html>")
# An English template around an Arabic story: the lang attribute lies, the text does not.
MISLABELLED_PAGE = (
    "<html lang='en'><head><meta charset='utf-8'><title>افتتاح مكتبة جديدة في الحي القديم</title>"
    "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": \"افتتاح مكتبة جديدة في الحي القديم\","
    "\"datePublished\": \"2025-03-01T09:00:00+03:00\"}</script></head><body><h1>افتتاح مكتبة جديدة في الحي القديم</h1>"
    + "".join(f"<p>{line}</p>" for line in (
        "افتتحت البلدية صباح اليوم مكتبة عامة جديدة في الحي القديم تضم آلاف الكتب والمراجع للطلاب والباحثين.",
        "وقال رئيس البلدية إن المكتبة ستفتح أبوابها طوال أيام الأسبوع من الثامنة صباحا حتى العاشرة مساء.",
        "وتضم المكتبة قاعة للأطفال وأخرى للمطالعة الهادئة ومختبرا للحاسوب مزودا بأجهزة حديثة وشبكة سريعة.",
        "وأشار إلى أن المشروع استغرق عامين وبلغت كلفته نحو مليوني دينار بتمويل من صندوق التنمية المحلية.",
        "وعبر عدد من سكان الحي عن سعادتهم بالمشروع الذي طال انتظاره وقالوا إنه سيغير حياة أبنائهم.",
        "ومن المقرر أن تستضيف المكتبة الشهر المقبل معرضا للكتاب بمشاركة دور نشر من عدة دول عربية."))
    + "</body></html>").encode()


def cc_news_name(stamp: str, serial: int) -> str:
    return f"CC-NEWS-{stamp}-{serial:05d}.warc.gz"


def write_records(path: Path, records: list[dict], date: datetime) -> None:
    """Each record: url, body, and optional content_type, status, headers (list of pairs), date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with WarcWriter(path, filename=path.name) as writer:
        for r in records:
            headers = [("Content-Type", r.get("content_type", HTML)), *r.get("headers", [])]
            status = r.get("status", 200)
            writer.write_exchange(r["url"], "GET", {"User-Agent": "CCBot/2.0"}, status,
                                  {200: "OK", 301: "Moved Permanently", 404: "Not Found"}.get(status, ""),
                                  headers, r["body"], date=r.get("date", date))


def append_revisit_and_metadata(path: Path, url: str, date: datetime) -> None:
    """A revisit record (identical payload to an earlier capture) and a metadata record."""
    with path.open("ab") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", HTML)], protocol="HTTP/1.1")
        revisit = writer.create_revisit_record(url, digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                               refers_to_uri=url, refers_to_date=date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                               http_headers=http)
        writer.write_record(revisit)
        payload = b"fetchTimeMs: 120\r\n"
        writer.write_record(writer.create_warc_record(url, "metadata", payload=BytesIO(payload),
                                                      length=len(payload), warc_content_type="application/warc-fields"))


def append_chunked(path: Path, url: str, body: bytes, date: datetime) -> None:
    """A response kept with its chunked framing, as wget and warcprox store it (our writer
    records the de-chunked body)."""
    framed = chunked(body)
    with path.open("ab") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", HTML), ("Transfer-Encoding", "chunked")],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            url, "response", payload=BytesIO(framed), length=len(framed), http_headers=http,
            warc_headers_dict={"WARC-Date": date.strftime("%Y-%m-%dT%H:%M:%SZ")}))


def chunked(body: bytes, size: int = 700) -> bytes:
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


def write_listing(folder: Path, keys: list[str]) -> Path:
    listing = folder / "warc.paths.gz"
    listing.write_bytes(gzip.compress(("\n".join(keys) + "\n").encode(), mtime=0))
    return listing


def build_cc_news(root: Path) -> dict:
    """Three CC-NEWS files of March 2025 under ``root`` and their listing. The first two start on
    1 and 2 March, the third on 5 March. Returns what a crawl of 1-2 March must store."""
    month = root / CC_MONTH
    youm7_a = fixture_page("youm7", "story-7012345.html")
    youm7_b = fixture_page("youm7", "story-7013370.html")
    youm7_section = fixture_page("youm7", "section-65-page-1.html")
    generic = fixture_page("generic", "city-library-night-hours.html")
    day1, day2, day5 = (datetime(2025, 3, d, 6, 0, tzinfo=UTC) for d in (1, 2, 5))
    first = month / cc_news_name("20250301000000", 1)
    write_records(first, [
        {"url": youm7_a[0], "body": youm7_a[1]},
        {"url": "https://www.reuters.com/markets/stocks-rise-2025-03-01/", "body": ENGLISH_PAGE},
        {"url": youm7_section[0], "body": youm7_section[1]},
        {"url": "https://www.youm7.com/old-story", "status": 301, "body": b"",
         "headers": [("Location", youm7_a[0])]},
        {"url": "https://www.youm7.com/images/a.jpg", "content_type": "image/jpeg", "body": b"\xff\xd8\xff" * 100},
        # a site we have no module for, gzip-encoded as the server sent it
        {"url": generic[0], "body": gzip.compress(generic[1], mtime=0), "headers": [("Content-Encoding", "gzip")]},
        {"url": "https://www.example-news.net/2025/03/01/maktaba-jadida-fi-alhay-alqadim/", "body": MISLABELLED_PAGE},
    ], day1)
    append_revisit_and_metadata(first, youm7_a[0], day1)
    second = month / cc_news_name("20250302000000", 2)
    write_records(second, [
        {"url": "https://www.youm7.com/story/2025/3/3/late/7099999", "body": youm7_b[1],
         "date": datetime(2025, 3, 3, 1, 0, tzinfo=UTC)},  # a record after the window
    ], day2)
    append_chunked(second, youm7_b[0], youm7_b[1], day2)
    third = month / cc_news_name("20250305000000", 3)
    write_records(third, [{"url": youm7_b[0], "body": youm7_b[1]}], day5)
    keys = [f"{CC_MONTH}/{p.name}" for p in (first, second, third)]
    write_listing(month, keys)
    return {"keys": keys, "articles": {youm7_a[0], youm7_b[0], generic[0],
                                       "https://www.example-news.net/2025/03/01/maktaba-jadida-fi-alhay-alqadim/"}}


class StaticServer(LoopbackServer):
    """Serves a folder on 127.0.0.1 (a stand-in for https://data.commoncrawl.org/); counts paths."""

    def __init__(self, root: Path):
        self.requests: list[str] = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                server.requests.append(self.path)
                super().do_GET()

        self._bind(functools.partial(Handler, directory=str(root)))
