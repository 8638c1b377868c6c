"""Unit tests for crawler.spider: Outlet routing, article URL filters, spider arguments and discovery
(parse_source) driven with hand-made responses; no network, no engine."""

import asyncio
import gzip
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, Response, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.spider import NewsSpider, Outlet, Selectors, Source, parse_when

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
HOST = "https://akhbar.example.com"


class ExampleSpider(NewsSpider):
    name = "example_test"
    outlet = Outlet(slug="example", name="أخبار المثال", domains=("akhbar.example.com", "mithal.example"),
                    timezone="Asia/Riyadh", aliases=("Mithal News",))
    sources = (
        Source(f"{HOST}/news-sitemap.xml", "news_sitemap"),
        Source(f"{HOST}/rss", "feed"),
        Source(f"{HOST}/section/محليات", "section", pages=3),
    )
    article_allow = (r"^/(?:story|أخبار)/\d+",)
    article_deny = (r"/video/", r"[?&]print=1")
    selectors = Selectors(title="h1", body="div.story")


def make_spider(settings: dict | None = None, **kwargs) -> ExampleSpider:
    crawler = get_crawler(ExampleSpider, settings or {})
    return ExampleSpider.from_crawler(crawler, **kwargs)


def stats(spider) -> dict:
    return spider.crawler.stats.get_stats()


def urlset(*entries: tuple[str, str | None]) -> bytes:
    """A Google News sitemap: (loc, publication_date or None) per entry."""
    rows = []
    for loc, published in entries:
        news = (f"<news:news><news:publication_date>{published}</news:publication_date>"
                f"<news:keywords>محليات, طقس</news:keywords></news:news>") if published else ""
        rows.append(f"<url><loc>{loc}</loc>{news}</url>")
    return f'<urlset xmlns="{SM}" xmlns:news="{NEWS}">{"".join(rows)}</urlset>'.encode()


def xml_response(body: bytes, url: str = f"{HOST}/news-sitemap.xml", meta: dict | None = None) -> XmlResponse:
    return XmlResponse(url, body=body, request=Request(url, meta=meta or {}))


def article_urls(results) -> list[str]:
    return [r.url for r in results if r.callback is not None and r.callback.__name__ == "parse_article"]


def source_requests(results) -> list[Request]:
    return [r for r in results if r.callback is not None and r.callback.__name__ == "parse_source"]


# ----- Outlet.owns ----------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "owned"), [
    ("https://akhbar.example.com/story/1", True),
    ("https://www.akhbar.example.com/story/1", True),
    ("https://m.akhbar.example.com:8443/story/1", True),
    ("https://AKHBAR.Example.COM/story/1", True),
    ("http://mithal.example/", True),
    ("https://notakhbar.example.com/story/1", False),  # a lookalike, not a subdomain
    ("https://akhbar.example.com.evil.test/story/1", False),
    ("https://akhbar.example.com@evil.test/story/1", False),  # userinfo, the host is evil.test
    ("https://example.com/story/1", False),  # the parent domain is not the outlet
    ("/story/1", False),
    ("", False),
], ids=["apex", "www", "port", "case", "second-domain", "lookalike", "suffix", "userinfo", "parent",
        "relative", "empty"])
def test_outlet_owns(url, owned):
    assert ExampleSpider.outlet.owns(url) is owned


def test_outlet_owns_lookalike_domain_youm7_style():
    outlet = Outlet(slug="y", name="ي", domains=("youm7.com",), timezone="Africa/Cairo")
    assert outlet.owns("https://www.youm7.com/story/2026/11/21/x/1")
    assert not outlet.owns("https://notyoum7.com/story/2026/11/21/x/1")


# ----- is_article_url -------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "expected"), [
    (f"{HOST}/story/123", True),
    (f"{HOST}/story/123/slug?utm=1", True),
    (f"{HOST}/{quote('أخبار')}/456/{quote('سوق-الخضار')}", True),  # percent-encoded Arabic path
    (f"{HOST}/أخبار/456", True),
    (f"{HOST}/{quote('رياضة')}/456", False),
    (f"{HOST}/section/story/123", False),  # allow is anchored at the path start
    (f"{HOST}/story/abc", False),
    (f"{HOST}/story/123/video/", False),  # deny beats allow
    (f"{HOST}/story/123?print=1", False),  # the query is part of the filtered text
    (f"{HOST}/tag/story/1?next=/story/2", False),
], ids=["story", "query", "encoded-arabic", "raw-arabic", "other-section", "anchored", "no-id", "deny",
        "deny-query", "allow-only-in-query"])
def test_is_article_url(url, expected):
    assert make_spider().is_article_url(url) is expected


def test_is_article_url_without_allow_patterns_accepts_all_but_denied():
    class Open(ExampleSpider):
        name = "open_test"
        article_allow = ()

    spider = Open.from_crawler(get_crawler(Open))
    assert spider.is_article_url(f"{HOST}/anything/at/all")
    assert not spider.is_article_url(f"{HOST}/video/1")


# ----- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "end_of_day", "expected"), [
    ("2026-11-01", False, datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC)),
    ("2026-11-01", True, datetime(2026, 11, 1, 23, 59, 59, tzinfo=UTC)),
    (" 2026-11-01 ", False, datetime(2026, 11, 1, tzinfo=UTC)),
    ("2026-11-01T10:30:00+03:00", False, datetime(2026, 11, 1, 7, 30, tzinfo=UTC)),
    ("2026-11-01T10:30:00", True, datetime(2026, 11, 1, 10, 30, tzinfo=UTC)),  # naive: UTC, time kept
    ("2026-11-01T10:30:00Z", False, datetime(2026, 11, 1, 10, 30, tzinfo=UTC)),
    (None, False, None),
    ("", True, None),
], ids=["date", "date-end", "spaces", "offset", "naive", "Z", "none", "empty"])
def test_parse_when(value, end_of_day, expected):
    got = parse_when(value, end_of_day=end_of_day)
    assert got == expected
    if got is not None:
        assert got.utcoffset() is not None


def test_parse_when_keeps_the_given_offset():
    assert parse_when("2026-11-01T10:30:00+03:00").utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize("value", ["yesterday", "أمس", "2026-13-01", "2026/11/01", "01-11-2026", "2026-11-31"])
def test_parse_when_rejects_junk_clearly(value):
    with pytest.raises(ValueError, match="cannot read date .*YYYY-MM-DD"):
        parse_when(value)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"since": "last week"}, "cannot read date"),
    ({"until": "2026-02-30"}, "cannot read date"),
    ({"limit": "ten"}, "limit must be a whole number"),
    ({"limit": "2.5"}, "limit must be a whole number"),
])
def test_spider_arguments_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_spider(**kwargs)


def test_spider_arguments_parsed():
    spider = make_spider(since="2026-11-01", until="2026-11-02", limit="7")
    assert spider.since == datetime(2026, 11, 1, tzinfo=UTC)
    assert spider.until == datetime(2026, 11, 2, 23, 59, 59, tzinfo=UTC)
    assert spider.limit == 7
    assert make_spider(limit="").limit is None


def _start(spider) -> list[Request]:
    async def collect():
        return [r async for r in spider.start()]
    return asyncio.run(collect())


def test_start_requests_from_sources_with_priorities_and_pages():
    reqs = _start(make_spider())
    assert [(r.url, r.priority, r.meta["source_kind"], r.meta["section_pages_left"]) for r in reqs] == [
        (f"{HOST}/news-sitemap.xml", 30, "news_sitemap", 0),
        (f"{HOST}/rss", 20, "feed", 0),
        (f"{HOST}/section/{quote('محليات')}", 10, "section", 2),
    ]


def test_sources_argument_replaces_sources_and_allows_mirror_host():
    spider = make_spider(sources=" http://127.0.0.1:8001/sitemap.xml , ,http://127.0.0.1:8001/s ")
    reqs = _start(spider)
    assert [(r.url, r.priority, r.meta["section_pages_left"]) for r in reqs] == [
        ("http://127.0.0.1:8001/sitemap.xml", 15, 2), ("http://127.0.0.1:8001/s", 15, 2)]
    assert spider.allowed_domains == ["akhbar.example.com", "mithal.example", "127.0.0.1"]


# ----- parse_source: sitemaps and feeds -------------------------------------------------------


def test_sitemap_schedules_only_article_urls_once():
    body = urlset((f"{HOST}/story/1", "2026-11-21T08:00:00+03:00"),
                  (f"{HOST}/story/1", None),  # the same article twice
                  (f"{HOST}/story/1#comments", None),  # fragment: same page
                  (f"{HOST}/tag/weather", None),
                  (f"{HOST}/story/2/video/", None),
                  (f"{HOST}/{quote('أخبار')}/3", None))
    spider = make_spider()
    results = list(spider.parse_source(xml_response(body)))
    assert article_urls(results) == [f"{HOST}/story/1", f"{HOST}/{quote('أخبار')}/3"]
    first = results[0]
    assert first.priority == 0
    assert first.meta["discovery"] == {"published": "2026-11-21T08:00:00+03:00", "title": None,
                                       "keywords": ["محليات", "طقس"], "lastmod": None}
    s = stats(spider)
    assert s["news/sources/urlset"] == 1
    assert s["news/article_requests"] == 2
    assert s["news/links_not_article"] == 2


def test_duplicates_across_sources_scheduled_once():
    spider = make_spider()
    first = article_urls(spider.parse_source(xml_response(urlset((f"{HOST}/story/9", None)))))
    again = article_urls(spider.parse_source(xml_response(urlset((f"{HOST}/story/9?", None),
                                                                 (f"{HOST}/story/10", None)))))
    assert (first, again) == ([f"{HOST}/story/9"], [f"{HOST}/story/10"])


@pytest.mark.parametrize(("since", "until", "expected"), [
    (None, None, ["a", "b", "c", "d", "e"]),
    ("2026-11-20", None, ["b", "c", "d", "e"]),
    (None, "2026-11-20", ["a", "b", "c", "e"]),
    ("2026-11-20", "2026-11-20", ["b", "c", "e"]),
    ("2026-11-20T21:00:00+00:00", None, ["d", "e"]),  # c is 20:59:59Z
], ids=["open", "since", "until", "one-day", "since-time"])
def test_since_until_window_from_sitemap_dates(since, until, expected):
    entries = {
        "a": "2026-11-19T23:59:59+00:00",
        "b": "2026-11-20",  # a date: midnight UTC, inside a window that starts that day
        "c": "2026-11-20T23:59:59+03:00",  # = 20:59:59 UTC
        "d": "2026-11-21T03:30:00+03:00",  # = 2026-11-21T00:30:00Z: after an until of the 20th (UTC day)
        "e": None,  # unknown date: fetched, decided from the page
    }
    body = urlset(*[(f"{HOST}/story/{i}", entries[k]) for i, k in enumerate(entries)])
    spider = make_spider(since=since, until=until)
    got = article_urls(spider.parse_source(xml_response(body)))
    names = list(entries)
    assert [names[int(u.rsplit("/", 1)[1])] for u in got] == expected
    assert stats(spider).get("news/outside_window", 0) == 5 - len(expected)


def test_since_skips_urls_last_modified_before_it():
    body = f'<urlset xmlns="{SM}"><url><loc>{HOST}/story/1</loc><lastmod>2026-10-01</lastmod></url></urlset>'
    assert article_urls(make_spider(since="2026-11-01").parse_source(xml_response(body.encode()))) == []


@pytest.mark.parametrize(("limit", "expected"), [("1", 1), ("2", 2), ("5", 4)])  # 0 is refused: test_cli
def test_limit(limit, expected):
    spider = make_spider(limit=limit)
    body = urlset(*[(f"{HOST}/story/{i}", None) for i in range(4)])
    got = article_urls(spider.parse_source(xml_response(body)))
    assert got == [f"{HOST}/story/{i}" for i in range(expected)]
    assert stats(spider).get("news/over_limit", 0) == 4 - expected


def test_limit_counts_across_sources():
    spider = make_spider(limit="3")
    a = article_urls(spider.parse_source(xml_response(urlset((f"{HOST}/story/1", None), (f"{HOST}/story/2", None)))))
    b = article_urls(spider.parse_source(xml_response(urlset((f"{HOST}/story/3", None), (f"{HOST}/story/4", None)))))
    assert len(a) + len(b) == 3


def test_gzipped_sitemap_body():
    body = gzip.compress(urlset((f"{HOST}/story/5", None), (f"{HOST}/tag/x", None)))
    url = f"{HOST}/sitemap-1.xml.gz"
    spider = make_spider()
    results = list(spider.parse_source(Response(url, body=body, request=Request(url))))
    assert article_urls(results) == [f"{HOST}/story/5"]
    assert stats(spider)["news/sources/urlset"] == 1


@pytest.mark.parametrize(("body", "settings"), [
    (b"\x1f\x8b\x08\x00not really gzip", {}),
    (gzip.compress(urlset(*[(f"{HOST}/story/{i}", None) for i in range(100)])), {"DOWNLOAD_MAXSIZE": 1000}),
], ids=["corrupt", "over-maxsize"])
def test_unreadable_gzip_is_counted_not_raised(body, settings):
    spider = make_spider(settings)
    url = f"{HOST}/sitemap-1.xml.gz"
    assert list(spider.parse_source(Response(url, body=body, request=Request(url)))) == []
    assert stats(spider)["news/sources_unreadable"] == 1


def test_sitemap_index_yields_follow_up_source_requests():
    body = (f'<sitemapindex xmlns="{SM}"><sitemap><loc>{HOST}/sitemap-2026-11.xml</loc></sitemap>'
            f"<sitemap><loc>/sitemap-2026-10.xml.gz</loc></sitemap></sitemapindex>").encode()
    spider = make_spider()
    results = list(spider.parse_source(xml_response(body, f"{HOST}/sitemap-index.xml")))
    follow = source_requests(results)
    assert [(r.url, r.priority, r.meta["source_kind"], r.meta["section_pages_left"]) for r in follow] == [
        (f"{HOST}/sitemap-2026-11.xml", 20, "sitemap", 0),
        (f"{HOST}/sitemap-2026-10.xml.gz", 20, "sitemap", 0),
    ]
    assert article_urls(results) == []
    assert stats(spider)["news/sources/sitemapindex"] == 1


def test_rss_feed_items_become_article_requests():
    body = f"""<rss version="2.0"><channel>
      <item><title>خبر أول</title><link>{HOST}/story/20</link><pubDate>Sat, 21 Nov 2026 08:30:00 +0300</pubDate></item>
      <item><title>فيديو</title><link>{HOST}/story/21/video/</link></item>
    </channel></rss>""".encode()
    spider = make_spider()
    results = list(spider.parse_source(xml_response(body, f"{HOST}/rss")))
    assert article_urls(results) == [f"{HOST}/story/20"]
    assert results[0].meta["discovery"]["published"] == "2026-11-21T08:30:00+03:00"
    assert results[0].meta["discovery"]["title"] == "خبر أول"


def test_binary_non_xml_source_is_unreadable():
    spider = make_spider()
    url = f"{HOST}/file.bin"
    assert list(spider.parse_source(Response(url, body=b"\x00\x01binary", request=Request(url)))) == []
    assert stats(spider)["news/sources_unreadable"] == 1


# ----- parse_source: section pages ------------------------------------------------------------

SECTION_HTML = """<html><body>
  <a href="/story/31">خبر</a><a href="/story/32">خبر</a><a href="/about">من نحن</a>
  <a href="javascript:void(0)">زر</a><a href="https://other.example.org/story/33">خارجي</a>
  <a rel="next" href="?page={n}">التالي</a>
</body></html>"""


def section_response(pages_left: int, n: int = 2) -> HtmlResponse:
    url = f"{HOST}/section/local"
    return HtmlResponse(url, body=SECTION_HTML.format(n=n).encode(), encoding="utf-8",
                        request=Request(url, meta={"source_kind": "section", "section_pages_left": pages_left}))


@pytest.mark.parametrize(("pages_left", "next_left"), [(2, 1), (1, 0), (0, None)])
def test_section_pagination_stops_after_pages(pages_left, next_left):
    spider = make_spider()
    results = list(spider.parse_source(section_response(pages_left)))
    # the off-site link passes the path filter; the offsite middleware (allowed_domains) drops it later
    assert article_urls(results) == [f"{HOST}/story/31", f"{HOST}/story/32", "https://other.example.org/story/33"]
    follow = source_requests(results)
    if next_left is None:
        assert follow == []
    else:
        assert [(r.url, r.priority, r.meta["section_pages_left"]) for r in follow] == [
            (f"{HOST}/section/local?page=2", 10, next_left)]
    assert stats(spider)["news/sources/section"] == 1


def test_section_pages_walk_end_to_end_follows_pages_minus_one():
    """Source(pages=3): the first page plus two more, then stop."""
    spider = make_spider()
    start = [r for r in _start(spider) if r.meta["source_kind"] == "section"][0]
    left, visited = start.meta["section_pages_left"], 1
    while True:
        follow = source_requests(spider.parse_source(section_response(left, n=visited + 1)))
        if not follow:
            break
        left, visited = follow[0].meta["section_pages_left"], visited + 1
    assert visited == 3


def test_section_next_css_of_the_outlet():
    class Paged(ExampleSpider):
        name = "paged_test"
        section_next_css = "a.older"

    spider = Paged.from_crawler(get_crawler(Paged))
    url = f"{HOST}/section/local"
    html = '<a href="/story/1">خبر</a><a class="older" href="/section/local/p2">أقدم</a>'
    resp = HtmlResponse(url, body=html.encode(), encoding="utf-8",
                        request=Request(url, meta={"section_pages_left": 1}))
    assert [r.url for r in source_requests(spider.parse_source(resp))] == [f"{HOST}/section/local/p2"]


# ----- parse_article --------------------------------------------------------------------------

ARTICLE_HTML = """<html lang="ar"><head>
  <meta property="article:published_time" content="{published}"></head><body>
  <h1>افتتاح مكتبة عامة جديدة في وسط المدينة</h1>
  <div class="story"><p>افتتحت المدينة مكتبة عامة جديدة تضم آلاف الكتب وقاعات للقراءة والدراسة.</p></div>
</body></html>"""


def _article_response(published: str, discovery: dict | None = None) -> HtmlResponse:
    url = f"{HOST}/story/77"
    return HtmlResponse(url, body=ARTICLE_HTML.format(published=published).encode(), encoding="utf-8",
                        request=Request(url, meta={"discovery": discovery or {}}))


def run_parse_article(spider: NewsSpider, response: Response) -> list:
    """Everything the (asynchronous) article callback yields."""
    async def drain() -> list:
        return [x async for x in spider.parse_article(response)]
    return asyncio.run(drain())


def test_parse_article_yields_item_with_discovery_keywords():
    spider = make_spider()
    items = run_parse_article(spider, _article_response("2026-11-21T09:00:00", {"keywords": ["ثقافة"]}))
    assert len(items) == 1
    item = items[0]
    assert item["title"] == "افتتاح مكتبة عامة جديدة في وسط المدينة"
    assert item["published_at"] == "2026-11-21T09:00:00+03:00"  # the outlet's zone for a naive stamp
    assert item["tags"] == ["ثقافة"] and item["provenance"]["tags"] == "discovery"
    assert item["outlet"] == "example" and item["outlet_name"] == "أخبار المثال"
    fetched = datetime.fromisoformat(item["fetched_at"])
    assert fetched.tzinfo is not None and abs(fetched - datetime.now(UTC)) < timedelta(minutes=1)


def test_parse_article_outside_window_is_counted_not_yielded():
    spider = make_spider(since="2026-11-22")
    assert run_parse_article(spider, _article_response("2026-11-21T09:00:00+03:00")) == []
    assert stats(spider)["news/outside_window"] == 1


def test_parse_article_non_html_is_skipped():
    spider = make_spider()
    url = f"{HOST}/story/78"
    assert run_parse_article(spider, Response(url, body=b"%PDF-1.4", request=Request(url))) == []
    assert stats(spider)["news/not_html"] == 1


def test_parse_source_returns_requests_only():
    results = list(make_spider().parse_source(xml_response(urlset((f"{HOST}/story/1", None)))))
    assert results and all(isinstance(r, scrapy.Request) for r in results)


def test_outlet_editions_on_shared_hosts():
    from crawler.spider import Outlet

    f24 = Outlet(slug="f", name="f", domains=("france24.com",), timezone="UTC", paths=("/ar/",))
    assert f24.owns("https://www.france24.com/ar/شرق-أوسط/20261120-x")
    assert not f24.owns("https://www.france24.com/fr/europe/20261120-x")
    eb = Outlet(slug="e", name="e", domains=("enabbaladi.net",), timezone="UTC",
                exclude_hosts=("english.enabbaladi.net",))
    assert eb.owns("https://www.enabbaladi.net/812406/") and eb.owns("https://enabbaladi.net/812406/")
    assert not eb.owns("https://english.enabbaladi.net/archives/2026/11/x/")


def test_limit_hands_the_slot_of_a_failed_fetch_to_a_waiting_link():
    """limit=2 with three candidates: when one fetch fails, the third link is fetched instead."""
    spider = make_spider(limit="2")
    urls = [f"{HOST}/story/{i}" for i in (1, 2, 3)]
    body = ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            + "".join(f"<url><loc>{u}</loc></url>" for u in urls) + "</urlset>").encode()
    first = [r.url for r in spider.parse_source(xml_response(body))]
    assert first == urls[:2]
    assert [r.url for r in spider._article_failed(failure=type("F", (), {"value": "404"})())] == [urls[2]]
    assert list(spider._article_failed(failure=type("F", (), {"value": "404"})())) == []  # nothing waits
