"""The store's signing key: the secret that seals signatures and links the audit trail.

It lives outside the database on purpose: whoever can write to the database (a database
administrator, a stolen backup, an application role gone wrong) can change rows and
recompute plain hashes, but cannot compute a seal or a link without this key, so every
such change shows.

Where the key comes from, first match wins:

1. ``SAMEPAGE_SIGNING_KEY``: the secret itself (at least 32 characters), for replicas
   that share one store, or a secrets manager.
2. ``SAMEPAGE_SIGNING_KEY_FILE``: a file holding it.
3. ``samepage-signing.key`` next to a SQLite store; for any other store (PostgreSQL),
   in the project's data/ folder.

A key file that does not exist is created on first start with owner-only permissions
(0600), unless the store already holds an audit trail sealed with a key: then the key
was lost or is looked for in the wrong place, and a new one would make every signature
read "changed", so SamePage refuses to start and says where it looked. Back the key up
separately from the database backups: a backup without its key cannot prove anything.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from alignment.shared.errors import StoreUnavailable
from db.engine import DEFAULT_SQLITE_PATH

ENVIRONMENT = "SAMEPAGE_SIGNING_KEY"
FILE_ENVIRONMENT = "SAMEPAGE_SIGNING_KEY_FILE"
FILE_NAME = "samepage-signing.key"
MINIMUM_LENGTH = 32
_SESSION_KEY = "samepage_signing_key"


@dataclass(frozen=True)
class SigningKey:
    secret: bytes
    source: str
    """Where it came from, in words: the setting's name or the file's path."""
    created: bool = False


def default_file(url: str) -> Path:
    """Next to a SQLite file; the project's data/ folder for any other store."""
    parsed = make_url(url)
    database = parsed.database or ""
    if (
        parsed.get_backend_name() == "sqlite"
        and database
        and database != ":memory:"
        and not database.startswith("file:")
    ):
        return Path(database).resolve().parent / FILE_NAME
    return DEFAULT_SQLITE_PATH.parent / FILE_NAME


def key_file(url: str) -> Path:
    configured = os.environ.get(FILE_ENVIRONMENT)
    return Path(configured) if configured else default_file(url)


def load(url: str, *, may_create: bool) -> SigningKey:
    """The key for the store at ``url``; a missing file is created only if ``may_create``."""
    configured = os.environ.get(ENVIRONMENT)
    if configured is not None:
        if len(configured.strip()) < MINIMUM_LENGTH:
            raise StoreUnavailable(
                f"{ENVIRONMENT} is set but shorter than {MINIMUM_LENGTH} characters; "
                "give it a long random secret (e.g. the output of `openssl rand -hex 32`)."
            )
        return SigningKey(configured.strip().encode("utf-8"), ENVIRONMENT)
    path = key_file(url)
    if not path.exists():
        if not may_create:
            raise StoreUnavailable(
                f"The signing key of this store is missing: there is no {path}. Its "
                "signatures and audit trail were sealed with a key; put that key back "
                f"(from where you backed it up) or set {ENVIRONMENT}. SamePage will not "
                "make a new one, since every signature would then read as changed."
            )
        return _create(path)
    return _read(path)


def _create(path: Path) -> SigningKey:
    if not path.parent.is_dir():
        raise StoreUnavailable(
            f"There is no folder {path.parent} to keep the signing key in; create it or set "
            f"{FILE_ENVIRONMENT}."
        )
    secret = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return SigningKey(secret.encode("ascii"), str(path), created=True)


def _read(path: Path) -> SigningKey:
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise StoreUnavailable(
            f"The signing key {path} can be read by others than its owner; make it "
            f"owner-only (chmod 600 {path}) and start again."
        )
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < MINIMUM_LENGTH:
        raise StoreUnavailable(
            f"The signing key {path} is shorter than {MINIMUM_LENGTH} characters; it is not "
            "a key SamePage wrote. Put the store's key back from its backup."
        )
    return SigningKey(secret.encode("utf-8"), str(path))


def attach(info: dict[str, object], key: SigningKey) -> None:
    """Give every session of a store its key (services reach it through their session)."""
    info[_SESSION_KEY] = key.secret


def of(session: Session) -> bytes:
    """The key of the store ``session`` belongs to; a session without one is a bug, never a
    reason to seal with nothing."""
    secret = session.info.get(_SESSION_KEY)
    if not isinstance(secret, bytes):
        raise RuntimeError("This session has no signing key; open the store with open_store().")
    return secret
