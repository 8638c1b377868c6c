"""ArticleLoader: input/output processors per field of the Article item.

Values are added in order of trust (outlet selectors, then JSON-LD, then meta tags, then the
generic fallback); scalar fields keep the first non-empty value, so the order of ``add_*`` calls is
the extraction chain. Every processor is a shared object at module level: itemloaders caches
processors by identity and a function defined in the class body would pin every loader and its
page in that cache (research/perf-baseline.md).
"""

from __future__ import annotations

from itemloaders.processors import Identity, Join, MapCompose, TakeFirst
from itemloaders.utils import arg_to_iter
from scrapy.loader import ItemLoader

from crawler.extract.text import squash
from crawler.items import Article


def _text(value):
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = squash(value)
    return value or None


class UniqueBy:
    """Output processor: drop repeated values (dicts compared on one key), keep order."""

    def __init__(self, key: str | None = None):
        self.key = key

    def __call__(self, values):
        seen, out = set(), []
        for v in values:
            if v is None or v == "" or v == {}:
                continue
            k = v.get(self.key) if (self.key and isinstance(v, dict)) else v
            if isinstance(k, str):
                k = k.casefold()
            if k in seen:
                continue
            seen.add(k)
            out.append(v)
        return out


TEXT_IN = MapCompose(_text)
FIRST = TakeFirst()
IDENTITY = Identity()
PARAGRAPHS_OUT = Join("\n\n")
UNIQUE = UniqueBy()
UNIQUE_URL = UniqueBy("url")


class ArticleLoader(ItemLoader):
    """Also records provenance: ``step`` names the extraction step adding values now (set by the
    chain before each step), and ``provenance`` maps each field to the step that first gave it a
    value, which is the value the output processors keep (scalars take the first value; list
    fields are filled by one source, ``add_if_missing``)."""

    default_item_class = Article
    default_input_processor = TEXT_IN
    default_output_processor = FIRST

    body_in = TEXT_IN
    body_out = PARAGRAPHS_OUT
    authors_out = UNIQUE
    tags_out = UNIQUE
    # Raw dates are kept as candidates; the chain parses them in order and keeps the first that parses.
    published_raw_out = IDENTITY
    modified_raw_out = IDENTITY
    images_in = IDENTITY
    images_out = UNIQUE_URL
    related_in = IDENTITY
    related_out = UNIQUE_URL
    embeds_in = IDENTITY
    embeds_out = UNIQUE_URL
    word_count_in = IDENTITY
    schema_version_in = IDENTITY

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.step: str | None = None
        self.provenance: dict[str, str] = {}
        # raw date texts with the step that added each: the chain chooses among them (choose_date)
        self.date_candidates: dict[str, list[tuple[str, str | None]]] = {}

    def add_value(self, field_name, value, *processors, re=None, **kw):
        if field_name in ("published_raw", "modified_raw"):
            for v in arg_to_iter(value):
                if isinstance(v, str) and v.strip():
                    self.date_candidates.setdefault(field_name, []).append((v, self.step))
        had = field_name is None or self.has(field_name)
        super().add_value(field_name, value, *processors, re=re, **kw)
        if not had and self.step and self.has(field_name):
            self.provenance.setdefault(field_name, self.step)

    def has(self, field: str) -> bool:
        """Whether some earlier step of the chain already gave ``field`` a value."""
        return any(v not in (None, "", [], {}) for v in self.get_collected_values(field))

    def add_if_missing(self, field: str, values) -> None:
        """Add ``values`` (a list or one value) only when the field has none yet: for list fields a
        source is taken whole or not at all, never mixed with a less trusted one."""
        if values in (None, "", [], {}) or self.has(field):
            return
        self.add_value(field, values)
