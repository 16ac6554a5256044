"""Upgrading a store that holds commitments from 0011 to 0012 (invoices), on SQLite and
PostgreSQL: every commitment gets the key its PO number is compared by, so finance's
references find the orders entered before the upgrade."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.edges.store import open_store
from alignment.shared import clock
from alignment.shared.periods import range_period
from alignment.spend.invoice_import import import_invoices
from alignment.spend.invoice_import import read_invoice_file
from alignment.spend.invoices import invoice_matching
from db import migrate

CFO = Actor(None, "CFO", Role.CFO)


def _store_at_0011(url: str) -> None:
    engine = sa.create_engine(url)
    config = migrate.alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011")
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO channels (id, name, horizon) VALUES (1, 'Events', 'short_term')")
        )
        for row_id, number in ((1, "PO-4471"), (2, "4500017")):
            conn.execute(
                sa.text(
                    "INSERT INTO commitments (id, po_number, vendor, channel_id, campaign, amount,"
                    " invoiced, first_month, last_month, entered_at, version) VALUES (:id, :po,"
                    " 'Expo GmbH', 1, '', 100000, 0, '2026-10', '2026-10', :at, 1)"
                ),
                {"id": row_id, "po": number, "at": dt.datetime(2026, 10, 1)},
            )
        if conn.dialect.name == "postgresql":
            for table in ("channels", "commitments"):
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)")
                )
    engine.dispose()


def test_commitments_from_before_the_upgrade_are_found_by_finance_references(store_url):
    open_store(store_url).close()
    _store_at_0011(store_url)
    store = open_store(store_url)
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        with store.engine.connect() as conn:
            keys = dict(conn.execute(sa.text("SELECT po_number, po_key FROM commitments")).all())
        assert keys == {"PO-4471": "4471", "4500017": "4500017"}
        ledger = (
            b"invoice_date,vendor,amount,po_reference\n"
            b"2026-10-05,Expo GmbH,400,po 4471\n2026-10-06,Expo GmbH,300,PO-4500017\n"
        )
        with clock.pinned(dt.date(2026, 11, 2)), store.session() as session:
            import_invoices(session, CFO, read_invoice_file(ledger, "gl.csv"))
            matching = invoice_matching(session, CFO, range_period("2026-10", "2026-10"))
        assert sorted(matching.matched["po_number"]) == ["4500017", "PO-4471"]
    finally:
        store.close()
