"""Who may do what: the role x action matrix, enforced by every service before it writes.

Pages may ask ``can()`` to decide which buttons to show, but the service
always calls ``require()`` itself, so hiding a button is never the only guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from alignment.shared.errors import PermissionDenied


class Role(StrEnum):
    CEO = "CEO"
    CFO = "CFO"
    CMO = "CMO"
    VIEWER = "viewer"
    ADMIN = "admin"


EXECUTIVES = (Role.CEO, Role.CFO, Role.CMO)


class Action(StrEnum):
    VIEW = "view the dashboard"
    LOG_IN = "log in"
    ENTER_FIGURES = "enter or import budget and return figures"
    FORECAST = "forecast the rest of the fiscal year"
    COMMIT_SPEND = "record purchase orders as committed spend"
    RECONCILE_SPEND = "reconcile spend with finance"
    LOCK_BASELINE = "lock the planned budget as the baseline"
    EDIT_FINANCIAL_SETTINGS = "change the financial settings"
    PROPOSE_DEFINITION = "draft and propose success definitions"
    SIGN_OFF_DEFINITION = "sign off success definitions"
    RETURN_DEFINITION = "return success definitions with a comment"
    ACKNOWLEDGE_DEFINITION = "acknowledge success definitions"
    SET_GOALS = "set shared goals"
    EDIT_KPIS = "change the KPI tree"
    ENTER_KPI_VALUES = "enter KPI targets and actuals"
    ANSWER_CHECKLIST = "answer the alignment checklist"
    EDIT_CHECKLIST_ITEMS = "change the checklist items"
    ASSESS_MATURITY = "assess marketing maturity"
    RAISE_REQUEST = "record a request of marketing"
    RESEARCH_REQUEST = "add research to a request"
    DECIDE_REQUEST = "decide a request"
    RECORD_ACTIONS = "record decisions and action items"
    CLOSE_REVIEW = "close or reopen a monthly review"
    EXPLAIN_STATUS = "explain an amber or red item they own"
    DISCUSS_WITHOUT_EXPLANATION = "record a red item as discussed without an explanation"
    RATE_CONFIDENCE = "rate their confidence in the shared goals"
    SHARE_MEETING_ROOM = "make or revoke a meeting-room link to a review"
    VIEW_AUDIT = "read the audit trail"
    MANAGE_USERS = "manage user accounts"
    MANAGE_STORE = "load, back up or restore the store"
    SET_NOTICES = "choose which notices are sent, when, and to which chat"
    SEND_NOTICES = "queue and send the notices that are due"
    VIEW_OUTBOX = "read everyone's notices in the outbox"


_C, _F, _M, _V, _A = Role.CEO, Role.CFO, Role.CMO, Role.VIEWER, Role.ADMIN

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset({_C, _F, _M, _V, _A}),
    Action.LOG_IN: frozenset({_C, _F, _M, _V, _A}),
    Action.ENTER_FIGURES: frozenset({_M}),
    Action.FORECAST: frozenset({_M}),
    Action.COMMIT_SPEND: frozenset({_M}),
    Action.RECONCILE_SPEND: frozenset({_F}),
    Action.LOCK_BASELINE: frozenset({_F}),
    Action.EDIT_FINANCIAL_SETTINGS: frozenset({_F}),
    Action.PROPOSE_DEFINITION: frozenset({_C, _M}),
    Action.SIGN_OFF_DEFINITION: frozenset({_F}),
    Action.RETURN_DEFINITION: frozenset({_F}),
    Action.ACKNOWLEDGE_DEFINITION: frozenset({_C}),
    Action.SET_GOALS: frozenset({_C}),
    Action.EDIT_KPIS: frozenset({_C, _M}),
    Action.ENTER_KPI_VALUES: frozenset({_M}),
    Action.ANSWER_CHECKLIST: frozenset({_C, _F, _M}),
    Action.EDIT_CHECKLIST_ITEMS: frozenset({_C}),
    Action.ASSESS_MATURITY: frozenset({_M}),
    Action.RAISE_REQUEST: frozenset({_C, _F, _M}),
    Action.RESEARCH_REQUEST: frozenset({_M}),
    Action.DECIDE_REQUEST: frozenset({_C}),
    Action.RECORD_ACTIONS: frozenset({_C, _F, _M}),
    Action.CLOSE_REVIEW: frozenset({_C}),
    Action.EXPLAIN_STATUS: frozenset({_C, _F, _M}),
    Action.DISCUSS_WITHOUT_EXPLANATION: frozenset({_C}),
    Action.RATE_CONFIDENCE: frozenset({_C, _F, _M}),
    Action.SHARE_MEETING_ROOM: frozenset({_C}),
    Action.VIEW_AUDIT: frozenset({_C, _F, _M, _V, _A}),
    Action.MANAGE_USERS: frozenset({_A}),
    Action.MANAGE_STORE: frozenset({_A}),
    Action.SET_NOTICES: frozenset({_C}),
    Action.SEND_NOTICES: frozenset({_A}),
    Action.VIEW_OUTBOX: frozenset({_A}),
}


@dataclass(frozen=True)
class Actor:
    """The person (or the command line) on whose behalf a service runs."""

    user_id: int | None
    name: str
    role: Role

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"


COMMAND_LINE = Actor(user_id=None, name="SamePage command line", role=Role.ADMIN)


def can(actor: Actor, action: Action) -> bool:
    return actor.role in PERMISSIONS[action]


def require(actor: Actor, action: Action) -> None:
    """Refuse, with a sentence naming who may, when ``actor`` may not ``action``."""
    if can(actor, action):
        return
    allowed = sorted(PERMISSIONS[action], key=list(Role).index)
    who = " or ".join(_role_name(role) for role in allowed)
    raise PermissionDenied(
        f"{actor.label} cannot {action.value}: only the {who} can."
        if allowed
        else f"Nobody can {action.value}."
    )


def _role_name(role: Role) -> str:
    return {Role.VIEWER: "viewers", Role.ADMIN: "administrator"}.get(role, str(role))
