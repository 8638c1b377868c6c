"""scrapy crawl, with an exit status that tells whether the run was good.

Scrapy's own ``crawl`` exits 0 whenever the spider started, even when every monitor failed. This
one exits with 3 (``EXIT_MONITORS_FAILED``) when the run monitors (``crawler.monitors``) failed, so
cron, systemd, CI and ``scrapy schedule`` see a half-empty crawl as a failure. Start-up failures
keep Scrapy's status 1 and usage errors its 2.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler

from crawler.monitors import EXIT_MONITORS_FAILED


class Command(ScrapyCrawlCommand):
    crawler: Crawler | None = None

    def _create_crawler(self, spname: str) -> Crawler:
        # Scrapy's runner forgets a crawler once it finishes: keep it to read its stats afterwards.
        self.crawler = super()._create_crawler(spname)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.exitcode == 0 and self.crawler is not None and self.crawler.stats is not None \
                and self.crawler.stats.get_value("monitors/failed"):
            self.exitcode = EXIT_MONITORS_FAILED
