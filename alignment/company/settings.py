"""The company's financial settings (the CFO's): currency, gross margin, fiscal year."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import is_currency
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.records.unit_of_work import writing
from alignment.shared.errors import ValidationFailed
from alignment.shared.views import view_of
from db.models import CompanySettings


@dataclass(frozen=True)
class CompanyProfile:
    name: str
    currency: str
    locale: str
    gross_margin: float
    fiscal_year_start_month: int
    demo: bool
    stale_commitment_days: int = 60
    """A commitment with nothing invoiced this many days after it began is listed as stale."""


DEFAULT_PROFILE = CompanyProfile(
    name="Your company",
    currency="USD",
    locale="en_US",
    gross_margin=0.7,
    fiscal_year_start_month=1,
    demo=False,
)


def company_profile(session: Session, actor: Actor) -> CompanyProfile:
    require(actor, Action.VIEW)
    row = session.scalars(select(CompanySettings).limit(1)).first()
    if row is None:
        return DEFAULT_PROFILE
    return view_of(CompanyProfile, row, name=row.company_name)


def update_company(
    session: Session,
    actor: Actor,
    *,
    name: str | None = None,
    currency: str | None = None,
    gross_margin: float | None = None,
    fiscal_year_start_month: int | None = None,
    stale_commitment_days: int | None = None,
) -> None:
    """The company's name (administrator) and its financial settings (CFO)."""
    financial = any(
        v is not None
        for v in (currency, gross_margin, fiscal_year_start_month, stale_commitment_days)
    )
    with writing(
        session, actor, Action.EDIT_FINANCIAL_SETTINGS if financial else Action.MANAGE_USERS
    ) as w:
        if name is not None and financial:
            raise ValidationFailed("Change the name and the financial settings separately.")
        row = ensure_company(session)
        old = {
            "name": row.company_name,
            "currency": row.currency,
            "gross_margin": row.gross_margin,
            "fiscal_year_start_month": row.fiscal_year_start_month,
            "stale_commitment_days": row.stale_commitment_days,
        }
        if name is not None:
            if not name.strip():
                raise ValidationFailed("Give the company a name.")
            row.company_name = name.strip()[:200]
        if currency is not None:
            code = currency.strip().upper()
            if not is_currency(code):
                raise ValidationFailed(f"'{currency}' is not a currency code such as USD or EUR.")
            row.currency = code
        if gross_margin is not None:
            if not 0 <= gross_margin <= 1:
                raise ValidationFailed("The gross margin is a share between 0 and 1 (0.7 = 70 %).")
            row.gross_margin = float(gross_margin)
        if fiscal_year_start_month is not None:
            if fiscal_year_start_month not in range(1, 13):
                raise ValidationFailed("The fiscal year starts in a month from 1 to 12.")
            row.fiscal_year_start_month = fiscal_year_start_month
        if stale_commitment_days is not None:
            if stale_commitment_days not in range(1, 366):
                raise ValidationFailed(
                    "A commitment goes stale after 1 to 365 days without an invoice."
                )
            row.stale_commitment_days = stale_commitment_days
        w.record(
            "settings",
            "company",
            row.id,
            old,
            {
                "name": row.company_name,
                "currency": row.currency,
                "gross_margin": row.gross_margin,
                "fiscal_year_start_month": row.fiscal_year_start_month,
                "stale_commitment_days": row.stale_commitment_days,
            },
        )


def ensure_company(session: Session) -> CompanySettings:
    """The settings row, created with neutral defaults for a new store."""
    row = session.scalars(select(CompanySettings).limit(1)).first()
    if row is None:
        row = CompanySettings(
            company_name=DEFAULT_PROFILE.name,
            currency=DEFAULT_PROFILE.currency,
            locale=DEFAULT_PROFILE.locale,
            gross_margin=DEFAULT_PROFILE.gross_margin,
            fiscal_year_start_month=1,
            demo=False,
            idle_minutes=30,
            stale_commitment_days=DEFAULT_PROFILE.stale_commitment_days,
        )
        session.add(row)
        session.flush()
    return row
