"""scrapy outlets [--since DATE] [--outlet a,b] [--json]: which outlet modules need attention.

One row per outlet from its newest stored run (the ``runs`` table, written at the end of every
crawl): when it ran, articles scraped and stored, for each core field (title, body, published_at)
the share of article pages where the outlet's selector missed and the generic chain filled the
field ("fb") and where the outlet's value disagreed with the generic chain's ("dis"), whether
discovery fell back to the homepage, articles kept only by pattern probes, and the monitors'
verdict. Outlets that need attention are marked ``!`` and listed first, with the reasons below
the table.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from crawler.monitors import CORE_FIELDS
from crawler.options import EXIT_USAGE, UsageError, check_outlets, module_outlets, outlet_list
from crawler.runs import run_health
from crawler.spider import parse_when
from crawler.storage import ArticleStore, StoreError, database_url


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _field_cell(health: dict[str, Any], field: str) -> str:
    disagree = "-" if field == "body" else _pct(health["disagree"][field])  # bodies are not compared
    return f"{_pct(health['fallback'][field])}/{disagree}"


def format_outlets(healths: list[dict[str, Any]]) -> str:
    """The table (attention first), then one line of reasons per outlet that needs attention."""
    w = max([8, *(len(str(h["outlet"])) for h in healths)])
    head = (f"  {'outlet':<{w}}  {'last run (UTC)':<16}  {'articles':>8}  {'stored':>6}  "
            + "  ".join(f"{f + ' fb/dis':>{len(f) + 7}}" for f in CORE_FIELDS)
            + f"  {'discovery':<9}  {'pattern':>7}  monitors")
    lines = [head]
    for h in healths:
        when = h["finished_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M") if h["finished_at"] else "-"
        lines.append(
            f"{'!' if h['attention'] else ' '} {h['outlet']:<{w}}  {when:<16}  {h['articles']:>8}  {h['stored']:>6}  "
            + "  ".join(f"{_field_cell(h, f):>{len(f) + 7}}" for f in CORE_FIELDS)
            + f"  {'homepage' if h['discovery_fallback'] else 'declared':<9}  {h['pattern_miss']:>7}  "
            + ("FAILED" if h["monitors_failed"] else "passed"))
    flagged = [h for h in healths if h["attention"]]
    if flagged:
        lines.append("")
        lines.append(f"{len(flagged)} of {len(healths)} outlets need attention:")
        for h in flagged:
            lines.append(f"! {h['outlet']}: {', '.join(h['attention'])}")
            lines.extend(f"    {failure}" for failure in h["failures"])
    return "\n".join(lines)


def _missing_sqlite_file(settings: Any) -> str | None:
    """The path of the SQLite store when the settings name one that does not exist, else None."""
    try:
        url = make_url(database_url(settings))
    except ArgumentError:
        return None  # ArticleStore reports a malformed URL itself
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return None if Path(url.database).exists() else url.database


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--since DATE] [--outlet a,b] [--json]"

    def short_desc(self) -> str:
        return "Which outlet modules need attention, from the stored stats of each outlet's last run"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", help="only runs finished on or after this day (YYYY-MM-DD or ISO 8601)")
        parser.add_argument("--outlet", help="only these outlets (comma-separated slugs)")
        parser.add_argument("--json", action="store_true", help="one JSON object per outlet")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            return self._fail(f"unexpected argument {args[0]!r} (options: --since, --outlet, --json)", EXIT_USAGE)
        try:
            since = parse_when(opts.since)
        except ValueError as exc:
            return self._fail(f"--since: {exc}", EXIT_USAGE)
        try:
            outlets = outlet_list(opts.outlet)
        except UsageError as exc:
            return self._fail(str(exc), EXIT_USAGE)
        missing = _missing_sqlite_file(self.settings)
        if missing:  # opening would create an empty store there: a typo'd path must not look like "no runs"
            return self._fail(f"no article store at {missing} (run a crawl first, or set SQLITE_PATH / DATABASE_URL)")
        try:
            store = ArticleStore.from_settings(self.settings)
        except StoreError as exc:
            return self._fail(str(exc))
        try:
            if outlets:
                check_outlets(outlets, module_outlets(self.settings) | store.outlet_names())
            latest = store.latest_runs(outlets, since)
        except UsageError as exc:
            return self._fail(str(exc), EXIT_USAGE)
        except SQLAlchemyError as exc:
            return self._fail(f"cannot read the runs of {store.shown}: {type(exc).__name__}")
        finally:
            store.close()
        healths = sorted((run_health(run) for run in latest.values()),
                         key=lambda h: (not h["attention"], str(h["outlet"])))
        if opts.json:
            for h in healths:
                print(json.dumps(h, ensure_ascii=False, default=str))
            return
        if not healths:
            scope = "".join([f" for {', '.join(outlets)}" if outlets else "",
                             f" since {opts.since}" if opts.since else ""])
            print(f"no crawl runs stored{scope} in {store.shown}")
            return
        print(format_outlets(healths))
        if outlets is None:
            never = sorted(set(self._outlet_slugs()) - set(latest))
            if never:
                print(f"\nno run stored{' since ' + opts.since if opts.since else ''}: {', '.join(never)}")

    def _outlet_slugs(self) -> list[str]:
        return sorted(module_outlets(self.settings))

    def _fail(self, message: str, status: int = 1) -> None:
        """One line on stderr; status 2 for a bad option value, 1 for a store that cannot be read."""
        print(f"scrapy outlets: {message}", file=sys.stderr)
        self.exitcode = status
