"""The first run of a real team's store: who does what, in which order, until the first
monthly review can be held. The demo company arrives set up and has no guide."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from alignment.access.permissions import EXECUTIVES
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import DEFAULT_PROFILE
from alignment.records.data_version import ReadCache
from db import queries


@dataclass(frozen=True)
class SetupStep:
    """One step of the first run; ``page`` is the app page where it is done."""

    who: str
    what: str
    page: str
    done: bool


ADMIN_PAGE = "pages/admin.py"
PAGE_TITLES = {
    ADMIN_PAGE: "Accounts & settings",
    "pages/checklist.py": "Alignment checklist",
    "pages/maturity.py": "Marketing maturity",
    "pages/budget.py": "Budget & return",
    "pages/definitions.py": "Definitions of success",
}


STEPS = ReadCache(max_entries=8)
"""The first-run steps per data version: the overview and the accounts page ask on every
render, and the answer changes only with a write."""


def setup_steps(session: Session, actor: Actor) -> list[SetupStep]:
    """Every step of a new store's first run, done or not; none for the demo company."""
    require(actor, Action.VIEW)
    return STEPS.kept(session, lambda: _steps(session))


def _steps(session: Session) -> list[SetupStep]:
    facts = queries.setup_facts(session)
    if facts["demo"]:
        return []
    missing = [role.value for role in EXECUTIVES if role.value not in facts["roles"]]
    named = facts["company_name"] not in (None, DEFAULT_PROFILE.name)
    return [
        SetupStep("The administrator", "names the company", ADMIN_PAGE, named),
        SetupStep(
            "The administrator",
            "adds the " + _and(missing or [r.value for r in EXECUTIVES]) + " with their e-mail",
            ADMIN_PAGE,
            not missing,
        ),
        SetupStep(
            "The CFO",
            "sets the currency, gross margin and fiscal year every figure depends on",
            ADMIN_PAGE,
            facts["cfo_set_finance"],
        ),
        SetupStep(
            "The CEO",
            "starts the alignment checklist with the twelve standard statements",
            "pages/checklist.py",
            facts["statements"] > 0,
        ),
        SetupStep(
            "The CMO",
            "starts the maturity grid with the eight standard competences",
            "pages/maturity.py",
            facts["competences"] > 0,
        ),
        SetupStep(
            "The CMO",
            "enters or imports the monthly budget, spend, pipeline and revenue",
            "pages/budget.py",
            facts["budget_lines"] > 0,
        ),
        SetupStep(
            "The CMO or the CEO",
            "proposes a first definition of success, and the CFO signs it",
            "pages/definitions.py",
            facts["signed_definitions"] > 0,
        ),
    ]


def steps_left(steps: list[SetupStep]) -> list[SetupStep]:
    return [step for step in steps if not step.done]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
