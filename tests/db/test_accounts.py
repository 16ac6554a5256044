"""Accounts, log-in, throttling and settings on a real store."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from alignment import accounts
from alignment.errors import PermissionDenied
from alignment.errors import ValidationFailed
from alignment.permissions import COMMAND_LINE
from alignment.permissions import Role
from alignment.settings import update_company
from db.models import User

PASSWORD = "correct horse battery staple"
T0 = dt.datetime(2026, 11, 23, 9, 0, 0)


@pytest.fixture
def people(store):
    with store.session() as session:
        for role in ("CEO", "CFO", "CMO", "viewer", "admin"):
            accounts.add_user(
                session, COMMAND_LINE, f"{role.lower()}@kestrel.example", role, role, PASSWORD
            )
    return store


def test_passwords_are_hashed_with_argon2(people):
    with people.session() as session:
        stored = session.scalar(sa.select(User.password_hash).where(User.role == "CFO"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_log_in_returns_the_actor_with_its_role(people):
    with people.session() as session:
        actor = accounts.log_in(session, " CFO@Kestrel.example ", PASSWORD, now=T0)
    assert (actor.role, actor.name) == (Role.CFO, "CFO")


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("cfo@kestrel.example", "wrong password here"),
        ("nobody@kestrel.example", PASSWORD),
        ("", ""),
        ("cfo@kestrel.example", ""),
    ],
)
def test_a_wrong_log_in_gets_one_message(people, email, password):
    with (
        people.session() as session,
        pytest.raises(accounts.LoginRefused, match="do not match an active account"),
    ):
        accounts.log_in(session, email, password, now=T0)


def test_repeated_failures_are_slowed_down_then_forgiven(people):
    with people.session() as session:
        for i in range(3):
            with pytest.raises(accounts.LoginRefused, match="do not match"):
                accounts.log_in(
                    session, "cmo@kestrel.example", "guess", now=T0 + dt.timedelta(seconds=i)
                )
        with pytest.raises(accounts.LoginRefused, match="Too many failed log-ins"):
            accounts.log_in(
                session, "cmo@kestrel.example", PASSWORD, now=T0 + dt.timedelta(seconds=2.5)
            )
        actor = accounts.log_in(
            session, "cmo@kestrel.example", PASSWORD, now=T0 + dt.timedelta(seconds=10)
        )
    assert actor.role == Role.CMO
    assert [accounts.wait_seconds(n) for n in (0, 2, 3, 4, 5, 20)] == [0, 0, 2, 4, 8, 300]


def test_a_switched_off_account_cannot_log_in_and_is_logged_out(people):
    with people.session() as session:
        admin = accounts.log_in(session, "admin@kestrel.example", PASSWORD, now=T0)
        cmo = session.scalar(sa.select(User.id).where(User.role == "CMO"))
        accounts.change_account(session, admin, cmo, active=False)
        assert accounts.current_actor(session, cmo) is None
        with pytest.raises(accounts.LoginRefused):
            accounts.log_in(session, "cmo@kestrel.example", PASSWORD, now=T0)
        with pytest.raises(ValidationFailed, match="your own account"):
            accounts.change_account(session, admin, admin.user_id, active=False)
        with pytest.raises(ValidationFailed, match="your own role"):
            accounts.change_account(session, admin, admin.user_id, role="viewer")


def test_only_the_administrator_manages_accounts(people):
    with people.session() as session:
        cfo = accounts.log_in(session, "cfo@kestrel.example", PASSWORD, now=T0)
        with pytest.raises(PermissionDenied):
            accounts.add_user(session, cfo, "new@kestrel.example", "New", "CMO", PASSWORD)
        with pytest.raises(PermissionDenied):
            accounts.accounts(session, cfo)


@pytest.mark.parametrize(
    ("email", "role", "password", "message"),
    [
        ("not-an-address", "CMO", PASSWORD, "not an e-mail address"),
        ("cmo@kestrel.example", "CMO", PASSWORD, "already is an account"),
        ("x@kestrel.example", "boss", PASSWORD, "not a role"),
        ("x@kestrel.example", "CMO", "short", "at least 12 characters"),
    ],
)
def test_bad_accounts_are_refused(people, email, role, password, message):
    with people.session() as session, pytest.raises(ValidationFailed, match=message):
        accounts.add_user(session, COMMAND_LINE, email, "X", role, password)


def test_single_sign_on_maps_only_known_active_addresses(people):
    with people.session() as session:
        assert accounts.sso_actor(session, "CEO@kestrel.example").role == Role.CEO
        with pytest.raises(accounts.LoginRefused, match="has no SamePage account"):
            accounts.sso_actor(session, "stranger@gmail.example")


def test_settings_belong_to_their_owners(people):
    with people.session() as session:
        cfo = accounts.log_in(session, "cfo@kestrel.example", PASSWORD, now=T0)
        admin = accounts.log_in(session, "admin@kestrel.example", PASSWORD, now=T0)
        update_company(session, cfo, currency="eur", gross_margin=0.65)
        update_company(session, admin, name="Kestrel GmbH")
        with pytest.raises(PermissionDenied):
            update_company(session, admin, gross_margin=0.9)
        with pytest.raises(ValidationFailed, match="not a currency"):
            update_company(session, cfo, currency="XYZ")
        accounts.set_idle_minutes(session, admin, 45)
        with pytest.raises(ValidationFailed, match="between 5 minutes"):
            accounts.set_idle_minutes(session, admin, 1)
        assert accounts.idle_minutes(session) == 45
        settings = session.execute(
            sa.text("SELECT company_name, currency, gross_margin FROM company_settings")
        ).one()
    assert tuple(settings) == ("Kestrel GmbH", "EUR", 0.65)
