"""Accounts & settings: the administrator adds people and decides their role; the CFO keeps
the financial settings every figure depends on."""

from __future__ import annotations

import calendar

import pandas as pd
import streamlit as st

from alignment.access import accounts
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.company.first_run import setup_steps
from alignment.company.settings import CompanyProfile
from alignment.company.settings import update_company
from ui.context import act
from ui.context import opened
from ui.context import profile
from ui.context import store
from ui.widgets import as_text
from ui.widgets import first_run_guide
from ui.widgets import optional_choice

ROLES = ["CEO", "CFO", "CMO", "viewer", "admin"]


def page() -> None:
    me = opened("Accounts & settings")
    company = profile()
    with store().session() as session:
        steps = setup_steps(session, me)
    first_run_guide(steps, me)
    if can(me, Action.MANAGE_USERS):
        _company_name(me, company)
        _accounts(me)
    if can(me, Action.EDIT_FINANCIAL_SETTINGS):
        _financial(me, company)
    if not can(me, Action.MANAGE_USERS) and not can(me, Action.EDIT_FINANCIAL_SETTINGS):
        st.info(
            "Only the administrator manages accounts, and only the CFO the financial settings.",
            icon=":material/lock:",
        )


def _company_name(me: Actor, company: CompanyProfile) -> None:
    """The name on every page title and meeting pack; a new store says "Your company"."""
    with st.form("company_name"):
        name = st.text_input("Company name", company.name, key="company_name_input")
        if st.form_submit_button("Save company name"):
            act(lambda s: update_company(s, me, name=name), "Company name saved.")


def _accounts(me: Actor) -> None:
    with store().session() as session:
        people = accounts.accounts(session, me)
        idle = accounts.idle_minutes(session)
    st.subheader("Accounts")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "E-mail": a.email,
                    "Name": a.name,
                    "Role": a.role,
                    "Active": a.active,
                    "Log-in": "password" if a.has_password else "single sign-on",
                    "Last log-in": (
                        f"{a.last_login_at:%d %b %Y, %H:%M} UTC" if a.last_login_at else "never"
                    ),
                }
                for a in people
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    with st.form("account_add", clear_on_submit=True):
        st.write("**Add an account**")
        a, b, c, d = st.columns(4)
        email = a.text_input("E-mail address", key="add_email")
        name = b.text_input("Name", key="add_name")
        role = c.selectbox("Role", ROLES, index=None, placeholder="Choose a role", key="add_role")
        password = d.text_input(
            "Password (empty: single sign-on only)", type="password", key="add_password"
        )
        if st.form_submit_button("Add account", type="primary"):
            act(
                lambda s: accounts.add_user(s, me, email, name, role or "", password or None),
                f"Added {as_text(email.strip())}.",
            )
    with st.form("account_change"):
        st.write("**Change an account**")
        ids = {a.id: f"{a.name} <{a.email}>" for a in people}
        a, b, c, d = st.columns(4)
        chosen = a.selectbox(
            "Account", list(ids), format_func=ids.__getitem__, key="change_account"
        )
        role = optional_choice(b, "Role", ROLES, "(unchanged)", key="change_role")
        active = optional_choice(
            c,
            "Active",
            [True, False],
            "(unchanged)",
            key="change_active",
            shown=lambda v: "active" if v else "switched off",
        )
        password = d.text_input("New password (optional)", type="password", key="change_pw")
        if st.form_submit_button("Save"):
            act(
                lambda s: accounts.change_account(
                    s, me, chosen, role=role, active=active, password=password or None
                ),
                "Account saved.",
            )
    with st.form("idle"):
        minutes = st.number_input(
            "Log out after this many idle minutes", 5, 24 * 60, idle, key="idle_minutes"
        )
        if st.form_submit_button("Save idle time"):
            act(lambda s: accounts.set_idle_minutes(s, me, int(minutes)), "Idle time saved.")


def _financial(me: Actor, company: CompanyProfile) -> None:
    st.subheader("Financial settings")
    with st.form("financial"):
        a, b, c, d = st.columns(4)
        currency = a.text_input("Currency (ISO code)", company.currency, key="fin_currency")
        margin = b.number_input(
            "Gross margin (%)", 0.0, 100.0, company.gross_margin * 100, key="fin_margin"
        )
        start = c.selectbox(
            "Fiscal year starts in month",
            list(range(1, 13)),
            index=company.fiscal_year_start_month - 1,
            format_func=lambda m: calendar.month_name[m],
            key="fin_start",
        )
        stale = d.number_input(
            "A commitment is stale after (days)",
            1,
            365,
            company.stale_commitment_days,
            key="fin_stale",
            help="Purchase orders with nothing invoiced this many days after they began are "
            "listed for the CFO.",
        )
        if st.form_submit_button("Save financial settings", type="primary"):
            act(
                lambda s: update_company(
                    s,
                    me,
                    currency=currency,
                    gross_margin=margin / 100,
                    fiscal_year_start_month=start,
                    stale_commitment_days=int(stale),
                ),
                "Financial settings saved; every figure uses them from now on.",
            )


page()
