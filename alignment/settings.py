"""The company's financial settings (the CFO's): currency, gross margin, fiscal year."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.permissions import Action
from alignment.permissions import Actor
from alignment.permissions import require
from db.models import CompanySettings


@dataclass(frozen=True)
class CompanyProfile:
    name: str
    currency: str
    locale: str
    gross_margin: float
    fiscal_year_start_month: int
    demo: bool


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
    return CompanyProfile(
        name=row.company_name,
        currency=row.currency,
        locale=row.locale,
        gross_margin=row.gross_margin,
        fiscal_year_start_month=row.fiscal_year_start_month,
        demo=row.demo,
    )
