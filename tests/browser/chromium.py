"""Find, or install, the Chromium the browser tests drive.

Playwright's own Chromium where it is installed or can be downloaded; where it
cannot (machines without outside network), Debian's ``chromium`` package.
``python -m tests.browser.chromium`` makes sure one is there; the browser
tests' conftest asks ``executable()`` which one to launch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
OVERRIDE = "SAMEPAGE_CHROMIUM"


def playwright_chromium() -> Path | None:
    """Playwright's own Chromium, when it is installed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        path = Path(playwright.chromium.executable_path)
    return path if path.exists() else None


def system_chromium() -> Path | None:
    for candidate in SYSTEM_CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    found = shutil.which("chromium")
    return Path(found) if found else None


def executable() -> str | None:
    """The executable to launch: None means Playwright's own."""
    if os.environ.get(OVERRIDE):
        return os.environ[OVERRIDE]
    if playwright_chromium() is not None:
        return None
    system = system_chromium()
    return str(system) if system else None


def _run(command: list[str], timeout: int) -> bool:
    try:
        return subprocess.run(command, timeout=timeout, capture_output=True).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def ensure() -> str:
    """Make sure a Chromium is there; say which one, or why there is none."""
    if os.environ.get(OVERRIDE):
        return f"Chromium from {OVERRIDE}: {os.environ[OVERRIDE]}"
    if playwright_chromium():
        return f"Playwright's Chromium: {playwright_chromium()}"
    if _run([sys.executable, "-m", "playwright", "install", "chromium"], timeout=600):
        if playwright_chromium():
            return f"Playwright's Chromium (downloaded): {playwright_chromium()}"
    if system_chromium():
        return f"Debian's Chromium: {system_chromium()}"
    apt = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if os.geteuid() != 0:
        apt = ["sudo", "-n", *apt]
    if shutil.which("apt-get") and _run(apt, timeout=1200) and system_chromium():
        return f"Debian's Chromium (installed): {system_chromium()}"
    raise SystemExit(
        "No Chromium for the browser tests: Playwright could not download its own and "
        "Debian's 'chromium' package could not be installed. Install either one, or set "
        f"{OVERRIDE} to a Chromium executable."
    )


if __name__ == "__main__":
    print(ensure())
