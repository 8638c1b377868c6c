"""Crawl throughput: our full path against a plain Scrapy spider, on the same local site, one run.

    python bench/crawl.py [--pages 2000] [--pairs 2]

Generates a site of realistic Arabic article pages (80-250 KB: heavy heads, JSON-LD, menus,
related boxes, tag lists, a hydration blob; a news sitemap) in two markups — one of our outlets
(Youm7) and an outlet we have no module for (WordPress-like) — serves it from a static server on
127.0.0.1 (HTTP/1.1 keep-alive, files held in memory), and crawls it with:
  plain    a plain Scrapy SitemapSpider yielding {url, title}, default project-less settings
  outlet   `scrapy crawl youm7` — loaders, clean, related, validate, dedup, SQLite store
  generic  `scrapy crawl generic` — the generic chain (trafilatura) on the unknown outlet
  outlet-1p, generic-1p   the same with PAGE_WORKERS=0: everything in the one crawl process
All with the same concurrency and politeness settings, interleaved per pair. Our crawls run with
the project's defaults, page workers included (crawler/workers.py: one process per CPU).
Prints pages/s, CPU ms/page (crawl process + page workers) and peak memory (PSS, same tree) per run,
and the median ratios against plain.
Targets (issue 7): outlet >= 60% of plain's pages/s; generic >= 35%.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - a benchmark-only dependency
    sys.exit('bench/crawl.py needs psutil: pip install -e ".[bench]"')

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "sites"
COMMON = ["-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "-s", "DOWNLOAD_DELAY=0",
          "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False", "-s", "CONCURRENT_ITEMS=16",
          "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=False", "-s", "COOKIES_ENABLED=False"]
_PHRASE = ("أعلنت وزارة النقل اليوم عن خطة جديدة لتطوير شبكة الطرق في المحافظات الجنوبية خلال العام المقبل "
         "وقال المتحدث الرسمي إن المشروع يشمل إنشاء جسور وأنفاق جديدة بتكلفة تقديرية تبلغ مليار جنيه "
         "وأضاف أن العمل سيبدأ في الربع الأول بالتعاون مع شركات محلية ودولية متخصصة في البنية التحتية")
WORDS = tuple(_PHRASE.split(" "))

PLAIN_SPIDER = '''
import scrapy
from scrapy.spiders import SitemapSpider
class Plain(SitemapSpider):
    name = "plain"
    def __init__(self, sitemap=None, **kw):
        super().__init__(**kw)
        self.sitemap_urls = [sitemap]
    def parse(self, response):
        yield {"url": response.url, "title": response.css("title::text").get()}
'''


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def pad(rng: random.Random, target: int, current: int) -> str:
    """A __NEXT_DATA__-style hydration blob: other stories' titles and summaries, as on real sites."""
    items, size = [], current
    while size < target:
        item = {"id": rng.randrange(10**6), "title": sentence(rng, 9), "summary": sentence(rng, 30)}
        items.append(item)
        size += len(json.dumps(item, ensure_ascii=False).encode())
    return '<script id="__NEXT_DATA__" type="application/json">' + json.dumps({"stories": items}, ensure_ascii=False) + "</script>"


def build_site(base: str, n: int, seed: int = 7) -> dict[str, tuple[bytes, str]]:
    rng = random.Random(seed)
    youm7 = (FIX / "youm7" / "story-7012345.html").read_text(encoding="utf-8")
    generic = (FIX / "generic" / "city-library-night-hours.html").read_text(encoding="utf-8")
    y_title = re.search(r"<h1[^>]*>(.*?)</h1>", youm7, re.S).group(1).strip()
    g_title = re.search(r"<h1[^>]*>(.*?)</h1>", generic, re.S).group(1).strip()
    pages: dict[str, tuple[bytes, str]] = {}
    y_urls, g_urls = [], []
    for i in range(n):
        title = f"{sentence(rng, 8)[:-1]} {i}"
        paras = "".join(f'<p class="selectionShareable">{sentence(rng, rng.randint(25, 60))}</p>'
                        for _ in range(rng.randint(6, 20)))
        target = rng.randint(80_000, 250_000)
        # Youm7 markup: swap the headline, add paragraphs to the body, pad to the target size
        ypath = f"/story/2026/11/{1 + i % 28}/خبر-رقم-{i}/{8000000 + i}"
        page = youm7.replace(y_title, title).replace('<div id="articleBody">', '<div id="articleBody">' + paras, 1)
        page = page.replace("</body>", pad(rng, target, len(page.encode())) + "</body>")
        pages[ypath] = (page.encode(), "text/html; charset=utf-8")
        y_urls.append(ypath)
        gpath = f"/2026/11/{1 + i % 28:02d}/story-number-{i}-city-news.html"
        gpage = generic.replace(g_title, title).replace('<div class="entry-content">', '<div class="entry-content">' + paras.replace(' class="selectionShareable"', ""), 1)
        gpage = gpage.replace("</body>", pad(rng, target, len(gpage.encode())) + "</body>")
        pages[gpath] = (gpage.encode(), "text/html; charset=utf-8")
        g_urls.append(gpath)

    def sitemap(paths: list[str]) -> bytes:
        urls = "".join(f"<url><loc>{base}{p}</loc><news:news><news:publication><news:name>x</news:name>"
                       f"<news:language>ar</news:language></news:publication><news:publication_date>"
                       f"2026-11-20T10:00:00+02:00</news:publication_date><news:title>t</news:title></news:news></url>"
                       for p in paths)
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>").encode()

    pages["/youm7-sitemap.xml"] = (sitemap(y_urls), "application/xml")
    pages["/generic-sitemap.xml"] = (sitemap(g_urls), "application/xml")
    pages["/robots.txt"] = (f"User-agent: *\nAllow: /\nSitemap: {base}/generic-sitemap.xml\n".encode(), "text/plain")
    return pages


def serve(pages_ref: dict) -> ThreadingHTTPServer:
    from urllib.parse import unquote

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            body, ctype = pages_ref.get(unquote(self.path.split("?")[0]), (b"", "text/plain"))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class TreeSampler(threading.Thread):
    """Samples a process and its descendants (page workers, their fork server) with psutil: the
    CPU time of each descendant every 50 ms (the crawl process's own CPU comes from getrusage),
    and peak memory of the whole tree (PSS: pages shared by forked workers counted once) every
    0.5 s. PSS is dear to read (the kernel walks every page: ~8 ms for a 300 MB process), and
    at 50 ms it took ~0.4 CPU of this 2-CPU machine from the crawls with page workers.
    ``ru_maxrss`` of a child is no good here: a child forked from this process counts this
    process's memory (the site held in memory) until it execs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_rss, self.cpu, self.roles = psutil.Process(pid), 0, {}, {}
        self.done = threading.Event()

    def run(self) -> None:
        tick = 0
        while not self.done.is_set():
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total, memory = 0, tick % 10 == 0
            for proc in tree:
                try:
                    with proc.oneshot():
                        if memory:
                            mem = proc.memory_full_info()
                            total += getattr(mem, "pss", mem.rss)
                        if proc.pid != self.root.pid:
                            times = proc.cpu_times()
                            self.cpu[proc.pid] = max(self.cpu.get(proc.pid, 0.0), times.user + times.system)
                            if proc.pid not in self.roles:
                                self.roles[proc.pid] = self.role(proc)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.peak_rss = max(self.peak_rss, total)
            tick += 1
            self.done.wait(0.05)

    def role(self, proc: psutil.Process) -> str:
        cmdline = " ".join(proc.cmdline())
        if "forkserver" in cmdline:
            return "forkserver" if proc.ppid() == self.root.pid else "worker"
        return "other"

    def descendants_cpu(self, role: str | None = None) -> float:
        return sum(v for pid, v in self.cpu.items() if role is None or self.roles.get(pid) == role)


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                env={**os.environ, **env} if env else None)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        proc.wait()
        sampler.done.set()
        sampler.join()
        err.seek(0)
        stats = err.read().decode("utf-8", "replace")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"crawl failed: {' '.join(cmd[:5])}\n{stats[-2000:]}")
    pages = int(re.search(r"'response_received_count': (\d+)", stats).group(1))
    items = int((re.search(r"'item_scraped_count': (\d+)", stats) or [0, 0])[1])
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", stats).group(1))
    own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    workers = int((re.search(r"'workers/processes': (\d+)", stats) or [0, 0])[1])
    cpu = own + sampler.descendants_cpu()
    steps = {k: int(v) / 1e6 for k, v in re.findall(r"'workers/cpu_us/([^']+)': (\d+)", stats)}
    return {"pages": pages, "items": items, "elapsed": elapsed, "wall": wall, "pps": pages / elapsed,
            "cpu_ms": 1000 * cpu / max(pages, 1), "rss_mb": sampler.peak_rss / 2**20, "workers": workers,
            "own_cpu": own, "worker_cpu": sampler.descendants_cpu("worker"),
            "forkserver_cpu": sampler.descendants_cpu("forkserver"), "other_cpu": sampler.descendants_cpu("other"),
            "worker_steps": steps}


PROFILE_NOTE = """\
Per process, CPU ms per page (one run each, page workers on; {pages} pages). Crawl process: its
threads' CPU clocks (bench/crawl_profile.py), each item pipeline's process_item and the pages'
submission to the workers timed in the reactor thread; page workers: their own step timings
(PAGE_WORKERS_PROFILE), the rest being the round trip's share (unpickling the page, building the
Response, pickling the item) and the pool's start."""


def crawl_commands(base: str, tmp: Path, pair: int) -> dict[str, tuple[list[str], Path]]:
    py = [sys.executable, "-m", "scrapy"]
    spool = ["-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}"]
    one = ["-s", "PAGE_WORKERS=0"]
    outlet = py + ["crawl", "youm7", "-a", f"sources={base}/youm7-sitemap.xml", *COMMON, *spool]
    generic = py + ["crawl", "generic", "-a", f"start={base}/generic-sitemap.xml", *COMMON, *spool]
    return {
        "plain": (py + ["runspider", str(tmp / "plain.py"), "-a", f"sitemap={base}/youm7-sitemap.xml", *COMMON], tmp),
        "outlet": (outlet + ["-s", f"SQLITE_PATH={tmp / f'store-{pair}.sqlite3'}"], ROOT),
        "generic": (generic + ["-s", f"SQLITE_PATH={tmp / f'g-{pair}.sqlite3'}"], ROOT),
        "outlet-1p": (outlet + ["-s", f"SQLITE_PATH={tmp / f'o1-{pair}.sqlite3'}", *one], ROOT),
        "generic-1p": (generic + ["-s", f"SQLITE_PATH={tmp / f'g1-{pair}.sqlite3'}", *one], ROOT),
    }


def profile_args(tmp: Path, name: str, cprofile: bool) -> tuple[list[str], dict, Path]:
    """Settings and environment that load bench/crawl_profile.py into the crawl process."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from crawler import settings as project

    out = tmp / f"profile-{name}.json"
    extensions = {**project.EXTENSIONS, "crawl_profile.Profile": 0}
    args = ["-s", f"EXTENSIONS={json.dumps(extensions)}", "-s", f"BENCH_PROFILE_OUT={out}",
            "-s", "PAGE_WORKERS_PROFILE=True"]
    if cprofile:
        args += ["-s", f"BENCH_CPROFILE={ROOT / f'profile-{name}.prof'}"]
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")]))}
    return args, env, out


def print_profile(results: dict[str, tuple[dict, dict]]) -> None:
    names = list(results)
    rows: list[tuple[str, list[float]]] = []

    def row(label: str, values: list[float]) -> None:
        rows.append((label, values))

    per = {n: 1000 / results[n][0]["pages"] for n in names}
    crawl = {n: results[n][1] for n in names}
    row("crawl process, all threads", [crawl[n]["process"] * per[n] for n in names])
    row("  start-up (imports, settings, store open) to engine start",
        [crawl[n].get("startup", 0) * per[n] for n in names])
    row("  reactor thread after start", [(crawl[n]["thread/reactor"] - crawl[n].get("startup", 0)) * per[n]
                                         for n in names])
    pipes = sorted({k for n in names for k in crawl[n] if k.startswith("pipeline/")},
                   key=lambda k: -max(crawl[n].get(k, 0) for n in names))
    for key in pipes:
        row(f"    {key.split('/', 1)[1]}.process_item", [crawl[n].get(key, 0) * per[n] for n in names])
    row("    pages sent to the workers (submit)", [crawl[n].get("reactor/submit_to_workers", 0) * per[n] for n in names])
    row("    the rest: Scrapy engine, downloader, spider callbacks, stats, logging",
        [(crawl[n]["thread/reactor"] - crawl[n].get("startup", 0) - sum(crawl[n].get(k, 0) for k in pipes)
          - crawl[n].get("reactor/submit_to_workers", 0)) * per[n] for n in names])
    row("  process pool threads (pickle pages, unpickle items)", [crawl[n].get("thread/pool", 0) * per[n] for n in names])
    row("  store writer thread (SQLite upserts, search index)",
        [crawl[n].get("thread/store-writer", 0) * per[n] for n in names])
    row("  other threads (thread pools)", [crawl[n].get("thread/other", 0) * per[n] for n in names])
    row("page workers, all", [results[n][0]["worker_cpu"] * per[n] for n in names])
    steps = sorted({k for n in names for k in results[n][0]["worker_steps"]},
                   key=lambda k: ["parse", "extract"].index(k) if k in ("parse", "extract") else 2)
    for step in steps:
        label = {"parse": "decode + parse", "extract": "extraction (page_item)"}.get(step, f"{step} stage")
        row(f"  {label}", [results[n][0]["worker_steps"].get(step, 0) * per[n] for n in names])
    row("  the rest: round trip (page in, item out), pool start",
        [(results[n][0]["worker_cpu"] - sum(results[n][0]["worker_steps"].values())) * per[n] for n in names])
    row("fork server (imports the spider and pipelines once)", [results[n][0]["forkserver_cpu"] * per[n] for n in names])
    row("all processes", [results[n][0]["cpu_ms"] for n in names])
    width = max(len(label) for label, _ in rows)
    print(f"{'':<{width}}" + "".join(f"{n:>11}" for n in names))
    for label, values in rows:
        print(f"{label:<{width}}" + "".join(f"{v:11.2f}" for v in values))
    print("pages/s: " + ", ".join(f"{n} {results[n][0]['pps']:.1f}" for n in names))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--only", default=None,
                    help="comma-separated runs of each pair (plain must be one of them for the ratios); "
                         "default plain,outlet,generic,outlet-1p,generic-1p, or outlet,generic with --profile")
    ap.add_argument("--profile", action="store_true",
                    help="one profiled run each of the --only crawls (default outlet,generic): CPU per page "
                         "per process and step, no ratios")
    ap.add_argument("--cprofile", action="store_true",
                    help="with --profile: also a cProfile of each crawl's reactor thread, profile-<run>.prof")
    args = ap.parse_args()
    default = "outlet,generic" if args.profile else "plain,outlet,generic,outlet-1p,generic-1p"
    only = [n for n in (args.only or default).split(",") if n]
    unknown = set(only) - set(crawl_commands("", Path(), 0))
    if unknown:
        ap.error(f"--only: unknown run(s) {', '.join(sorted(unknown))}")
    pages: dict = {}
    server = serve(pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    t0 = time.perf_counter()
    pages.update(build_site(base, args.pages))
    size = sum(len(b) for p, (b, _) in pages.items() if not p.endswith((".xml", ".txt"))) / (2 * args.pages)
    print(f"site: {args.pages} pages per markup, mean {size / 1024:.0f} KB, built in {time.perf_counter() - t0:.1f} s; "
          f"server {base}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "plain.py").write_text(PLAIN_SPIDER)
        if args.profile:
            results = {}
            for name in only:
                cmd, cwd = crawl_commands(base, tmp, 0)[name]
                extra, env, out = profile_args(tmp, name, args.cprofile)
                r = run(cmd + extra, cwd=cwd, env=env)
                results[name] = (r, json.loads(out.read_text()))
            server.shutdown()
            print(PROFILE_NOTE.format(pages=args.pages))
            print_profile(results)
            return
        runs: dict[str, list[dict]] = {name: [] for name in only}
        for pair in range(args.pairs):
            commands = crawl_commands(base, tmp, pair)
            for name in only:
                cmd, cwd = commands[name]
                runs[name].append(run(cmd, cwd=cwd))
            for name in runs:
                r = runs[name][-1]
                print(f"pair {pair + 1} {name:<10} {r['pages']:>5} pages {r['items']:>5} items  {r['pps']:7.1f} pages/s  "
                      f"{r['cpu_ms']:6.2f} CPU ms/page  {r['workers']} page workers  peak PSS {r['rss_mb']:.0f} MB")
    server.shutdown()
    med = {k: statistics.median(r["pps"] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r["cpu_ms"] for r in v) for k, v in runs.items()}
    print("peak memory, PSS of the crawl process + page workers: " + ", ".join(
        f"{k} {max(r['rss_mb'] for r in v):.0f} MB" for k, v in runs.items()))
    print("median pages/s: " + ", ".join(f"{k} {v:.1f}" for k, v in med.items()))
    print("median CPU ms/page: " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()))
    if "plain" not in med:
        return
    if "outlet-1p" in med and "generic-1p" in med:
        print(f"ratio without page workers (one process): outlet-1p/plain {med['outlet-1p'] / med['plain']:.2f}, "
              f"generic-1p/plain {med['generic-1p'] / med['plain']:.2f}")
    for name, target in (("outlet", 0.60), ("generic", 0.35)):
        if name in med:
            r = med[name] / med["plain"]
            print(f"ratio {name}/plain {r:.2f} (target >= {target:.2f}: {'met' if r >= target else 'MISSED'})")


if __name__ == "__main__":
    main()
