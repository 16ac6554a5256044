"""Browser-test fixtures: the real app served by ``streamlit run`` on a demo store, and
the Chromium that tests/browser/chromium.py found."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.company.sample import load_sample
from alignment.edges.store import open_store
from tests.browser import chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    args = {**browser_type_launch_args, "headless": True, "args": CHROMIUM_FLAGS}
    executable = chromium.executable()
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1440, "height": 1700}}


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode() == "ok"
    except OSError:
        return False


PASSWORD = "browser test password"
"""The password every account of the team store has."""


@contextmanager
def serve(
    database_url: str, folder: Path, *, demo: bool, plain_streamlit: bool = False
) -> Iterator[Server]:
    """``streamlit run app.py`` (through ui.server, or with ``plain_streamlit`` Streamlit's
    own command, as people new to SamePage may start it) on ``database_url``."""
    port = _free_port()
    env = {**os.environ, "SAMEPAGE_DATABASE_URL": database_url}
    env.pop("SAMEPAGE_DEMO", None)
    if demo:
        env["SAMEPAGE_DEMO"] = "1"
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit" if plain_streamlit else "ui.server",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"streamlit did not start: {(folder / 'streamlit.log').read_text()}")
        time.sleep(0.3)
    try:
        yield Server(url=url, database_url=database_url, env=env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _demo_store(folder: Path) -> str:
    database_url = f"sqlite:///{folder / 'store.db'}"
    store = open_store(database_url)
    with store.session() as session:
        load_sample(session, COMMAND_LINE)
    store.close()
    return database_url


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """The app in demo mode on a fresh SQLite store holding the demo company."""
    folder = Path(tempfile.mkdtemp(prefix="samepage-browser-"))
    with serve(_demo_store(folder), folder, demo=True) as running:
        yield running


def team_store(folder: Path) -> str:
    """The demo company's figures with every one of its five people given ``PASSWORD``
    (which ends demo mode for the store)."""
    database_url = _demo_store(folder)
    store = open_store(database_url)
    with store.session() as session:
        for account in accounts.accounts(session, COMMAND_LINE):
            accounts.change_account(session, COMMAND_LINE, account.id, password=PASSWORD)
    store.close()
    return database_url


@pytest.fixture(scope="module")
def team_server() -> Iterator[Server]:
    """The app as a leadership team runs it: the demo company's figures, demo mode off, and
    every one of its five people logging in with ``PASSWORD``."""
    folder = Path(tempfile.mkdtemp(prefix="samepage-team-"))
    with serve(team_store(folder), folder, demo=False) as running:
        yield running


def wait_for_app(page: Page) -> None:
    """Wait until the script has finished running and nothing is still loading."""
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        timeout=30_000
    )
    page.get_by_test_id("stSkeleton").first.wait_for(state="detached", timeout=30_000)


def choose(page: Page, combobox: Locator, label: str) -> None:
    """Pick ``label`` in a Streamlit selectbox by clicking its option, and wait until the box
    shows it: typing and pressing Enter picked whichever option was first when the list
    had not yet been filtered. Picked again once if a rerun redrew the box meanwhile."""
    for _ in range(2):
        combobox.click()
        combobox.fill(label)
        page.get_by_role("option", name=label, exact=True).click()
        try:
            expect(combobox).to_have_value(label)
            return
        except AssertionError:
            # A rerun still finishing (after a form was sent) can redraw the box with its
            # old value just after the pick: wait for the app, then pick again.
            wait_for_app(page)
    expect(combobox).to_have_value(label)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def cli_json(server: Server, *args: str) -> Any:
    """What ``python -m alignment ARGS --json`` prints for the store the app serves, run
    as a person would run it beside the app: another process, the same environment."""
    result = subprocess.run(
        [sys.executable, "-m", "alignment", *args, "--json"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)
