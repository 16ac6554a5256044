"""Database triggers that make the audit trail append-only, and the one sanctioned way
around them: wiping a whole store (loading the demo over it, restoring a backup)."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from db.models import AuditHead
from db.models import Base

_QUEUED = "samepage_queued_transaction"

SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
)
POSTGRES_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE
       ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
)


def install(connection: Connection) -> None:
    for statement in SQLITE_TRIGGERS if connection.dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        connection.execute(text(statement))


def wipe_all(connection: Connection) -> None:
    """Empty every table, the audit trail included, and start a new audit chain."""
    tables = list(reversed(Base.metadata.sorted_tables))
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for table in tables:
            connection.execute(table.delete())
        install(connection)
    connection.execute(
        text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, NULL, NULL)")
    )


def queue_writer(session: Session) -> None:
    """Wait for this transaction's turn to write, before it reads what it will change.

    Every write ends in the audit chain, whose head row each writer locks; taking that lock
    first, once per transaction, puts writers in one queue: no deadlock between two saves
    touching the same rows in different orders, and each writer's checks see the previous
    writer's committed result. SQLite already serialises writers (BEGIN IMMEDIATE).
    """
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        return
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_QUEUED) is transaction:
        return
    session.execute(
        select(AuditHead.__table__.c.id).where(AuditHead.__table__.c.id == 1).with_for_update()
    )
    session.info[_QUEUED] = session.get_transaction()


def queue_writers_on_flush(sessions: sessionmaker) -> None:
    """Writes that no service queued explicitly (a log-in's bookkeeping) queue at their first
    flush, so the lock order stays the same for every writer."""

    @event.listens_for(sessions, "before_flush")
    def _queue(session: Session, _context: object, _instances: object) -> None:
        if session.new or session.dirty or session.deleted:
            queue_writer(session)
