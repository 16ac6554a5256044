"""Database triggers that make the audit trail append-only, and the one sanctioned way
around them: wiping a whole store (loading the demo over it, restoring a backup)."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import text

from db.models import Base

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
