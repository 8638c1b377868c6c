"""scrapy archive SOURCE [SOURCE ...] — WARC files as tasks of a Dask cluster, one file per task.

    scrapy archive s3://commoncrawl/crawl-data/CC-NEWS/ --since 2025-03-01 --until 2025-03-07 \\
        --scheduler tcp://10.0.0.5:8786 -s DATABASE_URL=postgresql+psycopg://crawler@10.0.0.6/news
    scrapy archive data/warcs/*.warc.gz --workers 2                      # a local cluster, this machine
    scrapy archive listing.paths.gz --parquet data/parts                 # one Parquet part per file

SOURCE: WARC files, URLs, listings or a CC-NEWS root, as ``scrapy crawl archive -a warc=``
takes them (``crawler/archive.py``). Each file becomes one task (``crawler.archive_tasks``) that
runs ``scrapy crawl archive`` over it on a worker. Without ``--scheduler`` a local cluster of
``--workers`` processes (default: one per CPU) is started and stopped here. ``-s NAME=VALUE``
settings reach every task (through the environment, not command lines). One line per file; the
exit status is 1 when a file failed after its retries.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive import ArchiveSourceError, expand_sources, file_key, window
from crawler.spider import parse_when


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "SOURCE [SOURCE ...] [--since D] [--until D] [--hosts H,...] [--scheduler ADDR | --workers N] " \
               "[--parquet DIR]"

    def short_desc(self) -> str:
        return "Extract WARC archives into the store (or Parquet parts), one file per task of a Dask cluster"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", help="records (and CC-NEWS files) from this date (YYYY-MM-DD or ISO 8601)")
        parser.add_argument("--until", help="records (and CC-NEWS files) up to this date")
        parser.add_argument("--hosts", help="only these sites (comma-separated domains)")
        parser.add_argument("--lang", default="ar", help="the pages' language (default ar)")
        parser.add_argument("--scheduler", help="a running Dask scheduler (tcp://HOST:8786); default: a local cluster")
        parser.add_argument("--workers", type=int, default=0, help="local cluster size (default: one per CPU)")
        parser.add_argument("--parquet", metavar="DIR", help="write one Parquet part per file here instead of the store")
        parser.add_argument("--retries", type=int, default=2, help="reruns of a file whose task failed (default 2)")
        parser.add_argument("--logs", metavar="DIR", default="data/archive/logs", help="one crawl log per file")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one SOURCE (WARC file, URL or listing)")
        try:
            since, until = window(parse_when(opts.since), parse_when(opts.until, end_of_day=True))
        except ValueError as exc:
            self._fail(str(exc))
            return
        cc_base = self.settings.get("ARCHIVE_CC_BASE")
        try:
            files = expand_sources(args, since, until, cc_base)
        except ArchiveSourceError as exc:
            self._fail(str(exc))
            return
        if not files:
            print("scrapy archive: no WARC file selected", file=sys.stderr)
            return
        overrides = dict(_pairs(opts.set or []))
        if not overrides.get("DATABASE_URL") and not opts.parquet:
            # every task must write the same SQLite file, whatever its worker's folder
            overrides["SQLITE_PATH"] = str(Path(self.settings.get("SQLITE_PATH")).resolve())
            overrides.setdefault("SPOOL_PATH", str(Path(self.settings.get("SPOOL_PATH")).resolve()))
        if cc_base:
            overrides["ARCHIVE_CC_BASE"] = cc_base
        crawl_args = {"since": opts.since, "until": opts.until, "hosts": opts.hosts, "lang": opts.lang}
        self.exitcode = run_files(files, overrides, crawl_args, scheduler=opts.scheduler, workers=opts.workers,
                                  parquet=opts.parquet, retries=opts.retries, log_dir=opts.logs)

    def _fail(self, message: str) -> None:
        print(f"scrapy archive: {message}", file=sys.stderr)
        self.exitcode = 2


def _pairs(values: list[str]):
    for value in values:
        name, _, setting = value.partition("=")
        yield name, setting


def run_files(files: list[str], settings: dict, crawl_args: dict, *, scheduler: str | None = None,
              workers: int = 0, parquet: str | None = None, retries: int = 2, log_dir: str | None = None) -> int:
    """Submit one task per file, print a line per file as it ends; 0 when every file is done."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        print('scrapy archive: the Dask engine is not installed: pip install -e ".[archive]"', file=sys.stderr)
        return 2
    from crawler.archive_tasks import process_file, task_key

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        n = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    cc_base = settings.get("ARCHIVE_CC_BASE")
    failed = 0
    t0 = time.monotonic()
    try:
        futures = [client.submit(process_file, location, settings=settings, crawl_args=crawl_args, parquet_dir=parquet,
                                 log_dir=log_dir, key=task_key(file_key(location, cc_base)), retries=retries,
                                 pure=False)
                   for location in files]
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - one file's failure is reported, the others go on
                failed += 1
                print(f"failed   {exc}", flush=True)
                continue
            print(f"{result['state']:<8} {result['file']}  {result.get('articles', 0)} articles"
                  f"{'  ' + str(result['seconds']) + ' s' if 'seconds' in result else ''}  on {result['worker']}",
                  flush=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"{len(files) - failed} of {len(files)} files done in {time.monotonic() - t0:.1f} s", flush=True)
    return 1 if failed else 0
