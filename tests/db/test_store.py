"""Opening, upgrading and refusing stores, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from alignment.access.permissions import COMMAND_LINE
from alignment.access.users import demo_actors as demo_actors_of
from alignment.company.sample import load_sample
from alignment.edges.store import open_store
from alignment.shared.errors import StoreBusy
from alignment.shared.errors import StoreTooNew
from alignment.shared.errors import StoreUnavailable
from alignment.trust.checklist import add_item
from alignment.trust.checklist import items
from db import engine as engine_module
from db import migrate
from db.models import Base
from tests.conftest import DEMO_TODAY


def test_an_empty_store_is_upgraded_to_the_newest_schema(store):
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_migrations_produce_exactly_the_models_schema(store):
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_an_older_store_is_upgraded_on_open(store):
    config = migrate.alembic_config(store.engine)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert migrate.current_revision(store.engine) is None
    reopened = open_store(store.url)
    assert migrate.current_revision(reopened.engine) == migrate.head_revision()
    reopened.close()


def test_a_store_newer_than_the_code_is_refused_and_left_alone(store):
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StoreTooNew, match="newer version of SamePage"):
        open_store(store.url)
    assert migrate.current_revision(store.engine) == "9999_future"


def test_an_unreachable_database_is_one_clear_sentence():
    with pytest.raises(StoreUnavailable) as refused:
        open_store("postgresql+psycopg://nobody:secret@127.0.0.1:1/nowhere?connect_timeout=2")
    message = str(refused.value)
    assert message.startswith(
        "Cannot reach the store at postgresql+psycopg://nobody:***@127.0.0.1:1"
    )
    assert "secret" not in message
    assert "\n" not in message


def test_a_sqlite_file_in_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(StoreUnavailable, match="unable to open database file"):
        open_store(f"sqlite:///{tmp_path}/missing/folder/store.db")
    assert not (tmp_path / "missing").exists()


def test_a_malformed_url_is_refused():
    with pytest.raises(StoreUnavailable, match="is not valid"):
        open_store("not a url at all")


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    store.close()


def test_foreign_keys_are_enforced(store):
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO budget_lines (month, channel_id, campaign, source, entered_at, "
                "reconciled, version) VALUES ('2026-01', 999, '', 'typed', '2026-01-01', "
                "false, 1)"
            )
        )


def test_a_lock_wait_that_runs_out_is_a_sentence_and_writes_nothing(store_url, monkeypatch):
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    store = open_store(store_url)
    with store.session() as session:
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY)
        ceo = next(a for a in demo_actors_of(session) if a.role == "CEO")
    holding = sa.create_engine(store_url)
    holder = holding.connect()
    try:
        if store.dialect == "sqlite":
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            holder.execute(sa.text("SELECT id FROM audit_head FOR UPDATE"))
        with pytest.raises(StoreBusy, match="busy with another change"):
            with store.session() as session:
                if store.dialect == "postgresql":
                    session.execute(sa.text("SET lock_timeout = '200ms'"))
                add_item(session, ceo, "Written while the store was busy")
    finally:
        holder.rollback()
        holder.close()
        holding.dispose()
    with store.session() as session:
        assert "Written while the store was busy" not in [i.text for i in items(session, ceo)]
    store.close()
