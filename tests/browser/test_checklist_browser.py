"""The checklist in a real browser: the CMO, the CFO and the CEO each answer, and the
perception gap appears on the overview; comments show as text, never as HTML."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page
from playwright.sync_api import expect

from alignment.shared.periods import current_month
from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import act_as

pytestmark = pytest.mark.browser
STATEMENT = "We leave each monthly review with owners and due dates."


def answer(page: Page, role: str, item_id: int, score: str, comment: str = "") -> None:
    month = f"{role}_{current_month()}"
    control = page.locator(f".st-key-score_{month}_{item_id}")
    choice = control.get_by_role("radio", name=score, exact=True)
    if not choice.is_visible():
        page.get_by_text(f"Your answers as {role} for").click()
    expect(choice).to_be_visible()
    choice.click()
    expect(choice).to_be_checked()
    if comment:
        page.locator(f".st-key-comment_{month}_{item_id}").get_by_role("textbox").fill(comment)
    page.get_by_role("button", name="Save my answers").click()
    wait_for_app(page)
    page.get_by_text("answer(s) for").wait_for()


def test_three_executives_answer_and_the_gap_reaches_the_overview(page: Page, server):
    engine = sa.create_engine(server.database_url)
    with engine.connect() as conn:
        item_id = conn.execute(
            sa.text("SELECT id FROM checklist_items WHERE text = :t"), {"t": STATEMENT}
        ).scalar()
    engine.dispose()
    page.goto(f"{server.url}/")
    wait_for_app(page)
    page.get_by_test_id("stVegaLiteChart").nth(1).wait_for()
    assert STATEMENT not in page.get_by_test_id("stMain").inner_text()

    page.goto(f"{server.url}/checklist")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Alignment checklist", exact=True)).to_be_visible()
    for name, score, comment in [
        ("Priya Raman (CMO)", "5 Agree", ""),
        ("Daniel Okafor (CFO)", "1 Disagree", "<b>Owners</b> are **never** named"),
        ("Maya Lindqvist (CEO)", "3", ""),
    ]:
        act_as(page, name)
        answer(page, name[-4:-1], item_id, score, comment)
    row = page.get_by_test_id("stTable").locator("tr").filter(has_text=STATEMENT)
    expect(row).to_contain_text("⚑ 4")
    text = row.inner_text()
    assert "⚑ 4" in text
    assert "<b>Owners</b> are **never** named" in text
    assert row.locator("b").count() == 0 and row.locator("strong").count() == 0
    screenshot(page, "checklist-answered")

    page.get_by_test_id("stSidebarNav").get_by_text("Overview").click()
    wait_for_app(page)
    page.get_by_test_id("stVegaLiteChart").nth(1).wait_for()
    main = page.get_by_test_id("stMain")
    assert f"{STATEMENT} (gap 4)" in main.inner_text()
    screenshot(page, "overview-with-gap")
