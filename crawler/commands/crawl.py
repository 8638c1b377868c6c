"""scrapy crawl, with an exit status that tells whether the run was good.

Scrapy's own ``crawl`` exits 0 whenever the spider started, even when every monitor failed. This
one exits with 3 (``EXIT_MONITORS_FAILED``) when the run monitors (``crawler.monitors``) failed, so
cron, systemd, CI and ``scrapy schedule`` see a half-empty crawl as a failure. Start-up failures
keep Scrapy's status 1 and usage errors its 2.

Bad values are usage errors, said in one line before anything starts (``check_crawl``): an unknown
spider, ``-a since/until`` that are not dates or in the wrong order, ``-a limit`` that is not a
whole number above 0, a number setting given something else (``-s PAGE_WORKERS=abc``), or any
argument the spider itself refuses.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler

from crawler.monitors import EXIT_MONITORS_FAILED
from crawler.spider import parse_when
from crawler.workers import pool_size

EXIT_USAGE = 2

# Settings that must be numbers (the ones an operator gives on the command line): whole numbers,
# and numbers of seconds.
WHOLE_SETTINGS = ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_ITEMS", "RETRY_TIMES",
                  "DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE", "STORE_BATCH_SIZE", "PAGE_WORKERS_AFTER", "PATTERN_PROBES",
                  "CLOSESPIDER_ITEMCOUNT", "CLOSESPIDER_PAGECOUNT", "CLOSESPIDER_ERRORCOUNT", "REDIRECT_MAX_TIMES")
SECONDS_SETTINGS = ("DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT", "STORE_FLUSH_SECONDS", "STORE_TIMEOUT",
                    "STORE_RETRY_SECONDS", "PROGRESS_INTERVAL", "REDIS_IDLE_TIMEOUT", "CLOSESPIDER_TIMEOUT",
                    "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY")


def check_settings(settings: Any) -> str | None:
    """The first number setting that is not one, as a one-line message; None when all are."""
    for name in WHOLE_SETTINGS:
        value = settings.get(name)
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            return f"-s {name} must be a whole number, not {value!r}"
        if number < 0:
            return f"-s {name} must be 0 or more, not {value!r}"
    for name in SECONDS_SETTINGS:
        value = settings.get(name)
        if value in (None, ""):
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            return f"-s {name} must be a number of seconds, not {value!r}"
        if seconds < 0 or seconds != seconds:
            return f"-s {name} must be 0 seconds or more, not {value!r}"
    try:
        pool_size(settings.get("PAGE_WORKERS", "auto"))
    except ValueError as exc:
        return f"-s {exc}"
    return None


def check_spider_args(spidercls: type, spargs: dict[str, Any]) -> str | None:
    """The first spider argument the crawl cannot use, as a one-line message; None when all fit."""
    try:
        since = parse_when(spargs.get("since"))
    except ValueError as exc:
        return f"-a since: {exc}"
    try:
        until = parse_when(spargs.get("until"), end_of_day=True)
    except ValueError as exc:
        return f"-a until: {exc}"
    if since and until and since > until:
        return f"-a since {spargs['since']} is after -a until {spargs['until']}: no article can be in between"
    limit = spargs.get("limit")
    if limit not in (None, ""):
        try:
            number = int(str(limit).strip())
        except ValueError:
            number = 0
        if number < 1:
            return f"-a limit must be a whole number above 0 (the most articles to fetch), not {limit!r}"
    try:
        spidercls(**spargs)  # the spider's own checks (generic needs -a start=...); no crawl starts
    except (TypeError, ValueError) as exc:
        return f"{getattr(spidercls, 'name', spidercls.__name__)}: {exc}"
    return None


def check_crawl(spider_loader: Any, names: list[str], spargs: dict[str, Any], settings: Any) -> str | None:
    """Everything ``scrapy crawl``/``crawlall`` can check before starting, as one line, or None."""
    known = spider_loader.list()
    unknown = [n for n in names if n not in known]
    if unknown:
        return f"no spider named {unknown[0]!r} (scrapy list shows the spiders)"
    problem = check_settings(settings)
    if problem:
        return problem
    for name in names:
        problem = check_spider_args(spider_loader.load(name), spargs)
        if problem:
            return problem
    return None


class Command(ScrapyCrawlCommand):
    crawler: Crawler | None = None

    def _create_crawler(self, spname: str) -> Crawler:
        # Scrapy's runner forgets a crawler once it finishes: keep it to read its stats afterwards.
        self.crawler = super()._create_crawler(spname)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            problem = check_crawl(self.crawler_process.spider_loader, args, opts.spargs, self.settings)
            if problem:
                print(f"scrapy crawl: {problem}", file=sys.stderr)
                self.exitcode = EXIT_USAGE
                return
        super().run(args, opts)
        if self.exitcode == 0 and self.crawler is not None and self.crawler.stats is not None \
                and self.crawler.stats.get_value("monitors/failed"):
            self.exitcode = EXIT_MONITORS_FAILED
