"""arabic-news-crawler: the machinery every outlet shares (the Scrapy project package)."""
