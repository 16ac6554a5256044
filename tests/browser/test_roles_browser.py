"""Each of the five roles logs in through the real log-in page and finds the powers its
role has, and no others."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.edges.store import open_store
from tests.browser.conftest import ARTIFACTS
from tests.browser.conftest import PASSWORD
from tests.browser.conftest import serve
from tests.browser.conftest import team_store
from tests.browser.conftest import wait_for_app

PEOPLE = {
    "CEO": "maya.lindqvist@kestrel.example",
    "CFO": "daniel.okafor@kestrel.example",
    "CMO": "priya.raman@kestrel.example",
    "viewer": "tom.becker@kestrel.example",
    "admin": "sam.ortiz@kestrel.example",
}

POWERS = {
    "enter figures": {"CMO"},
    "reconcile": {"CFO"},
    "sign off": {"CFO"},
    "propose definitions": {"CEO", "CMO"},
    "answer the checklist": {"CEO", "CFO", "CMO"},
    "manage accounts": {"admin"},
    "financial settings": {"CFO"},
}


def _log_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Log in to SamePage")).to_be_visible(timeout=30_000)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=30_000)
    wait_for_app(page)


def _visible(locator) -> bool:  # type: ignore[no-untyped-def]
    return locator.count() > 0 and locator.first.is_visible()


def _open(page: Page, heading: str) -> None:
    """Follow the sidebar link, as a person would."""
    page.get_by_role("link", name=heading).click()
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=30_000)
    wait_for_app(page)


def _powers_found(page: Page, url: str, role: str) -> set[str]:
    found = set()
    _open(page, "Budget & return")
    page.get_by_role("tab", name="Import").click()
    wait_for_app(page)
    if _visible(page.get_by_text("Import the spreadsheet you already keep")):
        found.add("enter figures")
    page.get_by_role("tab", name="Months and reconciliation").click()
    wait_for_app(page)
    if _visible(page.get_by_role("button", name=re.compile(r"^Mark .+ reconciled$"))):
        found.add("reconcile")
    _open(page, "Definitions of success")
    if _visible(page.get_by_role("button", name="Sign off")):
        found.add("sign off")
    if _visible(page.get_by_text("New definition of success")):
        found.add("propose definitions")
    _open(page, "Alignment checklist")
    if _visible(page.get_by_text(f"Your answers as {role}")):
        found.add("answer the checklist")
    page.screenshot(path=ARTIFACTS / f"roles-{role}-checklist.png", full_page=True)
    if _visible(page.get_by_role("link", name="Accounts & settings")):
        _open(page, "Accounts & settings")
        page.screenshot(path=ARTIFACTS / f"roles-{role}-admin.png", full_page=True)
        if _visible(page.get_by_text("Add an account")):
            found.add("manage accounts")
        if _visible(page.get_by_role("button", name="Save financial settings")):
            found.add("financial settings")
    else:
        page.goto(f"{url}/admin")
        expect(page.get_by_text("Page not found")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        expect(page.get_by_text("Logged in as")).to_be_visible()
        expect(page.get_by_role("heading", name="Accounts & settings")).to_have_count(0)
    return found


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_has_its_powers_and_no_others(page: Page, team_server, role):
    _log_in(page, team_server.url, PEOPLE[role])
    expect(page.get_by_text("Logged in as")).to_be_visible()
    found = _powers_found(page, team_server.url, role)
    assert found == {power for power, roles in POWERS.items() if role in roles}
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_log_out_ends_the_session(page: Page, team_server):
    _log_in(page, team_server.url, PEOPLE["viewer"])
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to SamePage")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(f"{team_server.url}/budget")
    expect(page.get_by_role("heading", name="Log in to SamePage")).to_be_visible(timeout=30_000)


def test_a_log_in_survives_a_reload_and_a_new_tab_until_log_out(page: Page, team_server):
    _log_in(page, team_server.url, PEOPLE["CFO"])
    (cookie,) = _session_cookies(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    page.reload()
    expect(page.get_by_text("Logged in as Daniel Okafor (CFO)")).to_be_visible(timeout=30_000)
    other = page.context.new_page()
    other.goto(f"{team_server.url}/definitions")
    expect(other.get_by_role("heading", name="Definitions of success")).to_be_visible(
        timeout=30_000
    )
    wait_for_app(other)
    other.screenshot(path=ARTIFACTS / "login-new-tab.png", full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible(timeout=30_000)
    for _ in range(50):
        if not _session_cookies(page):
            break
        page.wait_for_timeout(100)
    assert _session_cookies(page) == []
    other.get_by_role("link", name="Overview").click()
    expect(other.get_by_text("You logged out in another tab")).to_be_visible(timeout=30_000)
    page.reload()
    expect(page.get_by_role("heading", name="Log in to SamePage")).to_be_visible(timeout=30_000)


def _session_cookies(page: Page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == "samepage_session"]


@pytest.mark.parametrize("plain_streamlit", [True, False], ids=["streamlit run", "ui.server"])
@pytest.mark.parametrize("demo", [False, True], ids=["demo off", "SAMEPAGE_DEMO=1"])
def test_a_deep_link_as_a_fresh_servers_first_request_asks_who_you_are(
    page: Page, tmp_path, plain_streamlit, demo
):
    """A new server, however started, whose very first request is a link to a page: the
    log-in page, not the page as the store's first CEO (before, plain ``streamlit run``
    served pages/requests.py straight away and its form recorded requests as the CEO).
    ``SAMEPAGE_DEMO=1`` changes nothing on a store with accounts."""
    with serve(team_store(tmp_path), tmp_path, demo=demo, plain_streamlit=plain_streamlit) as app:
        page.goto(f"{app.url}/requests")
        expect(page.get_by_role("heading", name="Log in to SamePage")).to_be_visible(timeout=30_000)
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Requests and decisions")).to_have_count(0)
        expect(page.get_by_text("Acting as")).to_have_count(0)
        expect(page.get_by_label("E-mail address")).to_be_visible()
        page.get_by_label("E-mail address").fill(PEOPLE["CEO"])
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Requests and decisions")).to_be_visible(
            timeout=30_000
        )


def test_an_account_switched_off_gets_the_log_in_page_from_a_part_that_reruns_alone(
    page: Page, tmp_path
):
    """The channel filter reruns only the figures; who is acting is checked there too, and
    someone switched off in the meantime gets the whole page replaced by the log-in page,
    not a log-in form inside the figures with the rest of the page still on screen."""
    with serve(team_store(tmp_path), tmp_path, demo=False) as app:
        _log_in(page, app.url, PEOPLE["CMO"])
        page.goto(f"{app.url}/budget?budget_tab=Figures")
        wait_for_app(page)
        channels = page.get_by_test_id("stMultiSelect").filter(has_text="Channels")
        expect(channels).to_be_visible(timeout=30_000)
        store = open_store(app.database_url)
        with store.session() as session:
            (cmo,) = [a for a in accounts.accounts(session, COMMAND_LINE) if a.role == "CMO"]
            accounts.change_account(session, COMMAND_LINE, cmo.id, active=False)
        store.close()

        channels.get_by_role("combobox").click()
        page.get_by_role("option").first.click()
        expect(page.get_by_role("heading", name="Log in to SamePage")).to_be_visible(timeout=30_000)
        wait_for_app(page)
        page.screenshot(path=ARTIFACTS / "login-after-switched-off-in-a-part.png", full_page=True)
        expect(page.get_by_role("heading", name="Budget & return")).to_have_count(0)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)


def test_a_download_is_made_on_click_and_only_for_someone_still_logged_in(page: Page, tmp_path):
    """The budget export is made when the button is clicked (not on every rerun), so who
    clicks is checked then: the same click that downloads the file for the CMO gets nothing
    once the account is switched off."""
    with serve(team_store(tmp_path), tmp_path, demo=False) as app:
        _log_in(page, app.url, PEOPLE["CMO"])
        page.goto(f"{app.url}/budget?budget_tab=Figures")
        wait_for_app(page)
        button = page.get_by_role("button", name="Download CSV")
        with page.expect_download() as download:
            button.click()
        assert b"actual_spend" in download.value.path().read_bytes()

        store = open_store(app.database_url)
        with store.session() as session:
            (cmo,) = [a for a in accounts.accounts(session, COMMAND_LINE) if a.role == "CMO"]
            accounts.change_account(session, COMMAND_LINE, cmo.id, active=False)
        store.close()
        arrived: list[object] = []
        page.on("download", lambda d: arrived.append(d))
        button.click()
        page.wait_for_timeout(3000)
        page.screenshot(path=ARTIFACTS / "download-after-switched-off.png", full_page=True)
        assert arrived == []
