"""The marketing maturity model: competences assessed on five levels each quarter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.records.unit_of_work import writing
from alignment.shared.errors import ValidationFailed
from alignment.trust import rated_lists
from db.models import Competence
from db.models import MaturityAssessment

LEVELS = {1: "Absent", 2: "Executing", 3: "Effective", 4: "Predictable", 5: "Excellent"}

DEFAULT_COMPETENCES = (
    "Strategy and positioning",
    "Brand and content",
    "Demand generation",
    "Marketing operations and automation",
    "Data and analytics",
    "Marketing technology",
    "Alignment with sales and customer success",
    "Team and organisation",
)


@dataclass(frozen=True)
class CompetenceLevel:
    competence_id: int
    competence: str
    current: int | None
    desired: int | None
    note: str
    previous_current: int | None

    @property
    def gap(self) -> int | None:
        if self.current is None or self.desired is None:
            return None
        return self.desired - self.current

    @property
    def change(self) -> int | None:
        if self.current is None or self.previous_current is None:
            return None
        return self.current - self.previous_current


def quarter_code(year: int, quarter: int) -> str:
    return f"{year:04d}-Q{quarter}"


def previous_quarter(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[-1])
    return quarter_code(year - 1, 4) if number == 1 else quarter_code(year, number - 1)


def check_quarter(quarter: str) -> str:
    text = (quarter or "").strip().upper()
    if len(text) != 7 or text[4:6] != "-Q" or not text[:4].isdigit() or text[6] not in "1234":
        raise ValidationFailed(f"'{quarter}' is not a quarter: write it as 2026-Q3.")
    return text


def competences(
    session: Session, actor: Actor, include_retired: bool = False
) -> list[tuple[int, str]]:
    require(actor, Action.VIEW)
    stmt = select(Competence).order_by(Competence.position)
    if not include_retired:
        stmt = stmt.where(Competence.active.is_(True))
    return [(c.id, c.name) for c in session.scalars(stmt)]


COMPETENCES = rated_lists.RatedList(
    Competence.name,
    not_rated="That competence is not being assessed.",
    already_started="There already are competences; add or rename them one by one.",
)


def start_with_standard_competences(session: Session, actor: Actor) -> int:
    """A new team's maturity grid: the eight competences of the design, as if the CMO typed them."""
    with writing(session, actor, Action.ASSESS_MATURITY) as w:
        return rated_lists.start_with(w, COMPETENCES, DEFAULT_COMPETENCES)


def _name(session: Session, name: str, competence_id: int | None = None) -> str:
    """A competence needs a name no other competence has (case aside)."""
    clean = (name or "").strip()
    if not clean:
        raise ValidationFailed("Name the competence.")
    taken = session.scalar(
        select(Competence.id).where(
            func.lower(Competence.name) == clean.lower(), Competence.id != (competence_id or 0)
        )
    )
    if taken:
        raise ValidationFailed(f"There already is a competence called '{clean}'.")
    return clean


def add_competence(session: Session, actor: Actor, name: str) -> int:
    with writing(session, actor, Action.ASSESS_MATURITY) as w:
        return rated_lists.add(w, COMPETENCES, _name(session, name))


def rename_competence(session: Session, actor: Actor, competence_id: int, name: str) -> None:
    with writing(session, actor, Action.ASSESS_MATURITY) as w:
        rated_lists.reword(
            w, COMPETENCES, competence_id, _name(session, name, competence_id), "rename"
        )


def retire_competence(session: Session, actor: Actor, competence_id: int) -> None:
    with writing(session, actor, Action.ASSESS_MATURITY) as w:
        rated_lists.retire(w, COMPETENCES, competence_id)


@dataclass(frozen=True)
class Assessment:
    """A quarter's assessment, compared with the latest earlier quarter that was assessed."""

    quarter: str
    compared_with: str | None
    """The latest quarter before ``quarter`` with any assessment; None when there is none
    (a quarter nobody assessed is never the comparison)."""
    levels: list[CompetenceLevel]

    @property
    def assessed(self) -> bool:
        """True when at least one competence was given its levels this quarter."""
        return any(level.current is not None for level in self.levels)


def assessment(session: Session, actor: Actor, quarter: str) -> Assessment:
    """Each competence's current and desired level for the quarter, with its level in the
    latest earlier quarter that was assessed. A competence not assessed has no levels."""
    require(actor, Action.VIEW)
    quarter = check_quarter(quarter)
    earlier = session.scalar(
        select(func.max(MaturityAssessment.quarter)).where(MaturityAssessment.quarter < quarter)
    )
    rows = {
        (a.quarter, a.competence_id): a
        for a in session.scalars(
            select(MaturityAssessment).where(
                MaturityAssessment.quarter.in_([quarter, earlier or quarter])
            )
        )
    }
    levels = []
    for competence_id, name in competences(session, actor):
        now = rows.get((quarter, competence_id))
        before = rows.get((earlier, competence_id)) if earlier else None
        levels.append(
            CompetenceLevel(
                competence_id=competence_id,
                competence=name,
                current=now.current_level if now else None,
                desired=now.desired_level if now else None,
                note=now.note if now else "",
                previous_current=before.current_level if before else None,
            )
        )
    return Assessment(quarter=quarter, compared_with=earlier, levels=levels)


def largest_gaps(levels: list[CompetenceLevel], count: int = 3) -> list[CompetenceLevel]:
    """The competences furthest below where the team wants them, largest gap first."""
    gaps = [level for level in levels if level.gap is not None and level.gap > 0]
    return sorted(gaps, key=lambda level: (-level.gap, level.competence))[:count]  # type: ignore[operator]


def assessed_quarters(session: Session, actor: Actor) -> list[str]:
    require(actor, Action.VIEW)
    return list(
        session.scalars(
            select(MaturityAssessment.quarter)
            .distinct()
            .order_by(MaturityAssessment.quarter.desc())
        )
    )


def _level(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def save_assessment(
    session: Session,
    actor: Actor,
    quarter: str,
    levels: list[tuple[int, Any, Any, str]],
) -> int:
    """(competence id, current, desired, note) for the quarter. Both levels 1..5 assess a
    competence; both None leave it not assessed (stored as nothing: an earlier assessment of
    the quarter is removed). Returns how many competences changed."""
    with writing(session, actor, Action.ASSESS_MATURITY) as w:
        quarter = check_quarter(quarter)
        names = dict(competences(session, actor))
        problems = []
        for competence_id, current, desired, note in levels:
            name = names.get(competence_id, f"competence {competence_id}")
            if competence_id not in names:
                problems.append(f"{name} is not being assessed")
            if current is None and desired is None:
                if (note or "").strip():
                    problems.append(f"{name}: a note needs the current and desired levels")
                continue
            for label, value in (("current", current), ("desired", desired)):
                if value is None:
                    problems.append(
                        f"{name}: give the {label} level too, or leave both not assessed"
                    )
                elif not _level(value):
                    problems.append(f"{name}: the {label} level '{value}' is not 1 to 5")
        if problems:
            raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")
        rows = {
            row.competence_id: row
            for row in session.scalars(
                select(MaturityAssessment).where(MaturityAssessment.quarter == quarter)
            )
        }
        if all(current is None for _, current, _, _ in levels) and not any(
            competence_id in rows for competence_id, *_ in levels
        ):
            raise ValidationFailed(
                "Nothing was saved: no competence was given a level. Pick the current and "
                "desired level of each competence you assess."
            )
        written = 0
        for competence_id, current, desired, note in levels:
            row = rows.get(competence_id)
            key = f"{quarter}:{competence_id}"
            old = (
                None
                if row is None
                else {"current": row.current_level, "desired": row.desired_level, "note": row.note}
            )
            if current is None:
                if row is not None:  # set back to not assessed: the quarter holds nothing
                    session.delete(row)
                    session.flush()
                    w.record("unassess", "maturity", key, old, None)
                    written += 1
                continue
            new = {"current": current, "desired": desired, "note": (note or "").strip()}
            if old == new:
                continue
            if row is None:
                row = MaturityAssessment(quarter=quarter, competence_id=competence_id)
                session.add(row)
            row.current_level, row.desired_level, row.note = current, desired, new["note"]
            row.assessed_by_id = actor.user_id
            session.flush()
            w.record("assess", "maturity", key, old, new)
            written += 1
        return written
