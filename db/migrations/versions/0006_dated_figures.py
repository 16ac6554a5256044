"""dated figures: the weekly (or daily) rows behind imported monthly budget lines

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dated_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("actual_spend", sa.BigInteger(), nullable=True),
        sa.Column("attributed_pipeline", sa.BigInteger(), nullable=True),
        sa.Column("attributed_revenue", sa.BigInteger(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_dated_figures_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_dated_figures_import_id_imports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dated_figures")),
        sa.UniqueConstraint("day", "channel_id", "campaign", name="uq_dated_figures_key"),
    )
    op.create_index("ix_dated_figures_month", "dated_figures", ["month"])


def downgrade() -> None:
    op.drop_index("ix_dated_figures_month", table_name="dated_figures")
    op.drop_table("dated_figures")
