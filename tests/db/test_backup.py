"""Backup and restore round trips, on SQLite and PostgreSQL, compared table by table."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.access.users import demo_actors
from alignment.company.sample import load_sample
from alignment.edges.store import Store
from alignment.edges.store import open_store
from alignment.records import audit
from alignment.records.backup import back_up
from alignment.records.backup import restore
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import StoreNotEmpty
from alignment.shared.errors import StoreTooNew
from alignment.shared.errors import ValidationFailed
from alignment.spend.budget import BudgetChanges
from alignment.spend.budget import LineEdit
from alignment.spend.budget import save_changes
from alignment.trust.checklist import add_item
from db.models import AuditEvent
from db.models import Base
from db.models import BudgetLine
from tests.conftest import DEMO_TODAY


def every_row(store: Store) -> dict[str, list[dict]]:
    with store.engine.connect() as conn:
        return {
            table.name: [
                dict(row)
                for row in conn.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in Base.metadata.sorted_tables
        }


def ceo_of(session):  # type: ignore[no-untyped-def]
    return next(a for a in demo_actors(session) if a.role == "CEO")


def without_restore_event(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The tables as the backup held them: the restore's own audit event taken off."""
    events = rows["audit_events"]
    assert events[-1]["action"] == "restore"
    head = {**rows["audit_head"][0], "last_id": events[-2]["id"], "last_hash": events[-2]["hash"]}
    return {**rows, "audit_events": events[:-1], "audit_head": [head]}


@pytest.fixture
def busy_store(demo_store, demo_actors):
    """The demo company after a few edits, so the audit chain has more than the load."""
    with demo_store.session() as session:
        line = session.scalars(sa.select(BudgetLine).order_by(BudgetLine.id.desc())).first()
        edit = LineEdit(line.id, line.version, {"actual_spend": 12_345.67})
        save_changes(session, demo_actors["CMO"], BudgetChanges(edits=[edit]))
    with demo_store.session() as session:
        add_item(session, demo_actors["CEO"], "Ünïcode, 'quotes' and <b>tags</b> survive.")
    return demo_store


def test_backup_then_restore_gives_back_every_row_of_every_table(busy_store, tmp_path):
    before = every_row(busy_store)
    summary = back_up(busy_store, COMMAND_LINE, tmp_path / "monday.samepage")
    assert summary.rows["budget_lines"] == len(before["budget_lines"]) > 0
    with sqlite3.connect(tmp_path / "monday.samepage") as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    with busy_store.session() as session:
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY, replace=True)
    assert every_row(busy_store) != before

    restore(busy_store, COMMAND_LINE, tmp_path / "monday.samepage", replace=True)
    after = every_row(busy_store)
    assert without_restore_event(after) == before
    with busy_store.session() as session:
        assert audit.verify(session, COMMAND_LINE).intact
        new_item = add_item(session, ceo_of(session), "Added after the restore")
    assert new_item > max(row["id"] for row in before["checklist_items"])


def test_a_backup_moves_a_team_between_databases(busy_store, tmp_path):
    before = every_row(busy_store)
    back_up(busy_store, COMMAND_LINE, tmp_path / "move.samepage")
    other = open_store(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    restore(other, COMMAND_LINE, tmp_path / "move.samepage")
    assert without_restore_event(every_row(other)) == before
    other.close()


def test_restore_refuses_over_data_without_replace_and_changes_nothing(busy_store, tmp_path):
    back_up(busy_store, COMMAND_LINE, tmp_path / "b.samepage")
    with busy_store.session() as session:
        add_item(session, ceo_of(session), "Kept: the restore was refused")
    before = every_row(busy_store)
    with pytest.raises(StoreNotEmpty, match="--replace"):
        restore(busy_store, COMMAND_LINE, tmp_path / "b.samepage")
    assert every_row(busy_store) == before


def test_bad_backups_are_refused_with_a_sentence(store, tmp_path):
    (tmp_path / "notes.txt").write_text("not a database")
    with pytest.raises(ValidationFailed, match="is not a SamePage backup"):
        restore(store, COMMAND_LINE, tmp_path / "notes.txt")
    with pytest.raises(ValidationFailed, match="There is no backup"):
        restore(store, COMMAND_LINE, tmp_path / "missing.samepage")
    newer = tmp_path / "newer.samepage"
    back_up(store, COMMAND_LINE, newer)
    with sqlite3.connect(newer) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(StoreTooNew, match="newer version of SamePage"):
        restore(store, COMMAND_LINE, newer)
    with pytest.raises(ValidationFailed, match="already exists"):
        back_up(store, COMMAND_LINE, newer)


def test_only_the_administrator_backs_up_and_restores(demo_store, demo_actors, tmp_path):
    for role in ("CEO", "CFO", "CMO", "viewer"):
        with pytest.raises(PermissionDenied):
            back_up(demo_store, demo_actors[role], tmp_path / f"{role}.samepage")
        with pytest.raises(PermissionDenied):
            restore(demo_store, demo_actors[role], tmp_path / "x.samepage", replace=True)
    assert not list(tmp_path.glob("*.samepage"))
    with demo_store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) > 0
