"""``notify``: queue what is due today, then deliver what the outbox holds. One use case for
the command line (cron, a systemd timer) and the administrator's button.

A dry run reads what would be queued and what would be tried, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.notices import outbox
from alignment.notices.chat import post_chat
from alignment.notices.chat import shown_address
from alignment.notices.delivery import DeliveryFailed
from alignment.notices.delivery import Outgoing
from alignment.notices.due import due_notices
from alignment.notices.mail import SmtpSetup
from alignment.notices.mail import send_email
from alignment.notices.mail import smtp_setup
from alignment.notices.outbox import CHANNEL_WORDS
from alignment.notices.rules import current_webhook
from alignment.shared import clock
from alignment.shared.errors import SamePageError
from alignment.shared.periods import parse_month

log = logging.getLogger("samepage")


@dataclass(frozen=True)
class Line:
    key: str
    channel: str
    to: str
    subject: str
    outcome: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "key": self.key,
            "channel": self.channel,
            "to": self.to,
            "subject": self.subject,
            "outcome": self.outcome,
        }


@dataclass
class NotifyResult:
    today: dt.date
    dry_run: bool
    queued: list[Line] = field(default_factory=list)
    """Newly in the outbox (a dry run: would be)."""
    not_deliverable: list[Line] = field(default_factory=list)
    """Queued straight as not delivered: no e-mail address."""
    sent: list[Line] = field(default_factory=list)
    retrying: list[Line] = field(default_factory=list)
    failed: list[Line] = field(default_factory=list)
    would_try: list[Line] = field(default_factory=list)
    """A dry run: what delivery would try now."""
    waiting: list[str] = field(default_factory=list)
    """Why some notices wait (e-mail not set up)."""
    skipped: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"Dry run for {self.today.isoformat()}, nothing written: "
                f"{len(self.queued)} notice(s) would be queued, {len(self.not_deliverable)} "
                f"of them undeliverable; {len(self.would_try)} queued notice(s) would be tried."
            )
        return (
            f"Notices for {self.today.isoformat()}: {len(self.queued)} queued, "
            f"{len(self.sent)} sent, {len(self.retrying)} to retry, "
            f"{len(self.failed) + len(self.not_deliverable)} not delivered."
        )

    def as_json(self) -> dict[str, Any]:
        lines = ("queued", "not_deliverable", "sent", "retrying", "failed", "would_try")
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            **{name: [x.as_json() for x in getattr(self, name)] for name in lines},
            "waiting": self.waiting,
            "skipped": self.skipped,
            "left_out": self.left_out,
        }


def _to(channel: str, address: str) -> str:
    """Where a notice goes, as printed: a webhook's secret path is left out."""
    return address if channel == "email" else shown_address(address)


def _waiting(smtp: SmtpSetup) -> dict[str, str]:
    return {} if smtp.settings is not None else {"email": smtp.problem}


def notify(
    session: Session,
    actor: Actor,
    today: dt.date | None = None,
    dry_run: bool = False,
    smtp: SmtpSetup | None = None,
) -> NotifyResult:
    """Queue every notice due ``today`` (default: the clock's), then try every queued
    notice whose time has come. Nothing here raises for a delivery problem: it is kept in
    the outbox and reported."""
    require(actor, Action.SEND_NOTICES)
    day = today or clock.today()
    setup = smtp or smtp_setup()
    waiting = _waiting(setup)
    result = NotifyResult(day, dry_run, waiting=list(waiting.values()))
    due = due_notices(session, actor, day)
    result.skipped, result.left_out = due.skipped, due.left_out
    known = outbox.existing_keys(session, [d.key for d in due.drafts])
    new = [d for d in due.drafts if d.key not in known]
    new = list({d.key: d for d in new}.values())
    for draft in new:
        line = Line(
            draft.key,
            draft.channel,
            _to(draft.channel, draft.address),
            draft.subject,
            draft.problem,
        )
        (result.not_deliverable if draft.problem else result.queued).append(line)
    if dry_run:
        session.rollback()
        result.would_try = [
            Line(v.key, v.channel, v.to, v.subject)
            for v in outbox.due_for_delivery(session, actor)
            if v.channel not in waiting
        ]
        result.would_try += [
            Line(d.key, d.channel, _to(d.channel, d.address), d.subject)
            for d in new
            if not d.problem and d.channel not in waiting
        ]
        return result
    session.rollback()
    if new:
        outbox.queue(session, actor, new)
    while batch := outbox.claim_due(session, actor, waiting, limit=1):
        claimed = batch[0]
        line = Line(
            claimed.key, claimed.channel, _to(claimed.channel, claimed.address), claimed.subject
        )
        error = _deliver(session, actor, claimed, setup)
        status = outbox.settle(session, actor, claimed.id, error)
        done = Line(line.key, line.channel, line.to, line.subject, error or "sent")
        {outbox.SENT: result.sent, outbox.QUEUED: result.retrying}.get(
            status, result.failed
        ).append(done)
    return result


def _deliver(
    session: Session, actor: Actor, claimed: outbox.Claimed, setup: SmtpSetup
) -> str | None:
    """Send one claimed notice; the reason it did not go, or None."""
    try:
        name, data = _attachment(session, actor, claimed.attachment)
        address = claimed.address
        if claimed.channel != "email":
            address = current_webhook(session, claimed.channel)
            if not address:
                return f"The {CHANNEL_WORDS[claimed.channel]} webhook is switched off."
        outgoing = Outgoing(claimed.channel, address, claimed.subject, claimed.body, name, data)
        if claimed.channel == "email":
            if setup.settings is None:
                return setup.problem
            send_email(setup.settings, outgoing)
        else:
            post_chat(outgoing)
    except DeliveryFailed as exc:
        return str(exc)
    except SamePageError as exc:
        return f"The notice could not be put together: {exc}"
    except Exception as exc:  # noqa: BLE001 - one notice's failure must not stop the others
        log.exception("Notice %s could not be sent", claimed.key)
        return f"The notice could not be sent ({type(exc).__name__}); the server log says why."
    finally:
        session.rollback()
    return None


def _attachment(
    session: Session, actor: Actor, attachment: str | None
) -> tuple[str | None, bytes | None]:
    """The file a notice carries, built now from what it names (``pack:2026-11``)."""
    if not attachment:
        return None, None
    what, _, month = attachment.partition(":")
    if what != "pack":
        raise DeliveryFailed(f"SamePage does not know the attachment '{attachment}'.")
    from alignment.edges.meeting_pack import pack_pdf
    from alignment.meeting.review import review

    view = review(session, actor, parse_month(month))
    company = company_profile(session, actor).name
    return f"samepage-review-{view.month}.pdf", pack_pdf(view, company)
