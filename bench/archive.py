"""Archive throughput: `scrapy crawl archive` against a plain warcio + trafilatura loop, same records,
same run.

    python bench/archive.py [--records 1500] [--pairs 1]

Generates one WARC file of realistic news pages (80-250 KB, bench/crawl.py's pages: heavy heads,
JSON-LD, menus, related boxes, a hydration blob): 70% Arabic articles — half in Youm7's markup
(one of our outlet modules), half on a site we have no module for (the generic chain) — and 30%
non-Arabic articles (the same markup in English, ``lang="en"``), shuffled. The file is written
uncompressed: reading gzip costs both paths the same ~0.3 ms a record.

  plain    a loop over the file with warcio's ArchiveIterator; for every response record
           ``trafilatura.extract(html, url=url, with_metadata=True, output_format="json")`` (title,
           date, author and text: what a dataset needs) — one process
  archive  ``scrapy crawl archive -a warc=FILE``: language and URL checks, the outlet module or the
           generic chain, clean, related, validate, dedup, the SQLite store — the project's
           defaults, page workers included
  archive-1p  the same in one process (PAGE_WORKERS=0), as each task of ``scrapy archive`` runs

Records/s per core = records / CPU seconds (the loop's process; the crawl process and its page
workers, sampled every 20 ms). The archive row is also given without the crawl's start-up (the
CPU of the same command over a one-record file). Issue 16's goal: archive >= 1.5x plain.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - a benchmark-only dependency
    sys.exit('bench/archive.py needs psutil: pip install -e ".[bench]"')

import trafilatura
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_crawl", Path(__file__).with_name("crawl.py"))
bench_crawl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_crawl)  # the page generator of bench/crawl.py

EN_WORDS = tuple(" ".join((
    "the ministry of transport announced today a new plan to develop the road network in southern",
    "provinces next year and the official spokesman said the project includes new bridges and tunnels",
    "at an estimated cost of one billion pounds with local and international companies")).split(" "))
_ARABIC_RUN = re.compile(r"[\u0600-\u06ff]+")


def build_records(n: int, seed: int = 11) -> list[tuple[str, bytes]]:
    """(url, html) for ``n`` records: 70% Arabic (Youm7 and generic markup), 30% English."""
    rng = random.Random(seed)
    arabic = round(n * 0.7)
    english = n - arabic
    site = bench_crawl.build_site("https://www.youm7.com", max((arabic + 1) // 2, arabic // 2 + english))
    youm7 = [(p, b) for p, (b, _) in site.items() if p.startswith("/story/")]
    generic = [(p, b) for p, (b, _) in site.items() if p.startswith("/2026/")]
    records = [("https://www.youm7.com" + p, b) for p, b in youm7[: (arabic + 1) // 2]]
    records += [("https://www.akhbar-example.net" + p, b) for p, b in generic[: arabic // 2]]
    for i, (_, body) in enumerate(generic[arabic // 2: arabic // 2 + english]):
        text = _ARABIC_RUN.sub(lambda _m: rng.choice(EN_WORDS), body.decode("utf-8"))
        text = text.replace('dir="rtl" lang="ar"', 'lang="en"', 1)
        records.append((f"https://www.example-news.com/2026/11/20/english-story-number-{i}.html", text.encode()))
    # each page its own canonical URL (the fixture's, copied into every page, would make one row)
    originals = [m.group(1).encode() for name in (("youm7", "story-7012345.html"), ("generic", "city-library-night-hours.html"))
                 if (m := re.search(r'rel="canonical" href="([^"]+)"',
                                    (bench_crawl.FIX / name[0] / name[1]).read_text(encoding="utf-8")))]
    unique = []
    for url, body in records:
        for original in originals:
            body = body.replace(original, url.encode())
        unique.append((url, body))
    rng.shuffle(unique)
    return unique


def write_warc(path: Path, records: list[tuple[str, bytes]]) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        for url, body in records:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          length=len(body), http_headers=http))


def plain_loop(path: Path) -> dict:
    """Every response record through trafilatura; CPU of this process."""
    extracted = 0
    t0, c0 = time.perf_counter(), time.process_time()
    with path.open("rb") as fh:
        records = 0
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            records += 1
            url = record.rec_headers.get_header("WARC-Target-URI")
            html = record.content_stream().read()
            out = trafilatura.extract(html, url=url, with_metadata=True, output_format="json")
            extracted += bool(out)
    return {"records": records, "out": extracted, "cpu": time.process_time() - c0, "wall": time.perf_counter() - t0}


class TreeCPU(threading.Thread):
    """CPU seconds of a process and its descendants, sampled every 20 ms (the last sample of each)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root, self.cpu, self.done = psutil.Process(pid), {}, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for proc in tree:
                try:
                    t = proc.cpu_times()
                    self.cpu[proc.pid] = max(self.cpu.get(proc.pid, 0.0), t.user + t.system)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.done.wait(0.02)


def archive_run(path: Path, tmp: Path, name: str, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", f"warc={path}",
           "-s", f"SQLITE_PATH={tmp / (name + '.sqlite3')}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
           "-s", "LOG_LEVEL=INFO", *extra]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        sampler = TreeCPU(proc.pid)
        sampler.start()
        proc.wait()
        sampler.done.set()
        sampler.join()
        err.seek(0)
        log = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.exit(f"scrapy crawl archive failed ({proc.returncode}):\n{log[-3000:]}")
    stats = {k: int(v) for k, v in re.findall(r"'([a-z_]+/[^']+|item_scraped_count)': (\d+)", log)}
    return {"records": stats.get("archive/html", 0), "items": stats.get("item_scraped_count", 0),
            "stored": stats.get("store/rows_upserted", 0), "stats": stats,
            "cpu": sum(sampler.cpu.values()), "wall": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1500)
    ap.add_argument("--pairs", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    records = build_records(args.records)
    arabic = sum(1 for url, _ in records if "english-story" not in url)
    size = sum(len(b) for _, b in records) / len(records)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        warc = tmp / "bench.warc"
        write_warc(warc, records)
        one = tmp / "one.warc"
        write_warc(one, [r for r in records if "english-story" in r[0]][:1])
        print(f"records: {len(records)} ({arabic} Arabic, {len(records) - arabic} non-Arabic), mean {size / 1024:.0f} KB, "
              f"WARC {warc.stat().st_size / 2**20:.0f} MB (uncompressed), built in {time.perf_counter() - t0:.1f} s")
        for url, html in records[:5]:  # warm trafilatura's caches outside the timed loop
            trafilatura.extract(html, url=url, with_metadata=True, output_format="json")
        plain, ours, ours1, start = [], [], [], []
        for pair in range(args.pairs):
            plain.append(plain_loop(warc))
            ours.append(archive_run(warc, tmp, f"a{pair}"))
            ours1.append(archive_run(warc, tmp, f"b{pair}", "-s", "PAGE_WORKERS=0"))
            start.append(archive_run(one, tmp, f"s{pair}", "-s", "PAGE_WORKERS=0"))
            p, s = plain[-1], start[-1]
            print(f"pair {pair + 1} plain       {p['records']} records in {p['wall']:.1f} s, {p['cpu']:.1f} CPU s "
                  f"({p['out']} extracted): {p['records'] / p['cpu']:.1f} records/s per core")
            for label, a in (("archive", ours[-1]), ("archive-1p", ours1[-1])):
                print(f"pair {pair + 1} {label:<11} {a['records']} records in {a['wall']:.1f} s, {a['cpu']:.1f} CPU s "
                      f"({a['items']} articles, {a['stored']} stored; start-up {s['cpu']:.1f} CPU s): "
                      f"{a['records'] / a['cpu']:.1f} records/s per core, "
                      f"{a['records'] / max(a['cpu'] - s['cpu'], 1e-9):.1f} without start-up")
        skipped = {k: v for k, v in ours[-1]["stats"].items() if k.startswith(("archive/not_", "archive/lang/"))}
        print("archive path's record verdicts: " + json.dumps(skipped, sort_keys=True))
        rate_plain = statistics.median(p["records"] / p["cpu"] for p in plain)
        rate_ours = statistics.median(a["records"] / a["cpu"] for a in ours)
        rate_steady = statistics.median(a["records"] / max(a["cpu"] - s["cpu"], 1e-9) for a, s in zip(ours, start, strict=True))
        rate_one = statistics.median(a["records"] / a["cpu"] for a in ours1)
        ratio = rate_ours / rate_plain
        print(f"records/s per core: plain warcio+trafilatura {rate_plain:.1f}, archive path {rate_ours:.1f} "
              f"({rate_steady:.1f} without start-up), in one process (PAGE_WORKERS=0) {rate_one:.1f}")
        print(f"ratio archive/plain {ratio:.2f} ({rate_steady / rate_plain:.2f} without start-up); "
              f"goal >= 1.5: {'met' if ratio >= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
