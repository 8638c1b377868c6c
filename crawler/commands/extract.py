"""scrapy extract PAGE --url URL [--outlet SLUG]   |   scrapy extract --text FILE

Runs an outlet's extraction (or the generic chain when no outlet owns the URL) and the text
pipelines on a saved page — an HTML file, or a WARC plus the URL of one of its records — and
prints the item as one JSON object (UTF-8) on stdout. With --text, segments a plain-text file
(raw scraped article text) instead.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import DropItem, UsageError
from scrapy.http import HtmlResponse
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.spider import NewsSpider, Outlet, spider_for_url


class GenericArticleSpider(NewsSpider):
    """The generic chain with no outlet selectors: for pages of outlets we have no module for."""

    name = "generic-extract"
    outlet = Outlet(slug="", name="", domains=(), timezone="")


def _fail(message: str, code: int = 1) -> int:
    print(f"scrapy extract: {message}", file=sys.stderr)
    return code


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "PAGE --url URL [--outlet SLUG | --generic] [--explain] [--no-pipelines] | --text FILE"

    def short_desc(self) -> str:
        return "Extract one saved page (HTML file or WARC record) and print the article as JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the page's URL (required for HTML files and WARCs)")
        parser.add_argument("--outlet", help="outlet slug (default: the outlet that owns the URL)")
        parser.add_argument("--text", action="store_true", help="PAGE is plain article text to segment")
        parser.add_argument("--no-pipelines", action="store_true", help="print the raw extraction, before cleaning")
        parser.add_argument("--generic", action="store_true",
                            help="ignore outlet modules: the generic chain only (JSON-LD, meta tags, trafilatura)")
        parser.add_argument("--explain", action="store_true",
                            help="print each field with the extraction step that gave it, instead of JSON")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one PAGE")
        self.exitcode = self._run(Path(args[0]), opts)

    def _run(self, path: Path, opts: argparse.Namespace) -> int:
        try:
            if opts.text:
                try:
                    return self._run_text(path.read_bytes(), path)
                except OSError as exc:
                    return _fail(f"cannot read {path}: {exc.strerror or exc}")
            if not opts.url:
                return _fail("--url URL is required (the address the page was saved from)")
            if opts.generic and opts.outlet:
                return _fail("--generic and --outlet exclude each other")
            item = extract_item(path, opts.url, self.settings, outlet=opts.outlet, pipelines=not opts.no_pipelines,
                                generic=opts.generic)
        except ExtractError as exc:
            return _fail(str(exc))
        if opts.explain:
            _print_text(explain(item))
        else:
            _print_json(dict(item))
        return 0

    def _run_text(self, data: bytes, path: Path) -> int:
        import crawler.arabic as arabic

        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _fail(f"{path} is not UTF-8 text")
        if not hasattr(arabic, "segment"):
            return _fail("text segmentation is not available in this version")
        _print_json(arabic.segment(text))
        return 0


class ExtractError(Exception):
    """A page that cannot be extracted, with a one-line reason for the user."""


def extract_file(path: Path, url: str, settings, outlet: str | None = None, pipelines: bool = True,
                 generic: bool = False) -> dict:
    """The item for one saved page (HTML file or WARC record), as ``scrapy extract`` prints it."""
    return dict(extract_item(path, url, settings, outlet=outlet, pipelines=pipelines, generic=generic))


def extract_item(path: Path, url: str, settings, outlet: str | None = None, pipelines: bool = True,
                 generic: bool = False):
    """``extract_file``'s item itself (an Article, with its ``_layout`` verdict for outlet modules)."""
    is_warc = path.name.lower().endswith((".warc", ".warc.gz"))
    try:
        # a WARC is streamed record by record (_response), never read whole
        data = b"" if is_warc and path.is_file() else path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"cannot read {path}: {exc.strerror or exc}") from None
    if is_warc and not path.is_file():
        raise ExtractError(f"cannot read {path}: no such file")
    loader = get_spider_loader(settings)
    if outlet:
        try:
            spidercls = loader.load(outlet)
        except KeyError:
            raise ExtractError(f"unknown outlet {outlet!r}; known: {', '.join(loader.list())}") from None
    elif generic:
        spidercls = GenericArticleSpider
    else:
        spidercls = spider_for_url(loader, url) or GenericArticleSpider
    response = _response(path, data, url, max_size=settings.getint("DOWNLOAD_MAXSIZE", 0))
    crawler = _crawler(spidercls, settings)
    spider = spidercls.from_crawler(crawler)
    item = spider.extract(response)
    if pipelines:
        item = _run_pipelines(item, crawler, spider, settings)
    return item


def _response(path: Path, data: bytes, url: str, max_size: int | None = None) -> HtmlResponse:
    if path.name.lower().endswith((".warc", ".warc.gz")):
        # The record is found by streaming the file and its payload is decoded by the crawl's own
        # decoders, both capped at DOWNLOAD_MAXSIZE (issue 13, finding 6: a 1.4 KB gzip record
        # inflated to 100 MB and ended in a traceback).
        from crawler.archive import ContentTooLarge, decode_content
        from crawler.warc import WarcError, find_response

        if max_size is None:
            from scrapy.utils.project import get_project_settings

            max_size = get_project_settings().getint("DOWNLOAD_MAXSIZE", 0)
        try:
            record = find_response(path, url, max_size=max_size)
        except WarcError as exc:
            raise ExtractError(str(exc)) from None
        if record is None:
            raise ExtractError(f"{url} is not in {path}")
        headers = [(k, v) for k, v in record.headers
                   if k.lower() not in (b"content-encoding", b"transfer-encoding", b"content-length")]
        encoding = (record.header(b"Content-Encoding") or b"").decode("latin-1")
        if not encoding and record.body[:2] == b"\x1f\x8b":  # gzip'd without saying so
            encoding = "gzip"
        try:
            body = decode_content(record.body, encoding, max_size)
        except ContentTooLarge:
            raise ExtractError(f"{url}: the decoded page is over DOWNLOAD_MAXSIZE ({max_size} bytes)") from None
        except ValueError as exc:
            raise ExtractError(f"{url}: {exc}") from None
        return HtmlResponse(url=url, body=body, headers=headers, status=record.status)
    if not data.strip():
        raise ExtractError(f"{path} is empty")
    return HtmlResponse(url=url, body=data)


def _crawler(spidercls, settings):
    """A crawler stand-in with settings, stats and signals: what spiders and the text pipelines
    use. A real Crawler would want a running reactor, which a one-page command does not need."""
    from types import SimpleNamespace

    from scrapy.signalmanager import SignalManager
    from scrapy.statscollectors import MemoryStatsCollector

    crawler = SimpleNamespace(settings=settings, spidercls=spidercls)
    crawler.signals = SignalManager(crawler)
    crawler.stats = MemoryStatsCollector(crawler)
    return crawler


def _run_pipelines(item, crawler, spider, settings):
    """The text pipelines of the project (everything before storage), in their configured order."""
    pipelines = sorted(settings.getdict("ITEM_PIPELINES").items(), key=lambda kv: kv[1])
    for path, order in pipelines:
        if order is None or order >= settings.getint("EXTRACT_PIPELINES_BEFORE", 300):
            continue
        pipe = build_from_crawler(load_object(path), crawler)
        try:
            result = pipe.process_item(item, spider)
            if inspect.isawaitable(result):
                import asyncio

                result = asyncio.run(_await(result))
        except DropItem as exc:
            print(f"scrapy extract: warning: {path} would drop this item: {exc}", file=sys.stderr)
            continue
        item = result
    return item


async def _await(aw):
    return await aw


# the fields --explain lists, in reading order
EXPLAINED = ("title", "subtitle", "published_at", "modified_at", "authors", "dateline", "source", "section", "tags",
             "body", "images", "related", "embeds")


def _short(value, width: int = 72) -> str:
    if isinstance(value, list):
        value = " | ".join((v.get("title") or v.get("url") or v.get("text") or "") if isinstance(v, dict) else str(v)
                           for v in value)
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def explain(item) -> str:
    """Each field's value beside the step that gave it (``item["provenance"]``); for outlet
    modules, the selectors that found nothing and the disagreements with the generic chain."""
    provenance = item.get("provenance") or {}
    lines = [f"{'field':<14}{'step':<13}value", f"{'-' * 13} {'-' * 12} {'-' * 40}"]
    for field in EXPLAINED:
        value = item.get(field)
        if value in (None, "", [], {}):
            lines.append(f"{field:<14}{'-':<13}(unknown)")
            continue
        shown = _short(value)
        if field == "body":
            shown = f"{len(value.split())} words: {_short(value, 60)}"
        elif field in ("published_at", "modified_at"):
            raw = item.get(field.replace("_at", "_raw"))
            shown = f"{value}  <- {_short(raw, 50)!r}" if raw and raw != value else value
        elif isinstance(value, list):
            shown = f"{len(value)}: {shown}"
        lines.append(f"{field:<14}{provenance.get(field, '?'):<13}{shown}")
    layout = getattr(item, "_layout", None)
    if layout is not None:
        missed, disagree = layout.get("missed") or [], layout.get("disagree") or []
        lines.append("")
        lines.append(f"outlet selectors missed: {', '.join(missed) or 'nothing'}; "
                     f"disagree with the generic chain: {', '.join(disagree) or 'nothing'}")
    return "\n".join(lines)


def _print_text(text: str) -> None:
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()


def _print_json(obj) -> None:
    out = json.dumps(obj, ensure_ascii=False, default=str)
    sys.stdout.buffer.write(out.encode("utf-8") + b"\n")
    sys.stdout.flush()
