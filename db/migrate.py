"""Schema upgrades through Alembic, and the checks that keep an old binary off a new store."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
KEYED_REVISION = "0009"
"""The first schema whose audit trail and signatures are sealed with the store's key."""
SIGNING_KEY = "signing_key"
"""The Alembic attribute a migration that seals reads the store's key from."""


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_keyed(revision: str) -> bool:
    """True for ``KEYED_REVISION`` and every revision after it."""
    script = ScriptDirectory.from_config(alembic_config())
    return any(rev.revision == KEYED_REVISION for rev in script.iterate_revisions(revision, "base"))


def upgrade(engine: Engine, signing_key: object | None = None) -> None:
    """Bring the store to the newest schema; a no-op when it is already there.

    ``signing_key`` (an ``alignment.records.signing_key.SigningKey``) lets the revision that starts
    sealing re-seal what it can prove unchanged; without it nothing is re-sealed, so every
    signature reads "changed" until it is signed again.
    """
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        config.attributes[SIGNING_KEY] = signing_key
        command.upgrade(config, "head")
