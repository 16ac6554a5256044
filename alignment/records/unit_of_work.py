"""The one way anything in the store changes: ``with writing(session, actor, Action.X) as w``.

The block checks the permission before anything is read, queues on the audit chain's
head (so writers take turns and each sees the last one's result), lets the use case
change rows and record what it changed with ``w.record``, then commits once. Any
exception rolls the whole block back, so a refusal changes nothing. A block that recorded
no event is rolled back too: a change nobody can see in the audit trail does not happen.

Use cases that call other use cases share the outer block (one commit, one queue turn);
the inner one still checks its own permission.

The log-in's own rows (failure counts, log-in sessions) are not the team's data and are
not audited; they go through ``bookkeeping``, the only other place that commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import TypeVar

from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.records import audit
from alignment.shared.errors import ValidationFailed
from db.audit_guard import queue_writer
from db.models import AuditEvent

_OPEN = "samepage.unit_of_work"

Row = TypeVar("Row")


@dataclass
class Write:
    """An open unit of work: what the use case recorded so far, for the audit trail."""

    session: Session
    actor: Actor
    events: list[AuditEvent] = field(default_factory=list)

    def record(
        self,
        what: str,
        object_type: str,
        object_id: str | int | None = None,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """One audit event, by this unit's actor, committed with the change it describes."""
        event = audit.record(self.session, self.actor, what, object_type, object_id, old, new)
        self.events.append(event)
        return event

    def existing(self, model: type[Row], row_id: int | None, gone: str) -> Row:
        """The row this change is about; ``gone`` tells the user when someone removed it
        since their page was drawn."""
        row = None if row_id is None else self.session.get(model, row_id)
        if row is None:
            raise ValidationFailed(gone)
        return row

    def change(self, row: Any, name: str, value: Any, object_type: str) -> bool:
        """Set one field and record its old and new value under the field's name; an
        unchanged value records nothing. True when it changed."""
        old = getattr(row, name)
        if old == value:
            return False
        self.record(name, object_type, row.id, {name: old}, {name: value})
        setattr(row, name, value)
        return True


@contextmanager
def writing(session: Session, actor: Actor, action: Action) -> Iterator[Write]:
    """Permission, queue, change, audit, one commit; or a rollback that leaves no trace."""
    require(actor, action)
    outer: Write | None = session.info.get(_OPEN)
    if outer is not None:
        yield outer
        return
    queue_writer(session)
    unit = Write(session, actor)
    session.info[_OPEN] = unit
    try:
        yield unit
        if unit.events:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)


@contextmanager
def bookkeeping(session: Session) -> Iterator[Session]:
    """The log-in's own rows (failed attempts, log-in sessions), committed without an
    audit event: they say who is logged in, not what the team agreed or entered."""
    if session.info.get(_OPEN) is not None:
        raise RuntimeError("Log-in bookkeeping cannot run inside a change to the store.")
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
