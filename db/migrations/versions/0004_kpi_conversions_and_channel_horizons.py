"""kpi unit conversions to their parent, and channel horizons

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kpis", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_factor", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("conversion_label", sa.String(length=200), server_default="", nullable=False)
        )
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("horizon", sa.String(length=16), server_default="short_term", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("horizon")
    with op.batch_alter_table("kpis", schema=None) as batch_op:
        batch_op.drop_column("conversion_label")
        batch_op.drop_column("parent_factor")
