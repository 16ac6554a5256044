"""keyed seals and audit chain: signatures and links under the store's signing key

- Every definition version gets a ``seal``: an HMAC under the store's signing key (kept
  outside the database, ``alignment.records.signing_key``) of what the signature covers
  (``alignment.definitions.signature``).
- A signed (in force or superseded) version is re-sealed here only when it can be shown
  unchanged: its stored plain ``content_hash`` still matches its content. Its dependencies
  (the KPI's name, unit, aggregation and direction, the currency, the gross margin for ROMI)
  are sealed as they stand now: the old hash never covered them, so nothing older can be
  proved about them. A version whose hash is NULL or does not match keeps no seal and reads
  "changed since sign-off" until the CFO signs it again.
- The chain: events written before this revision keep their plain SHA-256 links; this
  revision appends one keyed event that links to the newest of them (so a rewritten older
  trail no longer matches it) and lists the seals given and the versions left unsealed
  (``audit verify`` checks each signed version against it).
- PostgreSQL gets a ``BEFORE TRUNCATE`` trigger on the audit events, and ``audit_head`` is
  guarded on both databases: it cannot be removed while there are events, and it only
  moves forward to an existing event with that very hash.

Unlike 0008, the sealing is imported, not copied: a seal is only worth anything if it is
exactly what this SamePage computes when it reads it back.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from alignment.records import audit
from alignment.shared import clock
from alignment.definitions import signature
from db import audit_guard
from db import migrate
from db.models import AuditEvent

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

versions = sa.table(
    "success_definition_versions",
    sa.column("id", sa.Integer),
    sa.column("definition_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("state", sa.String),
    sa.column("signed_by_id", sa.Integer),
    sa.column("signed_at", sa.DateTime),
    sa.column("content_hash", sa.String),
    sa.column("seal", sa.String),
    *(
        sa.column(
            name,
            sa.Date
            if name == "deadline"
            else sa.Float
            if name in ("target", "tolerance")
            else sa.String,
        )
        for name in signature.CONTENT_FIELDS
    ),
)
events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("user_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("old_value", sa.JSON),
    sa.column("new_value", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
head = sa.table(
    "audit_head",
    sa.column("id", sa.Integer),
    sa.column("last_id", sa.Integer),
    sa.column("last_hash", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("success_definition_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    audit_guard.install(bind)
    key = op.get_context().config.attributes.get(migrate.SIGNING_KEY)
    if key is None:
        return
    secret: bytes = key.secret
    settings = bind.execute(
        sa.text("SELECT currency, gross_margin FROM company_settings ORDER BY id LIMIT 1")
    ).first()
    kpis = {
        row.id: dict(row._mapping)
        for row in bind.execute(sa.text("SELECT id, name, unit, aggregation, direction FROM kpis"))
    }
    sealed: dict[str, dict[str, Any]] = {}
    unsealed: list[int] = []
    for row in bind.execute(
        sa.select(versions).where(versions.c.state.in_(signature.SIGNED_STATES))
    ).all():
        content = {name: getattr(row, name) for name in signature.CONTENT_FIELDS}
        if row.content_hash is None or row.content_hash != signature.content_hash(content):
            unsealed.append(row.id)
            continue
        kpi_id = signature.kpi_id(row.metric)
        depends = signature.depends_on(
            row.metric,
            kpis.get(kpi_id) if kpi_id is not None else None,
            settings.currency if settings else None,
            settings.gross_margin if settings else None,
        )
        meaning = signature.signed_meaning(
            row.definition_id, row.number, row.signed_by_id, row.signed_at, content, depends
        )
        seal = signature.seal_of(secret, meaning)
        bind.execute(versions.update().where(versions.c.id == row.id).values(seal=seal))
        sealed[str(row.id)] = {"seal": seal, "meaning": meaning}
    last = bind.execute(
        sa.select(events.c.id, events.c.hash).order_by(events.c.id.desc()).limit(1)
    ).first()
    if last is None and not sealed and not unsealed:
        return
    new = {
        "seals": sealed,
        "unsealed": unsealed,
        "why": "the audit trail and the signatures are sealed with the store's signing key "
        "from here on; versions whose stored hash did not match their content stay unsealed",
    }
    event = AuditEvent(
        at=clock.utc_second(),
        user_id=None,
        actor="SamePage upgrade",
        action="seal",
        object_type="store",
        object_id=None,
        old_value=None,
        new_value=json.loads(json.dumps(new, sort_keys=True, default=str)),
        prev_hash=last.hash if last else None,
    )
    event.hash = audit.event_hash(secret, event.prev_hash, event)
    values = {
        column: getattr(event, column)
        for column in ("at", "user_id", "actor", "action", "object_type", "object_id")
    }
    bind.execute(
        events.insert().values(
            **values,
            old_value=None,
            new_value=event.new_value,
            prev_hash=event.prev_hash,
            hash=event.hash,
        )
    )
    event_id = bind.execute(sa.select(sa.func.max(events.c.id))).scalar_one()
    if bind.execute(sa.select(head.c.id).where(head.c.id == 1)).first() is None:
        bind.execute(head.insert().values(id=1, last_id=event_id, last_hash=event.hash))
    else:
        bind.execute(
            head.update().where(head.c.id == 1).values(last_id=event_id, last_hash=event.hash)
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_change ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_head_guard()")
    with op.batch_alter_table("success_definition_versions", schema=None) as batch_op:
        batch_op.drop_column("seal")
