"""Notices: each person's own notices; the CEO's rules, schedule and chat webhooks; the
administrator's whole outbox and the button that sends what is due."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.notices import outbox
from alignment.notices import rules
from alignment.notices.mail import smtp_setup
from alignment.notices.notify import notify
from alignment.shared import formatting as fmt
from alignment.shared.errors import SamePageError
from ui.context import act
from ui.context import opened
from ui.context import store
from ui.widgets import as_text
from ui.widgets import flash
from ui.widgets import refusal
from ui.widgets import text_table


def page() -> None:
    me = opened("Notices")
    st.caption(
        "Every reminder, alert and digest SamePage sends is written to the outbox first; "
        "it is sent by `python -m alignment notify` (see the README) and never twice."
    )
    _own(me)
    if can(me, Action.SET_NOTICES):
        _rules(me)
        _webhooks(me)
    if can(me, Action.VIEW_OUTBOX):
        _outbox(me)


def _when(value: object) -> str:
    return "" if value is None else f"{value:%d %b %Y, %H:%M} UTC"


def _table(views: list[outbox.NoticeView], *, everyone: bool) -> pd.DataFrame:
    rows = []
    for v in views:
        row = {
            "Queued": _when(v.created_at),
            "Channel": outbox.CHANNEL_WORDS[v.channel],
            "Subject": v.subject,
            "Why": v.reason,
            "Status": v.status_words,
            "Sent": _when(v.sent_at),
        }
        if everyone:
            row = {
                "Queued": row.pop("Queued"),
                "To": v.recipient,
                "Address": v.to,
                **row,
                "Tries": fmt.count(v.tries),
                "Next try": _when(v.next_try_at) if v.status == outbox.QUEUED else "",
                "Last error": v.last_error,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def _own(me: Actor) -> None:
    st.subheader("Your notices")
    with store().session() as session:
        mine = outbox.own_notices(session, me)
    if not mine:
        st.info("No notice has been addressed to you yet.", icon=":material/notifications:")
        return
    text_table(_table(mine, everyone=False), hide_index=True)
    chosen = st.selectbox(
        "Read one",
        [v.id for v in mine],
        format_func=lambda i: next(v.subject for v in mine if v.id == i),
        key="notice_read",
    )
    shown = next(v for v in mine if v.id == chosen)
    st.markdown(as_text(shown.body))


def _rules(me: Actor) -> None:
    st.subheader("What is sent, and when")
    st.caption(
        "Schedules SamePage reads: '2nd Tuesday', 'last Friday', 'day 31' (the last day of a "
        "shorter month), 'every Monday', 'every day', '3 days before the review'."
    )
    with store().session() as session:
        current = rules.rules(session, me)
    with st.form("notice_rules"):
        wanted: dict[str, tuple[bool, str]] = {}
        for rule in current:
            left, right = st.columns([3, 2])
            if rule.kind == rules.REVIEW:
                left.write(f"**{as_text(rule.label)}**")
                enabled = True
            else:
                enabled = left.checkbox(
                    rule.label, rule.enabled, key=f"rule_on_{rule.kind}", help=f"To {rule.to}."
                )
            text = right.text_input(
                "Schedule",
                rule.schedule,
                key=f"rule_schedule_{rule.kind}",
                label_visibility="collapsed",
            )
            wanted[rule.kind] = (enabled, text)
        if st.form_submit_button("Save the notices' schedule"):
            act(lambda s: rules.set_rules(s, me, wanted), "The notices' schedule is saved.")


def _webhooks(me: Actor) -> None:
    st.subheader("Chat")
    with store().session() as session:
        hooks = rules.webhooks(session, me)
    with st.form("notice_webhooks"):
        st.caption(
            "The incoming-webhook address each chat gave you (https). It works like a "
            "password: whoever has it can post to the channel. Empty switches the chat off."
        )
        slack = st.text_input("Slack incoming webhook", hooks.slack, key="webhook_slack")
        teams = st.text_input("Microsoft Teams workflow webhook", hooks.teams, key="webhook_teams")
        if st.form_submit_button("Save the chat webhooks"):
            act(lambda s: rules.set_webhooks(s, me, slack, teams), "The chat webhooks are saved.")


def _outbox(me: Actor) -> None:
    st.subheader("The outbox")
    setup = smtp_setup()
    if setup.settings is None:
        st.warning(as_text(setup.problem), icon=":material/mail:")
    else:
        st.caption(f"E-mail goes through {as_text(setup.settings.describe())}.")
    status = st.segmented_control(
        "Show",
        [outbox.QUEUED, outbox.SENT, outbox.FAILED],
        format_func=lambda s: outbox.STATUS_WORDS[s],
        key="outbox_status",
    )
    with store().session() as session:
        views = outbox.all_notices(session, me, status)
    if views:
        text_table(_table(views, everyone=True), hide_index=True)
    else:
        st.info("The outbox holds no such notice.", icon=":material/outbox:")
    if st.button("Send what is due now", key="notify_now", icon=":material/send:"):
        try:
            with store().session() as session:
                result = notify(session, me)
        except SamePageError as exc:
            refusal(exc)
        else:
            flash(result.summary())


page()
