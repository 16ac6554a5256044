"""The audit trail on SQLite and PostgreSQL: every write recorded with old and new value,
history that the database refuses to rewrite, and a chain that names the first broken link."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from alignment import audit
from alignment import clock
from alignment.budget import BudgetChanges
from alignment.budget import LineEdit
from alignment.budget import save_changes
from alignment.checklist import add_item
from alignment.permissions import COMMAND_LINE
from db.models import AuditEvent
from db.models import BudgetLine
from tests.cli.test_cli import run
from tests.conftest import DEMO_TODAY


@pytest.fixture
def edited(demo_store, demo_actors):
    """The demo company after the CMO changed one line's actual spend to 4,321.00."""
    with demo_store.session() as session:
        line = session.scalars(sa.select(BudgetLine).order_by(BudgetLine.id.desc())).first()
        old_spend = line.actual_spend
        edit = LineEdit(line.id, line.version, {"actual_spend": 4321})
        save_changes(session, demo_actors["CMO"], BudgetChanges(edits=[edit]))
    return demo_store, line.id, old_spend


def newest(store) -> AuditEvent:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def test_a_write_records_who_when_what_and_the_old_and_new_value(edited, demo_actors):
    store, line_id, old_spend = edited
    event = newest(store)
    assert (event.user_id, event.actor) == (demo_actors["CMO"].user_id, "Priya Raman (CMO)")
    assert (event.action, event.object_type, event.object_id) == (
        "edit",
        "budget_line",
        str(line_id),
    )
    assert event.old_value == {"actual_spend": old_spend}
    assert event.new_value["actual_spend"] == 432_100
    assert event.at.date() == DEMO_TODAY, "the event is stamped by the pinned clock"
    assert abs(event.at - clock.utc_now()) < dt.timedelta(minutes=1)


def test_the_database_refuses_to_change_or_delete_an_event(edited):
    store, _, _ = edited
    event_id = newest(store).id
    for statement in (
        "UPDATE audit_events SET actor = 'someone else' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(sa.text(statement), {"id": event_id})
    assert newest(store).actor == "Priya Raman (CMO)"


def _tamper(store, statement: str, **params) -> None:  # type: ignore[no-untyped-def]
    """What someone with direct database access could do after switching the guard off."""
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.execute(sa.text("DROP TRIGGER audit_events_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
        conn.execute(sa.text(statement), params)


def _check(store) -> audit.ChainCheck:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return audit.verify(session, COMMAND_LINE)


def test_an_intact_trail_verifies(edited):
    store, _, _ = edited
    check = _check(store)
    assert check.intact and check.events > 1


def test_a_changed_value_is_the_first_broken_link(edited):
    store, _, _ = edited
    target = newest(store).id - 1
    _tamper(store, "UPDATE audit_events SET actor = 'Nobody' WHERE id = :id", id=target)
    check = _check(store)
    assert not check.intact
    assert check.broken_at == target
    assert "no longer matches its hash" in check.reason


def test_a_removed_event_breaks_the_link_of_the_next(edited):
    store, _, _ = edited
    last = newest(store).id
    _tamper(store, "DELETE FROM audit_events WHERE id = :id", id=last - 1)
    check = _check(store)
    assert (check.broken_at, "link" in check.reason) == (last, True)


def test_removing_the_newest_events_is_noticed(edited):
    store, _, _ = edited
    _tamper(store, "DELETE FROM audit_events WHERE id = :id", id=newest(store).id)
    check = _check(store)
    assert not check.intact and "newest events were removed" in check.reason


def test_audit_verify_on_the_command_line_names_the_broken_event(edited):
    store, _, _ = edited
    assert run(store.url, "audit", "verify").returncode == 0
    target = newest(store).id
    _tamper(store, "UPDATE audit_events SET action = 'nothing' WHERE id = :id", id=target)
    result = run(store.url, "audit", "verify")
    assert result.returncode == 2
    assert f"broken at event {target}" in result.stderr


def test_the_trail_filters_by_person_object_and_day(edited, demo_actors):
    store, line_id, _ = edited
    with store.session() as session:
        add_item(session, demo_actors["CEO"], "Audited statement")
    with store.session() as session:
        people, objects = audit.trail_filters(session, demo_actors["viewer"])
        assert {"Priya Raman (CMO)", "Maya Lindqvist (CEO)"} <= set(people)
        assert {"budget_line", "checklist_item"} <= set(objects)
        mine = audit.trail(session, demo_actors["viewer"], person="Priya Raman (CMO)")
        assert set(mine["who"]) == {"Priya Raman (CMO)"}
        assert str(line_id) in set(mine["object_id"])
        items = audit.trail(session, demo_actors["viewer"], object_type="checklist_item")
        assert list(items["action"]) == ["add"]
        today = DEMO_TODAY
        assert audit.trail(session, demo_actors["viewer"], last_day=today - dt.timedelta(1)).empty
        assert len(audit.trail(session, demo_actors["viewer"], first_day=today)) >= 2
