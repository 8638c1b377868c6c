"""Structure inside and around the article body: embedded posts, in-body "read also" links, and
related-article blocks found by their heading.

Pages carry these as markup (a tweet's blockquote, a paragraph that is only "اقرأ أيضاً: <a>"); taking
them from the markup is exact, where the text pipelines can only guess from flattened lines.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urljoin, urlsplit

from crawler.extract.text import local_tag, paragraphs, squash, text_of

# Headings of an article's own related blocks (folded: no hamza forms, no ta marbuta, no tashkeel).
RELATED_HEADINGS = frozenset({
    "اقرا ايضا", "اقرا كذلك", "طالع ايضا", "شاهد ايضا", "اقرا المزيد", "ذات صله", "مقالات ذات صله",
    "اخبار ذات صله", "مواضيع ذات صله", "موضوعات ذات صله", "تقارير ذات صله", "الموضوعات المتعلقه",
    "قد يهمك", "قد يهمك ايضا", "المزيد حول هذه القصه", "اقرا ايضا في", "مواد ذات صله", "قصص مقترحه",
})
# Headings are a small grammar more than a list: a kind of item ("مواضيع", "أخبار", "مقالات" ...)
# with a relation ("ذات صلة", "ذات علاقة", "متعلقة", "مرتبطة", "مشابهة"), or a reading verb with
# "also" ("اقرأ أيضاً", "انظر أيضا", "طالع كذلك"). Folded forms.
_RELATED_GRAMMAR = re.compile(
    r"^(?:ال)?(?:مواضيع|موضوعات|مقالات|اخبار|تقارير|مواد|قصص|روابط|محتوي|قراءات|فيديوهات|صور)\s+"
    r"(?:ذات\s+(?:الصله|صله|العلاقه|علاقه)|ذو\s+صله|(?:ال)?(?:متعلقه|مرتبطه|مشابهه|ذات الصله))"
    r"(?:\s+(?:بالموضوع|بالخبر|بالمقال))?$"
    r"|^(?:اقرا|طالع|شاهد|انظر|تابع)\s+(?:ايضا|كذلك|المزيد)(?:\s+في)?$"
)
# In-body markers that introduce one related headline on the same line.
RELATED_MARKER = _READ_ALSO = re.compile(r"^\s*(?:اقرا|طالع|شاهد|انظر)\s+(?:ايضا|كذلك|المزيد)\s*[:：\-–—]?\s*")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
_TASHKEEL = re.compile(r"[\u064b-\u0652\u0670]")


def fold_marker(text: str) -> str:
    """A cheap fold for matching UI markers (the full ``crawler.arabic.fold`` is for content)."""
    return squash(_TASHKEEL.sub("", text.translate(_FOLD))).strip(" :：-–—|»«\"'.").lower()


def _month_date(text: str) -> str | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _tweet(el, base: str) -> dict:
    links = [a for a in el.iter("a") if a.get("href")]
    status = next((urljoin(base, a.get("href")) for a in reversed(links) if "/status/" in a.get("href", "")), None)
    first_p = next((c for c in el.iter() if local_tag(c) == "p"), None)
    text = text_of(first_p) if first_p is not None else ""
    media = [a.get("href") for a in links if "pic.twitter.com" in (a.text or a.get("href", ""))]
    for m in media:
        text = text.replace(m.replace("https://", ""), "").replace(m, "")
    text = re.sub(r"\s*pic\.twitter\.com/\S+", "", text).strip()
    full = text_of(el)
    m = re.search(r"[—–-]\s*([^()]+?)\s*\(@(\w{1,30})\)", full)
    date = _month_date(text_of(links[-1])) if links else None
    if date is None and links:
        try:
            from crawler.arabic import parse_date

            date = parse_date(text_of(links[-1]))
        except Exception:  # an unreadable date is unknown
            date = None
    handle = m.group(2) if m else (urlsplit(status).path.split("/")[1] if status else None)
    return {"platform": "twitter", "url": status, "author": m.group(1).strip() if m else None,
            "handle": handle, "published_at": date, "text": text or None, "media": media}


def embeds(containers, base: str) -> tuple[list[dict], list]:
    """(embedded posts, their elements to leave out of the body) within ``containers``."""
    found: list[dict] = []
    elements: list = []
    for root in containers:
        for el in root.iter():
            tag = local_tag(el)
            cls = el.get("class") or ""
            if tag == "blockquote" and "twitter-tweet" in cls:
                found.append(_tweet(el, base))
            elif tag == "blockquote" and "instagram-media" in cls:
                url = el.get("data-instgrm-permalink") or next((a.get("href") for a in el.iter("a") if a.get("href")), None)
                found.append({"platform": "instagram", "url": url, "author": None, "handle": None,
                              "published_at": None, "text": text_of(el) or None, "media": []})
            elif tag in ("div", "blockquote") and ("fb-post" in cls or "fb-video" in cls) and el.get("data-href"):
                found.append({"platform": "facebook", "url": el.get("data-href"), "author": None, "handle": None,
                              "published_at": None, "text": text_of(el) or None, "media": []})
            elif tag == "iframe" and el.get("src"):
                src = urljoin(base, el.get("src"))
                parts = urlsplit(src)
                if "youtube.com" in parts.netloc or "youtube-nocookie.com" in parts.netloc:
                    vid = parts.path.rsplit("/", 1)[-1]
                    found.append({"platform": "youtube", "url": f"https://www.youtube.com/watch?v={vid}", "author": None,
                                  "handle": None, "published_at": None, "text": None, "media": []})
                elif "facebook.com" in parts.netloc and "href" in parse_qs(parts.query) \
                        and parts.path.rstrip("/").endswith(("/post.php", "/video.php")):
                    # an embedded post or video; like, share and follow buttons (like.php, share_button.php,
                    # page.php) carry an href too
                    found.append({"platform": "facebook", "url": parse_qs(parts.query)["href"][0], "author": None,
                                  "handle": None, "published_at": None, "text": None, "media": []})
                else:
                    continue
            else:
                continue
            elements.append(el)
    return found, elements


def read_also(containers, base: str) -> tuple[list[dict], list]:
    """In-body "اقرأ أيضاً: <a>headline</a>" paragraphs: (related entries, elements to drop)."""
    related, elements = [], []
    for root in containers:
        for el in root.iter():
            if local_tag(el) not in ("p", "div", "li", "h3", "h4", "h5", "span", "strong"):
                continue
            raw = el.text_content()  # C-speed pre-check before the Python text walk
            if len(raw) > 400 or not _READ_ALSO.match(fold_marker(raw[:40]) + " "):
                continue
            text = text_of(el)
            if not text or len(text) > 300 or not _READ_ALSO.match(fold_marker(text) + " "):
                continue
            links = [a for a in el.iter("a") if a.get("href") and text_of(a)]
            if not links:
                continue
            for a in links:
                related.append({"title": text_of(a), "url": urljoin(base, a.get("href")), "text": None})
            elements.append(el)
    return related, elements


def is_related_heading(folded: str) -> bool:
    """Whether a heading (``fold_marker``-ed) announces the article's own related links."""
    return folded in RELATED_HEADINGS or bool(_RELATED_GRAMMAR.match(folded))


_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…)\s*$")


def link_title(a) -> str:
    """A related link's headline: its text, or its ``title`` attribute when the text is empty or
    cut short ("بدء تخفيف قيود الحركة في...", with the full headline in ``title``)."""
    text = text_of(a)
    full = squash(a.get("title") or "")
    if not text:
        return full
    if full and _ELLIPSIS.search(text):
        cut = fold_marker(_ELLIPSIS.sub("", text))
        if cut and fold_marker(full).startswith(cut):
            return full
    return text


def _story_link(a) -> bool:
    """A link that looks like a headline: a real href and at least three words of text."""
    href = (a.get("href") or "").strip().lower()
    return bool(href) and not href.startswith(("#", "javascript:", "mailto:")) and len(text_of(a).split()) >= 3


def related_blocks(root, base: str, exclude=()) -> list[dict]:
    """Links of blocks headed by a related-articles heading ("مواضيع ذات صلة", ...) anywhere in
    ``root``. The block is the heading's nearest ancestor that holds links besides the heading."""
    out: list[dict] = []
    seen_blocks: set = set()
    for el in root.iter():
        tag = local_tag(el)
        if tag not in ("h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "em", "header"):
            continue
        raw = el.text_content()  # C-speed pre-check: headings are short
        if len(raw) > 120 or not is_related_heading(fold_marker(raw)):
            continue
        text = text_of(el)
        if not text or len(text) > 40 or not is_related_heading(fold_marker(text)):
            continue
        heading_links = set(el.iter("a"))
        block = el.getparent()
        while block is not None:
            links = [a for a in block.iter("a") if a not in heading_links and _story_link(a)]
            if links:
                break
            block = block.getparent()
        if block is None or block in seen_blocks or any(block is x for x in exclude):
            continue
        seen_blocks.add(block)
        # a list written as repeated siblings (one <dl> per item, the heading in the first): the
        # siblings of the same tag and class that follow are the rest of the list
        for sib in block.itersiblings():
            if local_tag(sib) != local_tag(block) or (sib.get("class") or "") != (block.get("class") or ""):
                break
            links.extend(a for a in sib.iter("a") if _story_link(a))
            seen_blocks.add(sib)
        for a in links:
            href = a.get("href", "")
            out.append({"title": link_title(a), "url": urljoin(base, href), "text": None})
    return out


_LEAD_NAMES = re.compile(r"lead|intro|summary|excerpt|standfirst|chapo|sapo|description|abstract", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?؟…»\")]\s*$")


def lead_before_body(root, body: list[str]) -> list[str]:
    """A lead paragraph printed just before the body's container ("b-article__lead" beside
    itemprop=articleBody): paragraphs of the container's previous sibling, when that sibling is
    marked as a lead (class or itemprop: lead, intro, summary, description ...) or is a plain
    paragraph, and each is a full sentence not already in the body. [] otherwise."""
    if not body:
        return []
    first_para = body[0]
    holder = None
    for el in root.iter("p", "div", "span", "section"):
        leaf = local_tag(el) == "p" or not any(local_tag(c) in ("p", "div") for c in el)
        # the C-speed text_content() first: text_of walks the element in Python
        if leaf and squash(el.text_content()).startswith(first_para[:60]) and text_of(el).startswith(first_para[:60]):
            holder = el
            break
    if holder is None:
        return []
    container = holder.getparent() if local_tag(holder) == "p" else holder
    if container is None:
        return []
    prev = container.getprevious()
    while prev is not None and (not isinstance(prev.tag, str) or not squash(prev.text_content())):
        prev = prev.getprevious()
    if prev is None or local_tag(prev) not in ("div", "p", "section"):
        return []
    marked = _LEAD_NAMES.search(f"{prev.get('class') or ''} {prev.get('itemprop') or ''} {prev.get('id') or ''}")
    if not marked and local_tag(prev) != "p":
        return []
    if any(local_tag(x) in ("a", "img", "figure", "h1", "h2") for x in prev.iter()):
        return []
    known = {fold_marker(p) for p in body}
    paras = [p for p in paragraphs([prev]) if fold_marker(p) not in known]
    if not paras or not all(_TERMINAL.search(p) and len(p.split()) >= 8 for p in paras):
        return []
    return paras
