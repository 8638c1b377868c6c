"""Project settings: safe, polite defaults. Every project component reads its own settings in
``from_crawler``; this module is the only wiring between them."""

import os

BOT_NAME = "arabic-news-crawler"

SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.commands"

USER_AGENT = "arabic-news-crawler/0.1 (+https://github.com/arabic-news-crawler/arabic-news-crawler; research crawler)"

# Politeness
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # a news page is well under 2 MB; refuse anything absurd
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False

# Safety: Scrapy 2.19 starts a code-executing remote-control server unless told not to; the
# telnet console is the older form of the same risk.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Only http and https: a link or a redirect to file://, s3://, ftp:// or data: must not make the
# crawler read local files or reach other services (file:///etc/passwd, a bucket with our keys).
DOWNLOAD_HANDLERS = {"file": None, "s3": None, "ftp": None, "data": None}
# Requests to loopback, private, link-local and metadata addresses are refused unless the crawl
# started there (crawler/middlewares/addresses.py); True allows every address (an intranet crawl).
ALLOW_PRIVATE_ADDRESSES = False

# Measured (research/perf-baseline.md): 100 asyncio tasks per callback by default cost ~15% CPU.
CONCURRENT_ITEMS = 16

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    # Private addresses refused (after DNS resolution); before robots.txt (100), which it also guards.
    "crawler.middlewares.addresses.PrivateAddressGuard": 50,
    # Archive to / replay from WARC. Closest to the downloader so it sees the raw bytes.
    "crawler.middlewares.warc.WarcMiddleware": 950,
    # Conditional GETs for feeds/sitemaps; below HttpCompression (590) so it sees decoded bodies.
    "crawler.middlewares.conditional.ConditionalRequestsMiddleware": 580,
    # Failed fetches by reason (fetch/failed/<reason>); below Retry (550): once a fetch, not an attempt.
    "crawler.middlewares.failures.FetchFailures": 540,
}

SPIDER_MIDDLEWARES = {
    # Learns the start requests' origins, the only private addresses the crawl may reach.
    "crawler.middlewares.addresses.PrivateAddressGuard": 10,
    # Incremental runs: article requests whose article is already stored are not sent.
    "crawler.middlewares.incremental.IncrementalMiddleware": 950,
}

ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.related.RelatedPipeline": 200,
    "pipelines.validate.ValidatePipeline": 300,
    "pipelines.dedup.DedupPipeline": 400,
    "pipelines.store.StorePipeline": 900,
}

EXTENSIONS = {
    "crawler.summary.CrawlSummary": 500,
    "crawler.progress.Progress": 510,
    "crawler.monitors.Monitoring": 600,  # spidermon; runs after the summary
    "crawler.runs.RunRecorder": 700,  # the run's stats into the store's runs table, after the monitors' verdict
}

# Incremental crawling and conditional requests
INCREMENTAL_ENABLED = True
INCREMENTAL_REFRESH = False  # or -a refresh=1: fetch stored articles again
HTTP_VALIDATORS_ENABLED = True
HTTP_VALIDATORS_PATH = None  # default: beside SQLITE_PATH, <name>-validators.sqlite3

# Progress and monitoring: `scrapy crawl` exits 3 when the run monitors fail
PROGRESS_INTERVAL = 60
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["crawler.monitors.RunMonitorSuite"]
MONITOR_THRESHOLDS = {}  # {"default": {...}, "<outlet>": {"min_items": 20, "coverage": {"authors": 0.6}}}
MONITOR_FINISH_REASONS = ["finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"]
RUNS_ENABLED = True  # store each run's stats (runs table; `scrapy outlets`)

# Self-healing outlet modules (crawler/spider.py): links that fail an outlet's article pattern but
# look like stories are probed (this many always, more while at least half were articles), and
# when every declared source fails, discovery falls back to the outlet's homepage.
PATTERN_PROBES = 20
DISCOVERY_FALLBACK = True

# scrapy schedule
SCHEDULE_INTERVALS = {}  # {"youm7": "15m"}
SCHEDULE_DEFAULT_INTERVAL = "1h"
SCHEDULE_STATE_DIR = "data/schedule"
SCHEDULE_LOG_DIR = "data/schedule/logs"
SCHEDULE_MAX_PARALLEL = 2
SCHEDULE_CRAWL_ARGS = {}
SCHEDULE_RUN_TIMEOUT = 0

# Optional capabilities, each active only when configured (docs/scaling.md).
ADDONS = {
    "crawler.addons.distributed.DistributedAddon": 100,  # REDIS_URL set -> shared Redis queue + dupefilter
    "crawler.addons.rendering.RenderingAddon": 200,  # outlets with needs_js (or RENDER_ENABLED) -> JS rendering
}
# Secrets come from the environment, never from the command line (a process list, scrapyd's
# listjobs.json and the scheduler's logs show command lines): DATABASE_URL and REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL") or None  # redis://:PASSWORD@host:6379/0
REDIS_IDLE_TIMEOUT = 30  # seconds the whole crawl must stay idle before a worker exits; 0 = never
SPLASH_URL = None  # http://host:8050 -> Splash instead of Playwright
RENDER_ENGINE = "playwright"  # or "off"
RENDER_WAIT = 0.5  # seconds scripts may run after load

# Storage: SQLite (embedded) unless DATABASE_URL names another SQLAlchemy URL.
# SQLITE_PATH from the environment too: `export SQLITE_PATH=data/demo/articles.sqlite3` points every
# command of a shell at the demo's store (README, "The first hour").
SQLITE_PATH = os.environ.get("SQLITE_PATH") or "data/articles.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL") or None  # secret: from the environment, see REDIS_URL
STORE_BATCH_SIZE = 200
STORE_ENABLED = True
STORE_FLUSH_SECONDS = 30  # also write a partial batch this often: a crash loses at most the open batch
STORE_TIMEOUT = 10  # seconds a connection attempt or a lock may be waited for (the writer's thread waits, not the crawl)
STORE_RETRY_SECONDS = 5  # while the database is unavailable, batches go straight to the spool; try again this often
STRICT_STORE = False  # True: a run that spooled any article instead of storing it fails its monitors

# Dedup across outlets: copies are linked (duplicate_of), never dropped
DEDUP_ENABLED = True
DEDUP_THRESHOLD = 0.4  # MinHash Jaccard estimate on folded 3-word shingles
DEDUP_NUM_PERM = 128
DEDUP_WINDOW_DAYS = 60
# Items that could not be written (database down) wait here and are written on the next start.
SPOOL_PATH = "data/spool.jsonl"

# WARC: WARC_OUTPUT=path archives every response; REPLAY_WARC=path serves the crawl from an archive.
WARC_OUTPUT = None
REPLAY_WARC = None

# Validation
VALIDATE_REQUIRED_FIELDS = ["url", "title", "body"]
VALIDATE_MIN_BODY_CHARS = 80
VALIDATE_MIN_TEXT_QUALITY = 0.6  # a body below this text_quality is unreadable (crawler/arabic/quality.py)

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# Page workers (crawler/workers.py): parsing, extraction and the text pipelines in a process pool,
# one process per CPU, started after PAGE_WORKERS_AFTER article pages. 0 = all in one process.
PAGE_WORKERS = "auto"
PAGE_WORKERS_AFTER = 50

# Archives as input (`scrapy crawl archive -a warc=...`, `scrapy archive`; docs/scaling.md):
# ARCHIVE_CC_BASE: where "crawl-data/..." keys are read from instead of data.commoncrawl.org (a
# mirror); ARCHIVE_PAGES_IN_FLIGHT: records read ahead of the pipelines per archive;
# ARCHIVE_WORKER: the name a worker records its archives under (default host:pid).
ARCHIVE_CC_BASE = None
ARCHIVE_PAGES_IN_FLIGHT = 8
ARCHIVE_WORKER = None

# Each outlet's boilerplate, learned from the crawl (crawler/templates.py): a body line seen in at
# least TEMPLATE_MIN_ARTICLES of an outlet's articles (and TEMPLATE_MIN_SHARE of its articles over
# those days, over TEMPLATE_MIN_DAYS days, printed by no other outlet within
# TEMPLATE_NEWS_WINDOW_DAYS) leaves the body (related/template_line). 12 and 0.1 by measurement
# (bench/templates.py: 96% of boilerplate removed, no article line lost; at 5, a running story's
# background paragraph reused daily is lost in 15% of its occurrences at a small outlet).
TEMPLATE_LEARNING = True
TEMPLATE_MIN_ARTICLES = 12
TEMPLATE_MIN_SHARE = 0.1
TEMPLATE_MIN_DAYS = 2
TEMPLATE_NEWS_WINDOW_DAYS = 3
TEMPLATE_REFRESH_SECONDS = 30  # page workers reload what the crawl learned this often
TEMPLATE_FLUSH_ITEMS = 200  # the crawl writes what it learned this often (and at the end)
