"""The audit trail on SQLite and PostgreSQL: every write recorded with old and new value,
history that the database refuses to rewrite, and a chain that names the first broken link."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.records import audit
from alignment.shared import clock
from alignment.spend.budget import BudgetChanges
from alignment.spend.budget import LineEdit
from alignment.spend.budget import save_changes
from alignment.trust.checklist import add_item
from db import audit_guard
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


def _drop_guards(conn, dialect: str) -> None:  # type: ignore[no-untyped-def]
    """What an owner of the tables can always do: switch every guard off."""
    if dialect == "sqlite":
        for name in audit_guard.SQLITE_TRIGGER_NAMES:
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
    else:
        for table in audit_guard.GUARDED_TABLES:
            conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


def _rechain_without_the_key(store) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: drop the triggers, change an event, delete another, recompute the plain
    SHA-256 chain and the head, as the old verify would have accepted."""
    with store.engine.begin() as conn:
        _drop_guards(conn, store.dialect)
        ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM audit_events ORDER BY id"))]
        conn.execute(
            sa.text("UPDATE audit_events SET actor = 'Nobody' WHERE id = :i"), {"i": ids[0]}
        )
        conn.execute(sa.text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[-1]})
    with store.session() as session:
        previous = None
        rows = list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
        links = []
        for event in rows:
            links.append((event.id, previous, audit.legacy_hash(previous, event)))
            previous = links[-1][2]
    with store.engine.begin() as conn:
        for event_id, prev, link in links:
            conn.execute(
                sa.text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": link, "i": event_id},
            )
        conn.execute(
            sa.text("UPDATE audit_head SET last_id = :i, last_hash = :h"),
            {"i": links[-1][0], "h": links[-1][2]},
        )


def test_a_chain_rewritten_without_the_key_is_broken(edited):
    store, _, _ = edited
    _rechain_without_the_key(store)
    check = _check(store)
    assert not check.intact
    assert "signing key" in check.reason
    result = run(store.url, "audit", "verify")
    assert result.returncode == 2 and "broken" in result.stderr


def test_a_chain_rewritten_with_a_guessed_key_is_broken(edited):
    store, _, _ = edited
    with store.engine.begin() as conn:
        _drop_guards(conn, store.dialect)
        conn.execute(sa.text("UPDATE audit_events SET actor = 'Nobody'"))
    with store.session() as session:
        previous, links = None, []
        for event in session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)):
            links.append((event.id, previous, audit.event_hash(b"guessed", previous, event)))
            previous = links[-1][2]
    with store.engine.begin() as conn:
        for event_id, prev, link in links:
            conn.execute(
                sa.text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": link, "i": event_id},
            )
        conn.execute(sa.text("UPDATE audit_head SET last_hash = :h"), {"h": links[-1][2]})
    check = _check(store)
    assert not check.intact and check.broken_at == links[0][0]


def test_deleting_the_newest_event_and_the_head_is_noticed(edited):
    """Issue 15: the tail check was skipped when the head row was missing."""
    store, _, _ = edited
    last = newest(store).id
    with store.engine.begin() as conn:
        _drop_guards(conn, store.dialect)
        conn.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": last})
        conn.execute(sa.text("DELETE FROM audit_head"))
    check = _check(store)
    assert not check.intact and "head of the chain is missing" in check.reason
    assert run(store.url, "audit", "verify").returncode == 2


def test_emptying_the_whole_trail_of_a_store_with_data_is_noticed(edited):
    store, _, _ = edited
    with store.engine.begin() as conn:
        _drop_guards(conn, store.dialect)
        conn.execute(sa.text("DELETE FROM audit_events"))
        conn.execute(sa.text("UPDATE audit_head SET last_id = NULL, last_hash = NULL"))
    check = _check(store)
    assert not check.intact and "so the trail was emptied" in check.reason


def test_emptying_the_trail_of_a_store_without_signatures_is_noticed(store):
    """A team that has entered figures but signed nothing yet: the empty trail itself
    gives the deletion away, since every change leaves an event."""
    with store.session() as session:
        add_item(session, Actor(None, "Maya", Role.CEO), "We share one plan")
    assert _check(store).intact
    with store.engine.begin() as conn:
        _drop_guards(conn, store.dialect)
        conn.execute(sa.text("DELETE FROM audit_events"))
        conn.execute(sa.text("UPDATE audit_head SET last_id = NULL, last_hash = NULL"))
    check = _check(store)
    assert not check.intact and "holds data (checklist_items)" in check.reason


def test_a_new_store_with_only_failed_log_ins_is_intact(store):
    with store.session() as session, pytest.raises(accounts.LoginRefused):
        accounts.log_in(session, "nobody@example.com", "a wrong password")
    assert _check(store).intact


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_head",
        "UPDATE audit_head SET last_id = last_id - 1",
        "UPDATE audit_head SET last_hash = NULL",
        "UPDATE audit_head SET last_id = NULL, last_hash = NULL",
    ],
)
def test_the_database_refuses_to_remove_or_set_back_the_head(edited, statement):
    store, _, _ = edited
    with pytest.raises(sa.exc.DatabaseError, match="audit head"):
        with store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert _check(store).intact


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_postgresql_refuses_to_truncate_the_trail_or_the_head(edited):
    store, _, _ = edited
    assert store.dialect == "postgresql"
    for table in ("audit_events", "audit_head"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only|audit head"):
            with store.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {table} CASCADE"))
    assert _check(store).intact and _check(store).events >= 2


def test_a_printed_head_proves_nothing_before_it_changed(edited, demo_actors):
    store, _, _ = edited
    with store.session() as session:
        printed = audit.current_head(session)
        add_item(session, demo_actors["CEO"], "Written after the pack was printed")
    assert printed is not None
    result = run(store.url, "audit", "verify", "--head", printed.text)
    assert result.returncode == 0, result.stderr
    assert f"Nothing up to event {printed.sequence} changed" in result.stdout
    with store.session() as session:
        assert audit.verify(session, COMMAND_LINE, printed).witness == printed
    forged = audit.Head(printed.sequence, "0" * 64)
    with store.session() as session:
        check = audit.verify(session, COMMAND_LINE, forged)
    assert not check.intact and check.broken_at == printed.sequence
    missing = audit.Head(printed.sequence + 1000, printed.hash)
    with store.session() as session:
        assert "no longer in the trail" in audit.verify(session, COMMAND_LINE, missing).reason
    bad = run(store.url, "audit", "verify", "--head", "twelve")
    assert bad.returncode == 2 and "SEQUENCE:HASH" in bad.stderr


def test_a_signature_forged_in_the_database_has_no_sign_off(demo_store):
    """A proposal marked signed by a direct UPDATE, given a seal copied from another version:
    no sign-off in the trail vouches for it."""
    with demo_store.engine.begin() as conn:
        seal = conn.execute(
            sa.text("SELECT seal FROM success_definition_versions WHERE state = 'signed_off'")
        ).first()[0]
        conn.execute(
            sa.text(
                "UPDATE success_definition_versions SET state = 'signed_off', seal = :s, "
                "signed_by_id = proposed_by_id, signed_at = proposed_at WHERE state = 'proposed'"
            ),
            {"s": seal},
        )
    check = _check(demo_store)
    assert not check.intact and "no sign-off" in check.reason
