"""The signing key lives outside the database: created on first start with owner-only
permissions, never silently replaced once the store's trail is sealed with it."""

from __future__ import annotations

import os
import stat

import pytest

from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.edges.store import open_store
from alignment.records import audit
from alignment.records import signing_key
from alignment.shared.errors import StoreUnavailable
from alignment.trust.checklist import add_item
from tests.cli.test_cli import run

CEO = Actor(None, "CEO", Role.CEO)


@pytest.fixture
def no_key_setting(monkeypatch):
    monkeypatch.delenv(signing_key.ENVIRONMENT, raising=False)
    monkeypatch.delenv(signing_key.FILE_ENVIRONMENT, raising=False)


def test_first_start_creates_an_owner_only_key_next_to_the_store(tmp_path, no_key_setting):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    store = open_store(url)
    path = tmp_path / signing_key.FILE_NAME
    assert store.signing_key.created and store.signing_key.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.close()
    again = open_store(url)
    assert not again.signing_key.created
    assert again.signing_key.secret == path.read_text().strip().encode()
    again.close()


def test_a_lost_key_stops_the_store_instead_of_making_a_new_one(tmp_path, no_key_setting):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    store = open_store(url)
    with store.session() as session:
        add_item(session, CEO, "We sign what we mean.")
    store.close()
    (tmp_path / signing_key.FILE_NAME).unlink()
    with pytest.raises(StoreUnavailable, match="signing key of this store is missing"):
        open_store(url)
    assert not (tmp_path / signing_key.FILE_NAME).exists()
    result = run(url, "audit", "verify")
    assert result.returncode == 2 and "signing key" in result.stderr


def test_a_key_others_can_read_is_refused(tmp_path, no_key_setting):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    open_store(url).close()
    os.chmod(tmp_path / signing_key.FILE_NAME, 0o644)
    with pytest.raises(StoreUnavailable, match="chmod 600"):
        open_store(url)


def test_a_short_key_setting_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(signing_key.ENVIRONMENT, "short")
    with pytest.raises(StoreUnavailable, match="shorter than 32"):
        open_store(f"sqlite:///{tmp_path / 'team.db'}")


def test_a_key_file_can_be_configured_for_a_server_store(tmp_path, no_key_setting, monkeypatch):
    path = tmp_path / "keys" / "samepage.key"
    path.parent.mkdir()
    monkeypatch.setenv(signing_key.FILE_ENVIRONMENT, str(path))
    assert signing_key.load("postgresql://db/samepage", may_create=True).created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_key.default_file("postgresql://db/samepage").name == signing_key.FILE_NAME


def test_the_trail_of_another_key_does_not_verify(store, monkeypatch):
    with store.session() as session:
        add_item(session, CEO, "We sign what we mean.")
        assert audit.verify(session, COMMAND_LINE).intact
    monkeypatch.setenv(signing_key.ENVIRONMENT, "another-key-" + "1" * 32)
    other = open_store(store.url)
    try:
        with other.session() as session:
            check = audit.verify(session, COMMAND_LINE)
    finally:
        other.close()
    assert not check.intact and "signing key" in check.reason


def test_the_command_line_creates_the_key_on_first_start(tmp_path):
    env_key = os.environ.pop(signing_key.ENVIRONMENT)
    try:
        result = run(f"sqlite:///{tmp_path / 'team.db'}", "migrate")
    finally:
        os.environ[signing_key.ENVIRONMENT] = env_key
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / signing_key.FILE_NAME).stat().st_mode) == 0o600
