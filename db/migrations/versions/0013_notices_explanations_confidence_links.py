"""notices: the outbox of reminders, alerts and digests, the CEO's schedule for each kind,
the company's chat webhooks; explanations for what went amber or red; confidence by role
in each shared goal; read-only meeting-room links

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "explanations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("discussed_without", sa.Boolean(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('amber','red')", name=op.f("ck_explanations_status_known")),
        sa.ForeignKeyConstraint(
            ["written_by_id"], ["users.id"], name=op.f("fk_explanations_written_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_explanations")),
        sa.UniqueConstraint("month", "subject", name="uq_explanations_month_subject"),
    )
    op.create_table(
        "meeting_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=False),
        sa.Column("allow_download", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_meeting_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_meeting_links_revoked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_meeting_links_token_hash")),
    )
    op.create_table(
        "notice_rules",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("schedule", sa.String(length=60), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_notice_rules_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_notice_rules")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attachment", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email','slack','teams')", name=op.f("ck_notices_channel_known")
        ),
        sa.CheckConstraint(
            "status IN ('queued','sent','failed')", name=op.f("ck_notices_status_known")
        ),
        sa.CheckConstraint("tries >= 0", name=op.f("ck_notices_tries_not_negative")),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_notices_recipient_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("key", name=op.f("uq_notices_key")),
    )
    op.create_index(
        "ix_notices_status_next_try_at", "notices", ["status", "next_try_at"], unique=False
    )
    op.create_table(
        "confidence_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_by_id", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "score BETWEEN 0 AND 10", name=op.f("ck_confidence_ratings_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goals.id"],
            name=op.f("fk_confidence_ratings_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rated_by_id"], ["users.id"], name=op.f("fk_confidence_ratings_rated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confidence_ratings")),
        sa.UniqueConstraint(
            "goal_id", "month", "role", name="uq_confidence_ratings_goal_month_role"
        ),
    )
    with op.batch_alter_table("company_settings") as batch:
        batch.add_column(
            sa.Column("slack_webhook_url", sa.String(length=500), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("teams_webhook_url", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("company_settings") as batch:
        batch.drop_column("teams_webhook_url")
        batch.drop_column("slack_webhook_url")
    op.drop_table("confidence_ratings")
    op.drop_index("ix_notices_status_next_try_at", table_name="notices")
    op.drop_table("notices")
    op.drop_table("notice_rules")
    op.drop_table("meeting_links")
    op.drop_table("explanations")
