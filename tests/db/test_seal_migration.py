"""Upgrading a store signed before seals were keyed, on SQLite and PostgreSQL: a signed
version is re-sealed only when its stored plain hash proves it unchanged; one whose hash
does not match, or is NULL, comes out "changed since sign-off". The old plain-hash trail is
kept and the first keyed event vouches for it, so rewriting it later still shows."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.definitions.success_workflow import definitions_json
from alignment.edges.store import open_store
from alignment.records import audit
from db.models import AuditEvent
from tests.db.test_units_migration import SIGNED_IDS
from tests.db.test_units_migration import _store_at_0007

EDITED_AFTER_SIGNING = 4
NULL_HASH = 6


def _legacy_trail(url: str) -> None:
    """Two events chained with plain SHA-256, as SamePage wrote them before 0009, and the
    edits behind two signatures that the old hash could not show once it was NULL."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        previous = None
        for number, action in enumerate(("load", "sign_off"), start=1):
            event = AuditEvent(
                at=dt.datetime(2026, 1, 9, 10, number),
                user_id=None,
                actor="Before the upgrade",
                action=action,
                object_type="store",
                object_id=None,
                old_value=None,
                new_value={"n": number},
                prev_hash=previous,
            )
            event.hash = audit.legacy_hash(previous, event)
            conn.execute(
                sa.insert(AuditEvent.__table__).values(
                    id=number,
                    at=event.at,
                    actor=event.actor,
                    action=event.action,
                    object_type=event.object_type,
                    new_value=event.new_value,
                    prev_hash=event.prev_hash,
                    hash=event.hash,
                )
            )
            previous = event.hash
        conn.execute(
            sa.text("UPDATE audit_head SET last_id = 2, last_hash = :h WHERE id = 1"),
            {"h": previous},
        )
        conn.execute(
            sa.text(
                "UPDATE success_definition_versions SET measurement = 'Whatever' WHERE id = :v"
            ),
            {"v": EDITED_AFTER_SIGNING},
        )
        conn.execute(
            sa.text(
                "UPDATE success_definition_versions SET content_hash = NULL, "
                "measurement = 'Whatever' WHERE id = :v"
            ),
            {"v": NULL_HASH},
        )
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), 2)"))
    engine.dispose()


@pytest.fixture
def upgraded(store_url):
    open_store(store_url).close()
    _store_at_0007(store_url)
    _legacy_trail(store_url)
    store = open_store(store_url)
    yield store
    store.close()


def test_only_versions_proved_unchanged_are_resealed(upgraded):
    with upgraded.session() as session:
        rows = {r["definition"]: r for r in definitions_json(session, COMMAND_LINE)}
    changed = {i for i in SIGNED_IDS if rows[i]["changed_since_signoff"]}
    assert changed == {EDITED_AFTER_SIGNING, NULL_HASH}
    assert rows[EDITED_AFTER_SIGNING]["seal"] is None and rows[NULL_HASH]["seal"] is None
    assert all(rows[i]["seal"] for i in SIGNED_IDS if i not in changed)
    assert not rows[7]["changed_since_signoff"], "a draft was never signed"


def test_the_old_trail_is_kept_and_vouched_for_by_the_first_keyed_event(upgraded):
    with upgraded.session() as session:
        check = audit.verify(session, COMMAND_LINE)
        seal = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert check.intact, check.reason
    assert check.events == 3 and check.signatures == len(SIGNED_IDS)
    assert (seal.action, seal.actor) == ("seal", "SamePage upgrade")
    assert sorted(seal.new_value["unsealed"]) == [EDITED_AFTER_SIGNING, NULL_HASH]
    with upgraded.engine.begin() as conn:
        if upgraded.dialect == "sqlite":
            conn.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        event = AuditEvent(
            at=dt.datetime(2026, 1, 9, 10, 1),
            user_id=None,
            actor="Someone else",
            action="load",
            object_type="store",
            object_id=None,
            old_value=None,
            new_value={"n": 1},
            prev_hash=None,
        )
        first = audit.legacy_hash(None, event)
        conn.execute(
            sa.text("UPDATE audit_events SET actor = 'Someone else', hash = :h WHERE id = 1"),
            {"h": first},
        )
        second = conn.execute(sa.select(AuditEvent).where(AuditEvent.id == 2)).first()
        rewritten = AuditEvent(**{**second._mapping, "prev_hash": first})
        conn.execute(
            sa.text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = 2"),
            {"p": first, "h": audit.legacy_hash(first, rewritten)},
        )
    with upgraded.session() as session:
        check = audit.verify(session, COMMAND_LINE)
    assert not check.intact and check.broken_at == seal.id
