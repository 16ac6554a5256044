"""imports, reconciliation and baselines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:57:05.880180
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('baselines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_month', sa.String(length=7), nullable=False),
    sa.Column('last_month', sa.String(length=7), nullable=False),
    sa.Column('locked_by_id', sa.Integer(), nullable=True),
    sa.Column('locked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['locked_by_id'], ['users.id'], name=op.f('fk_baselines_locked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_baselines')),
    sa.UniqueConstraint('first_month', name=op.f('uq_baselines_first_month'))
    )
    op.create_table('import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_import_mappings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
    sa.UniqueConstraint('kind', 'source_name', name='uq_import_mappings_source')
    )
    op.create_table('imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('new_lines', sa.Integer(), nullable=False),
    sa.Column('changed_lines', sa.Integer(), nullable=False),
    sa.Column('unchanged_lines', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_imports_imported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    op.create_table('reconciliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('finance_spend', sa.BigInteger(), nullable=True),
    sa.Column('reconciled', sa.Boolean(), nullable=False),
    sa.Column('reconciled_by_id', sa.Integer(), nullable=True),
    sa.Column('reconciled_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reconciled_by_id'], ['users.id'], name=op.f('fk_reconciliations_reconciled_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_reconciliations_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliations')),
    sa.UniqueConstraint('month', name=op.f('uq_reconciliations_month'))
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_budget', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_budget_lines_import_id_imports'), 'imports', ['import_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_budget_lines_import_id_imports'), type_='foreignkey')
        batch_op.drop_column('import_id')
        batch_op.drop_column('baseline_budget')

    op.drop_table('reconciliations')
    op.drop_table('imports')
    op.drop_table('import_mappings')
    op.drop_table('baselines')
