"""Notices on the demo company, SQLite and PostgreSQL: what is due, the outbox, e-mail to a
real local SMTP server (aiosmtpd), Slack and Teams posts to a real local HTTP server, an
unreachable server retried with back-off then failed, and idempotency."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from alignment.access.permissions import COMMAND_LINE
from alignment.access.users import demo_actors as demo_actors_of
from alignment.edges.store import Store
from alignment.meeting import review
from alignment.notices import outbox
from alignment.notices import rules
from alignment.notices.mail import SmtpSetup
from alignment.notices.mail import smtp_setup
from alignment.notices.notify import notify
from alignment.records.data_version import data_version
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from db.models import AuditEvent
from db.models import Notice
from db.models import User

DECEMBER_5 = dt.date(2026, 12, 5)
"""Three days before the review on the 2nd Tuesday of December (the 8th)."""


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _smtp(port: int) -> SmtpSetup:
    return smtp_setup(
        {
            "SAMEPAGE_SMTP_HOST": "127.0.0.1",
            "SAMEPAGE_SMTP_PORT": str(port),
            "SAMEPAGE_SMTP_TLS": "none",
            "SAMEPAGE_SMTP_SENDER": "samepage@kestrel.example",
        }
    )


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]]
    answer = 200

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        self.received.append((self.path, json.loads(self.rfile.read(length))))
        self.send_response(self.answer)
        if 300 <= self.answer < 400:
            self.send_header("Location", "/moved")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.received.append((self.path, {}))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def chat_server() -> Iterator[tuple[list[tuple[str, dict[str, Any]]], str]]:
    received: list[tuple[str, dict[str, Any]]] = []
    handler = type("Hook", (_Hook,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _ceo(store: Store):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return next(a for a in demo_actors_of(session) if a.role == "CEO")


def _notices(store: Store) -> list[Notice]:
    with store.session() as session:
        return list(session.scalars(sa.select(Notice).order_by(Notice.id)))


def _run(store: Store, day: dt.date, smtp: SmtpSetup, dry_run: bool = False):  # type: ignore[no-untyped-def]
    with clock.pinned(dt.datetime(day.year, day.month, day.day, 7, tzinfo=dt.UTC)):
        with store.session() as session:
            return notify(session, COMMAND_LINE, day, dry_run=dry_run, smtp=smtp)


def test_before_the_review_each_owner_is_mailed_what_is_missing(demo_store, smtp_server):
    inbox, port = smtp_server
    result = _run(demo_store, DECEMBER_5, _smtp(port))
    reminders = [line for line in result.sent if line.key.startswith("before_review:2026-11")]
    assert reminders, result.summary()
    assert not result.failed and not result.retrying
    (cfo,) = [
        email.message_from_bytes(raw, policy=email.policy.default)
        for rcpt, raw in inbox.messages
        if rcpt == ["daniel.okafor@kestrel.example"] and b"Subject: Before the review" in raw
    ]
    assert cfo["From"] == "samepage@kestrel.example"
    assert cfo["Subject"].startswith("Before the review of November 2026 on 08 Dec 2026")
    text = cfo.get_body().get_content()
    assert "November 2026 is not reconciled with finance." in text
    assert cfo["Auto-Submitted"] == "auto-generated"
    statuses = {n.key: n.status for n in _notices(demo_store)}
    assert all(statuses[line.key] == "sent" for line in reminders)


def test_notify_twice_sends_once(demo_store, smtp_server):
    inbox, port = smtp_server
    first = _run(demo_store, DECEMBER_5, _smtp(port))
    count = len(inbox.messages)
    second = _run(demo_store, DECEMBER_5, _smtp(port))
    assert first.sent and count == len(first.sent)
    assert second.queued == [] and second.sent == []
    assert len(inbox.messages) == count
    with demo_store.session() as session:
        assert not outbox.queue(
            session,
            COMMAND_LINE,
            [
                outbox.Draft(
                    first.sent[0].key, "before_review", "email", None, "x@y.z", "s", "b", "r"
                )
            ],
        )


def test_a_dry_run_writes_nothing_and_says_what_it_would_send(demo_store, smtp_server):
    inbox, port = smtp_server
    with demo_store.session() as session:
        version = data_version(session)
    result = _run(demo_store, DECEMBER_5, _smtp(port), dry_run=True)
    assert result.queued and result.would_try
    assert "nothing written" in result.summary()
    assert _notices(demo_store) == [] and inbox.messages == []
    with demo_store.session() as session:
        assert data_version(session) == version


def test_without_smtp_the_notices_wait_in_the_outbox_with_the_reason(demo_store):
    result = _run(demo_store, DECEMBER_5, smtp_setup({}, secrets_file=None))
    assert result.queued and not result.sent and not result.failed
    assert result.waiting == [smtp_setup({}).problem]
    waiting = [n for n in _notices(demo_store) if n.channel == "email"]
    assert waiting and all(n.status == "queued" and n.tries == 0 for n in waiting)
    assert all("E-mail is not set up" in n.last_error for n in waiting)
    with demo_store.session() as session:
        mine = outbox.all_notices(session, COMMAND_LINE)
        assert {v.status_words for v in mine} == {"Waiting"}


def test_an_unreachable_mail_server_is_retried_with_back_off_then_failed(demo_store):
    closed = _smtp(_free_port())
    day = DECEMBER_5
    start = dt.datetime(2026, 12, 5, 7, tzinfo=dt.UTC)
    waits = []
    for attempt in range(outbox.MAX_TRIES):
        at = start + sum(waits, dt.timedelta()) + dt.timedelta(minutes=attempt)
        with clock.pinned(at), demo_store.session() as session:
            result = notify(session, COMMAND_LINE, day, smtp=closed)
        assert not result.sent
        if attempt < outbox.MAX_TRIES - 1:
            assert result.retrying and not result.failed
            assert "could not be reached" in result.retrying[0].outcome
            with clock.pinned(at + dt.timedelta(seconds=30)), demo_store.session() as session:
                early = notify(session, COMMAND_LINE, day, smtp=closed)
            assert early.retrying == [], "tried again before its wait was over"
        waits.append(outbox.wait_after(attempt + 1))
    assert result.failed and not result.retrying
    rows = [n for n in _notices(demo_store) if n.channel == "email" and n.tries]
    assert rows and {n.status for n in rows} == {"failed"}
    assert {n.tries for n in rows} == {outbox.MAX_TRIES}
    assert all("could not be reached" in n.last_error for n in rows)
    assert [w.total_seconds() / 60 for w in waits] == [5, 10, 20, 40, 80]
    with demo_store.session() as session:
        events = session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.object_type == "notice")
        ).all()
    assert {"queue", "try", "retry", "failed"} <= set(events)


def test_a_recipient_without_an_e_mail_address_is_recorded_not_delivered(demo_store, smtp_server):
    inbox, port = smtp_server
    with demo_store.engine.begin() as connection:
        connection.execute(sa.update(User).where(User.role == "CFO").values(email="daniel-okafor"))
    result = _run(demo_store, DECEMBER_5, _smtp(port))
    assert any("has no e-mail address" in line.outcome for line in result.not_deliverable)
    cfo = [n for n in _notices(demo_store) if n.address == "daniel-okafor"]
    assert cfo and all(n.status == "failed" and n.tries == 0 for n in cfo)
    assert all("daniel-okafor" not in rcpt for rcpt, _ in inbox.messages)


def test_after_the_review_is_closed_the_team_gets_the_decisions_and_the_pack(
    demo_store, smtp_server, chat_server
):
    inbox, port = smtp_server
    received, base = chat_server
    ceo = _ceo(demo_store)
    with demo_store.session() as session:
        rules.set_webhooks(session, ceo, f"{base}/slack/T1/B2/x", f"{base}/teams/flow")
    with demo_store.session() as session:
        review.record_item(session, ceo, "2026-11", "decision", "Move 10 % of events to search")
    with demo_store.session() as session:
        review.record_item(
            session, ceo, "2026-11", "action", "Brief the agency", "CMO", "2026-12-15"
        )
    with clock.pinned(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)), demo_store.session() as s:
        review.close_review(s, ceo, "2026-11")
    result = _run(demo_store, dt.date(2026, 12, 2), _smtp(port))
    assert not result.failed and not result.retrying, result.as_json()
    packs = [
        email.message_from_bytes(raw, policy=email.policy.default)
        for _, raw in inbox.messages
        if b"decisions and action items" in raw
    ]
    assert len(packs) == 3
    mail = packs[0]
    assert mail["Subject"] == "The review of November 2026: decisions and action items"
    text = mail.get_body(("plain",)).get_content()
    assert "- Move 10 % of events to search" in text
    assert "- Brief the agency (owner CMO, due 15 Dec 2026)" in text
    (pdf,) = list(mail.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "samepage-review-2026-11.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    slack = [body for path, body in received if path.startswith("/slack/")]
    teams = [body for path, body in received if path.startswith("/teams/")]
    after_slack = [b for b in slack if "decisions and action items" in b["text"]]
    assert after_slack and "Move 10 % of events to search" in after_slack[0]["text"]
    assert after_slack[0]["blocks"][0]["type"] == "header"
    card = [b for b in teams if "decisions" in _card_text(b)][0]
    assert card["type"] == "message"
    attachment = card["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard"
    assert "Brief the agency" in _card_text(card)
    assert {block["type"] for block in attachment["content"]["body"]} == {"RichTextBlock"}


def _card_text(card: dict[str, Any]) -> str:
    """The words of a Teams card: its TextRuns (which render no Markdown), one per line."""
    return "\n".join(
        run["text"]
        for block in card["attachments"][0]["content"]["body"]
        for run in block["inlines"]
    )


def test_a_webhook_answering_an_error_is_retried(demo_store, smtp_server, chat_server):
    _inbox, port = smtp_server
    received, base = chat_server
    _Hook.answer = 500
    try:
        with demo_store.session() as session:
            rules.set_webhooks(session, _ceo(demo_store), f"{base}/slack/x", "")
        result = _run(demo_store, DECEMBER_5, _smtp(port))
    finally:
        _Hook.answer = 200
    assert received
    chat = [line for line in result.retrying if line.channel == "slack"]
    assert chat and chat[0].outcome == "The Slack webhook answered 500 Internal Server Error."


def test_an_action_item_due_soon_or_overdue_goes_to_its_owner(demo_store, smtp_server):
    inbox, port = smtp_server
    ceo = _ceo(demo_store)
    with demo_store.session() as session:
        review.record_item(session, ceo, "2026-11", "action", "Send the plan", "CFO", "2026-11-25")
    result = _run(demo_store, dt.date(2026, 11, 23), _smtp(port))
    due = [line for line in result.sent if line.key.startswith("action_due:")]
    assert any(
        line.to == "daniel.okafor@kestrel.example" and "Send the plan" in line.subject
        for line in due
    )
    later = _run(demo_store, dt.date(2026, 11, 27), _smtp(port))
    overdue = [
        line for line in later.sent if "overdue" in line.key and "Send the plan" in line.subject
    ]
    assert overdue


def test_a_rule_switched_off_sends_nothing_of_its_kind(demo_store, smtp_server):
    _inbox, port = smtp_server
    ceo = _ceo(demo_store)
    with demo_store.session() as session:
        rules.set_rules(session, ceo, {"before_review": (False, "3 days before the review")})
    result = _run(demo_store, DECEMBER_5, _smtp(port))
    assert not [line for line in result.queued if line.key.startswith("before_review")]


def test_the_ceo_s_schedule_is_checked_and_only_the_ceo_sets_it(demo_store, demo_actors):
    ceo = _ceo(demo_store)
    with (
        demo_store.session() as session,
        pytest.raises(ValidationFailed, match="day of the month is 1 to 31"),
    ):
        rules.set_rules(
            session, ceo, {"before_review": (True, "day 2"), "review": (True, "day 32")}
        )
    with demo_store.session() as session:
        before = next(x for x in rules.rules(session, ceo) if x.kind == "before_review")
    assert before.schedule == "3 days before the review", "one bad schedule changed another"
    with demo_store.session() as session, pytest.raises(PermissionDenied):
        rules.set_rules(session, demo_actors["CFO"], {"review": (True, "day 30")})
    with demo_store.session() as session:
        rules.set_rules(session, ceo, {"review": (True, "DAY 31")})
    with demo_store.session() as session:
        review_rule = next(x for x in rules.rules(session, ceo) if x.kind == "review")
    assert review_rule.schedule == "day 31"
    # The review on the 31st is on 30 November; 3 days before it is the 27th.
    with demo_store.session() as session:
        from alignment.notices.due import due_notices

        assert not [
            d for d in due_notices(session, COMMAND_LINE, dt.date(2026, 11, 26)).drafts
            if d.kind == "before_review"
        ]  # fmt: skip
        reminders = [
            d for d in due_notices(session, COMMAND_LINE, dt.date(2026, 11, 27)).drafts
            if d.kind == "before_review"
        ]  # fmt: skip
    assert reminders and all(":2026-10:" in d.key for d in reminders)


def test_a_webhook_must_be_https(demo_store):
    ceo = _ceo(demo_store)
    with demo_store.session() as session, pytest.raises(ValidationFailed, match="https://"):
        rules.set_webhooks(session, ceo, "http://hooks.slack.example/x", "")
    with demo_store.session() as session:
        rules.set_webhooks(session, ceo, "https://hooks.slack.com/services/T/B/x", "")
    with demo_store.session() as session:
        assert rules.webhooks(session, ceo).slack == "https://hooks.slack.com/services/T/B/x"
        events = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "slack_webhook_url")
        ).all()
    assert events and "hooks.slack.com" not in json.dumps([e.new_value for e in events])


def test_each_person_sees_only_their_own_notices(demo_store, demo_actors):
    _run(demo_store, DECEMBER_5, smtp_setup({}))
    with demo_store.session() as session:
        cfo = outbox.own_notices(session, demo_actors["CFO"])
        assert cfo and {n.to for n in cfo} == {"daniel.okafor@kestrel.example"}
        with pytest.raises(PermissionDenied):
            outbox.all_notices(session, demo_actors["CEO"])


def test_a_webhook_that_redirects_is_not_counted_as_delivered(demo_store, smtp_server, chat_server):
    """Following a redirect would send a GET without the message and read its 200 as sent."""
    _inbox, port = smtp_server
    received, base = chat_server
    _Hook.answer = 302
    try:
        with demo_store.session() as session:
            rules.set_webhooks(session, _ceo(demo_store), f"{base}/slack/x", "")
        result = _run(demo_store, DECEMBER_5, _smtp(port))
    finally:
        _Hook.answer = 200
    chat = [line for line in result.retrying if line.channel == "slack"]
    assert chat and chat[0].outcome == "The Slack webhook answered 302 Found."
    assert not [line for line in result.sent if line.channel == "slack"]
    assert "/moved" not in [path for path, _ in received]


def test_a_replaced_webhook_reaches_the_notices_still_waiting(demo_store, smtp_server, chat_server):
    """A leaked webhook replaced by the CEO is not used again, even by queued notices; the
    outbox never holds the secret path."""
    _inbox, port = smtp_server
    received, base = chat_server
    _Hook.answer = 500
    try:
        with demo_store.session() as session:
            rules.set_webhooks(session, _ceo(demo_store), f"{base}/slack/leaked-secret", "")
        _run(demo_store, DECEMBER_5, _smtp(port))
    finally:
        _Hook.answer = 200
    first_run = len(received)
    with demo_store.session() as session:
        rules.set_webhooks(session, _ceo(demo_store), f"{base}/slack/new-secret", "")
    with clock.pinned(dt.datetime(2026, 12, 5, 7, 30, tzinfo=dt.UTC)):
        with demo_store.session() as session:
            result = notify(session, COMMAND_LINE, DECEMBER_5, smtp=_smtp(port))
    assert first_run and {path for path, _ in received[:first_run]} == {"/slack/leaked-secret"}
    assert {path for path, _ in received[first_run:]} == {"/slack/new-secret"}
    assert [line for line in result.sent if line.channel == "slack"]
    addresses = {n.address for n in _notices(demo_store) if n.channel == "slack"}
    assert addresses == {base + "/…"}


def test_a_title_typed_with_a_line_separator_is_sent_on_one_line(demo_store, smtp_server):
    """An e-mail header cannot hold a line break: the subject is put on one line, and one
    odd notice never stops the run."""
    inbox, port = smtp_server
    ceo = _ceo(demo_store)
    with demo_store.session() as session:
        review.record_item(
            session, ceo, "2026-11", "action", "Brief\u2028the agency\x85now", "CMO", "2026-12-06"
        )
    result = _run(demo_store, DECEMBER_5, _smtp(port))
    assert not result.failed, result.as_json()
    subjects = [
        email.message_from_bytes(raw, policy=email.policy.default)["Subject"]
        for _, raw in inbox.messages
    ]
    assert any("Brief the agency now" in subject for subject in subjects), subjects
