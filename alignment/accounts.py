"""Accounts: who may come in, with which role. Passwords are hashed with argon2; repeated
failed log-ins are slowed down; single sign-on maps an e-mail address to an account."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment import audit
from alignment import clock
from alignment.errors import PermissionDenied
from alignment.errors import ValidationFailed
from alignment.permissions import Action
from alignment.permissions import Actor
from alignment.permissions import Role
from alignment.permissions import require
from alignment.settings import ensure_company
from alignment.text import CONTROL_CHARACTERS
from db.audit_guard import queue_writer
from db.models import CompanySettings
from db.models import LoginFailure
from db.models import User

MIN_PASSWORD = 12
FREE_ATTEMPTS = 3
"""Failed log-ins allowed before each further attempt has to wait."""
MAX_WAIT_SECONDS = 300
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    role: str
    active: bool
    has_password: bool
    last_login_at: dt.datetime | None


class LoginRefused(PermissionDenied):
    """A log-in that did not succeed; the message never says which part was wrong."""


def _email(value: str) -> str:
    email = (value or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise ValidationFailed(f"'{value}' is not an e-mail address.")
    return email


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(f"Use a password of at least {MIN_PASSWORD} characters.")
    if (password or "").strip() != password:
        raise ValidationFailed("A password cannot start or end with a space.")


def add_user(
    session: Session, actor: Actor, email: str, name: str, role: str, password: str | None
) -> int:
    """A new account. Without a password it can only come in through single sign-on."""
    require(actor, Action.MANAGE_USERS)
    queue_writer(session)
    address = _email(email)
    if not role:
        raise ValidationFailed("Choose the account's role: CEO, CFO, CMO, viewer or admin.")
    if role not in [str(r) for r in Role]:
        raise ValidationFailed(f"'{role}' is not a role; use CEO, CFO, CMO, viewer or admin.")
    clean_name = (name or "").strip() or address.split("@")[0]
    if session.scalar(select(User.id).where(func.lower(User.email) == address)) is not None:
        raise ValidationFailed(f"There already is an account for {address}.")
    if password is not None:
        check_password(password)
    ensure_company(session)
    user = User(
        email=address,
        name=clean_name[:200],
        role=role,
        active=True,
        password_hash=_hasher.hash(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "add",
        "user",
        user.id,
        None,
        {"email": address, "name": clean_name, "role": role},
    )
    session.commit()
    return user.id


def accounts(session: Session, actor: Actor) -> list[Account]:
    require(actor, Action.MANAGE_USERS)
    return [
        Account(
            u.id, u.email, u.name, u.role, u.active, u.password_hash is not None, u.last_login_at
        )
        for u in session.scalars(select(User).order_by(User.role, User.name))
    ]


def change_account(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> None:
    """Change an account's role, switch it on or off, or set a new password."""
    require(actor, Action.MANAGE_USERS)
    queue_writer(session)
    user = session.get(User, user_id)
    if user is None:
        raise ValidationFailed("That account no longer exists.")
    old = {"role": user.role, "active": user.active}
    if role is not None:
        if role not in [str(r) for r in Role]:
            raise ValidationFailed(f"'{role}' is not a role.")
        if user.id == actor.user_id and role != user.role:
            raise ValidationFailed("You cannot change your own role; another administrator can.")
        user.role = role
    if active is not None:
        if not active and user.id == actor.user_id:
            raise ValidationFailed("You cannot switch off your own account.")
        user.active = active
    if password is not None:
        check_password(password)
        user.password_hash = _hasher.hash(password)
    audit.record(
        session,
        actor,
        "change",
        "user",
        user.id,
        old,
        {
            "role": user.role,
            "active": user.active,
            "password": "changed" if password is not None else "unchanged",
        },
    )
    session.commit()


def wait_seconds(failures: int) -> int:
    """How long the next attempt must wait after ``failures`` failed log-ins: nothing for
    the first few, then doubling, capped at five minutes."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_ATTEMPTS + 1))


def log_in(session: Session, email: str, password: str, now: dt.datetime | None = None) -> Actor:
    """The actor for a correct e-mail address and password; one refusal message for every
    wrong combination, and a wait after repeated failures."""
    now = now or clock.utc_now()
    address = (email or "").strip().lower()
    if len(address) > 320 or not _EMAIL.match(address) or CONTROL_CHARACTERS.search(address):
        session.rollback()
        raise LoginRefused("That e-mail address and password do not match an active account.")
    failure = session.get(LoginFailure, address)
    if failure is not None:
        wait = wait_seconds(failure.failures)
        remaining = wait - (now - failure.last_failed_at).total_seconds()
        if remaining > 0:
            session.rollback()
            raise LoginRefused(
                f"Too many failed log-ins for this address; try again in {int(remaining) + 1} "
                "seconds."
            )
    user = session.scalar(select(User).where(func.lower(User.email) == address))
    valid = False
    if user is not None and user.active and user.password_hash:
        try:
            valid = _hasher.verify(user.password_hash, password or "")
        except (VerificationError, InvalidHashError):
            valid = False
    if not valid:
        if failure is None:
            failure = LoginFailure(email=address, failures=0, last_failed_at=now)
            session.add(failure)
        failure.failures += 1
        failure.last_failed_at = now
        session.commit()
        raise LoginRefused("That e-mail address and password do not match an active account.")
    if failure is not None:
        session.delete(failure)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    actor = Actor(user_id=user.id, name=user.name, role=Role(user.role))
    audit.record(session, actor, "log_in", "user", user.id, None, {"method": "password"})
    session.commit()
    return actor


def sso_actor(session: Session, email: str) -> Actor:
    """The account single sign-on vouched for; an address without an active account is
    refused, so only people an administrator added come in."""
    address = (email or "").strip().lower()
    user = (
        session.scalar(select(User).where(func.lower(User.email) == address)) if address else None
    )
    if user is None or not user.active:
        raise LoginRefused(
            f"{email or 'This account'} has no SamePage account; ask an administrator to add it."
        )
    return Actor(user_id=user.id, name=user.name, role=Role(user.role))


def current_actor(session: Session, user_id: int) -> Actor | None:
    """The logged-in person as they are now: a switched-off account is logged out."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return Actor(user_id=user.id, name=user.name, role=Role(user.role))


def idle_minutes(session: Session) -> int:
    value = session.scalar(select(CompanySettings.idle_minutes).limit(1))
    return int(value or 30)


def set_idle_minutes(session: Session, actor: Actor, minutes: int) -> None:
    """How long a session may stay idle before SamePage logs it out (an admin setting)."""
    require(actor, Action.MANAGE_USERS)
    queue_writer(session)
    if not isinstance(minutes, int) or not 5 <= minutes <= 24 * 60:
        raise ValidationFailed("Idle time is between 5 minutes and 24 hours.")
    settings = session.scalar(select(CompanySettings).limit(1))
    if settings is None:
        raise ValidationFailed("The store has no company settings yet.")
    audit.record(
        session,
        actor,
        "idle_minutes",
        "settings",
        settings.id,
        {"idle_minutes": settings.idle_minutes},
        {"idle_minutes": minutes},
    )
    settings.idle_minutes = minutes
    session.commit()


def is_demo_store(session: Session) -> bool:
    return bool(session.scalar(select(CompanySettings.demo).limit(1)))
