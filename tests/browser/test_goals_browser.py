"""The KPI tree in a real browser: the CMO edits an actual in the grid, and the tree and the
overview show the new figure."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import act_as

pytestmark = pytest.mark.browser
ROW_HEIGHT = 35


def test_editing_an_actual_changes_the_tree_and_the_overview(page: Page, server):
    with page.expect_websocket() as opened:
        page.goto(f"{server.url}/goals?goals_tab=KPI+tree")
    socket = opened.value
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Goals & KPIs", exact=True)).to_be_visible()
    act_as(page, "Priya Raman (CMO)")
    tree = page.get_by_test_id("stGraphVizChart")
    tree.locator("text").first.wait_for()
    before = tree.inner_text()
    assert "SQLs" in before and "4,321" not in before

    grid = page.get_by_test_id("stDataFrame").last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    sqls_actual = (box["x"] + box["width"] - 40, box["y"] + ROW_HEIGHT * 4 + ROW_HEIGHT / 2)
    page.mouse.dblclick(*sqls_actual)
    editor = page.get_by_test_id("portal").locator("input.gdg-input")
    expect(editor).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("4321", delay=80)
    expect(editor).to_have_value("4321")
    with socket.expect_event("framesent"):
        page.keyboard.press("Enter")  # the grid sends the edited cell to the server
    expect(editor).to_have_count(0)
    wait_for_app(page)
    page.get_by_role("button", name="Save KPI figures").click()
    wait_for_app(page)
    page.get_by_text("Saved 1 KPI figure(s).").wait_for()
    tree = page.get_by_test_id("stGraphVizChart")
    expect(tree).to_contain_text("4,321 of 230")
    after = tree.inner_text()
    assert "4,321 of 230" in after and after != before
    screenshot(page, "kpi-tree-after-edit")

    page.get_by_test_id("stSidebarNav").get_by_text("Overview").click()
    wait_for_app(page)
    top = page.get_by_test_id("stTable").filter(has_text="Aided brand awareness")
    top.wait_for()
    row = top.locator("tr").filter(has_text="SQLs")
    expect(row).to_contain_text("4,321")
    assert "4,321" in row.inner_text() and "On target" in row.inner_text()
    screenshot(page, "overview-after-kpi-edit")
