"""One definition of success from draft to signed to acknowledged, in a real browser:
the CMO drafts and proposes, the CFO signs, the CEO acknowledges. The target is a
percentage typed as shown (80 for 80 % ROMI); the draft, the proposal and the sign-off
screen show the live actual against it, and the signed card reads as the ROMI tile."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import choose
from tests.browser.conftest import cli_json
from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import act_as
from tests.browser.test_overview_browser import tile_value

pytestmark = pytest.mark.browser
TITLE = "Attributed ROMI of at least 80 %"
LIVE = "Live, November 2026:"


def card(page: Page):
    return (
        page.get_by_test_id("stVerticalBlock")
        .filter(has=page.get_by_role("heading", name=TITLE))
        .last
    )


def live_line(page: Page):
    """The card's line that reads the version against the month's figures."""
    return card(page).get_by_role("paragraph").filter(has_text=re.compile(rf"^{LIVE} actual "))


def press(page: Page, button: str) -> None:
    """Press a button on the new definition's card once the page has settled."""
    wait_for_app(page)
    target = card(page).get_by_role("button", name=button)
    expect(target).to_be_enabled()
    target.click()


def test_cmo_drafts_and_proposes_cfo_signs_ceo_acknowledges(page: Page, server):
    page.goto(f"{server.url}/definitions")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Definitions of success", exact=True)).to_be_visible()
    act_as(page, "Priya Raman (CMO)")
    form = page.get_by_test_id("stForm").first
    title = form.get_by_label("Title", exact=True)
    if not title.is_visible():
        page.get_by_text("New definition of success").click()
    expect(title).to_be_visible()
    metric = page.get_by_role("combobox", name="Metric").first
    choose(page, metric, "ROMI (attributed)")
    wait_for_app(page)
    target = form.get_by_role("textbox", name="Target (%, as the metric is shown)")
    expect(target).to_be_visible()
    hint = page.get_by_text("ROMI (attributed) is measured in percent: type 80 for 80 %.")
    expect(hint).to_contain_text(LIVE)
    expect(form.get_by_label("Unit (ratio, USD, count, %)")).to_have_count(0)
    title.fill(TITLE)
    target.fill("80")
    form.get_by_label("Period from (YYYY-MM)").fill("2026-01")
    form.get_by_label("Period to (YYYY-MM)").fill("2026-12")
    form.get_by_label("How it is measured (formula, in words)").fill(
        "Attributed pipeline / actual spend, fiscal year to date"
    )
    screenshot(page, "definitions-draft-form")
    form.get_by_role("button", name="Save draft").click()
    wait_for_app(page)
    page.get_by_text("Draft saved.").wait_for()
    expect(live_line(page)).to_contain_text("against target at least 80.0%")
    press(page, "Propose for sign-off")
    wait_for_app(page)
    page.get_by_text("Proposed to the CFO.").wait_for()
    screenshot(page, "definitions-proposed")

    act_as(page, "Daniel Okafor (CFO)")
    page.get_by_text("2 definitions await your sign-off.").wait_for()
    live = live_line(page)
    expect(live).to_contain_text("against target at least 80.0%")
    expect(live).to_contain_text("what you sign is what everyone will see")
    live.scroll_into_view_if_needed()
    screenshot(page, "definitions-sign-off")
    seen_actual = live.inner_text().split("actual ", 1)[1].split(" against", 1)[0]
    press(page, "Sign off")
    wait_for_app(page)
    page.get_by_text("Signed off; this version is in force.").wait_for()

    act_as(page, "Maya Lindqvist (CEO)")
    page.get_by_text("1 definition signed by the CFO awaits your acknowledgement.").wait_for()
    press(page, "Acknowledge")
    wait_for_app(page)
    page.get_by_text("Acknowledged.", exact=True).wait_for()
    wait_for_app(page)
    signature = card(page).get_by_text("Signed by Daniel Okafor")
    expect(signature).to_contain_text("Acknowledged by Maya Lindqvist")
    assert "unchanged since" in signature.inner_text()
    assert "Acknowledged by Maya Lindqvist" in signature.inner_text()
    signed_line = card(page).locator("p").filter(has_text=re.compile(r"^Actual "))
    expect(signed_line).to_have_text(
        f"Actual {seen_actual} against target at least 80.0% (November 2026)."
    )
    screenshot(page, "definitions-signed")
    page.goto(f"{server.url}/")
    wait_for_app(page)
    choose(page, page.get_by_role("combobox", name="Month"), "November 2026")
    wait_for_app(page)
    expect(tile_value(page, "ROMI (attributed)")).to_have_text(seen_actual)

    ours = next(r for r in cli_json(server, "definitions") if r["title"] == TITLE)
    assert (ours["metric"], ours["target"], ours["unit"]) == ("romi", 0.8, "%")
    assert ours["state"] == "signed_off" and ours["in_force"]
    assert ours["signed_by"] == "Daniel Okafor" and ours["acknowledged_by"] == "Maya Lindqvist"
    assert ours["content_hash"] == ours["current_hash"]
    assert not ours["changed_since_signoff"]
