"""Accounts: who may come in, with which role. Passwords are hashed with argon2; repeated
failed log-ins are slowed down, per address and per client, and counted before the password
is checked so parallel guesses cannot slip past the count; single sign-on maps a verified
e-mail address to an account. Any change to who someone is (password, role, switched off)
ends their log-ins everywhere."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
from dataclasses import dataclass
from typing import Any
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import CursorResult
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.access.permissions import require
from alignment.company.settings import ensure_company
from alignment.records.unit_of_work import Write
from alignment.records.unit_of_work import bookkeeping
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.text import CONTROL_CHARACTERS
from db.models import CompanySettings
from db.models import LoginFailure
from db.models import LoginSession
from db.models import User

MIN_PASSWORD = 12
FREE_ATTEMPTS = 3
"""Failed log-ins allowed before each further attempt has to wait."""
CLIENT_FREE_ATTEMPTS = 30
"""Failed log-ins one client (its IP address) may make, across all addresses, before each
further attempt has to wait: one password tried against many accounts is slowed too."""
MAX_WAIT_SECONDS = 300
FORGOTTEN_AFTER = dt.timedelta(hours=1)
"""Failures with no further failure for this long are forgotten (their rows deleted), so
addresses nobody owns do not pile up; the longest wait is far shorter."""
LONGEST_SSO_HOURS = 12
"""A single sign-on older than this is not honoured: the provider must vouch again."""
_CLIENT_KEY = "client:"
"""Per-client counts share the failures table; no e-mail address starts like this (it
has no @)."""
_REFUSED = "That e-mail address and password do not match an active account."
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


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches, checked when the address has no usable account, so an
    unknown address costs the same argon2 time as a known one and addresses cannot be told
    apart by how fast they are refused."""
    return _hasher.hash(secrets.token_urlsafe(32))


def end_log_ins(session: Session, user_id: int, now: dt.datetime | None = None) -> int:
    """End every log-in of an account, in every browser (part of the caller's transaction):
    whoever held it has to prove again who they are. How many were live."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now or clock.utc_now(), token_hash=None, ticket_hash=None)
    )
    return cast(CursorResult[Any], result).rowcount


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
    with writing(session, actor, Action.MANAGE_USERS) as w:
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
        company = ensure_company(session)
        left_demo = company.demo
        company.demo = False
        user = User(
            email=address,
            name=clean_name[:200],
            role=role,
            active=True,
            password_hash=_hasher.hash(password) if password is not None else None,
        )
        session.add(user)
        session.flush()
        w.record(
            "add",
            "user",
            user.id,
            None,
            {"email": address, "name": clean_name, "role": role},
        )
        if left_demo:
            _record_left_demo(w, company.id)
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
    """Change an account's role, switch it on or off, or set a new password.

    Any of these ends the account's log-ins in every browser: a reset password must lock
    out whoever knew the old one, and a new role is taken up at the next log-in. A password
    given on a demo store makes it a store with accounts, which leaves demo mode for good."""
    with writing(session, actor, Action.MANAGE_USERS) as w:
        user = w.existing(User, user_id, "That account no longer exists.")
        old = {"role": user.role, "active": user.active}
        if role is not None:
            if role not in [str(r) for r in Role]:
                raise ValidationFailed(f"'{role}' is not a role.")
            if user.id == actor.user_id and role != user.role:
                raise ValidationFailed(
                    "You cannot change your own role; another administrator can."
                )
        if active is not None and not active and user.id == actor.user_id:
            raise ValidationFailed("You cannot switch off your own account.")
        if password is not None:
            check_password(password)
        changes_who = (
            (role is not None and role != user.role)
            or (active is not None and active != user.active)
            or password is not None
        )
        if role is not None:
            user.role = role
        if active is not None:
            user.active = active
        if password is not None:
            user.password_hash = _hasher.hash(password)
        ended = end_log_ins(session, user.id) if changes_who else 0
        w.record(
            "change",
            "user",
            user.id,
            old,
            {
                "role": user.role,
                "active": user.active,
                "password": "changed" if password is not None else "unchanged",
                "log_ins_ended": ended,
            },
        )
        if password is not None:
            company = session.scalar(select(CompanySettings).limit(1))
            if company is not None and company.demo:
                company.demo = False
                _record_left_demo(w, company.id)


def _record_left_demo(w: Write, settings_id: int) -> None:
    w.record("leave_demo", "settings", settings_id, {"demo": True}, {"demo": False})


def wait_seconds(failures: int, free: int = FREE_ATTEMPTS) -> int:
    """How long the next attempt must wait after ``failures`` failed log-ins: nothing for
    the first ``free`` ones, then doubling, capped at five minutes."""
    if failures < free:
        return 0
    return min(MAX_WAIT_SECONDS, 2 ** min(failures - free + 1, 16))


def _insert_ignoring_duplicates(session: Session) -> PostgresqlInsert | SqliteInsert:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(LoginFailure)


def _claim_attempt(session: Session, address: str, client: str, now: dt.datetime) -> str | None:
    """Count this attempt, for the address and for the client, before any password is
    checked, in one short transaction with both rows locked: parallel guesses queue here,
    so each sees the ones before it and none slips past the limit. Refused (nothing
    counted, the reason returned) while either still has to wait. Failures nobody
    repeated for an hour are deleted on the way."""
    session.execute(delete(LoginFailure).where(LoginFailure.last_failed_at < now - FORGOTTEN_AFTER))
    keys = (address, _CLIENT_KEY + client)
    for key in keys:
        session.execute(
            _insert_ignoring_duplicates(session)
            .values(email=key, failures=0, last_failed_at=now)
            .on_conflict_do_nothing(index_elements=["email"])
        )
    rows = {
        row.email: row
        for row in session.scalars(
            select(LoginFailure)
            .where(LoginFailure.email.in_(keys))
            .order_by(LoginFailure.email)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    limits = (
        (address, FREE_ATTEMPTS, "for this address"),
        (_CLIENT_KEY + client, CLIENT_FREE_ATTEMPTS, "from this computer"),
    )
    for key, free, whose in limits:
        row = rows[key]
        # A clock set back (a restored server, SAMEPAGE_NOW) never waits longer than the wait.
        elapsed = max(0.0, (now - row.last_failed_at).total_seconds())
        remaining = wait_seconds(row.failures, free) - elapsed
        if remaining > 0:
            return f"Too many failed log-ins {whose}; try again in {int(remaining) + 1} seconds."
    for row in rows.values():
        row.failures += 1
        row.last_failed_at = now
    return None


def log_in(
    session: Session,
    email: str,
    password: str,
    now: dt.datetime | None = None,
    *,
    client: str | None = None,
) -> Actor:
    """The actor for a correct e-mail address and password; one refusal message for every
    wrong combination, and a wait after repeated failures for the address or from the
    client (its IP address; ``None`` is this computer).

    Every attempt costs one argon2 check, a dummy one for an address without a usable
    account, so how long a refusal takes does not tell whether the address exists."""
    now = now or clock.utc_now()
    address = (email or "").strip().lower()
    if len(address) > 320 or not _EMAIL.match(address) or CONTROL_CHARACTERS.search(address):
        session.rollback()
        _check(_dummy_hash(), password)
        raise LoginRefused(_REFUSED)
    with bookkeeping(session):
        waiting = _claim_attempt(session, address, (client or "local")[:300], now)
    if waiting is not None:
        raise LoginRefused(waiting)
    user = session.scalar(select(User).where(func.lower(User.email) == address))
    password_hash = user.password_hash if user is not None and user.active else None
    valid = _check(password_hash or _dummy_hash(), password) and bool(password_hash)
    if not valid or user is None or password_hash is None:
        session.rollback()
        raise LoginRefused(_REFUSED)
    actor = Actor(user_id=user.id, name=user.name, role=Role(user.role))
    with writing(session, actor, Action.LOG_IN) as w:
        session.execute(delete(LoginFailure).where(LoginFailure.email == address))
        session.execute(
            update(LoginFailure)
            .where(LoginFailure.email == _CLIENT_KEY + (client or "local")[:300])
            .where(LoginFailure.failures > 0)
            .values(failures=LoginFailure.failures - 1)
        )
        if _hasher.check_needs_rehash(password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = now
        w.record("log_in", "user", user.id, None, {"method": "password"})
    return actor


def _check(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return False


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


def sso_log_in(
    session: Session,
    email: str,
    *,
    verified: object,
    issued_at: object = None,
    now: dt.datetime | None = None,
) -> Actor:
    """A log-in through single sign-on: only an address the provider says it verified
    (the ``email_verified`` claim), only within 12 hours of the provider vouching
    (``iat``), and recorded in the audit trail like a password log-in."""
    now = now or clock.utc_now()
    if verified is not True and str(verified).lower() != "true":
        raise LoginRefused(
            "Your single sign-on provider has not verified this e-mail address; SamePage "
            "only lets in verified addresses."
        )
    if isinstance(issued_at, int | float) and not isinstance(issued_at, bool):
        issued = dt.datetime.fromtimestamp(issued_at, dt.UTC).replace(tzinfo=None)
        if now - issued > dt.timedelta(hours=LONGEST_SSO_HOURS):
            raise LoginRefused(
                f"Your single sign-on is older than {LONGEST_SSO_HOURS} hours; log in again."
            )
    actor = sso_actor(session, email)
    with writing(session, actor, Action.LOG_IN) as w:
        user = w.existing(User, actor.user_id, "That account no longer exists.")
        user.last_login_at = now
        w.record("log_in", "user", actor.user_id, None, {"method": "single sign-on"})
    return actor


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
    with writing(session, actor, Action.MANAGE_USERS) as w:
        if not isinstance(minutes, int) or not 5 <= minutes <= 24 * 60:
            raise ValidationFailed("Idle time is between 5 minutes and 24 hours.")
        settings = session.scalar(select(CompanySettings).limit(1))
        if settings is None:
            raise ValidationFailed("The store has no company settings yet.")
        w.change(settings, "idle_minutes", minutes, "settings")


def is_demo_store(session: Session) -> bool:
    """Whether the store is the demo company, where the role picker replaces logging in:
    loaded by ``load-sample`` (the demo flag) and holding no account anyone could log in
    to with a password. Adding an account or a password clears the flag for good."""
    if not session.scalar(select(CompanySettings.demo).limit(1)):
        return False
    return session.scalar(select(User.id).where(User.password_hash.is_not(None)).limit(1)) is None


def has_accounts(session: Session) -> bool:
    """Whether the store holds an account someone logs in to (a password, or one added for
    single sign-on on a store that is not the demo): such a store is never wiped for the
    demo company."""
    if session.scalar(select(User.id).where(User.password_hash.is_not(None)).limit(1)):
        return True
    demo = session.scalar(select(CompanySettings.demo).limit(1))
    return not demo and session.scalar(select(User.id).limit(1)) is not None
