"""Unit tests of the self-healing pieces, on hand-made responses and a real SQLite store: pattern
probes and their budget, the homepage the fallback starts from, the widened Masrawy and Asharq
Al-Awsat patterns, run stats kept free of secrets, and the run health ``scrapy outlets`` shows.
The crawls themselves: tests/test_self_healing.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.discovery import feed_links, robots_sitemaps, site_root
from crawler.runs import run_health
from crawler.spider import NewsSpider, Outlet, Selectors, Source
from crawler.storage import ArticleStore, safe_run_stats
from spiders.asharq_alawsat import AsharqAlawsatSpider
from spiders.masrawy import MasrawySpider

HOST = "https://akhbar.example.com"


class ProbeSpider(NewsSpider):
    name = "probe_test"
    outlet = Outlet(slug="probe", name="أخبار", domains=("akhbar.example.com",), timezone="UTC")
    sources = (Source(f"{HOST}/section/local", "section"), Source(f"{HOST}/rss", "feed"))
    article_allow = (r"^/story/\d+$",)
    article_deny = (r"^/opinion/",)
    selectors = Selectors(title="h1", body="div.story")


def make_spider(settings: dict | None = None, **kwargs) -> ProbeSpider:
    return ProbeSpider.from_crawler(get_crawler(ProbeSpider, settings or {}), **kwargs)


def section(*hrefs: str, url: str = f"{HOST}/section/local") -> HtmlResponse:
    links = "".join(f'<a href="{h}">x</a>' for h in hrefs)
    return HtmlResponse(url, body=f"<html><body>{links}</body></html>".encode(), encoding="utf-8",
                        request=Request(url, meta={"section_pages_left": 0}))


def probes(results) -> list[str]:
    return [r.url for r in results if r.meta.get("discovery", {}).get("probe")]


def articles(results) -> list[str]:
    return [r.url for r in results if "discovery" in r.meta and not r.meta["discovery"].get("probe")]


def test_links_outside_the_pattern_are_probed_only_when_they_look_like_stories():
    spider = make_spider()
    out = list(spider.parse_source(section(
        "/story/1",  # matches the pattern: an article request
        "/news/2026/11/21/city-library-opens",  # a dated path: probed
        "/news/7012345",  # a numeric id: probed
        "/opinion/2026/11/21/a-long-column-slug-here",  # denied by article_deny: never probed
        "/tag/economy", "/about", "/section/sport",  # listings: not story-shaped
        "https://other.example.org/2026/11/21/elsewhere-story-slug-here",  # another site
    )))
    assert articles(out) == [f"{HOST}/story/1"]
    assert probes(out) == [f"{HOST}/news/2026/11/21/city-library-opens", f"{HOST}/news/7012345"]
    assert spider.crawler.stats.get_value("layout/pattern_probes") == 2


def test_no_probes_without_an_article_pattern():
    class Open(ProbeSpider):
        name = "open_test"
        article_allow = ()

    spider = Open.from_crawler(get_crawler(Open, {}))
    assert probes(spider.parse_source(section("/news/2026/11/21/city-library-opens"))) == []


def test_probe_budget_always_allows_some_then_needs_half_to_be_articles():
    spider = make_spider({"PATTERN_PROBES": 3})
    out = list(spider.parse_source(section(*[f"/news/{7000000 + i}" for i in range(8)])))
    assert len(probes(out)) == 3  # the rest wait for verdicts
    # one article, one not: 1 of 3 sent were articles, under half -> nothing released
    assert probes(spider._probe_judged(True, f"{HOST}/news/7000000")) == []
    assert probes(spider._probe_judged(False, f"{HOST}/news/7000001")) == []
    # a second article: 2 of 3 sent, then 2 of 4, are at least half -> two more go; 2 of 5 is not
    released = probes(spider._probe_judged(True, f"{HOST}/news/7000002"))
    assert released == [f"{HOST}/news/7000003", f"{HOST}/news/7000004"]
    stats = spider.crawler.stats.get_stats()
    assert stats["layout/pattern_miss"] == 2 and stats["layout/pattern_probe_rejected"] == 1
    assert stats["layout/pattern_probes"] == 5
    assert stats["layout/examples/pattern_miss"] == [f"{HOST}/news/7000000", f"{HOST}/news/7000002"]
    # from here every probe is an article (the pattern went stale): every waiting link is fetched
    for i in range(3, 8):
        released += probes(spider._probe_judged(True, f"{HOST}/news/{7000000 + i}"))
    assert released == [f"{HOST}/news/{7000000 + i}" for i in range(3, 8)]
    assert not spider._probes_waiting


def _page(url: str, body: str, probe: bool) -> HtmlResponse:
    return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8",
                        request=Request(url, meta={"discovery": {"probe": probe}}))


SENTENCE = ("<p>قالت البلدية في بيان صدر اليوم إن أعمال الصيانة في الشارع الرئيسي ستستمر حتى نهاية الشهر "
            "المقبل بسبب الأمطار الأخيرة التي شهدتها المدينة.</p>")


def test_a_probe_is_extracted_only_when_the_generic_verdict_says_article():
    spider = make_spider()

    def run(response):
        async def drain():
            return [x async for x in spider.parse_article(response)]
        return asyncio.run(drain())

    story = _page(f"{HOST}/news/7000001", "<h1>افتتاح مكتبة عامة جديدة في وسط المدينة</h1>"
                  f"<div class='story'>{SENTENCE * 6}</div>", probe=True)
    listing = _page(f"{HOST}/news/7000002", "".join(f'<p><a href="/story/{i}">عنوان خبر قصير</a></p>'
                                                     for i in range(12)), probe=True)
    items = run(story)
    assert [i["title"] for i in items] == ["افتتاح مكتبة عامة جديدة في وسط المدينة"]
    assert run(listing) == []
    stats = spider.crawler.stats.get_stats()
    assert stats["layout/pattern_miss"] == 1 and stats["layout/pattern_probe_rejected"] == 1
    assert stats["monitor/article_pages"] == 1  # the rejected probe is not an article page
    assert stats["layout/pages"] == 1 and stats["news/articles_extracted"] == 1


def test_homepage_of_the_fallback():
    assert make_spider().homepage_url() == f"{HOST}/"
    assert make_spider(sources="http://127.0.0.1:8001/a/sitemap.xml,http://mirror.test/x").homepage_url() \
        == "http://127.0.0.1:8001/"

    class WithHome(ProbeSpider):
        name = "home_test"
        outlet = Outlet(slug="h", name="h", domains=("akhbar.example.com",), timezone="UTC",
                        homepage=f"{HOST}/ar/")

    spider = WithHome.from_crawler(get_crawler(WithHome, {}))
    assert spider.homepage_url() == f"{HOST}/ar/"
    robots, home = spider.homepage_requests(spider.homepage_url())
    assert (robots.url, robots.dont_filter) == (f"{HOST}/robots.txt", True)
    assert home.url == f"{HOST}/ar/" and home.callback == spider.parse_homepage


def test_discovery_failed_until_a_source_gives_an_article_link():
    spider = make_spider()
    assert spider._discovery_failed()
    list(spider.parse_source(section("/tag/x", "/about")))  # a source with no article link
    assert spider._discovery_failed()
    list(spider.parse_source(section("/story/9")))
    assert not spider._discovery_failed()
    unchanged = make_spider()
    unchanged.crawler.stats.set_value("conditional/not_modified", 2)  # a 304: seen by the last run
    assert not unchanged._discovery_failed()


def test_robots_and_homepage_discovery_helpers():
    robots = "User-agent: *\nDisallow: /admin\nSitemap: https://a.test/s1.xml\nsitemap:https://a.test/s2.xml\n" \
             "Sitemap: https://a.test/s1.xml\n"
    assert robots_sitemaps(robots) == ["https://a.test/s1.xml", "https://a.test/s2.xml"]
    page = HtmlResponse("https://a.test/", body=b'<link rel="alternate" type="application/rss+xml" href="/feed">'
                        b'<link rel="alternate" hreflang="en" href="/en/">'
                        b'<link rel="Alternate" type="Application/Atom+XML" href="https://a.test/atom">',
                        encoding="utf-8")
    assert feed_links(page.selector, page.url) == ["https://a.test/feed"]  # rel values are case-sensitive
    assert site_root("http://127.0.0.1:8001/x/y?z=1") == "http://127.0.0.1:8001/" and site_root("/x") is None


# ----- widened outlet patterns (issue 11: the outlets' 2018 homepages) ---------------------------

@pytest.mark.parametrize("path, expected", [
    ("/news/news_egypt/details/2021/5/3/2012345/عنوان-الخبر", True),  # today's shape
    ("/sports/sports_news/details/2018/3/14/1301234/الأهلي-يفوز", True),
    ("/autos/autos_news/details/2018/3/14/1301300/سيارة-جديدة", True),
    ("/Sports/Sports_News/details/2018/3/14/1301234", True),  # slug optional, any case
    ("/news/tag/12345/اقتصاد", False),
    ("/news/news_economy/section/206/اقتصاد", False),
    ("/sports/sports_news/section/207/رياضة", False),
])
def test_masrawy_article_pattern(path, expected):
    spider = MasrawySpider()
    assert spider.is_article_url("https://www.masrawy.com" + path) is expected


@pytest.mark.parametrize("path, expected", [
    ("/العالم-العربي/المشرق-العربي/5066123-عنوان-الخبر", True),  # today's shape
    ("/home/article/1234567/عنوان-المقال", True),  # 2018 shape
    ("/home/article/1234567", True),
    ("/home/article/", False),
    ("/home/section/world", False),
    ("/tags/1234567-وسم", False),
])
def test_asharq_alawsat_article_pattern(path, expected):
    assert AsharqAlawsatSpider().is_article_url("https://aawsat.com" + path) is expected


# ----- run stats in the store ---------------------------------------------------------------------

def test_run_stats_keep_numbers_and_known_lists_never_secrets():
    stats = {"item_scraped_count": 3, "coverage/body": 0.5, "monitors/failed": True,
             "finish_reason": "finished", "start_time": datetime.now(UTC),
             "workers/broken": "postgresql://crawler:s3cret@db.internal/news unreachable",
             "layout/examples/body": ["https://a.test/1", "redis://:hunter2@cache.internal:6379/0"],
             "monitors/failures": ["LayoutDriftMonitor: x"], "some/other/list": ["https://a.test/2"],
             "https://user:pw@host/x": 1, "ratio": float("nan")}
    safe = safe_run_stats(stats)
    assert safe == {"item_scraped_count": 3, "coverage/body": 0.5, "monitors/failed": 1,
                    "layout/examples/body": ["https://a.test/1"], "monitors/failures": ["LayoutDriftMonitor: x"]}


@pytest.fixture
def store(tmp_path):
    s = ArticleStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    yield s
    s.close()


def test_runs_are_stored_and_read_newest_per_outlet(store):
    """(Also run against PostgreSQL by tests/test_store_postgres.py.)"""
    t0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    store.record_run("youm7", "youm7", {"item_scraped_count": 5}, started_at=t0 - timedelta(minutes=3),
                     finished_at=t0, finish_reason="finished")
    store.record_run("youm7", "youm7", {"item_scraped_count": 7, "secret": "postgresql://u:p@h/db"},
                     finished_at=t0 + timedelta(hours=1), finish_reason="finished")
    store.record_run("lbci", "lbci", {"item_scraped_count": 2}, finished_at=t0, finish_reason="shutdown")
    latest = store.latest_runs()
    assert sorted(latest) == ["lbci", "youm7"]
    assert latest["youm7"]["stats"] == {"item_scraped_count": 7}
    assert latest["youm7"]["finished_at"] == t0 + timedelta(hours=1)
    assert list(store.latest_runs("lbci")) == ["lbci"]
    assert list(store.latest_runs(["lbci", "youm7"], since=t0 + timedelta(minutes=30))) == ["youm7"]
    assert [r["stats"]["item_scraped_count"] for r in store.runs("youm7")] == [7, 5]
    assert store.runs("youm7")[1]["started_at"] == t0 - timedelta(minutes=3)
    assert len(store.runs(limit=2)) == 2


def test_run_health_marks_what_needs_attention():
    run = {"outlet": "youm7", "finished_at": datetime.now(UTC), "finish_reason": "finished", "stats": {
        "item_scraped_count": 4, "store/rows_upserted": 4, "layout/pages": 4, "layout/miss/body": 2,
        "layout/fallback/body": 1, "layout/disagree/title": 1, "discovery/fallback": 1}}
    health = run_health(run)
    assert health["fallback"] == {"title": 0.0, "body": 0.25, "published_at": 0.0}
    assert health["missed"]["body"] == 0.5 and health["disagree"]["title"] == 0.25
    assert health["attention"] == ["discovery fell back", "selectors missed"]
    quiet = run_health({"outlet": "lbci", "finish_reason": "finished", "stats": {"item_scraped_count": 3}})
    assert quiet["attention"] == [] and quiet["fallback"]["body"] is None
    assert run_health({"outlet": "x", "finish_reason": "shutdown", "stats": {}})["attention"] == ["finished: shutdown"]
