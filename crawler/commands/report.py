"""scrapy report [--since DATE] [--outlet a,b] [-o report.html]: one self-contained HTML page of
what the store holds and how its runs went (``crawler.report``): articles per day and outlet,
field coverage per outlet, failed fetches and dropped items by reason, outlets that need
attention, duplicates across outlets, the latest articles of each outlet.

``--since``: articles published on or after that day and runs finished since then. ``-o``: default
``report.html`` beside the SQLite store (``data/report.html`` for another database). A bad option
value is one line and exit status 2; a store that cannot be read, exit status 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from crawler.options import EXIT_USAGE, UsageError, check_outlets, module_outlets, outlet_list, output_file
from crawler.spider import parse_when
from crawler.storage import ArticleStore, StoreError, database_url


def default_output(settings) -> str:
    """report.html beside the SQLite store, else data/report.html."""
    try:
        url = make_url(database_url(settings))
    except ArgumentError:
        return "data/report.html"
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return str(Path(url.database).with_name("report.html"))
    return "data/report.html"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--since DATE] [--outlet a,b] [-o report.html]"

    def short_desc(self) -> str:
        return "Write an HTML report of the store and its runs (charts, coverage, failures, latest articles)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", help="articles published and runs finished on or after this day "
                                            "(YYYY-MM-DD or ISO 8601)")
        parser.add_argument("--outlet", action="append", default=None,
                            help="only these outlets (comma-separated slugs, or repeat the option)")
        parser.add_argument("-o", "--output", dest="path", help="the HTML file to write (default: report.html "
                                                               "beside the SQLite store)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            if args:
                raise UsageError(f"unexpected argument {args[0]!r} (options: --since, --outlet, -o)")
            if opts.since is not None and not opts.since.strip():
                raise UsageError("--since needs a day (YYYY-MM-DD) or an ISO 8601 time")
            try:
                since = parse_when(opts.since)
            except ValueError as exc:
                raise UsageError(f"--since: {exc}") from None
            outlets = outlet_list(opts.outlet)
            path = output_file(opts.path, default_output(self.settings), (".html", ".htm"))
        except UsageError as exc:
            return self._fail(str(exc), EXIT_USAGE)
        if importlib.util.find_spec("matplotlib") is None:
            return self._fail("the report's charts need matplotlib: .venv/bin/pip install -e \".[report]\"")
        from crawler.report import gather, render

        try:
            store = ArticleStore.from_settings(self.settings, create=False)  # a typo must not make a store
        except StoreError as exc:
            return self._fail(str(exc))
        try:
            if outlets:
                check_outlets(outlets, module_outlets(self.settings) | store.outlet_names())
            data = gather(store, since.date().isoformat() if since else None, outlets, since)
        except UsageError as exc:
            return self._fail(str(exc), EXIT_USAGE)
        except SQLAlchemyError as exc:
            return self._fail(f"cannot read {store.shown}: {type(exc).__name__}")
        finally:
            store.close()
        page = render(data)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")  # a failed write leaves no half page under the name
            part.write_text(page, encoding="utf-8")
            os.replace(part, path)
        except OSError as exc:
            return self._fail(f"cannot write {path}: {exc.strerror or type(exc).__name__}")
        runs = sum(t.runs for t in data.runs.values())
        print(f"report: {path} ({path.stat().st_size / 1024:,.0f} KB; {data.articles:,} articles, "
              f"{len(data.summary['per_outlet'])} outlets, {runs} runs)")

    def _fail(self, message: str, status: int = 1) -> None:
        print(f"scrapy report: {message}", file=sys.stderr)
        self.exitcode = status
