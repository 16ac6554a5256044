"""The lists a team rates: the checklist's statements and the maturity grid's competences.

Both grow at the end, can be reworded, are retired rather than deleted (past answers keep
what they answered), and a new team may start either from the design's standard list.
One set of rules serves both, so the two pages cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from alignment.records.unit_of_work import Write
from alignment.shared.errors import ValidationFailed


@dataclass(frozen=True)
class RatedList:
    """Which rows make up the list and how the refusals name them."""

    column: InstrumentedAttribute[str]
    """What is rated: a statement's text, a competence's name."""
    not_rated: str
    already_started: str

    @property
    def model(self) -> Any:
        return self.column.class_

    @property
    def wording(self) -> str:
        return self.column.key

    @property
    def object_type(self) -> str:
        """The audit trail's name for a row: the model's name in snake case."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.model.__name__).lower()


def add(w: Write, kind: RatedList, wording: str) -> int:
    """One more row at the end of the list."""
    position = (w.session.scalar(select(func.max(kind.model.position))) or 0) + 1
    return _add(w, kind, position, wording)


def start_with(w: Write, kind: RatedList, standard: Iterable[str]) -> int:
    """A new team's list from the standard one, each row audited as if typed; refused once
    the list has any row, retired ones included."""
    if w.session.scalar(select(func.count(kind.model.id))):
        raise ValidationFailed(kind.already_started)
    added = [_add(w, kind, position, wording) for position, wording in enumerate(standard, 1)]
    return len(added)


def reword(w: Write, kind: RatedList, row_id: int, wording: str, what: str) -> None:
    """New wording from now on; past answers keep the wording they were given to."""
    row = w.existing(kind.model, row_id, kind.not_rated)
    old = getattr(row, kind.wording)
    w.record(what, kind.object_type, row.id, {kind.wording: old}, {kind.wording: wording})
    setattr(row, kind.wording, wording)


def retire(w: Write, kind: RatedList, row_id: int) -> None:
    """Stop rating a row; its past answers stay in the history and the scores."""
    row = w.existing(kind.model, row_id, kind.not_rated)
    if not row.active:
        raise ValidationFailed(kind.not_rated)
    row.active = False
    w.record("retire", kind.object_type, row.id, {"active": True}, {"active": False})


def _add(w: Write, kind: RatedList, position: int, wording: str) -> int:
    row = kind.model(position=position, active=True, **{kind.wording: wording})
    w.session.add(row)
    w.session.flush()
    w.record("add", kind.object_type, row.id, None, {kind.wording: wording})
    return int(row.id)
