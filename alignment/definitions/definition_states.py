"""Where a definition of success's version stands, and the one table of what can happen next.

A version is drafted, proposed, then signed off by the CFO (or returned to draft with a
comment); a newer signed version supersedes it. The services' guards and the "allowed"
list each view carries both read ``STEPS``, so the page never offers what the service
would refuse.
"""

from __future__ import annotations

from enum import StrEnum

from alignment.access.permissions import Action


class DefinitionState(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SIGNED_OFF = "signed_off"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    DefinitionState.DRAFT: "Draft",
    DefinitionState.PROPOSED: "Awaiting CFO sign-off",
    DefinitionState.SIGNED_OFF: "Signed off, in force",
    DefinitionState.SUPERSEDED: "Superseded",
}
OPEN_STATES = (DefinitionState.DRAFT, DefinitionState.PROPOSED)
"""A version still on its way to a signature: a definition has at most one."""
SIGNED_STATES = (DefinitionState.SIGNED_OFF, DefinitionState.SUPERSEDED)
"""Versions that were signed, whether or not still in force."""


class DefinitionStep(StrEnum):
    EDIT = "edit"
    PROPOSE = "propose"
    SIGN_OFF = "sign_off"
    RETURN = "return"
    ACKNOWLEDGE = "acknowledge"
    REVISE = "revise"


STEPS: dict[DefinitionStep, tuple[DefinitionState, DefinitionState, Action]] = {
    DefinitionStep.EDIT: (DefinitionState.DRAFT, DefinitionState.DRAFT, Action.PROPOSE_DEFINITION),
    DefinitionStep.PROPOSE: (
        DefinitionState.DRAFT,
        DefinitionState.PROPOSED,
        Action.PROPOSE_DEFINITION,
    ),
    DefinitionStep.SIGN_OFF: (
        DefinitionState.PROPOSED,
        DefinitionState.SIGNED_OFF,
        Action.SIGN_OFF_DEFINITION,
    ),
    DefinitionStep.RETURN: (
        DefinitionState.PROPOSED,
        DefinitionState.DRAFT,
        Action.RETURN_DEFINITION,
    ),
    DefinitionStep.ACKNOWLEDGE: (
        DefinitionState.SIGNED_OFF,
        DefinitionState.SIGNED_OFF,
        Action.ACKNOWLEDGE_DEFINITION,
    ),
    DefinitionStep.REVISE: (
        DefinitionState.SIGNED_OFF,
        DefinitionState.DRAFT,
        Action.PROPOSE_DEFINITION,
    ),
}
"""Each step: the state it starts from, the state it leads to (a revision's new version
starts as a draft; the signed one stays in force), and who may take it."""

REFUSED = {
    DefinitionStep.EDIT: "Only a draft can be edited; '{title}' is {state}.",
    DefinitionStep.PROPOSE: "'{title}' is {state}; only a draft can be proposed.",
    DefinitionStep.SIGN_OFF: "'{title}' is {state}; only a proposed definition can be signed.",
    DefinitionStep.RETURN: "'{title}' is {state}; only a proposed definition can be returned.",
    DefinitionStep.ACKNOWLEDGE: (
        "Only a signed definition can be acknowledged; '{title}' is {state}."
    ),
    DefinitionStep.REVISE: "Only a signed definition is revised; '{title}' is {state}.",
}
"""Why a step is refused from another state, in the words the page shows."""


def starts_from(step: DefinitionStep) -> DefinitionState:
    return STEPS[step][0]


def leads_to(step: DefinitionStep) -> DefinitionState:
    return STEPS[step][1]


def action_of(step: DefinitionStep) -> Action:
    return STEPS[step][2]
