"""Debian's Chromium driven by Playwright, shared by the browser tests; a skip where it is missing."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_with_dot():
    """Yield a launched Chromium (for a module fixture), skipping without it or without Graphviz dot."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM) or shutil.which("dot") is None:
        pytest.skip("needs /usr/bin/chromium and Graphviz dot")
    with sync_api.sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        except Exception as e:  # a broken browser install is a skip, not a failure
            pytest.skip(f"chromium did not start: {e}")
        yield chromium
        chromium.close()
