"""Back up the whole store into one SQLite file, and restore such a file into any store.

A SQLite store is copied with SQLite's online backup API (writers carry on meanwhile); a
PostgreSQL store is copied table by table from one consistent snapshot. Either way the
backup is a SamePage store in a single file, so it can be opened, checked, restored
into SQLite or PostgreSQL, and used to move a team from one to the other.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Table
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from alignment.access.accounts import is_demo_store
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.edges.store import Store
from alignment.edges.store import store_has_data
from alignment.records.unit_of_work import writing
from alignment.shared.errors import StoreNotEmpty
from alignment.shared.errors import StoreTooNew
from alignment.shared.errors import ValidationFailed
from db import audit_guard
from db import migrate
from db.models import AuditHead
from db.models import Base
from db.models import CompanySettings

CHUNK = 10_000


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def back_up(store: Store, actor: Actor, path: Path) -> BackupSummary:
    """Write every table of ``store`` into a new SQLite file at ``path``."""
    require(actor, Action.MANAGE_STORE)
    path = Path(path)
    if path.exists():
        raise ValidationFailed(f"{path} already exists; choose a new file name for the backup.")
    if not path.parent.is_dir():
        raise ValidationFailed(f"There is no folder {path.parent} to write the backup into.")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if store.dialect == "sqlite":
            raw = store.engine.raw_connection()
            try:
                with sqlite3.connect(partial) as target:
                    # A SQLite store's driver is the standard library's sqlite3.
                    cast(sqlite3.Connection, raw.driver_connection).backup(target)
                target.close()
            finally:
                raw.close()
        else:
            target_engine = _sqlite_engine(partial)
            try:
                migrate.upgrade(target_engine)
                with (
                    store.engine.connect().execution_options(
                        isolation_level="REPEATABLE READ"
                    ) as source,
                    target_engine.begin() as destination,
                ):
                    _replace_all(source, destination)
            finally:
                target_engine.dispose()
        rows = _counts(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(path, rows)


def restore(store: Store, actor: Actor, path: Path, *, replace: bool = False) -> BackupSummary:
    """Replace everything ``store`` holds with the backup at ``path``, in one transaction.

    A store that has left demo mode stays out of it, even when the backup was taken while
    it was the demo: otherwise a restore would bring back the role picker on a team's store."""
    require(actor, Action.MANAGE_STORE)
    path = Path(path)
    revision = _backup_revision(path)
    with store.session() as session:
        has_data = store_has_data(session)
        if has_data and not replace:
            raise StoreNotEmpty(
                "The store already holds data; restoring would replace all of it. "
                "Use --replace to wipe the store and restore the backup."
            )
        left_demo = has_data and not is_demo_store(session)
    with tempfile.TemporaryDirectory(prefix="samepage-restore-") as folder:
        copy = Path(folder) / "backup.db"
        shutil.copyfile(path, copy)
        source_engine = _sqlite_engine(copy)
        try:
            if revision != migrate.head_revision():
                migrate.upgrade(source_engine, signing_key=store.signing_key)
            with source_engine.connect() as source, store.engine.begin() as destination:
                _replace_all(source, destination)
                if left_demo:
                    destination.execute(update(CompanySettings).values(demo=False))
        finally:
            source_engine.dispose()
        rows = _counts(copy)
    # The tables were replaced on a connection of their own, all or nothing; the restore is
    # then recorded in the restored trail, so the trail says it happened.
    with store.session() as session, writing(session, actor, Action.MANAGE_STORE) as w:
        w.record(
            "restore",
            "store",
            None,
            None,
            {"file": path.name, "rows": rows, "demo": is_demo_store(session)},
        )
    return BackupSummary(path, rows)


def _sqlite_engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}")


def _backup_revision(path: Path) -> str:
    if not path.is_file():
        raise ValidationFailed(f"There is no backup at {path}.")
    engine = _sqlite_engine(path)
    try:
        revision = migrate.current_revision(engine)
    except DBAPIError:
        revision = None
    finally:
        engine.dispose()
    if revision is None:
        raise ValidationFailed(f"{path} is not a SamePage backup.")
    if revision not in migrate.known_revisions():
        raise StoreTooNew(
            f"{path} was written by a newer version of SamePage (schema {revision}); "
            "install that version to restore it."
        )
    return revision


def _replace_all(source: Connection, destination: Connection) -> None:
    """Make every table of ``destination`` hold exactly the rows of ``source``."""
    audit_guard.wipe_all(destination)
    destination.execute(cast(Table, AuditHead.__table__).delete())
    for table in Base.metadata.sorted_tables:
        result = source.execution_options(stream_results=True).execute(
            select(table).order_by(*table.primary_key.columns)
        )
        for rows in result.mappings().partitions(CHUNK):
            destination.execute(table.insert(), [dict(row) for row in rows])
    if destination.dialect.name == "postgresql":
        _reset_sequences(destination)


def _reset_sequences(connection: Connection) -> None:
    """New rows after a restore get ids above the restored ones."""
    for table in Base.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.autoincrement or table.name == "audit_head":
            continue
        next_id = select(func.coalesce(func.max(column), 0) + 1).scalar_subquery()
        sequence = func.pg_get_serial_sequence(table.name, "id")
        connection.execute(select(func.setval(sequence, next_id, False)))


def _counts(path: Path) -> dict[str, int]:
    engine = _sqlite_engine(path)
    try:
        with engine.connect() as conn:
            return {
                table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()
