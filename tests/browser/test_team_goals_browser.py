"""A team's own goals and KPIs in the browser, on a store that is not the demo: password
log-ins, a four-level KPI tree built by hand (one name with quotes in it), six months of
figures with gaps, two goals (one for next year), a what-if saved as next month's
targets, a maturity assessment and a request taken through to its outcome.

Today is 23 November 2026 (tests/conftest.py): November is the month in progress."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.conftest import Server
from tests.browser.conftest import choose
from tests.browser.conftest import screenshot
from tests.browser.conftest import serve
from tests.browser.conftest import wait_for_app
from tests.browser.test_first_month_browser import PASSWORD
from tests.browser.test_first_month_browser import PEOPLE
from tests.browser.test_first_month_browser import go
from tests.browser.test_first_month_browser import no_trouble
from tests.browser.test_first_month_browser import person

pytestmark = pytest.mark.browser

TREE = [
    # name, unit, kind, feeds into, conversion, in words
    ("New revenue", "USD", "financial", None, "", ""),
    ("SQLs", "count", "result", "New revenue", "5000", "USD 5,000 per SQL"),
    ("MQLs", "count", "result", "SQLs", "0.4", "2 in 5 MQLs become SQLs"),
    ("Webinars held", "count", "activity", "MQLs", "", ""),
    ('Field "live" events', "count", "activity", "MQLs", "", ""),
]
FIGURES = (
    "kpi,month,target,actual\n"
    "Webinars held,2026-05,2,2\n"
    "Webinars held,2026-07,2,3\n"
    "Webinars held,2026-09,3,2\n"
    "MQLs,2026-05,80,82\n"
    "MQLs,2026-06,80,75\n"
    "MQLs,2026-07,90,120\n"
    "MQLs,2026-08,90,\n"
    "MQLs,2026-09,100,86\n"
    "MQLs,2026-10,100,110\n"
    "SQLs,2026-05,32,30\n"
    "SQLs,2026-06,32,31\n"
    "SQLs,2026-07,36,44\n"
    "SQLs,2026-09,40,35\n"
    "SQLs,2026-10,40,44\n"
    "SQLs,2026-11,40,\n"
    "New revenue,2026-06,150000,155000\n"
    "New revenue,2026-07,180000,220000\n"
    "New revenue,2026-09,200000,175000\n"
    "New revenue,2026-10,200000,220000\n"
)
"""Six months (May to October) with gaps: no webinar figure in June, August or October, no
MQL actual in August, nothing at all in August for SQLs; November only has a target."""


@pytest.fixture(scope="module")
def hollis() -> Iterator[Server]:
    """An empty store with the three executives, each with a password."""
    folder = Path(tempfile.mkdtemp(prefix="samepage-hollis-"))
    url = f"sqlite:///{folder / 'hollis.db'}"
    env = {k: v for k, v in os.environ.items() if k != "SAMEPAGE_DEMO"}
    env["SAMEPAGE_DATABASE_URL"] = url
    commands: list[tuple[list[str], str | None]] = [(["migrate"], None)]
    for role in ("CEO", "CFO", "CMO"):
        email, name = PEOPLE[role]
        commands.append(
            (["users", "add", "--email", email, "--name", name, "--role", role], PASSWORD)
        )
    for command, stdin in commands:
        done = subprocess.run(
            [sys.executable, "-m", "alignment", *command],
            cwd=ROOT,
            env=env,
            input=None if stdin is None else f"{stdin}\n{stdin}\n",
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
    with serve(url, folder, demo=False) as running:
        yield running


def rows(server: Server, sql: str) -> list[tuple]:
    engine = sa.create_engine(server.database_url)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return found


def shows(page: Page, text: str) -> None:
    """The page's main part says ``text``, waited for: under load a page is still drawing
    for a moment after the app reports it has finished."""
    expect(page.get_by_test_id("stMain")).to_contain_text(text, timeout=30_000)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)


def add_kpi(
    page: Page, name: str, unit: str, kind: str, parent: str | None, factor: str, words: str
) -> None:
    form = page.get_by_test_id("stForm").filter(has_text="Conversion into the parent")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Unit (count, USD, %)").fill(unit)
    if kind != "activity":  # a new KPI's kind starts as activity
        choose(page, form.get_by_role("combobox", name="Kind"), kind)
    if parent:
        choose(page, form.get_by_role("combobox", name="Feeds into"), parent)
    form.get_by_label("Conversion into the parent's unit").fill(factor)
    form.get_by_label("Conversion, in words").fill(words)
    form.get_by_role("button", name="Save KPI").click()
    wait_for_app(page)
    expect(page.get_by_text("KPI added.")).to_be_visible()


def test_a_team_builds_goals_and_kpis_runs_a_what_if_assesses_and_decides(browser: Browser, hollis):
    server = hollis
    cmo = person(browser, server, "CMO")
    go(cmo, "Goals & KPIs")
    no_trouble(cmo)
    open_tab(cmo, "KPI tree")
    shows(cmo, "No KPIs yet. Start with the figure at the top of the tree")
    screenshot(cmo, "team-goals-01-empty-tree")
    for name, unit, kind, parent, factor, words in TREE:
        add_kpi(cmo, name, unit, kind, parent, factor, words)
        open_tab(cmo, "KPI tree")
    no_trouble(cmo)
    tree = cmo.get_by_test_id("stGraphVizChart")
    expect(tree.locator("g.node")).to_have_count(5)
    expect(tree).to_contain_text('Field "live" events')
    screenshot(cmo, "team-goals-02-tree-built")

    # A file with a negative target is refused, whole, with the cell named: no button.
    folder = Path(tempfile.mkdtemp())
    bad = folder / "kpis-bad.csv"
    bad.write_text("kpi,month,target,actual\nSQLs,2026-10,-40,44\nMQLs,2026-10,100,110\n")
    good = folder / "kpis-2026.csv"
    good.write_text(FIGURES)
    main = cmo.get_by_test_id("stMain")
    main.get_by_text("Import KPI figures from a file").click()
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    wait_for_app(cmo)
    expect(main.get_by_text("Row 2, column 'target': '-40' cannot be negative.")).to_be_visible()
    expect(main.get_by_role("button", name="Import 2 KPI figure(s)")).to_have_count(0)
    screenshot(cmo, "team-goals-03-bad-file")
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(good))
    wait_for_app(cmo)
    main.get_by_role("button", name="Import 19 KPI figure(s)").click()
    wait_for_app(cmo)
    expect(cmo.get_by_text("KPI figures imported.")).to_be_visible()
    assert rows(server, "SELECT count(*) FROM kpi_values") == [(19,)]

    # Quarter to date: October reported, November in progress, each KPI's own months.
    open_tab(cmo, "KPI tree")
    cmo.get_by_test_id("stButtonGroup").get_by_text("Quarter to date").click()
    wait_for_app(cmo)
    shows(cmo, "November 2026 is in progress.")
    tree = cmo.get_by_test_id("stGraphVizChart")
    expect(tree.locator("g.node").filter(has_text="SQLs")).to_contain_text("44 of 40")
    expect(tree.locator("g.node").filter(has_text="SQLs")).to_contain_text("1 of 2 months")
    no_trouble(cmo)
    screenshot(cmo, "team-goals-04-quarter-to-date")

    # The CEO sets two goals: this year's, and one that starts next year.
    ceo = person(browser, server, "CEO")
    go(ceo, "Goals & KPIs")
    shows(ceo, "No shared goals yet. Add the first one below")
    for title, horizon, first, last, linked in (
        (
            "Grow new revenue to $2.4M this year",
            None,
            "2026-01",
            "2026-12",
            ["New revenue", "SQLs"],
        ),
        ("Fill the 2027 pipeline", "Long-term brand and customer", "2027-01", "2027-12", ["MQLs"]),
    ):
        form = ceo.get_by_test_id("stForm").filter(has_text="Linked KPIs")
        form = form.last
        form.get_by_label("Title").fill(title)
        if horizon:
            choose(ceo, form.get_by_role("combobox", name="Horizon"), horizon)
        form.get_by_label("From (YYYY-MM)").fill(first)
        form.get_by_label("To (YYYY-MM)").fill(last)
        for name in linked:
            box = form.get_by_role("combobox", name="Linked KPIs")
            box.click()
            box.fill(name)
            ceo.get_by_role("option", name=name, exact=True).click()
            box.press("Escape")
        form.get_by_role("button", name="Save goal").click()
        wait_for_app(ceo)
        expect(ceo.get_by_text("Goal saved.")).to_be_visible()
    assert rows(server, "SELECT title, start_month, end_month FROM goals ORDER BY id") == [
        ("Grow new revenue to $2.4M this year", "2026-01", "2026-12"),
        ("Fill the 2027 pipeline", "2027-01", "2027-12"),
    ]
    # (waited for, not read at once: under load the page is still drawing its last goal)
    expect(
        ceo.get_by_text("Starts in January 2027: nothing to measure in November 2026.")
    ).to_be_visible(timeout=30_000)
    no_trouble(ceo)
    screenshot(ceo, "team-goals-05-two-goals")

    # Confidence by role: the CEO says 9, the CMO 5 on this year's goal: a perception gap.
    for who, page, score in (("CEO", ceo, "9"), ("CMO", cmo, "5")):
        if who == "CMO":
            go(page, "Goals & KPIs")
            open_tab(page, "Goals")
        form = page.get_by_test_id("stForm").filter(has_text="Save my confidence").first
        form.get_by_label(f"Your confidence ({who})").fill(score)
        form.get_by_role("button", name="Save my confidence").click()
        wait_for_app(page)
        expect(page.get_by_text("Your confidence for November 2026 is saved.")).to_be_visible()
    assert rows(server, "SELECT role, score FROM confidence_ratings ORDER BY role") == [
        ("CEO", 9),
        ("CMO", 5),
    ]
    expect(cmo.get_by_text("Perception gap: the ratings are 4 points apart")).to_be_visible()
    no_trouble(cmo)
    screenshot(cmo, "team-goals-05b-confidence-gap")

    # The what-if on webinars: usually 2.5 (July 3, September 2: the 2 of the last 6 months
    # with figures), the feeder without figures left out of the share, saved for December.
    go(cmo, "Goals & KPIs")
    open_tab(cmo, "What-if")
    main = cmo.get_by_test_id("stMain")
    choose(cmo, main.get_by_role("combobox", name="If this KPI were"), "Webinars held")
    wait_for_app(cmo)
    shows(cmo, "usually 2.5, the average of the 2 of 6 months with figures")
    shows(cmo, 'Field "live" events also feeds MQLs but has no figures')
    shows(cmo, "left out of the share")
    no_trouble(cmo)
    screenshot(cmo, "team-goals-06-what-if")
    expect(main.get_by_role("combobox", name="Save as targets for")).to_have_value("December 2026")
    main.get_by_role("button", name="Save as targets for December 2026").click()
    wait_for_app(cmo)
    expect(cmo.get_by_text("Saved the what-if's targets for December 2026.")).to_be_visible()
    saved = dict(
        rows(
            server,
            "SELECT k.name, v.target FROM kpi_values v JOIN kpis k ON k.id = v.kpi_id "
            "WHERE v.month = '2026-12'",
        )
    )
    assert saved["Webinars held"] == 4
    assert set(saved) == {"Webinars held", "MQLs", "SQLs", "New revenue"}
    assert rows(
        server,
        "SELECT target FROM kpi_values v JOIN kpis k ON k.id = v.kpi_id "
        "WHERE k.name = 'SQLs' AND v.month = '2026-10'",
    ) == [(40,)]

    # Maturity: the standard competences, two of them assessed, the rest left alone.
    go(cmo, "Marketing maturity")
    no_trouble(cmo)
    main = cmo.get_by_test_id("stMain")
    main.get_by_role("button", name="Start with the eight standard competences").click()
    wait_for_app(cmo)
    main.get_by_text("Assess 2026-Q4").click()
    form = main.get_by_test_id("stForm").filter(has_text="Save assessment")
    for position, (now, wanted) in enumerate(
        (("2 Executing", "4 Predictable"), ("3 Effective", "3 Effective"))
    ):
        for name, level in (("Current", now), ("Desired", wanted)):
            # by CSS, not role: an open list hides every other box from the accessibility tree
            choose(cmo, form.locator(f"input[aria-label='{name}']").nth(position), level)
    form.get_by_role("button", name="Save assessment").click()
    wait_for_app(cmo)
    expect(cmo.get_by_text("Saved the assessment of 2026-Q4.")).to_be_visible()
    assert rows(
        server,
        "SELECT c.name, a.current_level, a.desired_level FROM maturity_assessments a "
        "JOIN competences c ON c.id = a.competence_id ORDER BY c.position",
    ) == [("Strategy and positioning", 2, 4), ("Brand and content", 3, 3)]
    shows(cmo, "Strategy and positioning: Executing now, Predictable wanted (2 levels to go).")
    shows(cmo, "No quarter before 2026-Q4 was assessed")
    no_trouble(cmo)
    screenshot(cmo, "team-goals-07-maturity")

    # A request from the CEO, researched by the CMO, decided by the CEO, its outcome recorded.
    go(ceo, "Requests and decisions")
    main = ceo.get_by_test_id("stMain")
    main.get_by_text("Record a request of marketing").click()
    main.get_by_label("What is marketing asked to do?").fill("Sponsor the Logistics Summit")
    main.get_by_role("button", name="Record request").click()
    wait_for_app(ceo)
    expect(ceo.get_by_text("Request recorded.")).to_be_visible()
    expect(main.get_by_label("What is marketing asked to do?")).to_have_value("")
    go(cmo, "Requests and decisions")
    main = cmo.get_by_test_id("stMain")
    main.get_by_text("Add research").click()
    main.get_by_role("textbox", name="Research", exact=True).fill(
        "Last year's sponsor met 40 buyers"
    )
    main.get_by_label("Expected result").fill("25 MQLs")
    main.get_by_label("Cost (USD)").fill("12,500.50")
    main.get_by_label("Recommendation").fill("Do it")
    main.get_by_role("button", name="Save research").click()
    wait_for_app(cmo)
    expect(cmo.get_by_text("Research saved.")).to_be_visible()
    go(ceo, "Requests and decisions")
    main = ceo.get_by_test_id("stMain")
    main.get_by_label("Reason (required)").fill("Cheapest way to meet 40 buyers")
    main.get_by_role("button", name="Record decision").click()
    wait_for_app(ceo)
    expect(ceo.get_by_text("Decision recorded.")).to_be_visible()
    go(cmo, "Requests and decisions")
    main = cmo.get_by_test_id("stMain")
    main.get_by_label("Actual outcome, against the expected result").fill("31 MQLs, 6 SQLs")
    main.get_by_role("button", name="Record outcome").click()
    wait_for_app(cmo)
    expect(cmo.get_by_text("Outcome recorded.")).to_be_visible()
    assert rows(server, "SELECT decision, cost, outcome FROM requests") == [
        ("do", 1250050, "31 MQLs, 6 SQLs")
    ]
    shows(cmo, "$12,500.50")
    no_trouble(cmo)
    screenshot(cmo, "team-goals-08-request-done")
