"""A real leadership team's first month, in the browser, on its own store (not the demo):
password log-ins for the administrator, CFO, CEO and CMO, a history file of four years
ending more than two years ago, and the whole cycle from an empty store to the meeting
pack. The pack's figures are checked against an independent sum of the file."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.conftest import Server
from tests.browser.conftest import choose
from tests.browser.conftest import screenshot
from tests.browser.conftest import serve
from tests.browser.conftest import wait_for_app
from tests.browser.test_review_browser import take_the_pack

pytestmark = pytest.mark.browser

ROBYN = ROOT / "tests" / "data" / "external" / "robyn_dt_simulated_weekly.csv"
CHANNELS = {"TV": "tv_S", "Outdoor": "ooh_S", "Print": "print_S", "Facebook": "facebook_S"}
CHANNELS["Search"] = "search_S"
PASSWORD = "a long team password"
PEOPLE = {
    "admin": ("it@acme.example", "Ines Admin"),
    "CFO": ("carla@acme.example", "Carla Finch"),
    "CEO": ("omar@acme.example", "Omar Reyes"),
    "CMO": ("mia@acme.example", "Mia Sato"),
}
MONTH, MONTH_LABEL = "2019-10", "October 2019"
"""The file's last week starts on 11 Nov 2019, so October is the last complete month."""
FINANCE_ABOVE = Decimal("2748.00")
MARGIN = Decimal("0.6")
SCORES = {"CEO": "4", "CFO": "3", "CMO": "5 Agree"}
"""Each executive answers the first three statements with the same score."""
DECISION = "Move a tenth of the print budget to search from January"
ACTION = "Send finance the October agency invoices"


def history_file(folder: Path) -> tuple[Path, pd.DataFrame]:
    """The team's spreadsheet: one row per week and channel, revenue attributed to the
    channels in proportion to the week's spend, as their attribution tool exports it."""
    weeks = pd.read_csv(ROBYN)
    rows = []
    for week in weeks.to_dict("records"):
        spend = {name: round(Decimal(str(week[col])), 2) for name, col in CHANNELS.items()}
        total = sum(spend.values())
        revenue = Decimal(str(week["revenue"]))
        for name, amount in spend.items():
            share = amount / total if total else Decimal(name == "Search")
            rows.append((week["DATE"], name, amount, round(revenue * share, 2)))
    frame = pd.DataFrame(rows, columns=["month", "channel", "actual_spend", "attributed_revenue"])
    path = folder / "acme-marketing-history.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.fixture(scope="module")
def acme() -> Iterator[tuple[Server, Path, pd.DataFrame]]:
    """An empty store made the README's way: migrate, then the first administrator."""
    folder = Path(tempfile.mkdtemp(prefix="samepage-acme-"))
    url = f"sqlite:///{folder / 'acme.db'}"
    env = {k: v for k, v in os.environ.items() if k != "SAMEPAGE_DEMO"}
    env["SAMEPAGE_DATABASE_URL"] = url
    email, name = PEOPLE["admin"]
    for command, stdin in (
        (["migrate"], None),
        (["users", "add", "--email", email, "--name", name, "--role", "admin"], PASSWORD),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "alignment", *command],
            cwd=ROOT,
            env=env,
            input=None if stdin is None else f"{stdin}\n{stdin}\n",
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
    path, frame = history_file(folder)
    with serve(url, folder, demo=False) as running:
        yield running, path, frame


def person(browser: Browser, server: Server, role: str) -> Page:
    """Each executive on their own machine: a browser context of their own, logged in."""
    page = browser.new_context(viewport={"width": 1440, "height": 1700}).new_page()
    page.goto(server.url)
    expect(page.get_by_role("heading", name="Log in to SamePage")).to_be_visible(timeout=30_000)
    page.get_by_label("E-mail address").fill(PEOPLE[role][0])
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=30_000)
    wait_for_app(page)
    return page


def go(page: Page, title: str) -> None:
    """Follow the sidebar link; a page left open since earlier is opened afresh, as a
    person coming back to it would reload it."""
    nav = page.get_by_test_id("stSidebarNav")
    if page.get_by_role("heading", name=title).count():
        other = "Audit trail" if title == "Overview" else "Overview"
        nav.get_by_role("link", name=other).click()
        expect(page.get_by_role("heading", name=other).first).to_be_visible(timeout=30_000)
        wait_for_app(page)
    nav.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=30_000)
    wait_for_app(page)


def main_text(page: Page) -> str:
    return " ".join(page.get_by_test_id("stMain").inner_text().split())


def no_trouble(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert "Something went wrong" not in main_text(page)


def money(value: Decimal) -> str:
    """Whole dollars, half up, as every screen writes money; written here, not imported."""
    return f"${value.quantize(Decimal(1), rounding='ROUND_HALF_UP'):,}"


def test_a_new_team_runs_its_first_month_from_an_empty_store(browser: Browser, acme):
    server, path, frame = acme
    month_rows = frame[frame["month"].str.startswith(MONTH)]
    spend = sum((Decimal(str(v)) for v in month_rows["actual_spend"]), Decimal(0))
    revenue = sum((Decimal(str(v)) for v in month_rows["attributed_revenue"]), Decimal(0))
    finance = spend + FINANCE_ABOVE
    romi = (revenue * MARGIN - spend) / spend

    # The administrator names the company and invites the three executives.
    admin = person(browser, server, "admin")
    text = main_text(admin)
    assert "No budget figures yet" in text
    assert "Getting started: 0 of 7 steps done. Next: the administrator names the company." in (
        text
    )
    screenshot(admin, "first-month-01-admin-empty-overview")
    admin.get_by_test_id("stMain").get_by_role("link", name="Accounts & settings").first.click()
    expect(admin.get_by_role("heading", name="Accounts & settings")).to_be_visible()
    wait_for_app(admin)
    admin.get_by_label("Company name").fill("Acme Robotics")
    admin.get_by_role("button", name="Save company name").click()
    wait_for_app(admin)
    admin.get_by_text("Company name saved.").wait_for()
    for role in ("CFO", "CEO", "CMO"):
        email, name = PEOPLE[role]
        form = admin.get_by_test_id("stForm").filter(has_text="Add an account")
        expect(form.get_by_label("E-mail address")).to_have_count(1)
        form.get_by_label("E-mail address").fill(email)
        form.get_by_label("Name").fill(name)
        choose(admin, form.get_by_role("combobox", name="Role"), role)
        form.get_by_label("Password (empty: single sign-on only)").fill(PASSWORD)
        form.get_by_role("button", name="Add account").click()
        wait_for_app(admin)
        admin.get_by_text(f"Added {email}.").wait_for()
    # The flash shows before the checklist below it is redrawn, so wait for the count.
    expect(admin.get_by_test_id("stMain")).to_contain_text(
        "Getting started: 2 of 7 steps done. Next: the CFO sets the currency"
    )
    no_trouble(admin)
    screenshot(admin, "first-month-02-admin-accounts")

    # The CFO sets the financial settings every figure depends on.
    cfo = person(browser, server, "CFO")
    go(cfo, "Accounts & settings")
    cfo.get_by_label("Gross margin (%)").fill("60")
    cfo.get_by_role("button", name="Save financial settings").click()
    wait_for_app(cfo)
    cfo.get_by_text("Financial settings saved").wait_for()

    # The CEO starts the checklist with the standard statements.
    ceo = person(browser, server, "CEO")
    go(ceo, "Alignment checklist")
    ceo.get_by_role("button", name="Start with the twelve standard statements").click()
    wait_for_app(ceo)
    ceo.get_by_text("Twelve statements added").wait_for()

    # The CMO imports four years of weekly history and the overview opens on October 2019.
    cmo = person(browser, server, "CMO")
    go(cmo, "Budget & return")
    cmo.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_for_app(cmo)
    months = frame["month"].str[:7].nunique()
    confirm = cmo.get_by_role("button", name=f"Import {months * 5} new and 0 changed lines")
    expect(confirm).to_be_enabled(timeout=30_000)
    expect(cmo.get_by_test_id("stMain")).to_contain_text(
        f"Lines this import writes (the first 50 of {months * 5:,})"
    )
    screenshot(cmo, "first-month-03-cmo-import-preview")
    confirm.click()
    wait_for_app(cmo)
    cmo.get_by_text("Imported").first.wait_for()
    go(cmo, "Overview")
    expect(cmo.get_by_test_id("stSelectbox").first.get_by_role("combobox")).to_have_value(
        MONTH_LABEL
    )
    tiles = main_text(cmo)
    assert f"Actual spend {money(spend)}" in tiles, tiles
    no_trouble(cmo)
    screenshot(cmo, "first-month-04-cmo-overview-october-2019")

    # The CFO books finance's figure for October and reconciles it.
    go(cfo, "Budget & return")
    cfo.get_by_role("tab", name="Months and reconciliation").click()
    wait_for_app(cfo)
    choose(cfo, cfo.get_by_role("combobox", name="Month to reconcile"), MONTH_LABEL)
    wait_for_app(cfo)
    booked = cfo.get_by_test_id("stForm").filter(has_text=f"Finance's booked spend, {MONTH_LABEL}")
    booked.get_by_role("spinbutton").fill(f"{finance:.2f}")
    booked.get_by_role("button", name=f"Save figure for {MONTH_LABEL}").click()
    wait_for_app(cfo)
    # The save reruns the whole page after its part: the forms below are drawn afresh.
    cfo.get_by_text("Saved finance's figure.").wait_for()
    wait_for_app(cfo)
    reconcile = cfo.get_by_test_id("stForm").filter(has_text=f"Mark {MONTH_LABEL} reconciled")
    reconcile.get_by_label("Note").fill("Agency accrual booked in October")
    reconcile.get_by_role("button", name=f"Mark {MONTH_LABEL} reconciled").click()
    wait_for_app(cfo)
    cfo.get_by_text("Month reconciled and locked.").wait_for()
    gap_pct = FINANCE_ABOVE / finance * 100
    gap_words = f"Finance higher than marketing by {money(FINANCE_ABOVE)} ({gap_pct:.1f}%)"
    row = cfo.get_by_test_id("stTable").locator("tr").filter(has_text="Oct 2019")
    expect(row).to_contain_text(gap_words)
    expect(row).to_contain_text(f"Reconciled by {PEOPLE['CFO'][1]}")
    screenshot(cfo, "first-month-05-cfo-reconciled")

    # The CMO defines success with a percentage target; the CFO signs what they see.
    go(cmo, "Definitions of success")
    cmo.get_by_text("New definition of success").click()
    choose(cmo, cmo.get_by_role("combobox", name="Metric"), "ROMI (attributed)")
    wait_for_app(cmo)
    form = cmo.get_by_test_id("stForm").filter(has_text="Save draft")
    form.get_by_label("Title").fill("Marketing earns its budget back: ROMI of at least 80%")
    form.get_by_role("textbox", name="Target (%, as the metric is shown)").fill("80")
    form.get_by_label("Period from (YYYY-MM)").fill("2019-01")
    form.get_by_label("Period to (YYYY-MM)").fill("2019-12")
    form.get_by_label("How it is measured (formula, in words)").fill(
        "(Attributed revenue x gross margin - actual spend) / actual spend"
    )
    form.get_by_role("button", name="Save draft").click()
    wait_for_app(cmo)
    cmo.get_by_role("button", name="Propose for sign-off").click()
    wait_for_app(cmo)
    cmo.get_by_text("Proposed to the CFO.").wait_for()
    live = f"actual {romi * 100:,.1f}% against target at least 80.0%"
    go(cfo, "Definitions of success")
    expect(cfo.get_by_test_id("stMain")).to_contain_text(f"Live, {MONTH_LABEL}: {live}")
    screenshot(cfo, "first-month-06-cfo-signs")
    cfo.get_by_role("button", name="Sign off").click()
    wait_for_app(cfo)
    cfo.get_by_text("Signed off; this version is in force.").wait_for()

    # Each executive answers the checklist for October 2019.
    for role, page in (("CEO", ceo), ("CFO", cfo), ("CMO", cmo)):
        go(page, "Alignment checklist")
        expect(page.get_by_role("combobox", name="Month")).to_have_value(MONTH_LABEL)
        expander = page.get_by_text(f"Your answers as {role} for {MONTH_LABEL}")
        form = page.get_by_test_id("stForm").filter(has_text="Save my answers")
        if not form.get_by_role("radio").first.is_visible():
            expander.click()
        for position in range(3):
            choice = (
                form.get_by_test_id("stButtonGroup")
                .nth(position)
                .get_by_role("radio", name=SCORES[role], exact=True)
            )
            choice.click()
            expect(choice).to_be_checked()
        if role == "CFO":
            form.get_by_placeholder("Optional comment").first.fill("Finance was not asked")
        form.get_by_role("button", name="Save my answers").click()
        wait_for_app(page)
        page.get_by_text("Saved 3 answer(s) for Oct 2019.").wait_for()
    screenshot(cmo, "first-month-07-checklist-answered")

    # The CEO chairs the review of October, records a decision and an action, and closes.
    go(ceo, "Monthly review")
    expect(ceo.get_by_role("heading", name=f"Monthly review, {MONTH_LABEL}")).to_be_visible()
    review = main_text(ceo)
    for expected in (gap_words, "Agency accrual booked in October", "Finance was not asked"):
        assert expected in review, expected
    for kind, words in (("Decision", DECISION), ("Action item", ACTION)):
        form = ceo.get_by_test_id("stForm").filter(has_text="Record a decision or an action")
        if kind != "Decision":
            choose(ceo, form.get_by_role("combobox", name="Kind"), kind)
        form.get_by_label("What was decided, or what has to be done").fill(words)
        if kind == "Action item":
            choose(ceo, form.get_by_role("combobox", name="Owner"), "CFO")
            for part, typed in (("year", "2026"), ("month", "12"), ("day", "15")):
                form.get_by_role("spinbutton", name=f"{part}, Due").click()
                ceo.keyboard.type(typed)
        form.get_by_role("button", name="Record").click()
        wait_for_app(ceo)
        ceo.get_by_text("Recorded.", exact=True).wait_for()
    ceo.get_by_role("button", name=f"Close {MONTH_LABEL}").click()
    wait_for_app(ceo)
    ceo.get_by_text("is closed; its figures are frozen").wait_for()
    no_trouble(ceo)
    screenshot(ceo, "first-month-08-review-closed")

    text, book = take_the_pack(ceo, "first-month-pack")
    score = (Decimal(4 + 3 + 5) / 3 - 1) / 4 * 100
    for expected in (
        f"Monthly review, {MONTH_LABEL}",
        "Acme Robotics",
        f"Closed by {PEOPLE['CEO'][1]}",
        money(spend),
        money(revenue),
        f"Finance's booked spend {money(finance)}",
        gap_words,
        "Agency accrual booked in October",
        f"Alignment score {score:.0f}/100 for {MONTH_LABEL}.",
        "Finance was not asked",
        DECISION,
        f"{ACTION} CFO 15 Dec 2026",
        "Marketing earns its budget back",
    ):
        assert expected in text, expected
    assert "Nothing to show" not in text
    headline = {r[0]: r[1] for r in book["Headline figures"].iter_rows(min_row=3, values_only=True)}
    assert Decimal(str(headline["Actual spend"])) == spend
    assert Decimal(str(headline["Attributed revenue"])) == revenue
    finance_sheet = dict(book["Finance reconciliation"].iter_rows(min_row=3, values_only=True))
    assert Decimal(str(finance_sheet["Finance's booked spend"])) == finance
