"""Demo mode belongs to a store, not to a variable: only a store loaded from the sample and
holding no account anyone logs in to is the demo; the sample is never loaded over accounts,
and a store that has left demo mode stays out of it, through a restore too."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.company.sample import load_sample
from alignment.edges.store import open_store
from alignment.records import backup
from alignment.shared.errors import StoreNotEmpty
from db.models import CompanySettings
from db.models import User
from tests.conftest import DEMO_TODAY

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("password", [PASSWORD, None], ids=["password", "single sign-on"])
def test_the_demo_is_never_loaded_over_accounts(store, password):
    with store.session() as session:
        accounts.add_user(session, COMMAND_LINE, "it@team.example", "IT", "admin", password)
        for replace in (False, True):
            with pytest.raises(StoreNotEmpty, match="holds accounts people log in to"):
                load_sample(session, COMMAND_LINE, today=DEMO_TODAY, replace=replace)
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_demo_can_replace_the_demo(demo_store):
    with demo_store.session() as session:
        load_sample(session, COMMAND_LINE, today=DEMO_TODAY, replace=True)
        assert accounts.is_demo_store(session)


def test_a_restore_keeps_a_store_out_of_demo_mode(demo_store, tmp_path):
    """A backup taken while the store was the demo, restored after the team moved in:
    the store is still not the demo, so no role picker comes back."""
    demo_backup = tmp_path / "while-demo.db"
    backup.back_up(demo_store, COMMAND_LINE, demo_backup)
    with demo_store.session() as session:
        accounts.add_user(session, COMMAND_LINE, "it@team.example", "IT", "admin", PASSWORD)
        assert not accounts.is_demo_store(session)
    backup.restore(demo_store, COMMAND_LINE, demo_backup, replace=True)
    with demo_store.session() as session:
        assert session.scalar(sa.select(CompanySettings.demo)) is False
        assert not accounts.is_demo_store(session)


def test_a_restore_of_a_team_store_is_not_the_demo(demo_store, tmp_path):
    with demo_store.session() as session:
        accounts.add_user(session, COMMAND_LINE, "it@team.example", "IT", "admin", PASSWORD)
    team_backup = tmp_path / "team.db"
    backup.back_up(demo_store, COMMAND_LINE, team_backup)
    backup.restore(demo_store, COMMAND_LINE, team_backup, replace=True)
    with demo_store.session() as session:
        assert not accounts.is_demo_store(session)


def test_a_demo_backup_into_an_empty_store_is_the_demo(demo_store, tmp_path):
    demo_backup = tmp_path / "demo.db"
    backup.back_up(demo_store, COMMAND_LINE, demo_backup)
    empty = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        backup.restore(empty, COMMAND_LINE, demo_backup)
        with empty.session() as session:
            assert accounts.is_demo_store(session)
    finally:
        empty.close()
