"""Real Chromium through Playwright, using Debian's chromium (Playwright's own download is
not possible here). Skipped, with the reason printed, where no Chromium is installed."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("IDP_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.skip("no Chromium installed (apt-get install -y chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()
