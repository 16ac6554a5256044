"""Accounts & settings and the audit trail through AppTest, logged in on a team store."""

from __future__ import annotations

import re

import sqlalchemy as sa

from alignment.edges.store import open_store
from db.models import AuditEvent
from db.models import User
from tests.app.conftest import query
from tests.app.test_login import app
from tests.app.test_login import log_in
from ui.widgets import as_text


def accounts_page(email: str):  # type: ignore[no-untyped-def]
    at = log_in(app().run(), email)
    return at.switch_page("pages/admin.py").run()


def users(url: str) -> dict[str, str]:
    store = open_store(url)
    with store.session() as session:
        found = {u.email: u.role for u in session.scalars(sa.select(User))}
    store.close()
    return found


def test_the_administrator_adds_an_account_that_can_then_log_in(team_url):
    at = accounts_page("admin@team.example")
    at.text_input(key="add_email").set_value("board@team.example")
    at.text_input(key="add_name").set_value("Board Member")
    at.selectbox(key="add_role").set_value("viewer")
    at.text_input(key="add_password").set_value("a long board password")
    at.button(key="FormSubmitter:account_add-Add account").click().run()
    assert not at.exception
    assert at.success[0].value == r"Added board@team\.example.", "text, not a mailto link"
    assert users(team_url)["board@team.example"] == "viewer"
    fresh = log_in(app().run(), "board@team.example", "a long board password")
    assert fresh.title[0].value == "Overview"


def test_a_bad_account_is_refused_with_a_sentence_and_nothing_is_added(team_url):
    before = users(team_url)
    at = accounts_page("admin@team.example")
    at.text_input(key="add_email").set_value("not an address")
    at.button(key="FormSubmitter:account_add-Add account").click().run()
    assert as_text("'not an address' is not an e-mail address.") in at.error[0].value
    at.text_input(key="add_email").set_value("norole@team.example")
    assert at.selectbox(key="add_role").value is None, "no role is chosen for the admin"
    at.button(key="FormSubmitter:account_add-Add account").click().run()
    assert at.error[0].value == as_text(
        "Choose the account's role: CEO, CFO, CMO, viewer or admin."
    ), "a refusal is shown as text"
    at.text_input(key="add_email").set_value("short@team.example")
    at.selectbox(key="add_role").set_value("CMO")
    at.text_input(key="add_password").set_value("short")
    at.button(key="FormSubmitter:account_add-Add account").click().run()
    assert "at least 12 characters" in at.error[0].value
    assert users(team_url) == before


def test_an_account_that_never_logged_in_says_never(team_url):
    at = accounts_page("admin@team.example")
    table = at.dataframe[0].value.set_index("E-mail")
    assert table.loc["cfo@team.example", "Last log-in"] == "never"
    admin = table.loc["admin@team.example", "Last log-in"]
    assert re.fullmatch(r"23 Nov 2026, \d\d:\d\d UTC", admin), admin


def test_the_cfo_changes_the_financial_settings_and_the_audit_trail_shows_it(team_url):
    at = accounts_page("cfo@team.example")
    assert "Accounts" not in [h.value for h in at.subheader]
    at.text_input(key="fin_currency").set_value("EUR")
    at.button(key="FormSubmitter:financial-Save financial settings").click().run()
    assert not at.exception
    assert "Financial settings saved" in at.success[0].value
    at.switch_page("pages/audit.py").run()
    assert at.title[0].value == "Audit trail"
    shown = at.dataframe[0].value
    assert "EUR" in " ".join(shown.astype(str).to_numpy().ravel())
    at.button(key="audit_verify").click().run()
    assert "The audit trail is intact" in at.success[0].value
    store = open_store(team_url)
    with store.session() as session:
        [event] = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.object_type == "company")
        ).all()
        assert event.action == "settings" and "CFO" in event.actor, event
        assert (event.old_value["currency"], event.new_value["currency"]) == ("USD", "EUR")
    store.close()


def test_the_administrator_names_the_company(team_url):
    at = accounts_page("admin@team.example")
    assert at.text_input(key="company_name_input").value == "Your company"
    at.text_input(key="company_name_input").set_value("Acme Robotics")
    at.button(key="FormSubmitter:company_name-Save company name").click().run()
    assert not at.exception and not at.error
    assert "Company name saved." in at.success[0].value
    assert query(team_url, "SELECT company_name FROM company_settings") == [("Acme Robotics",)]
    cfo = accounts_page("cfo@team.example")
    assert not [t for t in cfo.text_input if t.key == "company_name_input"]


def _guide(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.value for m in at.markdown if "**" in m.value]


def test_a_new_store_says_who_needs_to_do_what_and_ticks_the_administrators_steps(team_url):
    overview = log_in(app().run(), "cmo@team.example")
    assert not overview.exception
    assert "Who needs to do what before the first monthly review" in overview.info[0].value
    guide = _guide(overview)
    assert guide[0] == (
        "**Getting started: 1 of 7 steps done.** Next: the administrator names the company."
    )
    assert (
        ":material/check_circle: **The administrator** adds the CEO, CFO and CMO with "
        "their e-mail." in guide
    )
    assert (
        ":material/radio_button_unchecked: **The CMO** enters or imports the monthly budget, "
        "spend, pipeline and revenue." in guide
    )
    links = {link.label for link in overview.get("page_link")}
    assert "Budget & return" in links and "Accounts & settings" not in links
    at = accounts_page("admin@team.example")
    assert _guide(at)[0].endswith("Next: the administrator names the company.")
    at.text_input(key="company_name_input").set_value("Acme Robotics")
    at.button(key="FormSubmitter:company_name-Save company name").click().run()
    assert _guide(at)[0] == (
        "**Getting started: 2 of 7 steps done.** Next: the CFO sets the currency, gross "
        "margin and fiscal year every figure depends on."
    )
