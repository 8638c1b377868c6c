"""scrapy summary [--json]: what the store holds — articles per outlet and field coverage."""

from __future__ import annotations

import argparse
import json
import sys

from scrapy.commands import ScrapyCommand

from crawler.commands.search import printable
from crawler.storage import ArticleStore, StoreError

SHOWN_FIELDS = ("title", "body", "published_at", "authors", "section", "tags", "related", "images", "source")


def format_summary(summary: dict) -> str:
    w = max([14, *(len(str(o or "(none)")) + 2 for o in summary["per_outlet"])])
    lines = [f"{'outlet':<{w}}{'articles':>9}  " + "".join(f"{f[:9]:>10}" for f in SHOWN_FIELDS)]
    for outlet, n in sorted(summary["per_outlet"].items(), key=lambda kv: str(kv[0])):
        cov = summary["coverage"][outlet]
        name = printable(outlet or "(none)")  # outlet names come from the store
        lines.append(f"{name:<{w}}{n:>9}  " + "".join(f"{100 * cov[f]:>9.0f}%" for f in SHOWN_FIELDS))
    lines.append(f"{'total':<{w}}{summary['total']:>9}")
    return "\n".join(lines)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def short_desc(self) -> str:
        return "Print what the article store holds: articles per outlet and field coverage"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            store = ArticleStore.from_settings(self.settings, create=False)  # a typo must not make a store
        except StoreError as exc:
            print(f"scrapy summary: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        try:
            summary = store.summary()
        finally:
            store.close()
        if opts.json:
            print(json.dumps(summary, ensure_ascii=False, default=str))
        else:
            print(format_summary(summary))
