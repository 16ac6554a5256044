"""People who act in SamePage, and the demo identities the role picker offers."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.shared.errors import ValidationFailed
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
        holder = by_role.get(role)
        if holder is None:
            actors.append(Actor(user_id=None, name=_role_title(role), role=role))
        else:
            actors.append(Actor(user_id=holder.id, name=holder.name, role=role))
    return actors


def _role_title(role: Role) -> str:
    return "Board member" if role == Role.VIEWER else str(role)


def actor_by_email(session: Session, email: str) -> Actor:
    """The active user with this e-mail address, as an actor; refused when there is none."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        raise ValidationFailed(f"There is no active user with the e-mail address {email}.")
    return Actor(user_id=user.id, name=user.name, role=Role(user.role))


def first_actor_in_role(session: Session, role: Role) -> Actor:
    """The first active user holding ``role``: who the command line acts as by default."""
    user = session.scalar(
        select(User).where(User.role == role, User.active.is_(True)).order_by(User.id).limit(1)
    )
    if user is None:
        raise ValidationFailed(
            f"The store has no active {role} account to act as; pass --as EMAIL."
        )
    return Actor(user_id=user.id, name=user.name, role=role)
