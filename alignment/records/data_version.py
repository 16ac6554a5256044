"""One data version for every cache of read results: the head of the audit chain.

Every change to a team's figures goes through one unit of work, which records an audit
event in the same transaction, so the chain's head moves exactly when something changed,
on every replica reading the same database. A cached figure is kept under the version it
was computed at and is never served under another; nothing expires by time. The head's
hash, not only its number, is the version: a restore puts back an older chain whose next
event can carry a number seen before, never the same hash.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from typing import ClassVar
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditHead

Value = TypeVar("Value")

EMPTY = "empty"
"""The version of a store no change has been recorded in yet."""


def data_version(session: Session) -> str:
    """The version of everything the store holds, as of this session's transaction."""
    head = session.execute(select(AuditHead.last_id, AuditHead.last_hash)).first()
    if head is None or head.last_hash is None:
        return EMPTY
    return f"{head.last_id}:{head.last_hash}"


def store_identity(session: Session) -> str:
    """Which store a session reads: one cache serves every store of the process (tests, a
    restore being checked), and keeps their results apart."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


class ReadCache:
    """Results of reads kept per data version, the least recently used evicted beyond
    ``max_entries``: shared by every session and page of one process, bounded in memory.

    Each caller gets its own copy, so a page that changes what it was given (a column
    added to a frame) cannot change what every other session is shown."""

    every: ClassVar[weakref.WeakSet[ReadCache]] = weakref.WeakSet()

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0
        ReadCache.every.add(self)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        """The value kept under ``key``, or ``compute()`` kept under it. ``key`` must hold
        the data version and everything else the value depends on."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return copy.deepcopy(self._entries[key])  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self.computed += 1
            self._entries[key] = copy.deepcopy(value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def kept(self, session: Session, compute: Callable[[], Value], *depends_on: Hashable) -> Value:
        """``get`` under the session's store and data version and what else the value
        ``depends_on`` (an outcome, a month, today's date)."""
        return self.get((store_identity(session), data_version(session), *depends_on), compute)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.computed = 0


def clear_every_cache() -> None:
    """Forget every kept result of this process: tests start from nothing, as a new app
    process does."""
    for cache in list(ReadCache.every):
        cache.clear()
