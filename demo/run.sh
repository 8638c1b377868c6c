#!/usr/bin/env bash
# The offline demo = the main job: set up a virtualenv, then run a real `scrapy crawl` of every
# outlet, served from the bundled WARC archive (pages we wrote, modelled on each outlet's markup),
# into the demo's own SQLite store data/demo/articles.sqlite3 (never the default store
# data/articles.sqlite3, which holds your own crawls) and a JSONL file, print what was stored, and
# end by writing the crawl report data/demo/report.html and printing its path. The README's "first
# hour" commands read the same store (export SQLITE_PATH=data/demo/articles.sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."

# Set up once, and again whenever pyproject.toml (the dependencies) or EXTRAS changed since: a .venv made
# before a dependency was added would otherwise fail the README's test command.
# The extras the test suite uses (services it cannot find are skipped with a reason).
EXTRAS=".[test,distributed,render,postgres,archive,report]"
STAMP=.venv/.pyproject.sha1
WANT=$( (cat pyproject.toml; echo "$EXTRAS") | sha1sum | cut -d' ' -f1)
if [[ ! -x .venv/bin/scrapy || "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]]; then
  echo "== setting up .venv (log in .venv/setup.log)"
  python3 -m venv .venv
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e "$EXTRAS"; } \
      > .venv/setup.log 2>&1; then
    tail -n 30 .venv/setup.log
    echo "setup failed: see .venv/setup.log" >&2
    exit 1
  fi
  echo "$WANT" > "$STAMP"
fi

ARCHIVE=demo/demo.warc.gz
OUT=data/demo
mkdir -p "$OUT"
rm -f "$OUT/articles.sqlite3"* "$OUT/articles.jsonl" "$OUT/report.html"

crawl() {
  .venv/bin/scrapy crawl "$@" \
    -s REPLAY_WARC="$ARCHIVE" \
    -s SQLITE_PATH="$OUT/articles.sqlite3" \
    -s SPOOL_PATH="$OUT/spool.jsonl" \
    -o "$OUT/articles.jsonl:jsonl" \
    -s LOG_LEVEL=INFO 2>&1 | grep -E "summary |ERROR|CRITICAL" || true
}

for outlet in $(.venv/bin/scrapy list | grep -vxE "generic|archive"); do
  echo "== scrapy crawl $outlet (replayed from $ARCHIVE)"
  crawl "$outlet"
done
# An outlet we have no module for, through the generic spider (feed found from the start URL).
echo "== scrapy crawl generic -a start=https://www.akhbar-example.net/feed/atom/ (replayed)"
crawl generic -a start=https://www.akhbar-example.net/feed/atom/

echo
echo "== stored in $OUT/articles.sqlite3 (JSONL: $OUT/articles.jsonl)"
.venv/bin/scrapy summary -s SQLITE_PATH="$OUT/articles.sqlite3"

echo
echo "== outlet modules, from the stats each run stored (scrapy outlets)"
.venv/bin/scrapy outlets -s SQLITE_PATH="$OUT/articles.sqlite3"

echo
echo "== the README's commands read this store after: export SQLITE_PATH=$OUT/articles.sqlite3"
echo "== the crawl report (scrapy report): open it in a browser, it needs no network"
.venv/bin/scrapy report -s SQLITE_PATH="$OUT/articles.sqlite3" -o "$OUT/report.html"
