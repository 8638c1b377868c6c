"""Each outlet's boilerplate, learned from the crawl (crawler/templates.py).

The rules on hand-made counts, then real crawls over loopback: an outlet of 30 articles whose
bodies carry three boilerplate lines, and a genuine quote that four articles of two outlets print
on the same day. All text is written for the test."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from crawler.arabic import segment
from crawler.templates import TemplateBook, line_key
from tests.sites import LoopbackServer, QuietHandler

ROOT = Path(__file__).resolve().parents[1]

BOILERPLATE = [
    "جميع المواد المنشورة هنا تخضع لسياسة التحرير المعتمدة لدى الموقع منذ تأسيسه.",
    "فريقنا يعمل على مدار الساعة لنقل الخبر إليكم بدقة وأمانة.",
    "نرحب بملاحظاتكم واقتراحاتكم على البريد الإلكتروني للتحرير.",
]
QUOTE = "وقال المتحدث باسم وزارة الري إن خطة تبطين الترع ستنفذ على ثلاث مراحل تبدأ مطلع الشهر المقبل."
CITIES = ["طنطا", "المنصورة", "أسيوط", "سوهاج", "الفيوم", "بنها", "دمياط", "قنا", "المنيا", "الزقازيق"]
TOPICS = ["الطرق", "الصحة", "التعليم", "الإسكان", "الري", "الزراعة"]


def article_text(i: int) -> list[str]:
    city, topic = CITIES[i % len(CITIES)], TOPICS[i % len(TOPICS)]
    return [
        f"أعلنت مديرية {topic} في {city} اليوم بدء العمل في مشروع جديد رقم {100 + i} يخدم نحو {1200 + 37 * i} مواطن.",
        f"وأوضح وكيل المديرية أن المشروع يتضمن {3 + i % 5} مراحل، وأن تكلفته تبلغ {15 + i} مليون جنيه.",
        f"وأشار إلى أن العمل سيستمر {4 + i % 7} أشهر، مع متابعة أسبوعية من محافظ {city} لمعدلات التنفيذ.",
    ]


# ----- the rules ---------------------------------------------------------------------------------

DAY0 = date(2026, 10, 1)


def book(**kw) -> TemplateBook:
    return TemplateBook(None, "sample", **kw)


def feed(b: TemplateBook, n: int, lines: list[str], start: int = 0, outlet_day=lambda i: DAY0 + timedelta(days=i)):
    for i in range(start, start + n):
        item = {"url": f"https://x.example/{i}", "published_at": outlet_day(i).isoformat() + "T09:00:00+02:00"}
        b.count(item, [line_key(p) for p in lines + [f"نص مختلف في المقال رقم {i} ولا يتكرر."]])


def test_a_line_in_every_article_over_days_is_template_from_the_threshold():
    b = book(min_articles=5)
    feed(b, 3, BOILERPLATE)
    key = line_key(BOILERPLATE[0])
    assert not b.is_template(key, "2026-10-04")  # 3 seen + this one: under 5
    feed(b, 1, BOILERPLATE, start=3)
    assert b.is_template(key, "2026-10-05")  # 4 seen + this one


def test_a_line_repeated_within_one_day_is_news_not_template():
    b = book(min_articles=3, min_days=2)
    feed(b, 6, [QUOTE], outlet_day=lambda i: DAY0)
    assert not b.is_template(line_key(QUOTE), DAY0.isoformat())


def test_a_background_paragraph_in_a_few_of_many_articles_is_not_template():
    b = book(min_articles=5, min_share=0.1)
    background = "ويذكر أن المحافظة شهدت خلال العام الماضي تنفيذ عشرات المشروعات في قطاع الطرق."
    feed(b, 6, [background])  # six follow-up stories over six days...
    for i in range(6, 100):  # ...among a hundred articles of those days
        b.count({"url": f"https://x.example/o{i}", "published_at": (DAY0 + timedelta(days=i % 6)).isoformat()},
                [line_key(f"خبر آخر رقم {i} عن موضوع مختلف تماما.")])
    assert not b.is_template(line_key(background), (DAY0 + timedelta(days=5)).isoformat())


def test_a_line_another_outlet_printed_at_the_same_time_is_news(tmp_path):
    from crawler.storage import ArticleStore

    store = ArticleStore(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    key = line_key(QUOTE)
    store.add_template_lines([("other", key, 1, "2026-10-04", "2026-10-04")])
    b = TemplateBook(store, "sample", min_articles=3, min_days=2)
    feed(b, 5, [QUOTE])  # days 1..5 in "sample", the other outlet printed it on day 4
    assert not b.is_template(key, "2026-10-06")
    store.add_template_lines([("third", line_key(BOILERPLATE[0]), 1, "2026-07-01", "2026-07-01")])
    feed(b, 5, [BOILERPLATE[0]], start=5)
    assert b.is_template(line_key(BOILERPLATE[0]), "2026-10-11")  # another outlet, months apart
    store.close()


def test_counts_survive_in_the_store(tmp_path):
    from crawler.storage import ArticleStore

    store = ArticleStore(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    first = TemplateBook(store, "sample", min_articles=5)
    feed(first, 6, BOILERPLATE)
    assert first.flush() > 0
    again = TemplateBook(store, "sample", min_articles=5)
    assert again.is_template(line_key(BOILERPLATE[1]), "2026-10-08")
    store.close()


def test_the_boilerplate_has_no_shape_the_segmenter_knows():
    """So that what removes it below is the learning, not a rule about its shape."""
    body = "\n\n".join(article_text(1) + BOILERPLATE)
    assert segment(body, detect_title=False, cut_lead=False, join_wraps=False, tidy=False)["body"] == body


# ----- real crawls -------------------------------------------------------------------------------

def youm7_page(i: int, day: date, quoted: bool) -> str:
    title = f"مديرية {TOPICS[i % len(TOPICS)]} في {CITIES[i % len(CITIES)]} تبدأ المشروع رقم {100 + i}"
    paras = article_text(i) + ([QUOTE] if quoted else []) + BOILERPLATE
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html><head><title>{title} - اليوم السابع</title><meta property='og:type' content='article'>"
            f"<meta property='article:published_time' content='{day.isoformat()}T09:00:00+02:00'></head><body>"
            f"<div class='articleHeader'><h1>{title}</h1></div><span class='writeBy'>كتب سامح عادل</span>"
            f"<span class='newsStoryDate'>{day.day} أكتوبر 2026 09:00 ص</span>"
            f"<div id='articleBody'>{body}</div></body></html>")


def other_page(i: int) -> str:
    title = f"خطة لتبطين الترع في محافظات الدلتا تبدأ الشهر المقبل {i}"
    ld = json.dumps({"@type": "NewsArticle", "headline": title, "datePublished": "2026-10-20T12:00:00+02:00"},
                    ensure_ascii=False)
    paras = [f"تستعد الحكومة لتنفيذ خطة واسعة لتبطين الترع في {CITIES[i]} ومحافظات أخرى خلال الأشهر المقبلة.",
             QUOTE, f"وتشمل المرحلة الأولى {40 + i} كيلومترا من الترع الفرعية في القرى الأكثر تضررا من الهدر."]
    return (f"<html lang='ar'><head><script type='application/ld+json'>{ld}</script><title>{title}</title></head>"
            f"<body><h1>{title}</h1><article>{''.join(f'<p>{p}</p>' for p in paras)}</article></body></html>")


class Site(LoopbackServer):
    def __init__(self):
        self.pages: dict[str, tuple[str, str]] = {}
        site = self

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802
                found = site.pages.get(self.path)
                body = found[1].encode("utf-8") if found else b""
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", found[0] if found else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._bind(Handler)

    def sitemap(self, paths_days: list[tuple[str, date]]) -> str:
        urls = "".join(f"<url><loc>{self.base}{p}</loc><news:news><news:publication_date>{d.isoformat()}T09:00:00+02:00"
                       "</news:publication_date></news:news></url>" for p, d in paths_days)
        return ('<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')


def youm7_site(site: Site, articles: list[tuple[int, date, bool]]) -> list[str]:
    paths = []
    for i, day, quoted in articles:
        path = f"/story/2026/10/{day.day}/{quote('مشروع-جديد')}/{7100000 + i}"
        site.pages[path] = ("text/html; charset=utf-8", youm7_page(i, day, quoted))
        paths.append(path)
    site.pages["/newsSiteMap.xml"] = ("application/xml", site.sitemap([(p, d) for p, (_, d, _) in zip(paths, articles, strict=True)]))
    return paths


def crawl(args: list[str], tmp: Path, out: str, *settings: str) -> list[dict]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"SQLITE_PATH={tmp / 'store.sqlite3'}",
           "-s", f"SPOOL_PATH={tmp / 'spool.jsonl'}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
           "-s", "CONCURRENT_REQUESTS=1", "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=INFO",
           "-O", f"{tmp / out}:jsonl", *[x for s in settings for x in ("-s", s)]]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert r.returncode in (0, 3), r.stderr[-3000:]
    return [json.loads(line) for line in (tmp / out).read_text(encoding="utf-8").splitlines()]


def has_boilerplate(item: dict) -> bool:
    return any(line in (item["body"] or "") for line in BOILERPLATE)


def test_boilerplate_leaves_every_body_after_the_threshold_and_the_quote_stays(tmp_path):
    # outlet A (youm7): 30 articles over 28 days, three of them on 2026-10-20, two quoting the ministry;
    # outlet B (a site without a module, crawled first): two articles quoting it the same day
    days = [date(2026, 10, 1) + timedelta(days=d) for d in range(28)]
    articles = [(i, day, False) for i, day in enumerate(days)]
    articles += [(28, date(2026, 10, 20), True), (29, date(2026, 10, 20), True)]
    with Site() as b_site, Site() as a_site:
        b_site.pages["/feed.xml"] = ("application/rss+xml", '<?xml version="1.0"?><rss version="2.0"><channel>' + "".join(
            f"<item><link>{b_site.base.replace('127.0.0.1', 'localhost')}/news/2026/10/20/canal-plan-{i}</link></item>"
            for i in range(2)) + "</channel></rss>")
        for i in range(2):
            b_site.pages[f"/news/2026/10/20/canal-plan-{i}"] = ("text/html; charset=utf-8", other_page(i))
        b_items = crawl(["generic", "-a", f"start={b_site.base.replace('127.0.0.1', 'localhost')}/feed.xml"],
                        tmp_path, "b.jsonl")
        youm7_site(a_site, articles)
        a_items = crawl(["youm7", "-a", f"sources={a_site.base}/newsSiteMap.xml"], tmp_path, "a.jsonl")
    assert len(b_items) == 2 and all(QUOTE in it["body"] for it in b_items)
    assert len(a_items) == 30
    kept = [has_boilerplate(it) for it in a_items]  # in the order the crawl processed them
    # the default threshold is 12 articles (TEMPLATE_MIN_ARTICLES) over 2 days: the first eleven keep it
    assert kept == [True] * 11 + [False] * 19, kept
    quoted = [it for it in a_items if QUOTE in it["body"]]
    assert len(quoted) == 2  # the quote stays in both articles that print it (and in B's two)


def test_the_next_run_starts_from_what_the_store_learned_also_in_page_workers(tmp_path):
    days = [date(2026, 10, 1) + timedelta(days=d) for d in range(8)]
    with Site() as site:
        youm7_site(site, [(i, day, False) for i, day in enumerate(days)])
        first = crawl(["youm7", "-a", f"sources={site.base}/newsSiteMap.xml"], tmp_path, "1.jsonl",
                      "TEMPLATE_MIN_ARTICLES=5")
        later = [(i, date(2026, 10, 9) + timedelta(days=i - 8), False) for i in range(8, 12)]
        youm7_site(site, [(i, day, False) for i, day in enumerate(days)] + later)
        second = crawl(["youm7", "-a", f"sources={site.base}/newsSiteMap.xml"], tmp_path, "2.jsonl",
                       "PAGE_WORKERS=2", "PAGE_WORKERS_AFTER=0", "TEMPLATE_MIN_ARTICLES=5")
    assert sum(has_boilerplate(it) for it in first) == 4
    assert len(second) == 4 and not any(has_boilerplate(it) for it in second)  # only the new ones, all clean


def test_a_body_is_never_cut_below_an_article():
    b = book(min_articles=3)
    feed(b, 5, BOILERPLATE)
    short = {"url": "https://x.example/short", "published_at": "2026-10-09T09:00:00+02:00",
             "body": "\n\n".join([*BOILERPLATE, "سطر وحيد قصير."])}
    keys = [line_key(p) for p in short["body"].split("\n\n")]
    assert b.remove(short, keys) == -1  # what would be left (15 characters) is no article
    assert short["body"].startswith(BOILERPLATE[0])
    long = dict(short, body="\n\n".join([*BOILERPLATE, *article_text(3)]))
    assert b.remove(long, [line_key(p) for p in long["body"].split("\n\n")]) == 3
    assert long["body"] == "\n\n".join(article_text(3))
