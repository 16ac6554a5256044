"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 16:33:55.016236
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channels')),
    sa.UniqueConstraint('name', name=op.f('uq_channels_name'))
    )
    op.create_table('checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_items'))
    )
    op.create_table('company_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('gross_margin', sa.Float(), nullable=False),
    sa.Column('fiscal_year_start_month', sa.Integer(), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('fiscal_year_start_month BETWEEN 1 AND 12', name=op.f('ck_company_settings_fiscal_year_start_month_range')),
    sa.CheckConstraint('gross_margin >= 0 AND gross_margin <= 1', name=op.f('ck_company_settings_gross_margin_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_settings'))
    )
    op.create_table('competences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competences')),
    sa.UniqueConstraint('name', name=op.f('uq_competences_name'))
    )
    op.create_table('kpis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('aggregation', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('funnel_stage', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.CheckConstraint("aggregation IN ('sum','average','last')", name=op.f('ck_kpis_aggregation_known')),
    sa.CheckConstraint("direction IN ('higher','lower')", name=op.f('ck_kpis_direction_known')),
    sa.CheckConstraint("kind IN ('activity','result','financial')", name=op.f('ck_kpis_kind_known')),
    sa.ForeignKeyConstraint(['parent_id'], ['kpis.id'], name=op.f('fk_kpis_parent_id_kpis')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpis')),
    sa.UniqueConstraint('name', name=op.f('uq_kpis_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('CEO','CFO','CMO','viewer','admin')", name=op.f('ck_users_role_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=240), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.String(length=120), nullable=True),
    sa.Column('old_value', sa.JSON(), nullable=True),
    sa.Column('new_value', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_object', ['object_type', 'object_id'], unique=False)

    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('campaign', sa.String(length=200), nullable=False),
    sa.Column('planned_budget', sa.BigInteger(), nullable=True),
    sa.Column('actual_spend', sa.BigInteger(), nullable=True),
    sa.Column('attributed_pipeline', sa.BigInteger(), nullable=True),
    sa.Column('attributed_revenue', sa.BigInteger(), nullable=True),
    sa.Column('new_customers', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_file', sa.String(length=500), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('reconciled', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_budget_lines_channel_id_channels')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_budget_lines_entered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines')),
    sa.UniqueConstraint('month', 'channel_id', 'campaign', name='uq_budget_lines_key')
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.create_index('ix_budget_lines_month_channel', ['month', 'channel_id'], unique=False)

    op.create_table('checklist_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('CEO','CFO','CMO')", name=op.f('ck_checklist_answers_role_executive')),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_checklist_answers_score_range')),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_items.id'], name=op.f('fk_checklist_answers_item_id_checklist_items')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checklist_answers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_answers')),
    sa.UniqueConstraint('item_id', 'month', 'role', name='uq_checklist_answers_key')
    )
    with op.batch_alter_table('checklist_answers', schema=None) as batch_op:
        batch_op.create_index('ix_checklist_answers_month', ['month'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_role', sa.String(length=16), nullable=False),
    sa.Column('horizon', sa.String(length=16), nullable=False),
    sa.Column('start_month', sa.String(length=7), nullable=False),
    sa.Column('end_month', sa.String(length=7), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("horizon IN ('short_term','long_term')", name=op.f('ck_goals_horizon_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_goals_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    op.create_table('kpi_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('actual', sa.Float(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_kpi_values_entered_by_id_users')),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpis.id'], name=op.f('fk_kpi_values_kpi_id_kpis')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_values')),
    sa.UniqueConstraint('kpi_id', 'month', name='uq_kpi_values_kpi_month')
    )
    op.create_table('maturity_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('competence_id', sa.Integer(), nullable=False),
    sa.Column('current_level', sa.Integer(), nullable=False),
    sa.Column('desired_level', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('assessed_by_id', sa.Integer(), nullable=True),
    sa.Column('assessed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('current_level BETWEEN 1 AND 5', name=op.f('ck_maturity_assessments_current_level_range')),
    sa.CheckConstraint('desired_level BETWEEN 1 AND 5', name=op.f('ck_maturity_assessments_desired_level_range')),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['users.id'], name=op.f('fk_maturity_assessments_assessed_by_id_users')),
    sa.ForeignKeyConstraint(['competence_id'], ['competences.id'], name=op.f('fk_maturity_assessments_competence_id_competences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maturity_assessments')),
    sa.UniqueConstraint('quarter', 'competence_id', name='uq_maturity_assessments_key')
    )
    op.create_table('monthly_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('open','closed')", name=op.f('ck_monthly_reviews_status_known')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_monthly_reviews_closed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_reviews')),
    sa.UniqueConstraint('month', name=op.f('uq_monthly_reviews_month'))
    )
    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner_role', sa.String(length=16), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('decision','action')", name=op.f('ck_action_items_kind_known')),
    sa.CheckConstraint("status IN ('open','done','dropped')", name=op.f('ck_action_items_status_known')),
    sa.ForeignKeyConstraint(['carried_from_id'], ['action_items.id'], name=op.f('fk_action_items_carried_from_id_action_items')),
    sa.ForeignKeyConstraint(['review_id'], ['monthly_reviews.id'], name=op.f('fk_action_items_review_id_monthly_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items'))
    )
    op.create_table('goal_kpis',
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_kpis_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpis.id'], name=op.f('fk_goal_kpis_kpi_id_kpis')),
    sa.PrimaryKeyConstraint('goal_id', 'kpi_id', name=op.f('pk_goal_kpis'))
    )
    op.create_table('requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('asked_by_role', sa.String(length=16), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('asked_on', sa.Date(), nullable=False),
    sa.Column('research', sa.Text(), nullable=False),
    sa.Column('expected_result', sa.Text(), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=True),
    sa.Column('recommendation', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('outcome_recorded_on', sa.Date(), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('do','dont','later')", name=op.f('ck_requests_decision_known')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_requests_asked_by_id_users')),
    sa.ForeignKeyConstraint(['review_id'], ['monthly_reviews.id'], name=op.f('fk_requests_review_id_monthly_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests'))
    )
    op.create_table('success_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=True),
    sa.Column('kpi_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_success_definitions_goal_id_goals')),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpis.id'], name=op.f('fk_success_definitions_kpi_id_kpis')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_success_definitions'))
    )
    op.create_table('success_definition_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('metric', sa.String(length=60), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('comparison', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.String(length=7), nullable=False),
    sa.Column('period_end', sa.String(length=7), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('measurement', sa.Text(), nullable=False),
    sa.Column('data_source', sa.Text(), nullable=False),
    sa.Column('tolerance', sa.Float(), nullable=False),
    sa.Column('owner_role', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("comparison IN ('at_least','at_most')", name=op.f('ck_success_definition_versions_comparison_known')),
    sa.CheckConstraint("state IN ('draft','proposed','signed_off','superseded')", name=op.f('ck_success_definition_versions_state_known')),
    sa.CheckConstraint('tolerance >= 0', name=op.f('ck_success_definition_versions_tolerance_not_negative')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_success_definition_versions_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_success_definition_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['definition_id'], ['success_definitions.id'], name=op.f('fk_success_definition_versions_definition_id_success_definitions')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_success_definition_versions_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_success_definition_versions_signed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_success_definition_versions')),
    sa.UniqueConstraint('definition_id', 'number', name='uq_success_definition_versions_number')
    )
    op.create_table('success_definition_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_success_definition_events_actor_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['success_definition_versions.id'], name=op.f('fk_success_definition_events_version_id_success_definition_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_success_definition_events'))
    )


def downgrade() -> None:
    op.drop_table('success_definition_events')
    op.drop_table('success_definition_versions')
    op.drop_table('success_definitions')
    op.drop_table('requests')
    op.drop_table('goal_kpis')
    op.drop_table('action_items')
    op.drop_table('monthly_reviews')
    op.drop_table('maturity_assessments')
    op.drop_table('kpi_values')
    op.drop_table('goals')
    with op.batch_alter_table('checklist_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_answers_month')

    op.drop_table('checklist_answers')
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_lines_month_channel')

    op.drop_table('budget_lines')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_object')

    op.drop_table('audit_events')
    op.drop_table('users')
    op.drop_table('kpis')
    op.drop_table('competences')
    op.drop_table('company_settings')
    op.drop_table('checklist_items')
    op.drop_table('channels')
