"""Settings hygiene: safety and politeness defaults, and every configured component imports."""

import pytest
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

import crawler.settings as project


@pytest.fixture(scope="module")
def settings() -> Settings:
    s = Settings()
    s.setmodule(project, priority="project")
    return s


@pytest.mark.parametrize(("name", "expected"), [
    ("REMOTE_CONTROL_ENABLED", False),
    ("TELNETCONSOLE_ENABLED", False),
    ("ROBOTSTXT_OBEY", True),
    ("AUTOTHROTTLE_ENABLED", True),
])
def test_safety_and_politeness_flags(settings, name, expected):
    assert getattr(project, name) is expected  # stated in the project, not left to Scrapy's defaults
    assert settings.getbool(name) is expected


def test_feed_encoding_is_utf8(settings):
    assert settings.get("FEED_EXPORT_ENCODING").lower().replace("_", "-") == "utf-8"


def test_download_maxsize_is_set_and_bounded(settings):
    size = settings.getint("DOWNLOAD_MAXSIZE")
    assert 0 < size <= 64 * 1024 * 1024  # 0 would mean "no limit" to Scrapy
    assert 0 < settings.getint("DOWNLOAD_WARNSIZE") <= size


def test_user_agent_names_the_project(settings):
    ua = settings.get("USER_AGENT")
    assert "arabic-news-crawler" in ua
    assert project.BOT_NAME in ua
    assert "Scrapy" not in ua


@pytest.mark.parametrize("setting", ["ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "EXTENSIONS"])
def test_component_paths_import(settings, setting):
    components = getattr(project, setting)
    assert components, f"{setting} is empty"
    for path, order in components.items():
        assert isinstance(order, int)
        obj = load_object(path)
        assert isinstance(obj, type), path


def test_validation_runs_before_storage():
    order = project.ITEM_PIPELINES
    assert order["pipelines.clean.CleanPipeline"] < order["pipelines.validate.ValidatePipeline"]
    assert order["pipelines.validate.ValidatePipeline"] < order["pipelines.store.StorePipeline"]


def test_commands_and_spider_modules_import():
    """Every command the README documents is a Scrapy command of the project, and the spider
    module holds the outlets (importing alone would pass with an empty package)."""
    import importlib

    from scrapy.commands import ScrapyCommand
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    for name in ("extract", "summary", "crawlall", "export", "search", "schedule", "crawl"):
        module = importlib.import_module(f"{project.COMMANDS_MODULE}.{name}")
        assert issubclass(module.Command, ScrapyCommand), name
    outlets = SpiderLoader.from_settings(get_project_settings()).list()
    assert len(outlets) >= 21 and "generic" in outlets
