"""What a sender is handed, and how it says it could not deliver."""

from __future__ import annotations

from dataclasses import dataclass


class DeliveryFailed(Exception):
    """A send that did not go through; the message is the reason, kept in the outbox."""


@dataclass(frozen=True)
class Outgoing:
    """One notice as it leaves: where to, what, and what is attached (built at send time)."""

    channel: str
    address: str
    subject: str
    body: str
    attachment_name: str | None = None
    attachment: bytes | None = None
