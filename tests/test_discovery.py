"""Unit tests for crawler.discovery: discovery documents -> Link lists, section pages -> links.

Every expected value below is worked out by hand from the small documents written here.
"""

import time

import pytest
from parsel import Selector

from crawler.discovery import Link, parse_section, parse_xml, xml_kind

BASE = "https://news.example.com/sitemaps/news.xml"
SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"

NEWS_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="{SM}" xmlns:news="{NEWS}">
  <url>
    <loc>https://news.example.com/story/2026/11/21/قمة-المناخ/101</loc>
    <news:news>
      <news:publication><news:name>أخبار المثال</news:name><news:language>ar</news:language></news:publication>
      <news:publication_date>2026-11-21T08:30:00+03:00</news:publication_date>
      <news:title>  وزراء البيئة   يتفقون على خطة جديدة </news:title>
      <news:keywords>مناخ, بيئة ,, طاقة شمسية</news:keywords>
    </news:news>
  </url>
  <url>
    <loc>/story/2026/11/20/سوق-الذهب/102</loc>
    <lastmod>2026-11-20</lastmod>
  </url>
  <url><loc>   </loc></url>
</urlset>""".encode()

SITEMAP_INDEX = f"""<?xml version="1.0"?>
<sitemapindex xmlns="{SM}">
  <sitemap><loc>https://news.example.com/sitemap-2026-11.xml</loc><lastmod>2026-11-21T10:00:00Z</lastmod></sitemap>
  <sitemap><loc>sitemap-2026-10.xml.gz</loc></sitemap>
  <sitemap><lastmod>2026-11-01</lastmod></sitemap>
</sitemapindex>""".encode()

PLAIN_SITEMAP = f"""<urlset xmlns="{SM}">
  <url><loc>https://news.example.com/a/1</loc><lastmod>2026-11-19T23:15:00+0200</lastmod></url>
  <url><loc>https://news.example.com/a/2</loc><lastmod>2026-02-30</lastmod></url>
</urlset>""".encode()

RSS2 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>قناة</title>
  <item>
    <title>افتتاح معرض الكتاب في المدينة</title>
    <link>https://news.example.com/culture/501</link>
    <pubDate>Sat, 21 Nov 2026 08:30:00 +0300</pubDate>
    <category>ثقافة</category><category>كتب</category><category> </category>
  </item>
  <item>
    <title>بلا رابط</title>
    <guid>https://news.example.com/culture/502</guid>
    <pubDate>Fri, 20 Nov 2026 22:05:00 GMT</pubDate>
  </item>
  <item><title>لا رابط ولا معرف</title></item>
</channel></rss>""".encode()

RSS1 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.com/"><title>قناة</title></channel>
  <item rdf:about="https://news.example.com/sport/7">
    <title>فوز الفريق المحلي في المباراة النهائية</title>
    <link>https://news.example.com/sport/7</link>
    <dc:date>2026-11-18T19:00:00+02:00</dc:date>
  </item>
  <item rdf:about="https://news.example.com/sport/8"><title>بلا رابط</title></item>
</rdf:RDF>""".encode()

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>قناة</title>
  <entry>
    <title>افتتاح جسر جديد فوق النهر</title>
    <link rel="self" href="https://news.example.com/feeds/entry/1.xml"/>
    <link rel="alternate" type="text/html" href="/city/bridge-1"/>
    <published>2026-11-17T07:00:00Z</published>
    <updated>2026-11-17T09:45:00Z</updated>
    <category term="مدن"/><category label="بلا مصطلح"/>
  </entry>
  <entry>
    <title>رابط بلا علاقة</title>
    <link href="https://news.example.com/city/2"/>
    <updated>2026-11-16T12:00:00+01:00</updated>
  </entry>
  <entry>
    <title>رابط ذاتي فقط</title>
    <link rel="self" href="https://news.example.com/feeds/entry/3.xml"/>
    <published>2026-11-15T12:00:00Z</published>
  </entry>
</feed>""".encode()


# ----- xml_kind -------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "kind"), [
    (NEWS_SITEMAP, "urlset"),
    (SITEMAP_INDEX, "sitemapindex"),
    (RSS2, "rss"),
    (RSS1, "rdf"),
    (ATOM, "feed"),
    (b"\n\n   " + PLAIN_SITEMAP, "urlset"),  # leading whitespace before the root
    (b"<html><head></head><body><urlset/></body></html>", None),
    (b"<!doctype html><html lang='ar'><body>x</body></html>", None),
    (b"<catalog><book/></catalog>", None),  # well-formed XML, but not a discovery document
    (b"", None),
    (b"\x00\x01\x02 binary", None),
    (b"just some text", None),
], ids=["news-sitemap", "index", "rss2", "rdf", "atom", "leading-ws", "html", "doctype-html",
        "other-xml", "empty", "binary", "text"])
def test_xml_kind(body, kind):
    assert xml_kind(body) == kind


def test_xml_kind_accepts_utf8_bom():
    assert xml_kind(b"\xef\xbb\xbf" + NEWS_SITEMAP) == "urlset"


def test_parse_xml_accepts_utf8_bom():
    # lxml itself copes with the BOM: only the sniffing in xml_kind is wrong
    assert [link.url for link in parse_xml(b"\xef\xbb\xbf" + PLAIN_SITEMAP, BASE)] == [
        "https://news.example.com/a/1", "https://news.example.com/a/2"]


# ----- sitemaps -------------------------------------------------------------------------------


def test_google_news_sitemap():
    links = parse_xml(NEWS_SITEMAP, BASE)
    assert links == [
        Link(url="https://news.example.com/story/2026/11/21/قمة-المناخ/101", kind="article",
             published="2026-11-21T08:30:00+03:00", lastmod=None,
             title="وزراء البيئة يتفقون على خطة جديدة", keywords=["مناخ", "بيئة", "طاقة شمسية"]),
        # a relative <loc> is resolved against the sitemap's own URL; date-only lastmod stays a date
        Link(url="https://news.example.com/story/2026/11/20/سوق-الذهب/102", kind="article",
             published=None, lastmod="2026-11-20", title=None, keywords=[]),
    ]


def test_sitemap_index_yields_sitemaps():
    links = parse_xml(SITEMAP_INDEX, BASE)
    assert [(link.url, link.kind, link.lastmod) for link in links] == [
        ("https://news.example.com/sitemap-2026-11.xml", "sitemap", "2026-11-21T10:00:00+00:00"),
        ("https://news.example.com/sitemaps/sitemap-2026-10.xml.gz", "sitemap", None),
    ]


def test_plain_sitemap_lastmod():
    links = parse_xml(PLAIN_SITEMAP, BASE)
    assert [(link.url, link.lastmod, link.published) for link in links] == [
        ("https://news.example.com/a/1", "2026-11-19T23:15:00+02:00", None),
        ("https://news.example.com/a/2", None, None),  # 30 February is no date
    ]


# ----- feeds ----------------------------------------------------------------------------------


def test_rss2_items():
    # feed <category> is kept apart from keywords: feeds use it for the section, not for tags
    links = parse_xml(RSS2, "https://news.example.com/rss.xml")
    assert links == [
        Link("https://news.example.com/culture/501", "article", published="2026-11-21T08:30:00+03:00",
             title="افتتاح معرض الكتاب في المدينة", categories=["ثقافة", "كتب"]),
        Link("https://news.example.com/culture/502", "article", published="2026-11-20T22:05:00+00:00",
             title="بلا رابط", categories=[]),
    ]


def test_rss1_rdf_items():
    links = parse_xml(RSS1, "https://news.example.com/rss.rdf")
    assert links == [Link("https://news.example.com/sport/7", "article", published="2026-11-18T19:00:00+02:00",
                          title="فوز الفريق المحلي في المباراة النهائية")]


def test_atom_entries_use_alternate_link_not_self():
    links = parse_xml(ATOM, "https://news.example.com/feeds/atom.xml")
    assert links == [
        Link("https://news.example.com/city/bridge-1", "article", published="2026-11-17T07:00:00+00:00",
             lastmod="2026-11-17T09:45:00+00:00", title="افتتاح جسر جديد فوق النهر", categories=["مدن"]),
        # a <link> without rel is rel="alternate"; without <published>, <updated> is the date
        Link("https://news.example.com/city/2", "article", published="2026-11-16T12:00:00+01:00",
             lastmod="2026-11-16T12:00:00+01:00", title="رابط بلا علاقة"),
    ]


# ----- hostile and broken input ---------------------------------------------------------------

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="{SM}" xmlns:news="{NEWS}">
  <url><loc>https://news.example.com/p/&x;</loc><lastmod>&x;</lastmod>
    <news:news><news:title>&x;</news:title><news:keywords>&x;</news:keywords></news:news></url>
</urlset>""".encode()

_LAUGHS = "".join(
    f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY lol0 "lol">{_LAUGHS}]>
<urlset xmlns="{SM}" xmlns:news="{NEWS}">
  <url><loc>https://news.example.com/p/1</loc><news:news><news:title>&lol9;</news:title></news:news></url>
</urlset>""".encode()


def _all_text(links: list[Link]) -> str:
    return " ".join(f"{link.url} {link.title} {link.lastmod} {link.published} {link.keywords}" for link in links)


def test_xxe_external_entity_is_not_resolved():
    links = parse_xml(XXE, BASE)
    text = _all_text(links)
    assert "root:" not in text and "/bin/" not in text
    # the entity stays an unresolved reference: at most the literal "&x;" survives, never a file
    assert [link.url.startswith("https://news.example.com/p/") for link in links] == [True]
    assert links[0].lastmod is None
    assert xml_kind(XXE) == "urlset"


def test_billion_laughs_is_not_expanded():
    started = time.perf_counter()
    links = parse_xml(BILLION_LAUGHS, BASE)
    assert time.perf_counter() - started < 2
    assert [link.url for link in links] == ["https://news.example.com/p/1"]
    assert "lollol" not in _all_text(links)


@pytest.mark.parametrize("body", [
    b"",
    b"   ",
    b"not xml at all",
    b"<html><body><a href='/x'>x</a></body></html>",
    b"<urlset><url><loc>https://news.example.com/unclosed",
    b"\x1f\x8b\x08\x00 gzip header without a body",
    b"<rss><channel><item><link>https://news.example.com/ok</link></item>",
], ids=["empty", "blank", "text", "html", "truncated-sitemap", "gzip-bytes", "unclosed-rss"])
def test_non_xml_or_broken_input_does_not_raise(body):
    links = parse_xml(body, BASE)
    assert isinstance(links, list)
    assert all(link.url.startswith("https://news.example.com/") for link in links)


def test_truncated_rss_recovers_the_complete_item():
    body = b"<rss><channel><item><link>https://news.example.com/ok</link></item><item><link>https://news.exa"
    assert [link.url for link in parse_xml(body, BASE)][:1] == ["https://news.example.com/ok"]


# ----- section pages --------------------------------------------------------------------------

SECTION = """<html><head><link rel="next" href="/section/economy?page=2"></head><body>
  <a href="/story/1">أ</a>
  <a href=" story/2 ">ب</a>
  <a href="https://other.example.org/x">ج</a>
  <a href="javascript:void(0)">د</a>
  <a href="mailto:desk@news.example.com">هـ</a>
  <a href="tel:+20100">و</a>
  <a href="#top">ز</a>
  <a href="">ح</a>
  <a>بلا رابط</a>
  <a href="/story/1">مكرر</a>
  <a class="more" href="/section/economy/p/2">التالي</a>
</body></html>"""


def test_parse_section_links_absolute_deduplicated_and_filtered():
    links, nxt = parse_section(Selector(text=SECTION), "https://news.example.com/section/economy")
    assert links == [
        "https://news.example.com/story/1",
        "https://news.example.com/section/story/2",  # relative to the section's own path
        "https://other.example.org/x",
        "https://news.example.com/section/economy/p/2",
    ]
    assert nxt == "https://news.example.com/section/economy?page=2"


@pytest.mark.parametrize(("html", "next_css", "expected"), [
    # the outlet's own "next" selector wins over rel=next
    (SECTION, "a.more", "https://news.example.com/section/economy/p/2"),
    # a next_css that matches nothing falls back to rel=next
    (SECTION, "a.nothing", "https://news.example.com/section/economy?page=2"),
    ('<a rel="next" href="?page=3">التالي</a>', None, "https://news.example.com/section/economy?page=3"),
    ('<a href="/story/9">خبر</a>', None, None),
], ids=["next-css", "next-css-miss", "a-rel-next", "no-next"])
def test_parse_section_next_page(html, next_css, expected):
    _, nxt = parse_section(Selector(text=html), "https://news.example.com/section/economy", next_css)
    assert nxt == expected


@pytest.mark.parametrize("href", ["JavaScript:void(0)", "MAILTO:desk@news.example.com"])
def test_parse_section_skips_pseudo_links_in_any_case(href):
    links, _ = parse_section(Selector(text=f'<a href="{href}">x</a>'), "https://news.example.com/s/")
    assert links == []


def test_parse_section_rel_next_among_other_tokens():
    _, nxt = parse_section(Selector(text='<a rel="next nofollow" href="?page=2">x</a>'), "https://news.example.com/s/")
    assert nxt == "https://news.example.com/s/?page=2"
