"""Two people editing the same figure in the grids, each in their own browser: whoever saves
second is told who changed what, nothing of their save is written, and their grid then shows
the figures as saved, so their next save goes through.

Before, each rerun re-read the store and the save was built against that re-read: the second
save carried the newest versions and silently wrote over the first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from alignment.shared.periods import current_month
from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import act_as

pytestmark = pytest.mark.browser
ROW_HEIGHT = 35
ACTUAL_SPEND = 4
"""The column of actual spend in the budget grid: month, channel, campaign, planned, actual."""


@pytest.fixture
def two_cmos(browser: Browser, server) -> Iterator[tuple[Page, Page]]:
    contexts = [browser.new_context(viewport={"width": 1440, "height": 1700}) for _ in "ab"]
    yield tuple(c.new_page() for c in contexts)  # type: ignore[misc]
    for context in contexts:
        context.close()


def open_as_cmo(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    act_as(page, "Priya Raman (CMO)")


def type_into_cell(
    page: Page, grid: Locator, row: int, column: int, text: str, showing: float
) -> None:
    """Select the first column's cell of ``row``, walk right to ``column``, open its editor,
    check it holds ``showing`` (so the right cell is open), type, and wait until the grid
    has sent the edit to the server. A grid drawn by the last rerun can drop the first keys,
    so a walk that ends on another cell is tried again."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    editor = page.get_by_test_id("portal").locator("input.gdg-input, textarea.gdg-input")
    opened = ""
    for _ in range(3):
        page.mouse.click(box["x"] + 90, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
        page.wait_for_timeout(300)
        for _ in range(column):
            page.keyboard.press("ArrowRight", delay=50)
            page.wait_for_timeout(50)
        page.keyboard.press("Enter")
        expect(editor).to_be_focused()
        opened = editor.input_value()
        if opened and float(opened.replace(",", "")) == showing:
            break
        page.keyboard.press("Escape")
        expect(editor).to_have_count(0)
    else:
        raise AssertionError(f"the cell's editor held {opened!r}, not {showing}")
    replace_in_editor(page, text)


def replace_in_editor(page: Page, text: str) -> None:
    """Type ``text`` over the open cell editor and wait until the edit reached the server."""
    editor = page.get_by_test_id("portal").locator("input.gdg-input, textarea.gdg-input")
    expect(editor).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text, delay=60)
    expect(editor).to_have_value(text)
    page.keyboard.press("Enter")
    expect(editor).to_have_count(0)
    wait_for_app(page)


def stored(database_url: str, sql: str, **params: str) -> tuple[float, int]:
    """A figure and its version, read from the store itself, not from the screen."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        figure, version = conn.execute(sa.text(sql), params).one()
    engine.dispose()
    return figure, int(version)


def first_line(database_url: str, month: str) -> tuple[float, int]:
    """The actual spend (cents) and version of the grid's first line."""
    return stored(
        database_url,
        "SELECT l.actual_spend, l.version FROM budget_lines l "
        "JOIN channels c ON c.id = l.channel_id WHERE l.month = :m "
        "ORDER BY c.name, coalesce(l.campaign, '') LIMIT 1",
        m=month,
    )


def test_the_second_budget_save_is_refused_and_the_grid_reloads(two_cmos, server):
    first, second = two_cmos
    month = current_month()
    url = f"{server.url}/budget?budget_tab=Figures"
    for page in two_cmos:
        open_as_cmo(page, url)
    cents, version = first_line(server.database_url, month)

    for page, typed in ((first, "1111"), (second, "2222")):
        grid = page.get_by_test_id("stDataFrame").first
        type_into_cell(page, grid, 0, ACTUAL_SPEND, typed, showing=cents / 100)
    second.get_by_role("button", name="Save changes").click()
    wait_for_app(second)
    second.get_by_text("Saved: 1 changed, 0 added, 0 removed.").wait_for()
    assert first_line(server.database_url, month) == (222_200, version + 1)

    first.get_by_role("button", name="Save changes").click()
    wait_for_app(first)
    refused = first.get_by_test_id("stAlert").filter(has_text="Nothing was saved.")
    expect(refused).to_contain_text("Priya Raman changed actual spend to $2,222.00 while you were")
    expect(refused).to_contain_text("(you entered $1,111.00)")
    expect(refused).to_contain_text("The figures below are as saved now")
    screenshot(first, "grid-conflict-budget-refused")
    assert first_line(server.database_url, month) == (222_200, version + 1)

    grid = first.get_by_test_id("stDataFrame").first
    type_into_cell(first, grid, 0, ACTUAL_SPEND, "3333", showing=2222)
    first.get_by_role("button", name="Save changes").click()
    wait_for_app(first)
    first.get_by_text("Saved: 1 changed, 0 added, 0 removed.").wait_for()
    screenshot(first, "grid-conflict-budget-saved-after")
    assert first_line(server.database_url, month) == (333_300, version + 2)


def kpi_actual(database_url: str, name: str, month: str) -> tuple[float, int]:
    return stored(
        database_url,
        "SELECT v.actual, v.version FROM kpi_values v JOIN kpis k ON k.id = v.kpi_id "
        "WHERE k.name = :n AND v.month = :m",
        n=name,
        m=month,
    )


def test_the_second_kpi_save_is_refused_and_nothing_of_it_is_written(two_cmos, server):
    first, second = two_cmos
    url = f"{server.url}/goals?goals_tab=KPI+tree"
    for page in two_cmos:
        open_as_cmo(page, url)
    sqls, version = kpi_actual(server.database_url, "SQLs", current_month())

    for page, typed in ((first, "111"), (second, "222")):
        grid = page.get_by_test_id("stDataFrame").last
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        page.mouse.dblclick(box["x"] + box["width"] - 40, box["y"] + ROW_HEIGHT * 4.5)
        replace_in_editor(page, typed)
    second.get_by_role("button", name="Save KPI figures").click()
    wait_for_app(second)
    second.get_by_text("Saved 1 KPI figure(s).").wait_for()
    assert kpi_actual(server.database_url, "SQLs", current_month()) == (222, version + 1)

    first.get_by_role("button", name="Save KPI figures").click()
    wait_for_app(first)
    refused = first.get_by_test_id("stAlert").filter(has_text="Nothing was saved")
    expect(refused).to_contain_text("by someone else while you were editing")
    screenshot(first, "grid-conflict-kpi-refused")
    assert sqls != 222
    assert kpi_actual(server.database_url, "SQLs", current_month()) == (222, version + 1)
