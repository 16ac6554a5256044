"""invoices: finance's invoice and ledger lines, matched to the commitments they pay; how
many days a commitment may go without an invoice before the CFO is told

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 18:40:00
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _po_key(number: str) -> str:
    """commitments.po_key as it was when this migration was written (kept here, frozen)."""
    text = unicodedata.normalize("NFKC", number or "").casefold().strip()
    text = re.sub(
        r"^(?:p\.?\s?o\.?|purchase\s+order)(?:\s*(?:no\.?|nr\.?|number|#))?(?=[\s\-_/.#:]*\d)",
        "",
        text,
    )
    return re.sub(r"[\s\-_/.#:]+", "", text)


def upgrade() -> None:
    with op.batch_alter_table("commitments") as batch:
        batch.add_column(
            sa.Column("po_key", sa.String(length=100), nullable=False, server_default="")
        )
    connection = op.get_bind()
    commitments = sa.table(
        "commitments", sa.column("id", sa.Integer), sa.column("po_number"), sa.column("po_key")
    )
    for row_id, number in connection.execute(sa.select(commitments.c.id, commitments.c.po_number)):
        connection.execute(
            commitments.update().where(commitments.c.id == row_id).values(po_key=_po_key(number))
        )
    with op.batch_alter_table("commitments") as batch:
        batch.alter_column("po_key", server_default=None)
        batch.create_index(batch.f("ix_commitments_po_key"), ["po_key"])
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("po_reference", sa.String(length=200), nullable=False),
        sa.Column("gl_account", sa.String(length=200), nullable=False),
        sa.Column("invoice_number", sa.String(length=200), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=True),
        sa.Column("matched_how", sa.String(length=16), nullable=True),
        sa.Column("matched_by_id", sa.Integer(), nullable=True),
        sa.Column("matched_at", sa.DateTime(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("file_row", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_invoices_amount_not_negative")),
        sa.CheckConstraint(
            "(commitment_id IS NULL) = (matched_how IS NULL)",
            name=op.f("ck_invoices_matched_says_how"),
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitments.id"], name=op.f("fk_invoices_commitment_id_commitments")
        ),
        sa.ForeignKeyConstraint(
            ["matched_by_id"], ["users.id"], name=op.f("fk_invoices_matched_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_invoices_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_invoices_entered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
    )
    op.create_index(op.f("ix_invoices_month"), "invoices", ["month"])
    op.create_index(op.f("ix_invoices_commitment_id"), "invoices", ["commitment_id"])
    with op.batch_alter_table("company_settings") as batch:
        batch.add_column(
            sa.Column("stale_commitment_days", sa.Integer(), nullable=False, server_default="60")
        )


def downgrade() -> None:
    with op.batch_alter_table("commitments") as batch:
        batch.drop_index(batch.f("ix_commitments_po_key"))
        batch.drop_column("po_key")
    with op.batch_alter_table("company_settings") as batch:
        batch.drop_column("stale_commitment_days")
    op.drop_index(op.f("ix_invoices_commitment_id"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_month"), table_name="invoices")
    op.drop_table("invoices")
