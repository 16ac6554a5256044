"""units follow the metric: flag signed versions whose unit disagrees, normalise the rest

Before this revision a definition's unit was typed freely ("Unit (ratio, USD, count, %)"),
while SamePage compared the target with the metric in its own form: '%' with 80 on ROMI
read "at least 80 %" but was compared with 80 as a share (8,000 %).

- A signed (in force or superseded) version whose stored unit and target disagree with its
  metric's unit is flagged (``unit_disagrees``) for re-signing. Its content and its
  ``content_hash`` are left exactly as they are: nobody can tell what it meant, so nothing
  rewrites what the CFO signed.
- A draft or a proposal (nothing signed yet) takes its metric's unit; a target typed as
  "80 %" on a percent metric becomes the share 0.8 it was shown as, and its history says
  so. A proposal changed this way can only be signed after the CFO reloads it (sign-off
  checks the content the CFO read).

The rules are copied here, not imported, so this revision does what it did on the day it
was written, whatever alignment/shared/metric_units.py says later.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alignment.shared import clock

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERCENT = {"romi", "spend_variance_pct"}
MULTIPLE = {"roas", "pipeline_roi"}
MONEY = {"marketing_cac", "actual_spend", "attributed_revenue", "attributed_pipeline"}
COUNT = {"new_customers"}
SIGNED = ("signed_off", "superseded")

versions = sa.table(
    "success_definition_versions",
    sa.column("id", sa.Integer),
    sa.column("state", sa.String),
    sa.column("metric", sa.String),
    sa.column("target", sa.Float),
    sa.column("unit", sa.String),
    sa.column("unit_disagrees", sa.Boolean),
)
events = sa.table(
    "success_definition_events",
    sa.column("version_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("actor_id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("comment", sa.Text),
)


def _metric_unit(metric: str, currency: str, kpi_units: dict[int, str]) -> str | None:
    """The unit the metric is kept in; None for a KPI that no longer exists."""
    if metric in PERCENT:
        return "%"
    if metric in MULTIPLE:
        return "x"
    if metric in MONEY:
        return currency
    if metric in COUNT:
        return "count"
    try:
        return kpi_units.get(int(metric.removeprefix("kpi:")))
    except ValueError:
        return None


def _agreed(metric: str, stored: str, code: str) -> bool:
    """Whether the screens of the time showed the target as SamePage compared it: 'ratio'
    on a percent metric showed 0.8 as 80 %; '%' showed 80 as "80 %" but compared 80."""
    text = (stored or "").strip()
    if metric in PERCENT:
        return text.lower() == "ratio"
    if metric in MULTIPLE:
        return text.lower() in {"x", "×", "ratio", "", "times", "multiple"}
    if metric in MONEY:
        return text.upper() == code.upper()
    if metric in COUNT:
        return text.lower() in {"count", "", "#", "customers", "new customers"}
    return text.lower() == code.lower() or (
        text.lower() in ("", "count") and code.lower() in ("", "count")
    )


def upgrade() -> None:
    with op.batch_alter_table("success_definition_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_disagrees", sa.Boolean(), nullable=True))
    bind = op.get_bind()
    currency = (
        bind.execute(sa.text("SELECT currency FROM company_settings ORDER BY id LIMIT 1")).scalar()
        or "USD"
    )
    kpi_units = dict(bind.execute(sa.text("SELECT id, unit FROM kpis")).all())
    rows = bind.execute(
        sa.select(
            versions.c.id, versions.c.state, versions.c.metric, versions.c.target, versions.c.unit
        )
    ).all()
    for version_id, state, metric, target, stored in rows:
        code = _metric_unit(metric, currency, kpi_units)
        agreed = code is None or _agreed(metric, stored, code)
        where = versions.c.id == version_id
        if state in SIGNED or code is None:
            bind.execute(versions.update().where(where).values(unit_disagrees=not agreed))
            continue
        if agreed and stored == code:
            bind.execute(versions.update().where(where).values(unit_disagrees=False))
            continue
        meant = target / 100 if metric in PERCENT and (stored or "").strip() == "%" else target
        bind.execute(
            versions.update().where(where).values(unit=code, target=meant, unit_disagrees=False)
        )
        if meant != target:
            comment = (
                f"On upgrade the unit follows the metric: the target shown as {target:g} % "
                f"is kept as the share {meant:g}."
            )
        else:
            comment = f"On upgrade the unit follows the metric: '{stored}' became '{code}'."
        bind.execute(
            events.insert().values(
                version_id=version_id,
                action="edited",
                actor_id=None,
                at=clock.utc_second(),
                comment=comment,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("success_definition_versions", schema=None) as batch_op:
        batch_op.drop_column("unit_disagrees")
