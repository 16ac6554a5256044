"""People who act in SamePage, and the demo identities the role picker offers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.permissions import Actor
from alignment.permissions import Role
from db.models import User

PICKER_ROLES = (Role.CEO, Role.CFO, Role.CMO, Role.VIEWER)


def demo_actors(session: Session) -> list[Actor]:
    """One identity per role for the demo role picker: the role's first active user.

    A role nobody holds yet is still offered, under the role's own name, so an
    empty store can be explored.
    """
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
    by_role: dict[str, User] = {}
    for user in users:
        by_role.setdefault(user.role, user)
    actors = []
    for role in PICKER_ROLES:
        user = by_role.get(role)
        if user is None:
            actors.append(Actor(user_id=None, name=_role_title(role), role=role))
        else:
            actors.append(Actor(user_id=user.id, name=user.name, role=role))
    return actors


def _role_title(role: Role) -> str:
    return "Board member" if role == Role.VIEWER else str(role)
