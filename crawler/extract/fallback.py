"""Generic body fallback: trafilatura on the page's already-parsed tree.

trafilatura is the measured best generic extractor (research/anchors.md §2); it accepts an lxml
tree, so the page is not parsed a second time, and it works on its own copies of the tree.
It runs only when the outlet's selectors and the structured data gave no body.
"""

from __future__ import annotations

import logging

from parsel import Selector

logger = logging.getLogger(__name__)


def body_paragraphs(selector: Selector, url: str | None = None) -> list[str]:
    """Main-text paragraphs found by trafilatura, or [] when it finds none."""
    import trafilatura  # imported lazily: a crawl with complete outlet selectors never needs it

    try:
        text = trafilatura.extract(
            selector.root,
            url=url,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura raises assorted errors on hostile markup
        logger.warning("trafilatura failed on %s: %s", url, exc)
        return []
    if not text:
        return []
    return [line.strip() for line in text.split("\n") if line.strip()]
