"""forecast lines: the CMO's expectation for the rest of a fiscal year, per month, channel
and campaign, each figure marked by where it came from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("spend", sa.BigInteger(), nullable=True),
        sa.Column("pipeline", sa.BigInteger(), nullable=True),
        sa.Column("revenue", sa.BigInteger(), nullable=True),
        sa.Column("new_customers", sa.Integer(), nullable=True),
        sa.Column("spend_from", sa.String(length=16), nullable=True),
        sa.Column("pipeline_from", sa.String(length=16), nullable=True),
        sa.Column("revenue_from", sa.String(length=16), nullable=True),
        sa.Column("new_customers_from", sa.String(length=16), nullable=True),
        sa.Column("source_file", sa.String(length=500), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_forecast_lines_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_forecast_lines_entered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_lines")),
        sa.UniqueConstraint("month", "channel_id", "campaign", name="uq_forecast_lines_key"),
    )
    op.create_index(op.f("ix_forecast_lines_month"), "forecast_lines", ["month"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_forecast_lines_month"), table_name="forecast_lines")
    op.drop_table("forecast_lines")
