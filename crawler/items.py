"""The Article item: the dataset schema, defined once.

What each field means is written down in ``docs/fields.md``; keep the two in step and bump
``SCHEMA_VERSION`` when a field changes meaning or type. Empty means unknown, never a guess.
"""

from __future__ import annotations

import scrapy

SCHEMA_VERSION = 2  # 2: provenance, text_quality

# Field name -> kind. "list" fields hold lists (of str, or of dicts for images/related/embeds);
# "map" fields hold a dict of str -> str (provenance: field -> the step that gave its value);
# "float" fields a number (text_quality, 0..1);
# everything else holds one str (or int for word_count / schema_version), or None when unknown.
FIELD_KINDS: dict[str, str] = {
    "url": "str",
    "canonical_url": "str",
    "outlet": "str",
    "outlet_name": "str",
    "source": "str",
    "title": "str",
    "subtitle": "str",
    "body": "str",
    "authors": "list",
    "dateline": "str",
    "published_at": "str",
    "published_raw": "str",
    "modified_at": "str",
    "modified_raw": "str",
    "section": "str",
    "tags": "list",
    "images": "list",
    "related": "list",
    "embeds": "list",
    "language": "str",
    "word_count": "int",
    "content_hash": "str",
    "fetched_at": "str",
    "schema_version": "int",
    "provenance": "map",
    "text_quality": "float",
}

LIST_FIELDS = frozenset(k for k, v in FIELD_KINDS.items() if v == "list")
MAP_FIELDS = frozenset(k for k, v in FIELD_KINDS.items() if v == "map")


class Article(scrapy.Item):
    url = scrapy.Field()
    canonical_url = scrapy.Field()
    outlet = scrapy.Field()
    outlet_name = scrapy.Field()
    source = scrapy.Field()
    title = scrapy.Field()
    subtitle = scrapy.Field()
    body = scrapy.Field()
    authors = scrapy.Field()
    dateline = scrapy.Field()
    published_at = scrapy.Field()
    published_raw = scrapy.Field()
    modified_at = scrapy.Field()
    modified_raw = scrapy.Field()
    section = scrapy.Field()
    tags = scrapy.Field()
    images = scrapy.Field()
    related = scrapy.Field()
    embeds = scrapy.Field()
    language = scrapy.Field()
    word_count = scrapy.Field()
    content_hash = scrapy.Field()
    fetched_at = scrapy.Field()
    schema_version = scrapy.Field()
    provenance = scrapy.Field()
    text_quality = scrapy.Field()


assert set(Article.fields) == set(FIELD_KINDS), "items.Article and FIELD_KINDS disagree"


def empty_article() -> dict:
    """A plain dict with every field present and unknown (None, [] or {})."""
    return {k: empty_value(k) for k in FIELD_KINDS}


def empty_value(field: str):
    """What an unknown value of ``field`` is: [] for lists, {} for maps, else None."""
    kind = FIELD_KINDS.get(field)
    return [] if kind == "list" else {} if kind == "map" else None
