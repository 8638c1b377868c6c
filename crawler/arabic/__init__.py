"""Arabic text toolkit: pure functions, importable without Scrapy.

- `normalize(text)`: display text with the web's damage repaired (diacritics kept).
- `fold(text)`: search/dedup key.
- `parse_date(text, reference=None)`: ISO 8601 from Arabic date text, or None.
- `clean_title(text)`: headline without media/breaking markers, plus what they said.
- `segment(text, reference=None)`: split flattened article text into body and metadata fields.
- `sentences(text)`: sentence splitter that keeps the Arabic ".." pause inside a sentence.
"""

from __future__ import annotations

from crawler.arabic.dates import parse_date
from crawler.arabic.normalize import NormalizeStats, fold, normalize, normalize_with_stats
from crawler.arabic.segmenter import segment, sentences
from crawler.arabic.titles import clean_title

__all__ = [
    "NormalizeStats",
    "clean_title",
    "fold",
    "normalize",
    "normalize_with_stats",
    "parse_date",
    "segment",
    "sentences",
]
