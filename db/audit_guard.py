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

# The head only moves forward, to an event that exists with that very hash: it cannot be
# set back to hide the newest events, nor pointed at nothing (the same condition on both
# databases, below).

SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_head
       WHEN EXISTS (SELECT 1 FROM audit_events)
       BEGIN SELECT RAISE(ABORT, 'the audit head cannot be removed'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_head_forward BEFORE UPDATE ON audit_head
       WHEN NEW.id <> OLD.id OR NEW.last_id IS NULL
              OR (OLD.last_id IS NOT NULL AND NEW.last_id <= OLD.last_id)
              OR NOT EXISTS (SELECT 1 FROM audit_events
                             WHERE id = NEW.last_id AND hash = NEW.last_hash)
       BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END""",
)
SQLITE_TRIGGER_NAMES = (
    "audit_events_no_update",
    "audit_events_no_delete",
    "audit_head_no_delete",
    "audit_head_forward",
)
POSTGRES_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE
       ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE OR REPLACE TRIGGER audit_events_no_truncate BEFORE TRUNCATE
       ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE OR REPLACE FUNCTION audit_head_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'TRUNCATE' THEN
           RAISE EXCEPTION 'the audit head cannot be removed';
         END IF;
         IF TG_OP = 'DELETE' THEN
           IF EXISTS (SELECT 1 FROM audit_events) THEN
             RAISE EXCEPTION 'the audit head cannot be removed';
           END IF;
           RETURN OLD;
         END IF;
         IF NEW.id <> OLD.id OR NEW.last_id IS NULL
              OR (OLD.last_id IS NOT NULL AND NEW.last_id <= OLD.last_id)
              OR NOT EXISTS (SELECT 1 FROM audit_events
                             WHERE id = NEW.last_id AND hash = NEW.last_hash) THEN
           RAISE EXCEPTION 'the audit head only moves forward';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER audit_head_no_change BEFORE UPDATE OR DELETE
       ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_head_guard()""",
    """CREATE OR REPLACE TRIGGER audit_head_no_truncate BEFORE TRUNCATE
       ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION audit_head_guard()""",
)
GUARDED_TABLES = ("audit_events", "audit_head")


def install(connection: Connection) -> None:
    for statement in SQLITE_TRIGGERS if connection.dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        connection.execute(text(statement))


def wipe_all(connection: Connection) -> None:
    """Empty every table, the audit trail included, and start a new audit chain.

    The guards are switched off for this one transaction: on PostgreSQL that takes the
    tables' owner, so an application role that may only read and insert audit events
    (README) cannot wipe the trail, and loading the demo or restoring a backup over a
    store is then the owner's job."""
    tables = list(reversed(Base.metadata.sorted_tables))
    if connection.dialect.name == "postgresql":
        for table in GUARDED_TABLES:
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        names = ", ".join(f'"{t.name}"' for t in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in GUARDED_TABLES:
            connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    else:
        for name in SQLITE_TRIGGER_NAMES:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
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
