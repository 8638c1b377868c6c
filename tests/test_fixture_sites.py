"""Consistency checks for the hand-written outlet fixture sites in tests/fixtures/sites/.

Each site folder holds a manifest (URL -> file), feeds/sitemaps, pages and per-article gold files.
These tests check the fixtures themselves (not the crawler): manifests point at real files, XML
parses, JSON-LD parses once the outlet's quirks (CDATA wrapping) are undone, and every gold value
is true of its page: paragraph count, first/last words, must_contain inside the body,
must_not_contain outside the body but present on the page.
"""
import html
import json
import re
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from w3lib.url import safe_url_string

SITES = Path(__file__).parent / "fixtures" / "sites"
FOLDERS = sorted(p for p in SITES.iterdir() if p.is_dir())
GOLDS = sorted(SITES.glob("*/*.gold.json"))
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9",
      "atom": "http://www.w3.org/2005/Atom"}


def ws(s: str) -> str:
    return re.sub(r"\s+", " ", (s or "").replace("\xa0", " ")).strip()


def load_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def page_text(doc) -> str:
    doc = lxml.html.fromstring(lxml.html.tostring(doc))
    for el in doc.xpath("//script|//style|//noscript"):
        el.drop_tree()
    return ws(doc.text_content())


def _lbci_body(doc) -> list[str]:
    # LBCI: one <div> inside div.LongDesc, paragraphs separated by <br /><br />; embeds and the
    # injection placeholders sit between them.
    div = doc.xpath("//div[@class='LongDesc']/div")[0]
    div = lxml.html.fromstring(lxml.html.tostring(div))
    for el in div.xpath(".//blockquote|.//script|.//bannerinjection|.//controlinjection"):
        el.drop_tree()
    raw = lxml.html.tostring(div, encoding="unicode")
    chunks = re.split(r"(?:<br\s*/?>\s*){2,}", raw)
    return [ws(html.unescape(re.sub(r"<[^>]+>", "", c))) for c in chunks if ws(re.sub(r"<[^>]+>", "", c))]


BODY = {
    "bbc-arabic": lambda d: [ws(p.text_content()) for p in d.xpath("//main/div[contains(@class,'bbc-4wucq3')]/p")],
    "youm7": lambda d: [t for t in (ws(p.text_content()) for p in d.xpath("//div[@id='articleBody']/p"))
                        if t and not t.startswith("اقرأ أيضا")],
    "lbci": _lbci_body,
    "dw-arabic": lambda d: [t for t in (ws(x.text_content()) for x in d.xpath("//div[@class='rich-text']/*[self::p or self::h2]"))
                            if t and not t.startswith("اقرأ أيضاً") and not re.match(r"\S+/\S+ \(", t)],
    "rt-arabic": lambda d: [t for t in (ws(p.text_content()) for p in d.xpath("//div[contains(@class,'article__text')]/p"))
                            if t and not t.startswith("المصدر:")],
    "independent-arabia": lambda d: [ws(x.text_content()) for x in d.xpath("//div[contains(@class,'field--name-body')]/*[self::p or self::h3]")],
    "asharq-alawsat": lambda d: [t for t in (ws(x.text_content()) for x in d.xpath("//div[contains(@class,'node-body')]/*[self::p or self::h3]"))
                                 if t and not t.startswith("اقرأ أيضاً")],
    "enabbaladi": lambda d: [t for t in (ws(e.text_content()) for e in d.xpath("//div[@class='content-article']/*[self::p or self::h2 or self::h3][not(@class)]")) if t and not t.startswith("اقرأ أيضًا")],
    "aljazeera": lambda d: [t for t in (ws(e.text_content()) for e in d.xpath(
        "//div[contains(@class,'wysiwyg--all-content')]/*[self::p or self::h2]")) if t],
    "alarabiya": lambda d: [t for t in (ws(e.text_content()) for e in d.xpath(
        "//div[@id='body-text']/*[self::p or self::h2]")) if t and not t.startswith("اقرأ أيضاً")],
    "skynewsarabia": lambda d: [t for t in (ws(e.text_content()) for e in d.xpath(
        "//div[@class='article-body']/*[self::p or self::h2] | //div[@class='article-body']/ul/li")) if t],
    "france24-ar": lambda d: [t for t in (ws(e.text_content()) for e in d.xpath(
        "//div[contains(@class,'t-content__body')]/*[self::p or self::h2]")) if t],
    "masrawy": lambda d: [t for t in (ws(p.text_content()) for p in d.xpath("//div[@class='ArticleDetails']/p"))
                          if t and not t.startswith("اقرأ أيضًا")],
    "almasryalyoum": lambda d: [ws(p.text_content()) for p in d.xpath("//div[@id='NewsStory']/p[contains(@style,'justify')]")],
    "hespress": lambda d: [t for t in (ws(p.text_content()) for p in d.xpath("//div[@class='article-content']/p"))
                           if t and not t.startswith("اقرأ أيضا")],
    "echorouk": lambda d: [t for t in (ws(p.text_content()) for p in d.xpath("//div[@class='article-body']/p"))
                           if t and not t.startswith("اقرأ أيضا")],
    "shafaq": lambda d: [t for t in (ws(e.text_content()) for e in d.xpath("//div[@class='article-body']/*[self::p or self::h2][not(@class='dateline')]")) if t and not t.startswith('اقرأ أيضاً')],
    "alsumaria": lambda d: [c for c in _lbci_body(d) if not c.startswith('السومرية نيوز')],
    "cnn-arabic": lambda d: [t for t in (ws(e.text_content()) for e in d.xpath("//div[@class='cnn_strycntntrgt']/p | //div[@id='body-text']/*[self::p or self::h2]"))
                             if t and not t.startswith("اقرأ أيضا")],
    "thenewkhalij": lambda d: [ws(e.text_content()) for e in d.xpath("//div[@class='article-body']/*[self::p[not(@class)] or self::h3]")],
    "alaraby": lambda d: [ws(e.text_content()) for e in d.xpath("//div[@class='article-body']/*[self::p or self::h2]")],
    "arabi21": lambda d: [ws(e.text_content()) for e in d.xpath("//div[@id='articleBody']/p[not(@class)]")],
    "generic": lambda d: [ws(p.text_content()) for p in d.xpath("//div[contains(@class,'entry-content')]/p[not(@class)]")],
}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_manifest_lists_existing_files(folder):
    m = load_manifest(folder)
    assert m["outlet"] == folder.name
    urls = [safe_url_string(p["url"]) for p in m["pages"]]
    assert len(urls) == len(set(urls)), "duplicate URLs"
    listed = {p["file"] for p in m["pages"]}
    for p in m["pages"]:
        assert p["url"].startswith("https://"), p["url"]
        assert (folder / p["file"]).is_file(), p["file"]
        assert p["status"] == 200 and p["content_type"].endswith("charset=utf-8")
    present = {f.name for f in folder.iterdir()} - {"manifest.json", "SOURCES.md"}
    present = {f for f in present if not f.endswith(".gold.json")}
    assert present == listed, f"unlisted or missing: {present ^ listed}"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_xml_parses_and_sitemaps_are_google_news(folder):
    served = {safe_url_string(p["url"]) for p in load_manifest(folder)["pages"]}
    for f in folder.glob("*.xml"):
        root = lxml.etree.fromstring(f.read_bytes())
        tag = lxml.etree.QName(root).localname
        assert tag in {"urlset", "sitemapindex", "rss", "feed"}, f.name
        if tag == "sitemapindex":
            for loc in root.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS):
                assert safe_url_string(loc) in served, loc
        if tag == "urlset":
            for url in root.xpath("//sm:url", namespaces=NS):
                loc = url.xpath("sm:loc/text()", namespaces=NS)[0]
                assert safe_url_string(loc) in served, loc
                assert url.xpath("news:news/news:publication/news:name/text()", namespaces=NS)
                assert url.xpath("news:news/news:publication/news:language/text()", namespaces=NS) == ["ar"]
                date = url.xpath("news:news/news:publication_date/text()", namespaces=NS)[0]
                assert re.search(r"(Z|[+-]\d\d:\d\d)$", date), date
                assert url.xpath("news:news/news:title/text()", namespaces=NS)
        if tag == "rss":
            for link in root.xpath("//item/link/text()"):
                assert safe_url_string(link) in served, link
        if tag == "feed":
            for link in root.xpath("//atom:entry/atom:link[@rel='alternate']/@href", namespaces=NS):
                assert safe_url_string(link) in served, link


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_robots_points_at_served_sitemaps(folder):
    served = {safe_url_string(p["url"]) for p in load_manifest(folder)["pages"]}
    sitemaps = re.findall(r"(?mi)^Sitemap:\s*(\S+)", (folder / "robots.txt").read_text(encoding="utf-8"))
    assert all(safe_url_string(s) in served or s.endswith("/sitemap.xml") for s in sitemaps)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_html_pages_json_ld_parses_after_quirks(folder):
    for f in folder.glob("*.html"):
        raw = f.read_text(encoding="utf-8")
        assert 8_000 < len(raw.encode()) < 62_000 or folder.name == "generic", (f.name, len(raw.encode()))
        for block in re.findall(r'<script[^>]*type="application/ld\+json"[^>]*>(.*?)</script>', raw, re.S):
            block = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", block.strip())  # BBC wraps JSON-LD in CDATA
            json.loads(block)


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_gold_matches_page(gold_path):
    folder = gold_path.parent
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    page = folder / gold_path.name.replace(".gold.json", ".html")
    served = {safe_url_string(p["url"]): p["file"] for p in load_manifest(folder)["pages"]}
    assert served.get(safe_url_string(gold["url"])) == page.name
    doc = lxml.html.fromstring(page.read_bytes(), parser=lxml.html.HTMLParser(encoding="utf-8"))
    body = BODY[folder.name](doc)
    text = page_text(doc)
    joined = " ".join(body)
    assert len(body) == gold["body_paragraphs"], body
    assert body[0].startswith(ws(gold["body_first"]))
    assert body[-1].endswith(ws(gold["body_last"]))
    assert 4 <= len(gold["must_contain"]) <= 6 and 4 <= len(gold["must_not_contain"]) <= 6
    for s in gold["must_contain"]:
        assert ws(s) in joined, s
    for s in gold["must_not_contain"]:
        assert ws(s) not in joined, s
        assert ws(s) in text, f"boilerplate snippet not on the page: {s}"
    assert ws(gold["title"]) in text
    assert ws(gold["published_text"]) in text
    for tag in gold["tags"]:
        assert ws(tag) in text, tag
    for author in gold["authors"]:
        assert author in text, author
    for rel in gold["related"]:
        assert ws(rel["title"]) in text, rel["title"]
        assert rel["url"].startswith("https://")
    assert gold["lead_image"] in page.read_text(encoding="utf-8")
