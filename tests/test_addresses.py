"""Where the crawler may connect (issue 13, finding 12): which addresses count as private, and the
download handlers the project leaves on. The crawl over loopback is in tests/test_hostile.py."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.core.downloader.handlers import DownloadHandlers
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

import crawler.settings as project
from crawler.middlewares.addresses import is_public, origin


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.10",
    "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::", "64:ff9b::a00:1",
])
def test_loopback_private_link_local_and_metadata_addresses_are_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946",
                                     "::ffff:93.184.216.34"])
def test_internet_addresses_are_public(address):
    assert is_public(address)


def test_origin_is_host_and_port_of_http_urls_only():
    assert origin("http://127.0.0.1:8080/a") == ("127.0.0.1", 8080)
    assert origin("https://News.Example.com/x") == ("news.example.com", 443)
    assert origin("http://[::1]/") == ("::1", 80)
    assert origin("file:///etc/passwd") is None and origin("data:,x") is None


def _project_settings() -> Settings:
    settings = Settings()
    settings.setmodule(project, priority="project")
    return settings


@pytest.mark.parametrize("scheme", ["file", "s3", "ftp", "data"])
def test_only_http_and_https_can_be_downloaded(scheme):
    crawler = get_crawler(Spider, {"DOWNLOAD_HANDLERS": project.DOWNLOAD_HANDLERS})
    handlers = DownloadHandlers(crawler)
    assert handlers._get_handler(scheme) is None  # Scrapy then refuses the request: scheme not supported
    assert "https" in handlers._schemes and scheme not in handlers._schemes


def test_the_guard_is_wired_before_robots_txt():
    settings = _project_settings()
    path = "crawler.middlewares.addresses.PrivateAddressGuard"
    assert settings.getdict("DOWNLOADER_MIDDLEWARES")[path] < 100  # RobotsTxtMiddleware
    assert path in settings.getdict("SPIDER_MIDDLEWARES")
    assert settings.getbool("ALLOW_PRIVATE_ADDRESSES") is False


def _guard(settings: dict):
    from crawler.middlewares.addresses import PrivateAddressGuard

    return PrivateAddressGuard.from_crawler(get_crawler(Spider, settings))


def test_the_configured_splash_service_is_reachable_and_only_it():
    """scrapy-splash sends each rendered page through the chain again as a request to SPLASH_URL:
    that operator-configured origin is allowed, another port of the same machine is not."""
    import asyncio

    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest

    guard = _guard({"SPLASH_URL": "http://127.0.0.1:8050"})
    assert asyncio.run(guard.process_request(Request("http://127.0.0.1:8050/render.html"))) is None
    with pytest.raises(IgnoreRequest):
        asyncio.run(guard.process_request(Request("http://127.0.0.1:8051/render.html")))
    without = _guard({})
    with pytest.raises(IgnoreRequest):
        asyncio.run(without.process_request(Request("http://127.0.0.1:8050/render.html")))
