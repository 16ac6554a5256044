"""Opening the store: reach it, refuse one written by a newer SamePage, upgrade an older one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.exc import DataError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import NoSuchModuleError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from alignment.records import signing_key
from alignment.shared.errors import StoreBusy
from alignment.shared.errors import StoreTooNew
from alignment.shared.errors import StoreUnavailable
from alignment.shared.errors import ValidationFailed
from alignment.shared.text import CONTROL_CHARACTERS
from db import audit_guard
from db import migrate
from db.engine import database_url
from db.engine import make_engine
from db.models import Base


class Store:
    """An open store: hand out sessions; services commit, anything else rolls back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.schema_was: str | None = None
        """The schema revision before this process opened the store ("" when it had none)."""
        self.signing_key: signing_key.SigningKey | None = None
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        audit_guard.queue_writers_on_flush(self._sessions)
        event.listen(self._sessions, "before_flush", _refuse_control_characters)

    def use_key(self, key: signing_key.SigningKey) -> None:
        """Seal with ``key`` from now on: every session hands it to the services."""
        self.signing_key = key
        info: dict[str, object] = {}
        signing_key.attach(info, key)
        self._sessions.configure(info=info)

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose uncommitted work rolls back when the block ends; a lock wait that
        runs out or a deadlock becomes a StoreBusy sentence instead of a driver error."""
        with self._sessions() as session:
            try:
                yield session
            except DataError as exc:
                if "NUL" not in str(exc.orig):
                    raise
                raise ValidationFailed(_CONTROL_MESSAGE.format(what="what you entered")) from None
            except OperationalError as exc:
                if not _busy(exc):
                    raise
                raise StoreBusy(
                    "SamePage is busy with another change and nothing of yours was saved; "
                    "try again in a moment."
                ) from exc

    def is_empty(self) -> bool:
        with self.session() as session:
            return not store_has_data(session)

    def close(self) -> None:
        self.engine.dispose()


_CONTROL_MESSAGE = (
    "Nothing was saved: {what} contains an invisible control character (such as a NUL "
    "pasted from another program); remove it and try again."
)


def _refuse_control_characters(session: Session, _context: object, _instances: object) -> None:
    """Invisible control characters (a NUL pasted from another program) are refused for every
    text a person writes: PostgreSQL cannot store some of them, and none means anything."""
    for thing in (*session.new, *session.dirty):
        state = inspect(thing)
        for column in state.mapper.column_attrs:
            value = state.dict.get(column.key)
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                what = "the " + column.key.replace("_", " ")
                raise ValidationFailed(_CONTROL_MESSAGE.format(what=what))


_BUSY_CODES = {"40P01", "40001", "55P03"}
"""PostgreSQL: deadlock detected, serialization failure, lock not available."""


def _busy(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in _BUSY_CODES or "database is locked" in str(exc.orig)


def store_has_data(session: Session) -> bool:
    """True when any of the store's tables holds a row."""
    for table in Base.metadata.sorted_tables:
        if table.name == "audit_head":
            continue
        if session.execute(select(func.count()).select_from(table)).scalar_one():
            return True
    return False


def open_store(url: str | None = None, *, upgrade: bool = True) -> Store:
    """Open the configured store, or say in one sentence why it cannot be used."""
    url = url or database_url()
    try:
        store = Store(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StoreUnavailable(f"The database URL '{_redact(url)}' is not valid: {exc}.") from None
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = migrate.current_revision(store.engine)
    except DBAPIError as exc:
        store.close()
        raise StoreUnavailable(
            f"Cannot reach the store at {store.display_url}: {_reason(exc)}."
        ) from None
    if revision is not None and revision not in migrate.known_revisions():
        store.close()
        raise StoreTooNew(
            f"The store at {store.display_url} was written by a newer version of SamePage "
            f"(schema {revision}); install that version to open it."
        )
    try:
        store.use_key(signing_key.load(url, may_create=not _sealed_history(store, revision)))
    except StoreUnavailable:
        store.close()
        raise
    if upgrade and revision != migrate.head_revision():
        migrate.upgrade(store.engine, signing_key=store.signing_key)
        store.schema_was = revision or ""
    return store


def _sealed_history(store: Store, revision: str | None) -> bool:
    """True when the store already holds audit events linked with a key (schema
    ``migrate.KEYED_REVISION`` or later): losing that key must not pass unnoticed."""
    if revision is None or not migrate.is_keyed(revision):
        return False
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM audit_events LIMIT 1")).first() is not None


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def _reason(exc: DBAPIError) -> str:
    lines = [line.strip() for line in str(exc.orig).splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else type(exc.orig).__name__
