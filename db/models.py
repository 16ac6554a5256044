"""The SamePage store: one typed SQLAlchemy model per concept of DESIGN.md's glossary.

Money is kept as integer minor units (cents) so that sums are exact on every
database; months are ``YYYY-MM`` strings so that they sort, compare and index
the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from alignment.shared.clock import utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Month = String(7)
Role = String(16)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class CompanySettings(Base):
    """The CFO's financial settings; a single row."""

    __tablename__ = "company_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    locale: Mapped[str] = mapped_column(String(16), default="en_US")
    gross_margin: Mapped[float] = mapped_column(Float, default=0.7)
    fiscal_year_start_month: Mapped[int] = mapped_column(Integer, default=1)
    idle_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    stale_commitment_days: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    slack_webhook_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    """Slack's incoming-webhook address for the company's channel; empty: no Slack."""
    teams_webhook_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    """Microsoft Teams' incoming-webhook (workflow) address; empty: no Teams."""
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)

    __table_args__ = (
        CheckConstraint("gross_margin >= 0 AND gross_margin <= 1", name="gross_margin_range"),
        CheckConstraint(
            "fiscal_year_start_month BETWEEN 1 AND 12", name="fiscal_year_start_month_range"
        ),
    )

    def __repr__(self) -> str:
        return f"CompanySettings({self.company_name!r}, {self.currency})"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(Role)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("role IN ('CEO','CFO','CMO','viewer','admin')", name="role_known"),
    )

    def __repr__(self) -> str:
        return f"User({self.email!r}, {self.role})"


class LoginFailure(Base):
    """Failed log-ins per e-mail address (known or not), to slow down password guessing."""

    __tablename__ = "login_failures"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[dt.datetime] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"LoginFailure({self.email!r}, {self.failures})"


class LoginSession(Base):
    """A password log-in the browser remembers (its HttpOnly cookie holds the token), so a
    reload or a new tab does not ask for the password again; only hashes are stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"LoginSession({self.id}, user={self.user_id}, ended={self.ended_at})"


class AuditHead(Base):
    """The newest link of the audit chain; writers lock this row so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int | None] = mapped_column(Integer)
    last_hash: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"AuditHead({self.last_id})"


class Channel(Base):
    """A marketing channel; ``horizon`` says whether its spend serves short-term demand or
    long-term brand goals, for the goals' balance view."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    horizon: Mapped[str] = mapped_column(
        String(16), default="short_term", server_default="short_term"
    )

    def __repr__(self) -> str:
        return f"Channel({self.name!r})"


BUDGET_LINE_FIELDS = (
    "month",
    "channel",
    "campaign",
    "planned_budget",
    "actual_spend",
    "attributed_pipeline",
    "attributed_revenue",
    "new_customers",
)
"""What a person enters for a budget line, in the order files, grids and exports show it:
the one list of budget fields (the channel is a name here, ``channel_id`` in the table)."""
BUDGET_AMOUNTS = ("planned_budget", "actual_spend", "attributed_pipeline", "attributed_revenue")
"""The fields of a budget line that are money (stored in cents)."""


class BudgetLine(Base):
    """Month x channel x campaign: plan, spend and attributed return.

    ``campaign`` is ``''`` when the line covers the whole channel, so the
    upsert key (month, channel, campaign) is unique on every database.
    ``version`` is the optimistic-locking counter.
    """

    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(Month)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    campaign: Mapped[str] = mapped_column(String(200), default="")
    planned_budget: Mapped[int | None] = mapped_column(BigInteger)
    baseline_budget: Mapped[int | None] = mapped_column(BigInteger)
    actual_spend: Mapped[int | None] = mapped_column(BigInteger)
    attributed_pipeline: Mapped[int | None] = mapped_column(BigInteger)
    attributed_revenue: Mapped[int | None] = mapped_column(BigInteger)
    new_customers: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20), default="typed")
    source_file: Mapped[str | None] = mapped_column(String(500))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    reconciled: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    channel: Mapped[Channel] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("month", "channel_id", "campaign", name="uq_budget_lines_key"),
    )

    def __repr__(self) -> str:
        return f"BudgetLine({self.month}, channel={self.channel_id}, {self.campaign!r})"


FORECAST_FIGURES = ("spend", "pipeline", "revenue", "new_customers")
"""What the CMO forecasts for a month still to come: spend and the outcomes it buys."""
FORECAST_AMOUNTS = ("spend", "pipeline", "revenue")
"""The forecast figures that are money (stored in cents)."""


class ForecastLine(Base):
    """Month x channel x campaign of the rest of a fiscal year: what the CMO expects. The
    landing counts it for months whose actuals are not in yet. Each figure says where it
    came from (``*_from``: the plan, the recent run-rate, typed or imported)."""

    __tablename__ = "forecast_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(Month, index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    campaign: Mapped[str] = mapped_column(String(200), default="")
    spend: Mapped[int | None] = mapped_column(BigInteger)
    pipeline: Mapped[int | None] = mapped_column(BigInteger)
    revenue: Mapped[int | None] = mapped_column(BigInteger)
    new_customers: Mapped[int | None] = mapped_column(Integer)
    spend_from: Mapped[str | None] = mapped_column(String(16))
    pipeline_from: Mapped[str | None] = mapped_column(String(16))
    revenue_from: Mapped[str | None] = mapped_column(String(16))
    new_customers_from: Mapped[str | None] = mapped_column(String(16))
    source_file: Mapped[str | None] = mapped_column(String(500))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    channel: Mapped[Channel] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("month", "channel_id", "campaign", name="uq_forecast_lines_key"),
    )

    def __repr__(self) -> str:
        return f"ForecastLine({self.month}, channel={self.channel_id}, {self.campaign!r})"


class Commitment(Base):
    """Money promised before it is spent: a purchase order to a vendor for a channel (and
    campaign), spread evenly over the months it covers. ``invoiced`` is what finance's
    invoices matched to it so far; the rest is still open, and counts against the plan."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    po_number: Mapped[str] = mapped_column(String(100), unique=True)
    po_key: Mapped[str] = mapped_column(String(100), index=True)
    """The PO number as it is compared (``commitments.po_key``): case and separators
    ignored, so finance's ``po 4471`` finds the CMO's ``PO-4471``."""
    vendor: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    campaign: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    invoiced: Mapped[int] = mapped_column(BigInteger, default=0)
    first_month: Mapped[str] = mapped_column(Month)
    last_month: Mapped[str] = mapped_column(Month)
    over_plan_reason: Mapped[str | None] = mapped_column(Text)
    source_file: Mapped[str | None] = mapped_column(String(500))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    channel: Mapped[Channel] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("invoiced >= 0", name="invoiced_not_negative"),
        CheckConstraint("first_month <= last_month", name="months_in_order"),
    )

    def __repr__(self) -> str:
        return f"Commitment({self.po_number!r}, {self.vendor!r})"


class Invoice(Base):
    """A line of finance's invoice register or general ledger, as finance booked it: the
    spend that really happened. Matched to a commitment (by its PO reference, or by the CFO
    confirming a suggestion), it closes that much of the commitment's open amount; the
    month's matched lines can stand as finance's booked spend when the CFO reconciles."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_date: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[str] = mapped_column(Month, index=True)
    vendor: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)
    po_reference: Mapped[str] = mapped_column(String(200), default="")
    gl_account: Mapped[str] = mapped_column(String(200), default="")
    invoice_number: Mapped[str] = mapped_column(String(200), default="")
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)
    matched_how: Mapped[str | None] = mapped_column(String(16))
    matched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    matched_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    file_row: Mapped[int | None] = mapped_column(Integer)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("(commitment_id IS NULL) = (matched_how IS NULL)", name="matched_says_how"),
    )

    def __repr__(self) -> str:
        return f"Invoice({self.invoice_date}, {self.vendor!r}, {self.amount})"


class DatedFigure(Base):
    """A weekly (or daily) row of an imported file, kept behind its monthly budget line so
    that the response model can see finer than months (monthly sums hide carry-over)."""

    __tablename__ = "dated_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[str] = mapped_column(Month, index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    campaign: Mapped[str] = mapped_column(String(200), default="")
    actual_spend: Mapped[int | None] = mapped_column(BigInteger)
    attributed_pipeline: Mapped[int | None] = mapped_column(BigInteger)
    attributed_revenue: Mapped[int | None] = mapped_column(BigInteger)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))

    __table_args__ = (
        UniqueConstraint("day", "channel_id", "campaign", name="uq_dated_figures_key"),
    )


class ImportBatch(Base):
    """One confirmed import of a file: where figures came from and what it changed."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    source_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    new_lines: Mapped[int] = mapped_column(Integer)
    changed_lines: Mapped[int] = mapped_column(Integer)
    unchanged_lines: Mapped[int] = mapped_column(Integer)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"ImportBatch({self.file_name!r}, {self.rows} rows)"


class ImportMapping(Base):
    """How a source's own headers map to SamePage's columns, remembered per source name."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str] = mapped_column(String(200))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)

    __table_args__ = (UniqueConstraint("kind", "source_name", name="uq_import_mappings_source"),)

    def __repr__(self) -> str:
        return f"ImportMapping({self.kind}, {self.source_name!r})"


class Reconciliation(Base):
    """Finance's booked marketing spend for a month, and whether the CFO reconciled it.

    A reconciled month is locked for the CMO until the CFO reopens it.
    """

    __tablename__ = "reconciliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(Month, unique=True)
    finance_spend: Mapped[int | None] = mapped_column(BigInteger)
    reconciled: Mapped[bool] = mapped_column(Boolean, default=False)
    reconciled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reconciled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"Reconciliation({self.month}, reconciled={self.reconciled})"


class Baseline(Base):
    """A fiscal year's planned budget as the CFO locked it; lines keep it in baseline_budget."""

    __tablename__ = "baselines"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_month: Mapped[str] = mapped_column(Month, unique=True)
    last_month: Mapped[str] = mapped_column(Month)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    locked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"Baseline({self.first_month}..{self.last_month})"


class Goal(Base):
    """A shared company objective."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_role: Mapped[str] = mapped_column(Role)
    horizon: Mapped[str] = mapped_column(String(16))
    start_month: Mapped[str] = mapped_column(Month)
    end_month: Mapped[str] = mapped_column(Month)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    kpis: Mapped[list[Kpi]] = relationship(secondary="goal_kpis", back_populates="goals")

    __table_args__ = (
        CheckConstraint("horizon IN ('short_term','long_term')", name="horizon_known"),
    )

    def __repr__(self) -> str:
        return f"Goal({self.title!r})"


class GoalKpi(Base):
    __tablename__ = "goal_kpis"

    goal_id: Mapped[int] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True
    )
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id"), primary_key=True)


class Kpi(Base):
    """A measure in the KPI tree; ``parent_id`` points at the KPI it feeds."""

    __tablename__ = "kpis"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    unit: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(16), default="higher")
    kind: Mapped[str] = mapped_column(String(16))
    aggregation: Mapped[str] = mapped_column(String(16), default="sum")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("kpis.id"))
    parent_factor: Mapped[float | None] = mapped_column(Float)
    conversion_label: Mapped[str] = mapped_column(String(200), default="", server_default="")
    funnel_stage: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Kpi | None] = relationship(remote_side=[id])
    goals: Mapped[list[Goal]] = relationship(secondary="goal_kpis", back_populates="kpis")

    __table_args__ = (
        CheckConstraint("direction IN ('higher','lower')", name="direction_known"),
        CheckConstraint("kind IN ('activity','result','financial')", name="kind_known"),
        CheckConstraint("aggregation IN ('sum','average','last')", name="aggregation_known"),
    )

    def __repr__(self) -> str:
        return f"Kpi({self.name!r})"


class KpiValue(Base):
    """A KPI's target and actual for one month."""

    __tablename__ = "kpi_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id"))
    month: Mapped[str] = mapped_column(Month)
    target: Mapped[float | None] = mapped_column(Float)
    actual: Mapped[float | None] = mapped_column(Float)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("kpi_id", "month", name="uq_kpi_values_kpi_month"),)

    def __repr__(self) -> str:
        return f"KpiValue(kpi={self.kpi_id}, {self.month})"


class SuccessDefinition(Base):
    """The stable identity of a definition of success; its content lives in versions."""

    __tablename__ = "success_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id"))
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpis.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    versions: Mapped[list[SuccessDefinitionVersion]] = relationship(
        back_populates="definition", order_by="SuccessDefinitionVersion.number"
    )

    def __repr__(self) -> str:
        return f"SuccessDefinition({self.id})"


class SuccessDefinitionVersion(Base):
    """One version of a definition; a signature is sealed in ``seal``."""

    __tablename__ = "success_definition_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("success_definitions.id"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    title: Mapped[str] = mapped_column(String(300))
    metric: Mapped[str] = mapped_column(String(60))
    target: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    comparison: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[str] = mapped_column(Month)
    period_end: Mapped[str] = mapped_column(Month)
    deadline: Mapped[dt.date] = mapped_column(Date)
    measurement: Mapped[str] = mapped_column(Text)
    data_source: Mapped[str] = mapped_column(Text, default="")
    tolerance: Mapped[float] = mapped_column(Float, default=0.1)
    owner_role: Mapped[str] = mapped_column(Role)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(String(64))
    """HMAC under the store's signing key of what the signature covers
    (alignment.definitions.signature); NULL or unreadable reads as changed since sign-off."""
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    unit_disagrees: Mapped[bool | None] = mapped_column(Boolean, default=False)
    """Set on upgrade (0008) when a version signed before units followed the metric stored a
    unit and target that disagree with its metric's unit: its meaning is ambiguous, so it is
    flagged for re-signing, never rewritten (the signature covers the stored content)."""

    definition: Mapped[SuccessDefinition] = relationship(back_populates="versions")
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    events: Mapped[list[SuccessDefinitionEvent]] = relationship(
        back_populates="version", order_by="SuccessDefinitionEvent.at"
    )

    __table_args__ = (
        UniqueConstraint("definition_id", "number", name="uq_success_definition_versions_number"),
        CheckConstraint(
            "state IN ('draft','proposed','signed_off','superseded')", name="state_known"
        ),
        CheckConstraint("comparison IN ('at_least','at_most')", name="comparison_known"),
        CheckConstraint("tolerance >= 0", name="tolerance_not_negative"),
    )

    def __repr__(self) -> str:
        return f"SuccessDefinitionVersion({self.definition_id} v{self.number}, {self.state})"


class SuccessDefinitionEvent(Base):
    """Who proposed, returned, signed or acknowledged a version, with their comment."""

    __tablename__ = "success_definition_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("success_definition_versions.id"))
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    comment: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[SuccessDefinitionVersion] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"SuccessDefinitionEvent({self.action}, version={self.version_id})"


class ChecklistItem(Base):
    """A trust/alignment statement; retired items keep their past answers."""

    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"ChecklistItem({self.position}, active={self.active})"


class ChecklistAnswer(Base):
    """One executive's score for one item in one month, with the wording they answered."""

    __tablename__ = "checklist_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_items.id"))
    month: Mapped[str] = mapped_column(Month)
    role: Mapped[str] = mapped_column(Role)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    wording: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    __table_args__ = (
        UniqueConstraint("item_id", "month", "role", name="uq_checklist_answers_key"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        CheckConstraint("role IN ('CEO','CFO','CMO')", name="role_executive"),
        Index("ix_checklist_answers_month", "month"),
    )

    def __repr__(self) -> str:
        return f"ChecklistAnswer(item={self.item_id}, {self.month}, {self.role}={self.score})"


class Competence(Base):
    __tablename__ = "competences"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"Competence({self.name!r})"


class MaturityAssessment(Base):
    """Current and desired level (1 Absent .. 5 Excellent) of a competence in a quarter."""

    __tablename__ = "maturity_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7))
    competence_id: Mapped[int] = mapped_column(ForeignKey("competences.id"))
    current_level: Mapped[int] = mapped_column(Integer)
    desired_level: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    __table_args__ = (
        UniqueConstraint("quarter", "competence_id", name="uq_maturity_assessments_key"),
        CheckConstraint("current_level BETWEEN 1 AND 5", name="current_level_range"),
        CheckConstraint("desired_level BETWEEN 1 AND 5", name="desired_level_range"),
    )

    def __repr__(self) -> str:
        return f"MaturityAssessment({self.quarter}, competence={self.competence_id})"


class Request(Base):
    """An initiative asked of marketing, the research on it, the decision and the outcome."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    asked_by_role: Mapped[str] = mapped_column(Role)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    asked_on: Mapped[dt.date] = mapped_column(Date)
    research: Mapped[str] = mapped_column(Text, default="")
    expected_result: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[int | None] = mapped_column(BigInteger)
    recommendation: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_reviews.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")
    outcome_recorded_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(
            "decision IS NULL OR decision IN ('do','dont','later')", name="decision_known"
        ),
    )

    def __repr__(self) -> str:
        return f"Request({self.title!r}, decision={self.decision})"


class MonthlyReview(Base):
    """The meeting record of a month; ``snapshot`` freezes the figures when it closes."""

    __tablename__ = "monthly_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(Month, unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text, default="")

    actions: Mapped[list[ActionItem]] = relationship(back_populates="review")

    __table_args__ = (CheckConstraint("status IN ('open','closed')", name="status_known"),)

    def __repr__(self) -> str:
        return f"MonthlyReview({self.month}, {self.status})"


class ActionItem(Base):
    """A decision or action item recorded in a review; open actions carry over."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("monthly_reviews.id"))
    kind: Mapped[str] = mapped_column(String(16), default="action")
    text: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[str | None] = mapped_column(Role)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    review: Mapped[MonthlyReview] = relationship(back_populates="actions")

    __table_args__ = (
        CheckConstraint("kind IN ('decision','action')", name="kind_known"),
        CheckConstraint("status IN ('open','done','dropped')", name="status_known"),
    )

    def __repr__(self) -> str:
        return f"ActionItem({self.kind}, {self.status})"


class Notice(Base):
    """The outbox: every reminder, alert and digest SamePage sends, written here first and
    delivered from here, so nothing is sent twice and a failure is retried, then reported.

    ``key`` says what the notice is about (``before_review:2026-11:user:3``): the same key
    is never queued twice."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    address: Mapped[str] = mapped_column(String(500), default="")
    """The e-mail address or webhook it goes to, as it was when queued."""
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    """Why it is sent, in words: shown in the outbox."""
    attachment: Mapped[str | None] = mapped_column(String(60))
    """What to attach, built when sent (``pack:2026-11``), or None."""
    status: Mapped[str] = mapped_column(String(16), default="queued")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("status IN ('queued','sent','failed')", name="status_known"),
        CheckConstraint("channel IN ('email','slack','teams')", name="channel_known"),
        CheckConstraint("tries >= 0", name="tries_not_negative"),
        Index("ix_notices_status_next_try_at", "status", "next_try_at"),
    )

    def __repr__(self) -> str:
        return f"Notice({self.key}, {self.status})"


class NoticeRule(Base):
    """One kind of notice: whether it is sent and when (the CEO's schedule)."""

    __tablename__ = "notice_rules"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    schedule: Mapped[str] = mapped_column(String(60), default="")
    """When, in words SamePage reads: ``2nd Tuesday``, ``day 31``, ``3 days before``."""
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)


class Explanation(Base):
    """Why a definition or KPI is amber or red in a month, and the next step; or that the
    review discussed it without one."""

    __tablename__ = "explanations"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(Month)
    subject: Mapped[str] = mapped_column(String(40))
    """What is explained: ``definition:<id>`` or ``kpi:<id>``."""
    status: Mapped[str] = mapped_column(String(8))
    """The status it explains, as it was when written: amber or red."""
    explanation: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    discussed_without: Mapped[bool] = mapped_column(Boolean, default=False)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    __table_args__ = (
        UniqueConstraint("month", "subject", name="uq_explanations_month_subject"),
        CheckConstraint("status IN ('amber','red')", name="status_known"),
    )


class ConfidenceRating(Base):
    """One executive's confidence, in a month, that a shared goal will be met (0-10)."""

    __tablename__ = "confidence_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(Month)
    role: Mapped[str] = mapped_column(Role)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    __table_args__ = (
        UniqueConstraint("goal_id", "month", "role", name="uq_confidence_ratings_goal_month_role"),
        CheckConstraint("score BETWEEN 0 AND 10", name="score_range"),
    )


class MeetingLink(Base):
    """A read-only link to one month's review for the meeting-room screen. Only a hash of its
    token is kept: the link is shown once, when it is made."""

    __tablename__ = "meeting_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    month: Mapped[str] = mapped_column(Month)
    valid_until: Mapped[dt.datetime] = mapped_column(DateTime)
    allow_download: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    uses: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    """Append-only record of a change; ``hash`` chains to the previous event."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(240))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(120))
    old_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new_value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    def __repr__(self) -> str:
        return f"AuditEvent({self.action} {self.object_type}:{self.object_id})"
