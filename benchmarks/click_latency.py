"""How long an executive waits after each click: the app on the demo company (and, with
``--lines N``, N more generated budget lines), driven in headless Chromium.

    python -m benchmarks.click_latency [--rounds 5] [--lines 0] [--sessions 5]

Every page of the sidebar is clicked ``--rounds`` times in turn (on Budget & return, the
Figures tab and a channel filter too; on Next dollar, a new monthly budget is typed), then
the overview's period toggle. A click is timed from the
click until the script has run and nothing is loading. Prints, per page, the median and the
slowest click, and the lightest page's median as the floor: what a Streamlit rerun costs
here, whatever SamePage does. The first load of a session (a new browser tab) is timed too.
Then ``--sessions`` browser sessions at once each open the heaviest pages, and the app
process's resident memory is read (now, and its peak).
Runs on throwaway SQLite stores, nothing else.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from alignment.access.permissions import COMMAND_LINE
from alignment.company.sample import load_sample
from alignment.edges.store import open_store
from alignment.spend import budget_import
from benchmarks.budget_scale import generate

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    "Overview",
    "Definitions of success",
    "Budget & return",
    "Goals & KPIs",
    "Next dollar",
    "Monthly review",
    "Alignment checklist",
    "Marketing maturity",
    "Requests and decisions",
    "Audit trail",
    "Accounts & settings",
]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def demo_store(folder: Path, lines: int) -> str:
    url = f"sqlite:///{folder / 'store.db'}"
    store = open_store(url)
    with store.session() as session:
        load_sample(session, COMMAND_LINE)
    if lines:
        csv_path = folder / "lines.csv"
        generate(csv_path, lines)
        budget = budget_import.read_budget_file(csv_path.read_bytes(), csv_path.name)
        people = {a.role: a for a in _people(store)}
        with store.session() as session:
            _reopen_every_month(session, people["CFO"])
            budget_import.import_budget(session, people["CMO"], budget)
    store.close()
    return url


def _reopen_every_month(session, cfo) -> None:  # type: ignore[no-untyped-def]
    """The generated lines cover three years, most of which the demo's CFO has reconciled
    and locked: reopened first, as the CFO would to let corrections in."""
    from sqlalchemy import select

    from alignment.spend.reconciliation import reopen_month
    from db.models import Reconciliation

    locked = session.scalars(select(Reconciliation.month).where(Reconciliation.reconciled)).all()
    for month in locked:
        reopen_month(session, cfo, month, "Benchmark: three years of generated lines")


def _people(store):  # type: ignore[no-untyped-def]
    from alignment.access.users import demo_actors

    with store.session() as session:
        return demo_actors(session)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app(url: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "SAMEPAGE_DATABASE_URL": url, "SAMEPAGE_DEMO": "1"}
    command = [sys.executable, "-m", "ui.server", "run", "app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    log = (folder / "app.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{address}/_stcore/health", timeout=1)
            return process, address
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"The app did not start: {(folder / 'app.log').read_text()}")


def settled(page: Page) -> None:
    """The script ran (if the click started it within a second) and has finished."""
    try:
        page.locator("[data-testid='stApp'][data-test-script-state='running']").wait_for(
            state="attached", timeout=1000
        )
    except PlaywrightTimeoutError:
        pass
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        timeout=60_000
    )
    page.get_by_test_id("stSkeleton").first.wait_for(state="detached", timeout=60_000)


def timed_click(page: Page, target) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    target.click()
    settled(page)
    return time.perf_counter() - started


def _new_budget(page: Page, step: int) -> float:
    """Type a new monthly budget on Next dollar, ``step`` percent above the one it shows
    (within the channels' limits at any size of store): the proposal part reruns."""
    box = page.get_by_role("spinbutton", name="Monthly budget for these channels (USD)")
    budget = round(float(box.input_value()) * (1 + step / 100) / 100) * 100
    box.fill(str(budget))
    started = time.perf_counter()
    box.press("Enter")
    page.get_by_text(f"${budget:,}", exact=True).first.wait_for(timeout=60_000)
    settled(page)
    return time.perf_counter() - started


def _pick_channel(page: Page, nth: int) -> float:
    """Narrow the budget figures to one more channel: the figures part reruns."""
    page.get_by_test_id("stMultiSelect").filter(has_text="Channels").get_by_role("combobox").click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=60_000)
    option = options.nth(nth % options.count())
    started = time.perf_counter()
    option.click()
    settled(page)
    elapsed = time.perf_counter() - started
    page.keyboard.press("Escape")
    return elapsed


HEAVIEST = ["Overview", "Budget & return", "Next dollar", "Monthly review", "Goals & KPIs"]


def resident_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak, in MB (Linux's /proc)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def sessions_memory(address: str, sessions: int, pid: int) -> tuple[float, float, list[float]]:
    """Open ``sessions`` browser sessions side by side, each walking the heaviest pages and
    staying open, then read the app process's memory. Also returns how long each new
    session took to load, on an app process already running."""
    loads = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        pages = []
        for _ in range(sessions):
            page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
            started = time.perf_counter()
            page.goto(address)
            page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
            settled(page)
            loads.append(time.perf_counter() - started)
            pages.append(page)
        for page in pages:
            nav = page.get_by_test_id("stSidebarNav")
            for name in HEAVIEST:
                timed_click(page, nav.get_by_text(name, exact=True))
        now_mb, peak_mb = resident_mb(pid)
        browser.close()
    return now_mb, peak_mb, loads


def measure(address: str, rounds: int) -> tuple[dict[str, list[float]], float]:
    extra = [
        "Overview: Year to date",
        "Next dollar: new budget",
        "Budget: Figures tab",
        "Budget: a channel filter",
    ]
    times: dict[str, list[float]] = {name: [] for name in [*PAGES, *extra]}
    executable = shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        started = time.perf_counter()
        page.goto(address)
        page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
        settled(page)
        first_load = time.perf_counter() - started
        nav = page.get_by_test_id("stSidebarNav")
        for round_number in range(rounds):
            for name in PAGES:
                times[name].append(timed_click(page, nav.get_by_text(name, exact=True)))
                if name == "Budget & return":
                    figures = page.get_by_role("tab", name="Figures")
                    times["Budget: Figures tab"].append(timed_click(page, figures))
                    times["Budget: a channel filter"].append(_pick_channel(page, round_number))
                if name == "Next dollar":
                    times["Next dollar: new budget"].append(_new_budget(page, 1 + round_number))
            timed_click(page, nav.get_by_text("Overview", exact=True))
            toggle = page.get_by_test_id("stButtonGroup").first
            times["Overview: Year to date"].append(
                timed_click(page, toggle.get_by_text("Year to date", exact=True))
            )
            toggle.get_by_text("Month", exact=True).click()
            settled(page)
        browser.close()
    return times, first_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lines", type=int, default=0)
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="samepage-latency-"))
    process, address = start_app(demo_store(folder, args.lines), folder)
    try:
        times, first_load = measure(address, args.rounds)
        now_mb, peak_mb, loads = sessions_memory(address, args.sessions, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = min(medians.values())
    every = sorted(t for values in times.values() for t in values)
    p90 = every[int(0.9 * (len(every) - 1))]
    lines = f"demo + {args.lines:,} lines" if args.lines else "demo company"
    print(f"Click to settled, {lines}, {args.rounds} rounds (seconds)\n")
    print(f"| {'click':<26} | median | max   | x floor |")
    print(f"| {'-' * 26} | ------ | ----- | ------- |")
    for name, values in times.items():
        print(
            f"| {name:<26} | {medians[name]:6.2f} | {max(values):5.2f} | "
            f"{medians[name] / floor:6.1f}x |"
        )
    print(f"\nfloor (lightest page's median): {floor:.2f} s; p90 of all clicks: {p90:.2f} s")
    print(f"first load of the first session (a new app process): {first_load:.2f} s")
    print(
        f"first load of a new session (the app running): median {statistics.median(loads):.2f} s, "
        f"max {max(loads):.2f} s"
    )
    print(
        f"app process memory with {args.sessions} sessions open: {now_mb:,.0f} MB resident "
        f"(peak {peak_mb:,.0f} MB; target <= 600 MB)"
    )


if __name__ == "__main__":
    main()
