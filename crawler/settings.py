"""Project settings: safe, polite defaults. Every project component reads its own settings in
``from_crawler``; this module is the only wiring between them."""

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

# Measured (research/perf-baseline.md): 100 asyncio tasks per callback by default cost ~15% CPU.
CONCURRENT_ITEMS = 16

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    # Archive to / replay from WARC. Closest to the downloader so it sees the raw bytes.
    "crawler.middlewares.warc.WarcMiddleware": 950,
}

ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.related.RelatedPipeline": 200,
    "pipelines.validate.ValidatePipeline": 300,
    "pipelines.store.StorePipeline": 900,
}

EXTENSIONS = {
    "crawler.summary.CrawlSummary": 500,
}

# Storage: SQLite (embedded) unless DATABASE_URL names another SQLAlchemy URL.
SQLITE_PATH = "data/articles.sqlite3"
DATABASE_URL = None
STORE_BATCH_SIZE = 200
STORE_ENABLED = True
# Items that could not be written (database down) wait here and are written on the next start.
SPOOL_PATH = "data/spool.jsonl"

# WARC: WARC_OUTPUT=path archives every response; REPLAY_WARC=path serves the crawl from an archive.
WARC_OUTPUT = None
REPLAY_WARC = None

# Validation
VALIDATE_REQUIRED_FIELDS = ["url", "title", "body"]
VALIDATE_MIN_BODY_CHARS = 80

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
