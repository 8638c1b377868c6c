"""The outlets table of the README, generated from the spider modules and their fixture pages.

    python -m crawler.outlets            # print the table
    python -m crawler.outlets --write    # rewrite it in README.md (between the outlets markers)

"fields" lists the fields the outlet's extraction fills on its fixture articles, so the table says
what was checked, not what was hoped. A test keeps README.md in step with this output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "sites"
START, END = "<!-- outlets:start -->", "<!-- outlets:end -->"
FIELDS = ("title", "published_at", "authors", "section", "tags", "source", "related", "embeds")
_KIND = {"news_sitemap": "news sitemap", "sitemap": "sitemap", "feed": "feed", "section": "section pages"}


def _covered(spidercls) -> tuple[str, int]:
    from scrapy.http import HtmlResponse

    folder = FIXTURES / spidercls.outlet.slug
    golds = sorted(folder.glob("*.gold.json")) if folder.exists() else []
    seen: set[str] = set()
    spider = spidercls()
    for gold_path in golds:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        page = gold_path.with_name(gold_path.name.replace(".gold.json", ".html"))
        item = spider.extract(HtmlResponse(url=gold["url"], body=page.read_bytes()))
        seen.update(f for f in FIELDS if item.get(f))
    return ", ".join(f for f in FIELDS if f in seen) or "-", len(golds)


def table() -> str:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from crawler.spider import outlet_spiders

    loader = SpiderLoader.from_settings(get_project_settings())
    rows = ["| outlet | name | country | discovery | JavaScript | fields on fixture pages (pages) |",
            "|---|---|---|---|---|---|"]
    for cls in sorted(outlet_spiders(loader), key=lambda c: c.outlet.slug):
        o = cls.outlet
        if not o.domains:  # the generic spider has no outlet of its own
            continue
        kinds = list(dict.fromkeys(_KIND.get(s.kind, s.kind) for s in cls.sources))
        fields, pages = _covered(cls)
        layouts = f" (+{len(cls.layouts)} older layout{'s' if len(cls.layouts) > 1 else ''})" if cls.layouts else ""
        rows.append(f"| `{o.slug}` | {o.name} | {o.country or '-'} | {', '.join(kinds)} | "
                    f"{'yes' if o.needs_js else 'no'} | {fields} ({pages}){layouts} |")
    return "\n".join(rows)


def readme_block(readme: str) -> str:
    start, end = readme.index(START) + len(START), readme.index(END)
    return readme[start:end].strip("\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the table in README.md")
    args = ap.parse_args()
    text = table()
    if not args.write:
        print(text)
        return
    path = ROOT / "README.md"
    readme = path.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        sys.exit(f"README.md has no {START} ... {END} block")
    start, end = readme.index(START) + len(START), readme.index(END)
    path.write_text(readme[:start] + "\n" + text + "\n" + readme[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
