"""scrapy crawlall [--outlets a,b,...] [-a NAME=VALUE ...] [-o FILE] [-s NAME=VALUE ...]

Runs every outlet spider (or the chosen ones) in one process. Each outlet is its own crawler
with its own downloader, so its concurrency limits (CONCURRENT_REQUESTS, and per host
CONCURRENT_REQUESTS_PER_DOMAIN, or an outlet's ``custom_settings``) apply to it alone: a slow
outlet does not hold up the others. Spider arguments (-a since=..., -a limit=...) go to every
outlet. Exits non-zero if any outlet failed to start.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler.commands.crawl import EXIT_USAGE, check_crawl
from crawler.spider import outlet_spiders


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--outlets a,b,...] [options]"

    def short_desc(self) -> str:
        return "Run all outlet spiders (or the chosen ones) in one process, each with its own concurrency"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--outlets", help="comma-separated outlet slugs (default: every outlet)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("crawlall takes no positional arguments; use --outlets a,b")
        assert self.crawler_process
        known = {cls.name: cls for cls in outlet_spiders(self.crawler_process.spider_loader) if cls.outlet.domains}
        if opts.outlets:
            wanted = [s.strip() for s in opts.outlets.split(",") if s.strip()]
            unknown = [s for s in wanted if s not in known]
            if unknown:
                raise UsageError(f"unknown outlet(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        else:
            wanted = sorted(known)
        problem = check_crawl(self.crawler_process.spider_loader, wanted, opts.spargs, self.settings)
        if problem:  # one line before anything starts, not a traceback per outlet
            print(f"scrapy crawlall: {problem}", file=sys.stderr)
            self.exitcode = EXIT_USAGE
            return
        for name in wanted:
            self.crawler_process.crawl(self._create_crawler(name), **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
