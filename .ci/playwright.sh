#!/usr/bin/env bash
# The browser for scrapy-playwright: Debian's chromium-headless-shell (security-updated by Debian).
# Never `playwright install`: that downloads a browser build from outside the package registries.
#
#   bash .ci/playwright.sh install [VENV]   # apt browser + fonts; pip scrapy-playwright into VENV (default .venv)
#   bash .ci/playwright.sh check [VENV]     # launch the browser once through Playwright and render a scripted page
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${2:-$ROOT/.venv}"

case "${1:-}" in
install)
    if ! dpkg -s chromium-headless-shell fonts-noto-core > /dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends chromium-headless-shell fonts-noto-core
    fi
    if [ -x "$VENV/bin/python" ]; then
        "$VENV/bin/python" -m pip install -q 'scrapy-playwright>=0.0.48'
    fi ;;
check)
    cd "$ROOT"
    "$VENV/bin/python" - << 'PY'
import asyncio

from playwright.async_api import async_playwright

from crawler.rendering import find_chromium


async def main() -> None:
    path = find_chromium()
    assert path, "no Chromium found: bash .ci/playwright.sh install"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, args=["--no-sandbox"])
        page = await browser.new_page()
        await page.set_content("<meta charset=utf-8><p id=x></p><script>x.textContent='مرحبا ' + (1 + 1)</script>")
        text = await page.text_content("#x")
        version = browser.version
        await browser.close()
    assert text == "مرحبا 2", text
    print(f"playwright.sh: {path} (Chromium {version}) renders JavaScript")


asyncio.run(main())
PY
    ;;
*)
    echo "usage: $0 install|check [VENV]" >&2; exit 2 ;;
esac
