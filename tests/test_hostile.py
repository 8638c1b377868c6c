"""Hostile inputs (issue 7, item 4): real ``scrapy crawl youm7`` runs against a misbehaving site on
127.0.0.1 (tests/hostile_server.py). Each hostile page sits beside the three good fixture articles;
every test asserts the hostile input's counted outcome in the crawl stats, that the good articles
are still stored, and that nothing crashed (no spider exception, no ERROR line unless expected)."""

from __future__ import annotations

import ast
import gzip
import io
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from tests.hostile_server import (
    HostileSite,
    Reply,
    fail_first,
    gzip_bomb,
    never_answer,
    route_key,
    stream,
)

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
PEAK_LIMIT = 500 * MB  # issue 7's memory target for a crawl
HTML = {"Content-Type": "text/html; charset=utf-8"}

# ----- helpers ----------------------------------------------------------------------------------


def article_html(title: str, paragraphs: list[str], charset: str | None = "utf-8", day: str = "2026-11-22") -> str:
    """A page in youm7's article markup (the spider's selectors), with our own text."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    body = "".join(f'<p class="selectionShareable">{p}</p>' for p in paragraphs)
    return (f"<html><head>{meta}<title>{title} - اليوم السابع</title>"
            f'<meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="{day}T10:00:00Z"></head><body>'
            f'<div class="articleHeader"><h1>{title}</h1></div>'
            f'<span class="newsStoryDate">{day}</span><span class="writeBy">كتب سامي فؤاد</span>'
            f'<div id="articleBody">{body}</div></body></html>')


PARAS = ["أعلنت الجمعية الزراعية فى القرية عن بدء موسم حصاد القمح مبكرا هذا العام بعد تحسن الطقس وارتفاع إنتاجية الفدان.",
         "وقال رئيس الجمعية إن المزارعين تسلموا البذور المحسنة فى الموعد وإن الري انتظم طوال الشتاء دون انقطاع يذكر."]


def story(slug: str, ident: int, day: str = "2026/11/22") -> str:
    return f"/story/{day}/{slug}/{ident}"


def crawl(site: HostileSite, tmp: Path, sources: list[str], *args: str, timeout: int = 60,
          monitors: bool = False) -> tuple[subprocess.CompletedProcess, dict, float]:
    """One ``scrapy crawl youm7`` over loopback; returns (result, final stats + ``test/peak_rss``
    (the crawl process's peak RSS in bytes), seconds)."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "youm7", "-a", "sources=" + ",".join(sources),
           "-s", f"SQLITE_PATH={tmp / 'store.sqlite3'}", "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}",
           "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO",
           "-s", "DOWNLOAD_TIMEOUT=5", "-s", "RETRY_TIMES=1", "-s", "STORE_FLUSH_SECONDS=1",
           "-s", f"SPIDERMON_ENABLED={monitors}", *args]
    started = time.monotonic()
    out, err = tmp / "crawl.stdout", tmp / "crawl.stderr"
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fo, stderr=fe)
        deadline = started + timeout
        while (waited := os.wait4(proc.pid, os.WNOHANG))[0] == 0:  # wait4: the child's own peak RSS
            if time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"crawl still running after {timeout} s: " + err.read_text()[-3000:])
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(waited[1])
    result = subprocess.CompletedProcess(cmd, proc.returncode, out.read_text(errors="replace"),
                                         err.read_text(errors="replace"))
    stats = final_stats(result.stderr)
    stats["test/peak_rss"] = waited[2].ru_maxrss * 1024  # Linux reports KiB
    return result, stats, time.monotonic() - started


def final_stats(stderr: str) -> dict:
    """The stats dict Scrapy dumps at INFO when the crawl closes."""
    m = re.search(r"Dumping Scrapy stats:\n(\{.*?\})\n(?:\d{4}-\d\d-\d\d |\Z)", stderr, re.S)
    assert m, stderr[-3000:]
    text = re.sub(r"datetime\.datetime\([^)]*\)", "None", m.group(1))
    return ast.literal_eval(text)


def stored(tmp: Path) -> dict[str, dict]:
    """Stored rows keyed by unquoted URL path."""
    con = sqlite3.connect(tmp / "store.sqlite3")
    con.row_factory = sqlite3.Row
    try:
        return {unquote(urlsplit(r["url"]).path): dict(r) for r in con.execute("select * from articles")}
    finally:
        con.close()


def assert_clean_run(result, stats: dict, site: HostileSite, tmp: Path, errors: int = 0) -> dict[str, dict]:
    """Exit 0, no spider exception, the expected number of ERROR lines, every good article stored."""
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert not any(k.startswith("spider_exceptions") for k in stats), stats
    assert stats.get("log_count/ERROR", 0) == errors, result.stderr[-3000:]
    assert stats["finish_reason"] == "finished"
    rows = stored(tmp)
    assert set(site.good) <= set(rows), (sorted(rows), result.stderr[-2000:])
    return rows


# ----- tests ------------------------------------------------------------------------------------


def test_malformed_html(tmp_path):
    """Broken markup is parsed leniently: extractable articles are stored, the rest dropped and counted."""
    with HostileSite() as site:
        sloppy = story("وسوم-غير-مغلقة", 9000001)
        site.add(sloppy, Reply(200, (  # no </p>, </div>, </body>; stray </span>; unquoted attributes; NUL byte
            "<html><head><title>خبر بوسوم مكسورة</title><body><div class=articleHeader><h1>خبر بوسوم مكسورة</h1>"
            "</span><div id=articleBody><p class=selectionShareable>" + PARAS[0] + "<p>" + PARAS[1]
            + "\x00<b><i>نص مائل</b></i><table><tr><td>خلية").encode(), HTML))
        nested = story("تعشيش-عميق", 9000002)  # 20,000 nested divs: lxml's depth limit, not a recursion crash
        site.add(nested, Reply(200, ("<html><body><h1>خبر داخل عشرين ألف عنصر</h1>" + "<div>" * 20000
                                     + "<p>" + PARAS[0] + "</p>" + "</div>" * 20000 + "</body></html>").encode(), HTML))
        noise = story("ضجيج", 9000003)  # random bytes labelled HTML
        site.add(noise, Reply(200, os.urandom(4096), HTML))
        empty = story("فارغة", 9000004)
        site.add(empty, Reply(200, b"", HTML))
        truncated = story("مبتورة", 9000005)  # cut inside a tag
        site.add(truncated, Reply(200, article_html("خبر مبتور", PARAS).encode()[:-60] + b'<a href="/x', HTML))
        src = site.sitemap("/sitemap.xml", site.good_urls() + [site.url(p) for p in (sloppy, nested, noise, empty, truncated)])
        result, stats, secs = crawl(site, tmp_path, [src])
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert rows[sloppy]["title"] == "خبر بوسوم مكسورة"
    assert PARAS[0][:40] in rows[sloppy]["body"] and PARAS[1][:40] in rows[sloppy]["body"]
    assert rows[truncated]["title"] == "خبر مبتور"
    # 8 article pages fetched; every one is either stored or a counted drop / skip
    assert stats["news/article_requests"] == 8
    dropped = stats.get("item_dropped_count", 0) + stats.get("news/not_html", 0)
    assert len(rows) + dropped == 8, (sorted(rows), stats)
    assert noise not in rows and empty not in rows and nested not in rows
    # random bytes and an empty page have no title; text 20,000 elements deep lies past libxml2's
    # depth limit, so that page keeps only its heading and is too short
    assert stats["validate/dropped/missing_title"] == 2
    assert stats["validate/dropped/body_too_short"] == 1


ENC_TITLE = "قافلة طبية مجانية تفحص ألف مواطن فى قرى الصعيد"
ENC_PARAS = ["نظمت مديرية الصحة قافلة طبية شاملة استمرت ثلاثة أيام وقدمت الكشف والعلاج بالمجان لأهالي القرى البعيدة.",
             "وضمت القافلة أطباء فى تخصصات الباطنة والأطفال والعيون، وصرفت الأدوية للمرضى وحولت الحالات الحرجة إلى المستشفى."]

# (slug, page bytes' encoding, charset in the Content-Type header, charset in a <meta>, text recoverable?)
ENCODING_CASES = [
    ("cp1256-header", "cp1256", "windows-1256", None),
    ("cp1256-meta", "cp1256", None, "windows-1256"),
    ("cp1256-undeclared", "cp1256", None, None),
    ("iso6-header", "iso-8859-6", "iso-8859-6", None),
    ("iso6-meta", "iso-8859-6", None, "iso-8859-6"),
    ("iso6-undeclared", "iso-8859-6", None, None),
    ("cp1256-says-utf8", "cp1256", "utf-8", None),  # wrong header
    ("cp1256-says-latin1", "cp1256", "iso-8859-1", "iso-8859-1"),  # wrong header and meta
    ("cp1256-says-iso6", "cp1256", "iso-8859-6", None),  # wrong Arabic charset
    ("utf8-says-cp1256", "utf-8", "windows-1256", None),  # UTF-8 bytes, legacy label
    ("iso6-says-cp1256", "iso-8859-6", "windows-1256", None),
]


def test_legacy_arabic_encodings(tmp_path):
    """windows-1256 and ISO-8859-6 pages, declared in the header, in a <meta>, not at all, or
    wrongly: the stored Arabic title and body are the original text in every case (the bytes of
    these two encodings are distinguishable: windows-1256 Arabic uses bytes ISO-8859-6 leaves
    undefined, and ISO-8859-6 Arabic read as windows-1256 turns into Latin letters)."""
    paras = ENC_PARAS
    with HostileSite() as site:
        paths = {}
        for i, (slug, enc, header, meta) in enumerate(ENCODING_CASES):
            html = article_html(f"{ENC_TITLE} {i}", paras, charset=meta)
            ctype = "text/html" + (f"; charset={header}" if header else "")
            paths[slug] = site.add(story(slug, 9100000 + i), Reply(200, html.encode(enc), {"Content-Type": ctype}))
        src = site.sitemap("/sitemap.xml", site.good_urls() + list(paths.values()))
        result, stats, _ = crawl(site, tmp_path, [src])
    rows = assert_clean_run(result, stats, site, tmp_path)
    wrong = {}
    for i, (slug, *_rest) in enumerate(ENCODING_CASES):
        row = rows.get(unquote(urlsplit(paths[slug]).path))
        if row is None or row["title"] != f"{ENC_TITLE} {i}" or paras[1][:60] not in row["body"]:
            wrong[slug] = row and row["title"]
    assert not wrong, (wrong, stats)
    assert len(rows) == 3 + len(ENCODING_CASES)
    assert stats["news/encoding_corrected"] == 5  # the five wrongly labelled pages


def test_gzip_bombs(tmp_path):
    """A page whose Content-Encoding: gzip body expands past DOWNLOAD_MAXSIZE is dropped while
    decompressing (counted as too_large); a .xml.gz sitemap bomb served without Content-Encoding is
    an unreadable source (counted); an honest gzip'd article is stored."""
    bomb = gzip_bomb(64 * MB)  # 64 KB on the wire, 64 MB inflated; the limit is 16 MB
    assert len(bomb) < MB
    with HostileSite() as site:
        bomb_page = story("قنبلة-مضغوطة", 9200001)
        site.add(bomb_page, Reply(200, bomb, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}))
        honest = story("صفحة-مضغوطة", 9200002)
        site.add(honest, Reply(200, gzip.compress(article_html("خبر مضغوط سليم", PARAS).encode()),
                               {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}))
        site.add("/bomb.xml.gz", Reply(200, bomb, {"Content-Type": "application/octet-stream"}))
        src = site.sitemap("/sitemap.xml", site.good_urls() + [site.url(bomb_page), site.url(honest)])
        result, stats, secs = crawl(site, tmp_path, [src, site.url("/bomb.xml.gz")])
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert bomb_page not in rows and rows[honest]["title"] == "خبر مضغوط سليم"
    assert stats["news/article_failed/too_large"] == 1
    assert stats["news/sources_unreadable"] == 1
    assert "exceeded DOWNLOAD_MAXSIZE" in result.stderr
    # Bound: issue 7's 500 MB crawl target. Measured ~215 MB when this file runs alone and up to
    # ~410 MB inside the full suite (unexplained); buffering the bomb or page whole would add
    # several times its 50-64 MB.
    assert stats["test/peak_rss"] < PEAK_LIMIT, stats["test/peak_rss"]


def test_fifty_megabyte_page(tmp_path):
    """50 MB pages are refused by DOWNLOAD_MAXSIZE (16 MB): at once when Content-Length announces
    them, after 16 MB when it does not. Both counted as too_large; the crawl goes on."""
    with HostileSite() as site:
        announced = story("صفحة-عملاقة", 9300001)
        site.add(announced, stream(50 * MB))
        unannounced = story("صفحة-عملاقة-بلا-طول", 9300002)
        site.add(unannounced, stream(50 * MB, content_length=False))
        src = site.sitemap("/sitemap.xml", site.good_urls() + [site.url(announced), site.url(unannounced)])
        result, stats, secs = crawl(site, tmp_path, [src])
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert announced not in rows and unannounced not in rows
    assert stats["news/article_failed/too_large"] == 2, stats
    assert stats["downloader/response_bytes"] < 20 * MB  # at most the 16 MB of the unannounced one
    assert stats["test/peak_rss"] < PEAK_LIMIT, stats["test/peak_rss"]
    assert secs < 30


def test_sitemap_with_xxe_and_billion_laughs(tmp_path):
    """External entities are never fetched nor read (a local file, an HTTP URL), entity expansion
    never runs; the plain <loc> entries of the same sitemaps are still crawled."""
    secret = tmp_path / "secret.txt"
    with HostileSite() as site:
        secret.write_text(story("سر-مسرب", 9400001), encoding="utf-8")
        xxe = (f'<!DOCTYPE urlset [<!ENTITY file SYSTEM "file://{secret}">'
               f'<!ENTITY remote SYSTEM "{site.url("/xxe-probe")}">]>\n').encode()
        site.add(story("سر-مسرب", 9400001), Reply(200, article_html("لا ينبغي جلب هذا", PARAS).encode(), HTML))
        good = site.good_urls()
        xxe_src = site.sitemap("/xxe.xml", [good[0], site.base + "&file;", site.base + "/&remote;"], prefix=xxe)
        lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        laughs = f'<!DOCTYPE urlset [<!ENTITY l0 "ha">{lol}]>\n'.encode()
        lol_src = site.sitemap("/laughs.xml", [good[1], good[2], site.base + "/story/2026/11/22/&l9;/1"], prefix=laughs)
        result, stats, secs = crawl(site, tmp_path, [xxe_src, lol_src])
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert len(rows) == 3
    assert not any("xxe-probe" in p or "9400001" in p for p in site.requests), site.requests
    assert "/story/2026/11/22/&l9;/1" in site.requests  # the entity stayed a literal, unexpanded
    assert stats["news/article_failed/http_404"] == 1
    assert stats["news/sources/urlset"] == 2
    assert secs < 20 and stats["test/peak_rss"] < PEAK_LIMIT


def test_million_url_sitemap_is_refused_at_the_size_limit(tmp_path):
    """A gzip'd sitemap of a million article URLs (~3 MB on the wire, ~75 MB inflated; the protocol
    allows 50,000 URLs) is refused while inflating: one unreadable source, counted; memory stays flat."""
    with HostileSite() as site:
        site.add("/huge.xml.gz", Reply(200, million_sitemap(site), {"Content-Type": "application/x-gzip"}))
        src = site.sitemap("/sitemap.xml", site.good_urls())
        result, stats, secs = crawl(site, tmp_path, [site.url("/huge.xml.gz"), src])
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert len(rows) == 3
    assert stats["news/sources_unreadable"] == 1
    assert stats["test/peak_rss"] < PEAK_LIMIT
    assert secs < 30


def million_sitemap(site: HostileSite, n: int = 1_000_000) -> bytes:
    """A gzip'd urlset of ``n`` article URLs of the site, none of which exists."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=6, mtime=0) as gz:
        gz.write(b'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        line = f"<url><loc>{site.base}/story/2026/11/22/x/%d</loc></url>\n"
        for start in range(0, n, 50_000):
            gz.write("".join(line % i for i in range(start, min(start + 50_000, n))).encode())
        gz.write(b"</urlset>\n")
    return buf.getvalue()


def test_million_url_sitemap_with_limit_stays_bounded(tmp_path):
    """With the size limit lifted, the million-URL sitemap (every URL a real article) is read as a
    stream: ``-a limit=5`` stores 5 articles, 10,000 more links wait for slots, the rest of the
    sitemap is not read (news/sources_truncated); peak RSS and run time stay sane."""
    with HostileSite() as site:
        site.add("/huge.xml.gz", Reply(200, million_sitemap(site), {"Content-Type": "application/x-gzip"}))
        site.add("/story/2026/11/22/x/*", Reply(200, article_html("خبر من خريطة المليون", PARAS).encode(), HTML))
        result, stats, secs = crawl(site, tmp_path, [site.url("/huge.xml.gz")], "-a", "limit=5",
                                    "-s", "DOWNLOAD_MAXSIZE=0",
                                    timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert stats["news/sources/urlset"] == 1
    assert stats["news/article_requests"] == 5 and stats["item_scraped_count"] == 5
    assert len(stored(tmp_path)) == 5
    assert stats["news/over_limit"] == 10_000 and stats["news/sources_truncated"] == 1
    # measured ~275 MB; before iter_xml and the early stop: 67 s and over 1 GB
    assert stats["test/peak_rss"] < PEAK_LIMIT, stats["test/peak_rss"]
    assert secs < 30


def redirect(to: str, status: int = 302) -> Reply:
    return Reply(status, b"", {"Location": quote(to, safe=":/?&=%"), "Content-Type": "text/html"})


def test_redirect_loops(tmp_path):
    """A self-redirect, a two-page loop and an endless chain of fresh URLs each end, counted as
    redirect_loop; a single redirect to an article is followed and the article stored."""
    with HostileSite() as site:
        self_loop = story("تحويل-لنفسه", 9500001)
        site.add(self_loop, redirect(self_loop))
        ping, pong = story("ذهاب", 9500002), story("إياب", 9500003)
        site.add(ping, redirect(site.url(pong), 301))
        site.add(pong, redirect(ping, 307))
        chain = story("سلسلة", 9500004)
        site.add(chain, lambda handler, n: redirect(f"/chain/{n}"))
        site.add("/chain/*", lambda handler, n: redirect(f"/chain/{handler.path.rsplit('/', 1)[-1]}-{n}"))
        moved = story("نقل", 9500005)
        site.add(moved, redirect(story("مقال-منقول", 9500006), 301))
        site.add(story("مقال-منقول", 9500006), Reply(200, article_html("مقال نقل إلى عنوان جديد", PARAS).encode(), HTML))
        src = site.sitemap("/sitemap.xml", site.good_urls() + [site.url(p) for p in (self_loop, ping, chain, moved)])
        result, stats, secs = crawl(site, tmp_path, [src], "-s", "REDIRECT_MAX_TIMES=5")
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert stats["news/article_failed/redirect_loop"] == 3, stats
    assert rows[story("مقال-منقول", 9500006)]["title"] == "مقال نقل إلى عنوان جديد"
    assert len(rows) == 4
    # loops end at their first repeated URL (the dupefilter), counted through request_dropped;
    # the chain of fresh URLs ends after REDIRECT_MAX_TIMES hops
    assert site.hits[self_loop] == 1 and site.hits[ping] == 1 and site.hits[pong] == 1
    assert stats["dupefilter/filtered"] == 2
    assert sum(n for p, n in site.hits.items() if p.startswith("/chain/")) == 5


def test_redirect_loop_hands_its_limit_slot_on(tmp_path):
    """Under ``-a limit=3`` a looping link listed first takes a slot; when the loop is dropped the
    slot goes to the waiting third good article, so all three are stored."""
    with HostileSite() as site:
        loop = story("حلقة", 9500101)
        site.add(loop, redirect(loop))
        src = site.sitemap("/sitemap.xml", [site.url(loop)] + site.good_urls())
        result, stats, secs = crawl(site, tmp_path, [src], "-a", "limit=3")
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert len(rows) == 3
    assert stats["news/article_failed/redirect_loop"] == 1 and stats["news/over_limit"] == 1
    assert stats["news/article_requests"] == 4


def test_bursts_of_5xx(tmp_path):
    """A burst of 503s shorter than RETRY_TIMES is retried through and the article stored; a page
    failing longer is retried, then counted as http_500; a sitemap behind a 502 burst still works."""
    with HostileSite() as site:
        flaky = story("خادم-متعثر", 9600001)
        site.add(flaky, fail_first(2, 503, Reply(200, article_html("خبر بعد تعثر الخادم", PARAS).encode(), HTML)))
        broken = story("خادم-معطل", 9600002)
        site.add(broken, fail_first(1000, 500, Reply(200, b"", HTML)))
        site.sitemap("/sitemap-real.xml", site.good_urls() + [site.url(flaky), site.url(broken)])
        real = site.routes["/sitemap-real.xml"]
        site.add("/sitemap.xml", fail_first(2, 502, real))
        result, stats, secs = crawl(site, tmp_path, [site.url("/sitemap.xml")], "-s", "RETRY_TIMES=2")
    rows = assert_clean_run(result, stats, site, tmp_path, errors=1)  # Scrapy's "Gave up retrying"
    assert rows[flaky]["title"] == "خبر بعد تعثر الخادم"
    assert broken not in rows and len(rows) == 4
    assert site.hits[broken] == 3  # first try + RETRY_TIMES
    assert stats["retry/count"] == 2 + 2 + 2  # sitemap, flaky, broken
    assert stats["retry/max_reached"] == 1
    assert stats["news/article_failed/http_500"] == 1
    # failed fetches (crawler.middlewares.failures): once per fetch after its retries, never per attempt,
    # and a fetch that succeeded on a retry (the sitemap, the flaky story) is no failure
    assert stats["fetch/failed"] == 1 and stats["fetch/failed/http_500"] == 1


def test_server_that_never_answers(tmp_path):
    """A page whose server accepts the connection and never answers times out (DOWNLOAD_TIMEOUT
    lowered to 2 s), is retried once, then counted as timeout; the crawl finishes and stores the rest."""
    with HostileSite() as site:
        silent = story("صمت", 9700001)
        site.add(silent, never_answer(site))
        src = site.sitemap("/sitemap.xml", site.good_urls() + [site.url(silent)])
        result, stats, secs = crawl(site, tmp_path, [src], "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=1")
    rows = assert_clean_run(result, stats, site, tmp_path, errors=1)  # Scrapy's "Gave up retrying"
    assert len(rows) == 3
    assert stats["news/article_failed/timeout"] == 1
    assert stats["fetch/failed/timeout"] == 1  # counted once, after the retry
    assert stats["retry/reason_count/scrapy.exceptions.DownloadTimeoutError"] == 1
    assert site.hits[silent] == 2
    assert secs < 20


def test_non_arabic_and_non_article_pages(tmp_path):
    """An English page, a soft-404 page, a page with a title and a caption only: each dropped by
    validate with its reason; a link outside the article pattern is not fetched at all (counted)."""
    with HostileSite() as site:
        english = story("english-story", 9800001)
        site.add(english, Reply(200, article_html("Farmers start the wheat harvest early this year", [
            "The agricultural society in the village announced an early start of the wheat harvest season.",
            "Its head said that farmers received improved seeds on time and irrigation ran all winter."]).encode(), HTML))
        soft404 = story("غير-موجودة", 9800002)
        site.add(soft404, Reply(200, "<html><head><title>الصفحة غير موجودة</title></head><body><h1>عفوا، الصفحة غير موجودة</h1>"
                                     "<a href='/'>الرئيسية</a></body></html>".encode(), HTML))
        video = story("فيديو", 9800003)
        site.add(video, Reply(200, article_html("فيديو.. لحظة وصول القافلة", ["شاهد الفيديو"]).encode(), HTML))
        site.add("/Section/أخبار/1/1", Reply(200, b"<html><body>section</body></html>", HTML))
        src = site.sitemap("/sitemap.xml", site.good_urls() + [site.url(p) for p in (english, soft404, video)]
                           + [site.url("/Section/أخبار/1/1")])
        result, stats, secs = crawl(site, tmp_path, [src])
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert len(rows) == 3
    assert stats["validate/dropped/not_arabic"] == 1
    assert stats["validate/dropped/body_too_short"] + stats.get("validate/dropped/missing_body", 0) == 2, stats
    assert stats["item_dropped_count"] == 3
    assert stats["news/links_not_article"] == 1 and "/Section/أخبار/1/1" not in site.hits


def test_non_arabic_run_fails_its_monitors(tmp_path):
    """The same kind of run with spidermon on: when most pages are dropped the run is bad and
    ``scrapy crawl`` says so with exit code 3, after storing the good articles."""
    with HostileSite() as site:
        english = [site.add(story(f"english-{i}", 9810000 + i), Reply(200, article_html(f"An English story {i}", [
            "The agricultural society in the village announced an early start of the wheat harvest season.",
            "Its head said that farmers received improved seeds on time and irrigation ran all winter."]).encode(),
            HTML)) for i in range(4)]
        src = site.sitemap("/sitemap.xml", site.good_urls() + english)
        result, stats, secs = crawl(site, tmp_path, [src], monitors=True)
    assert result.returncode == 3, result.stderr[-3000:]
    assert stats["validate/dropped/not_arabic"] == 4
    assert "drop rate 57%" in result.stderr
    assert len(stored(tmp_path)) == 3


def test_robots_txt_disallow(tmp_path):
    """Paths robots.txt disallows are never requested; each is counted (robotstxt/forbidden and
    news/article_failed/robots_forbidden)."""
    with HostileSite() as site:
        site.add("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /story/2026/11/23/\n", {"Content-Type": "text/plain"}))
        hidden = [story(f"ممنوع-{i}", 9900000 + i, day="2026/11/23") for i in range(2)]
        for p in hidden:
            site.add(p, Reply(200, article_html("صفحة ممنوعة", PARAS).encode(), HTML))
        src = site.sitemap("/sitemap.xml", site.good_urls() + [site.url(p) for p in hidden])
        result, stats, secs = crawl(site, tmp_path, [src])
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert len(rows) == 3
    assert stats["robotstxt/forbidden"] == 2
    assert stats["news/article_failed/robots_forbidden"] == 2
    assert stats["fetch/failed/robots_forbidden"] == 2  # and in the summary line's failed fetches
    summary = next(line for line in result.stderr.splitlines() if "summary " in line)
    assert "failed fetches 2 (robots_forbidden 2)" in summary
    assert not any(p in site.hits for p in hidden)


def test_invalid_utf8_and_percent_encoded_arabic_urls(tmp_path):
    """Percent-encoded Arabic slugs are the same article as the raw Arabic URL (fetched and stored
    once); a percent-encoded slug of a new article is fetched and stored under its Arabic path;
    percent-encoded bytes that are not UTF-8 (in a sitemap) and raw non-UTF-8 bytes in a section
    page's href are fetched as they are, without a crash."""
    with HostileSite() as site:
        good = site.good_urls()
        encoded_dup = site.base + quote(site.good[0])  # same article, %-encoded
        fresh = story("حصاد-القمح", 9990001)
        site.add(fresh, Reply(200, article_html("حصاد القمح يبدأ مبكرا", PARAS).encode(), HTML))
        bad_bytes = "/story/2026/11/22/%FF%FEslug%C3%28/9990002"  # not UTF-8 once unquoted
        site.add(route_key(bad_bytes), Reply(200, article_html("عنوان ببايتات غير صالحة", PARAS).encode(), HTML))
        raw_href = "/story/2026/11/22/raw\xe9\xff/9990003"  # bytes 0xE9 0xFF in the href itself
        site.add(route_key(quote(raw_href.encode("latin-1"))),
                 Reply(200, article_html("رابط خام غير صالح", PARAS).encode(), HTML))
        section = b"<html><body><h1>\xd8\xa3\xd8\xae\xd8\xa8\xd8\xa7\xd8\xb1</h1><a href=\"" + raw_href.encode("latin-1") + b"\">x</a></body></html>"
        site.add("/section", Reply(200, section, HTML))
        src = site.sitemap("/sitemap.xml", good + [encoded_dup, site.base + quote(fresh), site.base + bad_bytes])
        result, stats, secs = crawl(site, tmp_path, [src, site.url("/section")])
    rows = assert_clean_run(result, stats, site, tmp_path)
    assert site.hits[site.good[0]] == 1  # the encoded duplicate was not fetched again
    assert rows[fresh]["title"] == "حصاد القمح يبدأ مبكرا"
    assert sum(r["title"] == "عنوان ببايتات غير صالحة" for r in rows.values()) == 1
    assert sum(r["title"] == "رابط خام غير صالح" for r in rows.values()) == 1, (sorted(site.hits), sorted(rows))
    assert len(rows) == 6


def test_links_to_other_services_on_private_addresses_are_refused(tmp_path):
    """The crawl starts on its (loopback) server; a sitemap there lists a story on another port of
    the same machine (an internal service: the offsite filter passes it, the host name is the
    same) and a story that redirects to it. Both are refused once their address is known, and
    counted; nothing reaches the other service. ALLOW_PRIVATE_ADDRESSES=True lets them through."""
    for name in ("guarded", "allowed"):
        (tmp_path / name).mkdir()
    with HostileSite() as site, HostileSite() as inner:
        direct, behind = story("خدمة-داخلية", 9990101), story("خدمة-داخلية-محولة", 9990102)
        for path, title in ((direct, "صفحة من خدمة داخلية"), (behind, "صفحة أخرى من خدمة داخلية")):
            inner.add(path, Reply(200, article_html(title, PARAS).encode(), HTML))
        hop = story("تحويل-داخلي", 9990103)
        site.add(hop, redirect(inner.url(behind)))
        src = site.sitemap("/sitemap.xml", site.good_urls() + [inner.url(direct), site.url(hop)])
        result, stats, _ = crawl(site, tmp_path / "guarded", [src])
        reached = list(inner.requests)
        inner.requests.clear()
        allowed, allowed_stats, _ = crawl(site, tmp_path / "allowed", [src], "-s", "ALLOW_PRIVATE_ADDRESSES=True")
    rows = assert_clean_run(result, stats, site, tmp_path / "guarded")
    assert len(rows) == 3 and reached == []
    assert stats["private_address/refused"] == 2
    assert result.stderr.count("a private address (the crawl did not start there") == 2
    assert allowed.returncode == 0, allowed.stderr[-3000:]
    assert len(stored(tmp_path / "allowed")) == 5 and "private_address/refused" not in allowed_stats
