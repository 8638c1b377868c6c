"""The crawl report (``scrapy report``): one self-contained HTML page of what the store holds and
how the runs that filled it went — articles per day and outlet, field coverage per outlet (a heat
map), failed fetches and dropped items by reason, outlets whose runs failed their monitors or
whose layout fell back to the generic chain, duplicates linked across outlets, and the latest
articles of each outlet.

Built from the store only: the articles (``ArticleStore`` reads) and the final stats every run
left in the ``runs`` table (``crawler.runs.RunRecorder``; only numbers and the monitors' lists,
``safe_run_stats``, so no database URL can reach the page). The store is named as
``ArticleStore.shown`` gives it, its password masked.

Charts are drawn by matplotlib as SVG with text kept as text (``svg.fonttype = none``): the page
needs no script and no network (a Content-Security-Policy forbids every load), the browser lays
out the text, and every chart element carries an id (``gid``) a test can find. The stored text
(titles, authors, outlet names) is in HTML, marked ``lang="ar" dir="rtl"`` so the browser sets
each line right to left; the charts' own labels are outlet slugs and field names. Why matplotlib
and not a JavaScript library: README ("The crawl report").
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from crawler.monitors import CORE_FIELDS
from crawler.runs import run_health
from crawler.storage import ArticleStore
from crawler.summary import drop_reasons, fetch_failures

# Fields of the heat map: what a reader of the dataset asks of an article, in reading order.
COVERAGE_FIELDS = ("title", "subtitle", "body", "published_at", "published_raw", "modified_at", "authors",
                   "dateline", "section", "tags", "images", "related", "embeds", "source")
LATEST_PER_OUTLET = 3
MAX_DAYS = 60  # bars of the per-day chart; older days are summed up in a note
CONTIGUOUS_SPAN = 62  # days: a shorter span is drawn day by day, zeros included
MAX_DUPLICATES = 50  # rows of the duplicates table
UNDATED = ""

# 40 distinct colours, one per outlet in a stable order (matplotlib's tab20 and tab20b).
_PALETTE = ("tab20", "tab20b")


@dataclass
class OutletRuns:
    """What the runs of one outlet in the report's window add up to."""

    outlet: str
    runs: int = 0
    failed_runs: int = 0
    pages: int = 0
    scraped: int = 0
    stored: int = 0
    failures: Counter = field(default_factory=Counter)  # fetch failures by reason
    drops: Counter = field(default_factory=Counter)  # dropped items by reason
    replay_missing: int = 0
    layout_fallback_runs: int = 0  # runs where the generic chain filled a core field the selectors missed
    discovery_fallback_runs: int = 0
    pattern_miss: int = 0
    unfinished_runs: int = 0
    latest: dict[str, Any] | None = None  # run_health of the newest run
    last_failures: list[str] = field(default_factory=list)  # the newest failed run's monitor messages

    @property
    def attention(self) -> list[str]:
        out = []
        if self.failed_runs:
            out.append(f"monitors failed in {self.failed_runs} of {_n(self.runs, 'run')}")
        if self.layout_fallback_runs:
            out.append(f"layout fell back to the generic chain in {_n(self.layout_fallback_runs, 'run')}")
        if self.discovery_fallback_runs:
            out.append(f"discovery fell back to the homepage in {_n(self.discovery_fallback_runs, 'run')}")
        if self.pattern_miss:
            out.append(f"{_n(self.pattern_miss, 'article')} outside the article pattern")
        if self.unfinished_runs:
            out.append(f"{_n(self.unfinished_runs, 'run')} did not finish normally")
        return out


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _int(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key, 0)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def run_failures(stats: Mapping[str, Any]) -> dict[str, int]:
    """A run's failed fetches by reason; runs stored before ``fetch/failed`` was counted give their
    failed article fetches (``news/article_failed/<reason>``)."""
    if "fetch/failed" in stats:
        return fetch_failures(stats)
    return {k.removeprefix("news/article_failed/"): _int(stats, k) for k in stats
            if k.startswith("news/article_failed/") and _int(stats, k)}


def summarize_runs(runs: Iterable[Mapping[str, Any]]) -> dict[str, OutletRuns]:
    """Per outlet, the runs (newest first, as ``ArticleStore.runs`` gives them) added up."""
    out: dict[str, OutletRuns] = {}
    for run in runs:
        stats = run.get("stats") or {}
        outlet = str(run.get("outlet"))
        totals = out.setdefault(outlet, OutletRuns(outlet))
        health = run_health(run)
        totals.runs += 1
        if totals.latest is None:
            totals.latest = health
        if health["monitors_failed"]:
            totals.failed_runs += 1
            if not totals.last_failures:
                totals.last_failures = health["failures"] or ["(no message stored)"]
        totals.pages += _int(stats, "response_received_count")
        totals.scraped += health["articles"]
        totals.stored += health["stored"]
        totals.failures.update(run_failures(stats))
        totals.drops.update(drop_reasons(stats))
        totals.replay_missing += _int(stats, "warc/replay_missing")
        if any(_int(stats, f"layout/fallback/{f}") for f in CORE_FIELDS):
            totals.layout_fallback_runs += 1
        totals.discovery_fallback_runs += bool(health["discovery_fallback"])
        totals.pattern_miss += health["pattern_miss"]
        totals.unfinished_runs += any(a.startswith("finished:") for a in health["attention"])
    return out


@dataclass
class ReportData:
    store: str
    generated_at: datetime
    since: str | None
    outlets: list[str] | None
    per_day: dict[str, dict[str, int]]
    summary: dict[str, Any]
    latest: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]  # the MAX_DUPLICATES most recent copies
    duplicate_pairs: Counter  # (copy's outlet, original's outlet, kind) -> copies, all of them
    runs: dict[str, OutletRuns]
    names: dict[str, str]

    @property
    def articles(self) -> int:
        return int(self.summary["total"])

    @property
    def duplicate_total(self) -> int:
        return sum(self.duplicate_pairs.values())


def gather(store: ArticleStore, since: str | None = None, outlets: list[str] | None = None,
           runs_since: datetime | None = None) -> ReportData:
    """Everything the report shows, read from the store. ``since``: first publication day of the
    articles (YYYY-MM-DD); ``runs_since``: first finish time of the runs."""
    per_day = {str(o): d for o, d in store.articles_per_day(outlets, since).items()}
    summary = store.summary(outlets, since)
    latest = store.latest_articles(LATEST_PER_OUTLET, outlets, since)
    duplicates = store.duplicate_links(outlets, since, limit=MAX_DUPLICATES)
    pairs = Counter({(str(copy), str(orig or "(gone)"), str(kind or "-")): n
                     for (copy, orig, kind), n in store.duplicate_pairs(outlets, since).items()})
    runs = summarize_runs(store.runs(outlets, runs_since))
    names: dict[str, str] = {}
    for row in latest:
        if row.get("outlet_name") and row.get("outlet"):
            names.setdefault(row["outlet"], row["outlet_name"])
    return ReportData(store=store.shown, generated_at=datetime.now(UTC).replace(microsecond=0), since=since,
                      outlets=outlets, per_day=per_day, summary=summary, latest=latest,
                      duplicates=duplicates, duplicate_pairs=pairs, runs=runs,
                      names=names)


# ----- charts (matplotlib, SVG) -----------------------------------------------------------------------


def _colors(outlets: list[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    # tab20 pairs a dark and a light shade of each hue: the ten dark ones first, so that a few
    # outlets get ten different hues, not two blues
    palette = [c for name in _PALETTE for c in (*colormaps[name].colors[0::2], *colormaps[name].colors[1::2])]
    return {o: palette[i % len(palette)] for i, o in enumerate(sorted(outlets))}


_ID = re.compile(r'\bid="([^"]+)"')


def _svg(fig: Any, name: str, label: str) -> str:
    """The figure as an SVG element for inline use: its ids prefixed with the chart's name (several
    charts share one document), text kept as text, no date, stable ids."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{name}-{m.group(1)}"', svg)
    svg = re.sub(r'(url\(#|xlink:href="#|href="#)([^")]+)',
                 lambda m: m.group(1) + (f"{name}-{m.group(2)}" if m.group(2) in ids else m.group(2)), svg)
    return svg.replace("<svg ", f'<svg class="chart" id="chart-{name}" role="img" aria-label="{html.escape(label)}" ',
                       1)


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def day_axis(per_day: Mapping[str, Mapping[str, int]]) -> tuple[list[str], str]:
    """The days the per-day chart shows, and a note on what it leaves out. A span of up to
    ``CONTIGUOUS_SPAN`` days is drawn day by day (days without articles included); a longer one
    shows the days that have articles, the ``MAX_DAYS`` most recent of them."""
    days = sorted({d for counts in per_day.values() for d, n in counts.items() if n and d != UNDATED})
    undated = sum(counts.get(UNDATED, 0) for counts in per_day.values())
    note = []
    if days:
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
        if (last - first).days < CONTIGUOUS_SPAN:
            days = [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]
        else:
            note.append(f"{len(days)} publication days from {days[0]} to {days[-1]}: only days with articles are "
                        "shown (gaps are not to scale)")
            if len(days) > MAX_DAYS:
                older = days[:-MAX_DAYS]
                hidden = sum(counts.get(d, 0) for counts in per_day.values() for d in older)
                note.append(f"{hidden} articles of the {len(older)} earliest days are not shown (use --since)")
                days = days[-MAX_DAYS:]
    if undated:
        days.append(UNDATED)
        note.append(f"{undated} articles without a publication date are the last bar")
    return days, "; ".join(note)


def chart_per_day(per_day: Mapping[str, Mapping[str, int]], colors: Mapping[str, Any]) -> tuple[str | None, str]:
    """Stacked bars: articles per publication day, one colour per outlet."""
    days, note = day_axis(per_day)
    if not days:
        return None, note
    outlets = sorted(per_day, key=lambda o: (-sum(per_day[o].values()), o))
    fig, ax = _figure(11, 4.6)
    bottom = [0] * len(days)
    for outlet in outlets:
        xs = [i for i, d in enumerate(days) if per_day[outlet].get(d)]
        if not xs:
            continue
        heights = [per_day[outlet][days[i]] for i in xs]
        bars = ax.bar(xs, heights, bottom=[bottom[i] for i in xs], width=0.8, color=colors[outlet], label=outlet)
        for i, bar in zip(xs, bars, strict=True):
            bar.set_gid(f"day--{outlet}--{days[i] or 'undated'}")
            bottom[i] += per_day[outlet][days[i]]
    ax.set_xticks(range(len(days)), [d or "undated" for d in days], rotation=90, fontsize=8)
    ax.set_ylabel("articles")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False,
              ncols=1 if len(outlets) <= 16 else 2)
    return _svg(fig, "per-day", "articles per publication day, stacked by outlet"), note


def chart_coverage(coverage: Mapping[str, Mapping[str, float]], counts: Mapping[str, int]) -> str | None:
    """Heat map: the share of each outlet's articles in which each field is known."""
    outlets = sorted(coverage)
    if not outlets:
        return None
    fig, ax = _figure(11, max(2.8, 1.2 + 0.32 * len(outlets)))
    values = [[100 * float(coverage[o].get(f, 0.0)) for f in COVERAGE_FIELDS] for o in outlets]
    mesh = ax.pcolormesh(values, cmap="YlGnBu", vmin=0, vmax=100, edgecolors="white", linewidth=1.5)
    mesh.set_gid("cells")
    for r, outlet in enumerate(outlets):
        for c, name in enumerate(COVERAGE_FIELDS):
            v = values[r][c]
            ax.text(c + 0.5, r + 0.5, f"{v:.0f}", ha="center", va="center", fontsize=7.5,
                    color="white" if v >= 60 else "#222", gid=f"cell--{outlet}--{name}")
    ax.set_xticks([c + 0.5 for c in range(len(COVERAGE_FIELDS))], COVERAGE_FIELDS, rotation=30, ha="left",
                  fontsize=8.5)
    ax.xaxis.tick_top()  # a tall map: the field names where the reader starts
    ax.set_yticks([r + 0.5 for r in range(len(outlets))], [f"{o} ({counts.get(o, 0)})" for o in outlets],
                  fontsize=8.5)
    ax.invert_yaxis()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.colorbar(mesh, ax=ax, label="% of articles", shrink=0.8, pad=0.01)
    return _svg(fig, "coverage", "field coverage per outlet, percent of its articles")


def _reason_colors(reasons: list[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    reds, blues = colormaps["OrRd"], colormaps["PuBu"]
    fails = [r for r in reasons if r.startswith("fetch: ")]
    drops = [r for r in reasons if not r.startswith("fetch: ")]
    out = {r: reds(0.45 + 0.5 * i / max(len(fails), 1)) for i, r in enumerate(fails)}
    out.update({r: blues(0.45 + 0.5 * i / max(len(drops), 1)) for i, r in enumerate(drops)})
    return out


def chart_failures(runs: Mapping[str, OutletRuns]) -> str | None:
    """Horizontal stacked bars per outlet: its failed fetches and dropped items, by reason."""
    rows = {o: {**{f"fetch: {k}": n for k, n in t.failures.items()}, **{f"dropped: {k}": n for k, n in t.drops.items()}}
            for o, t in runs.items()}
    rows = {o: r for o, r in rows.items() if sum(r.values())}
    if not rows:
        return None
    outlets = sorted(rows, key=lambda o: (-sum(rows[o].values()), o))
    reasons = sorted({r for counts in rows.values() for r in counts})
    colors = _reason_colors(reasons)
    fig, ax = _figure(11, 1.4 + 0.34 * len(outlets))
    left = [0] * len(outlets)
    for reason in reasons:
        ys = [i for i, o in enumerate(outlets) if rows[o].get(reason)]
        widths = [rows[outlets[i]][reason] for i in ys]
        bars = ax.barh(ys, widths, left=[left[i] for i in ys], height=0.7, color=colors[reason], label=reason)
        for i, bar in zip(ys, bars, strict=True):
            bar.set_gid(f"fail--{outlets[i]}--{reason.replace(': ', '-')}")
            left[i] += rows[outlets[i]][reason]
    ax.set_yticks(range(len(outlets)), outlets, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlabel("fetches or items, summed over the runs")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return _svg(fig, "failures", "failed fetches and dropped items per outlet, by reason")


def chart_duplicates(pairs: Counter) -> str | None:
    """Horizontal bars: copies linked to an original, per pair of outlets."""
    if not pairs:
        return None
    ordered = pairs.most_common(20)
    fig, ax = _figure(9, max(2.0, 1.2 + 0.34 * len(ordered)))
    labels = [f"{copy} \u2192 {orig} ({kind})" for (copy, orig, kind), _ in ordered]
    bars = ax.barh(range(len(ordered)), [n for _, n in ordered], height=0.6, color="#6a51a3")
    for i, bar in enumerate(bars):
        bar.set_gid(f"dup--{i}")
    ax.set_yticks(range(len(ordered)), labels, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlabel("articles linked to an article of another outlet (copy \u2192 original)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "duplicates", "duplicates per pair of outlets")


# ----- HTML ------------------------------------------------------------------------------------------

_STYLE = """
:root { color-scheme: light; --muted: #5b6470; --line: #d9dee4; --warn: #b42318; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, "Noto Sans", "DejaVu Sans", sans-serif; margin: 0; color: #1d2530; background: #fbfcfd; }
header, section { max-width: 1180px; margin: 0 auto; padding: 18px 24px; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 8px 0 6px; }
.meta, .note { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0 0; padding: 0; }
.figures div { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 120px; }
.figures dt { color: var(--muted); font-size: 12px; } .figures dd { margin: 0; font-size: 20px; font-weight: 600; }
.figures .bad dd { color: var(--warn); }
svg.chart { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: start; vertical-align: top; }
th { background: #f1f4f7; font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: end; font-variant-numeric: tabular-nums; }
[lang=ar] { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Sans", "DejaVu Sans", sans-serif; font-size: 16px; }
.raw { color: var(--muted); font-size: 12.5px; }
.bad { color: var(--warn); }
ul.reasons { margin: 0; padding-inline-start: 18px; }
a { color: #1f4e8c; text-decoration: none; } a:hover { text-decoration: underline; }
"""

# Nothing may be loaded: the page is one file, opened with no network.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _ar(value: Any, direction: str = "rtl") -> str:
    """Stored text of an Arabic outlet, set right to left (a title or an outlet name that starts
    with a Latin word, "DW عربية", is still an Arabic line); ``auto`` where the text may be either
    (a raw date: ISO 8601 or Arabic words)."""
    return f'<div lang="ar" dir="{direction}">{_e(value)}</div>'


def _link(url: Any, text_html: str) -> str:
    url = str(url or "")
    if not url.lower().startswith(("https://", "http://")):  # a stored javascript: or data: URL stays text
        return text_html
    return f'<a href="{_e(url)}" rel="noreferrer noopener">{text_html}</a>'


def _when(value: Any) -> str:
    """A stored time shown to the second (rows stored before timestamps were cut to seconds may
    hold milliseconds); a date alone stays a date."""
    text = str(value or "")
    if len(text) <= 10:
        return text
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat(timespec="seconds")
    except ValueError:
        return text


def _outlet_cell(slug: str, names: Mapping[str, str]) -> str:
    name = names.get(slug)
    return _e(slug) + (_ar(name) if name else "")


def _figures(data: ReportData) -> str:
    runs = sum(t.runs for t in data.runs.values())
    failed_runs = sum(t.failed_runs for t in data.runs.values())
    failed = sum(sum(t.failures.values()) for t in data.runs.values())
    dropped = sum(sum(t.drops.values()) for t in data.runs.values())
    items = [("articles", "articles", data.articles, False),
             ("outlets", "outlets", len(data.summary["per_outlet"]), False), ("runs", "runs", runs, False),
             ("failed-runs", "runs that failed their monitors", failed_runs, failed_runs > 0),
             ("failed-fetches", "failed fetches", failed, failed > 0),
             ("dropped", "dropped items", dropped, dropped > 0),
             ("duplicates", "duplicates linked", data.duplicate_total, False)]
    return '<dl class="figures">' + "".join(
        f'<div{" class=bad" if bad else ""} id="figure-{ident}"><dt>{_e(label)}</dt><dd>{value:,}</dd></div>'
        for ident, label, value, bad in items) + "</dl>"


def _attention(data: ReportData) -> str:
    flagged = [t for t in sorted(data.runs.values(), key=lambda t: t.outlet) if t.attention]
    if not data.runs:
        return '<p class="note">No run is stored for this selection: the runs table fills as crawls finish.</p>'
    if not flagged:
        return (f'<p class="note">Every run of the {len(data.runs)} outlets passed its monitors; no layout or '
                "discovery fell back.</p>")
    rows = []
    for t in flagged:
        reasons = "".join(f"<li>{_e(a)}</li>" for a in t.attention)
        messages = "".join(f"<li>{_e(m)}</li>" for m in t.last_failures)
        rows.append(f"<tr><td>{_outlet_cell(t.outlet, data.names)}</td><td><ul class=reasons>{reasons}</ul></td>"
                    f"<td><ul class=reasons>{messages}</ul></td></tr>")
    return ("<table id=attention-table><thead><tr><th>outlet</th><th>why</th><th>the newest failed run's monitors"
            "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _runs_table(data: ReportData) -> str:
    if not data.runs:
        return ""
    rows = []
    for t in sorted(data.runs.values(), key=lambda t: t.outlet):
        last = t.latest["finished_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M") \
            if t.latest and t.latest.get("finished_at") else "-"
        failures = ", ".join(f"{k} {n}" for k, n in t.failures.most_common()) or "-"
        drops = ", ".join(f"{k} {n}" for k, n in t.drops.most_common()) or "-"
        verdict = f'<span class="bad">{t.failed_runs} failed</span>' if t.failed_runs else "passed"
        rows.append(f"<tr><td>{_e(t.outlet)}</td><td class=num>{t.runs}</td><td>{_e(last)}</td>"
                    f"<td class=num>{t.pages}</td><td class=num>{t.scraped}</td><td class=num>{t.stored}</td>"
                    f"<td>{_e(failures)}</td><td class=num>{t.replay_missing or '-'}</td><td>{_e(drops)}</td>"
                    f"<td>{verdict}</td></tr>")
    return ("<table id=runs-table><thead><tr><th>outlet</th><th class=num>runs</th><th>last run (UTC)</th>"
            "<th class=num>pages fetched</th><th class=num>articles scraped</th><th class=num>stored</th>"
            "<th>failed fetches</th><th class=num>not in the replayed archive</th><th>dropped</th><th>monitors</th>"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _duplicates(data: ReportData) -> str:
    if not data.duplicate_total:
        return (f'<p class="note">No duplicates: none of the {data.articles:,} articles is linked to an original '
                "(same URL, same folded text, or a near-duplicate agency copy).</p>")
    chart = chart_duplicates(data.duplicate_pairs)
    rows = []
    for d in data.duplicates:
        rows.append(f"<tr><td>{_e(d.get('outlet'))}</td><td>{_link(d.get('url'), _ar(d.get('title')))}</td>"
                    f"<td>{_e(d.get('kind') or '-')}</td><td>{_e(d.get('original_outlet') or '(gone)')}</td>"
                    f"<td>{_link(d.get('original_url'), _ar(d.get('original_title') or d.get('duplicate_of')))}</td></tr>")
    shown = (f'<p class="note">the {len(data.duplicates)} most recent of {data.duplicate_total:,}</p>'
             if data.duplicate_total > len(data.duplicates) else "")
    return ((chart or "") + shown + "<table id=duplicates-table><thead><tr><th>outlet</th><th>copy</th><th>kind</th>"
            "<th>original's outlet</th><th>original</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _latest(data: ReportData) -> str:
    if not data.latest:
        return '<p class="note">No article in this selection.</p>'
    rows = []
    for a in data.latest:
        raw = a.get("published_raw")
        when = _e(_when(a.get("published_at")) or "undated")
        if raw and raw != a.get("published_at"):
            when += f'<div class="raw" lang="ar" dir="auto">{_e(raw)}</div>'
        authors = "، ".join(str(x) for x in a.get("authors") or [])
        rows.append(f"<tr><td>{_outlet_cell(str(a.get('outlet')), data.names)}</td><td>{when}</td>"
                    f"<td>{_link(a.get('url'), _ar(a.get('title') or '(no title)'))}</td>"
                    f"<td>{_ar(authors) if authors else '-'}</td></tr>")
    return ("<table id=latest-table><thead><tr><th>outlet</th><th>published (and as the page printed it)</th><th>title</th>"
            "<th>authors</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def render(data: ReportData) -> str:
    """The report page (one HTML string, no external resource)."""
    colors = _colors(list(data.per_day))
    per_day_svg, per_day_note = chart_per_day(data.per_day, colors)
    coverage = {str(o): c for o, c in data.summary["coverage"].items()}
    counts = {str(o): n for o, n in data.summary["per_outlet"].items()}
    coverage_svg = chart_coverage(coverage, counts)
    failures_svg = chart_failures(data.runs)
    scope = [f"store {data.store}", f"generated {data.generated_at.isoformat(timespec='seconds')}"]
    if data.since:
        scope.append(f"articles published and runs finished since {data.since}")
    if data.outlets:
        scope.append("outlets " + ", ".join(data.outlets))
    runs = sum(t.runs for t in data.runs.values())

    def section(ident: str, title: str, body: str, note: str = "") -> str:
        return (f'<section id="{ident}"><h2>{_e(title)}</h2>' + (f'<p class="note">{_e(note)}</p>' if note else "")
                + body + "</section>")

    empty = '<p class="note">No article in this selection.</p>'
    parts = [
        "<!doctype html>",
        '<html lang="en" dir="ltr"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Crawl report: {data.articles:,} articles</title><style>{_STYLE}</style></head><body>",
        f'<header><h1>Crawl report</h1><p class="meta">{" · ".join(_e(s) for s in scope)}</p>{_figures(data)}</header>',
        section("attention", "Outlets that need attention", _attention(data),
                "From the stored runs: monitors failed, the generic chain filled fields the outlet's selectors "
                "missed, discovery fell back to the homepage, links outside the article pattern."),
        section("per-day", "Articles per day and outlet", per_day_svg or empty,
                "By publication day (published_at). " + per_day_note),
        section("coverage", "Field coverage per outlet", coverage_svg or empty,
                "Percent of each outlet's articles in which the field is known (empty means unknown, never a guess); "
                "the number beside the outlet is its articles."),
        section("failures", "Failed fetches and dropped items", failures_svg
                or f'<p class="note">No failed fetch and no dropped item in {runs} runs.</p>',
                "Summed over the stored runs: fetches that failed after their retries (HTTP status, timeout, DNS, "
                "robots.txt, ...) and items the pipelines dropped, by reason."),
        section("runs", "Runs per outlet", _runs_table(data)),
        section("duplicates", "Duplicates found (syndication across outlets)", _duplicates(data)),
        section("latest", "Latest articles per outlet", _latest(data),
                f"The {LATEST_PER_OUTLET} most recently published articles of each outlet, with the date as the page "
                "printed it where it differs from the parsed one."),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
