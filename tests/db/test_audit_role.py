"""SamePage run under the PostgreSQL application role the README describes: it reads and
writes the team's figures and appends audit events, but does not own the tables, so it
cannot change, delete or truncate the trail, nor switch its guards off (issue 15.4)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from alignment.access.permissions import COMMAND_LINE
from alignment.definitions.success_workflow import definitions
from alignment.definitions.success_workflow import sign_off
from alignment.edges.store import Store
from alignment.edges.store import open_store
from alignment.meeting.review import close_review
from alignment.records import audit
from alignment.spend.budget import BudgetChanges
from alignment.spend.budget import LineEdit
from alignment.spend.budget import save_changes
from alignment.trust.checklist import add_item
from db.models import BudgetLine

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("store_url", ["postgresql"], indirect=True),
]

APPLICATION_GRANTS = (
    "GRANT CONNECT ON DATABASE {database} TO {role}",
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
    "REVOKE UPDATE, DELETE ON audit_events FROM {role}",
    "REVOKE INSERT, DELETE ON audit_head FROM {role}",
)
"""The README's grants, word for word (the role is named and the database filled in)."""


@pytest.fixture
def application_store(demo_store: Store) -> Iterator[Store]:
    """The demo store, opened again as a role that owns nothing and has only the grants."""
    role = f"samepage_app_{uuid.uuid4().hex[:10]}"
    url = sa.engine.make_url(demo_store.url)
    with demo_store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        for grant in APPLICATION_GRANTS:
            conn.execute(sa.text(grant.format(database=f'"{url.database}"', role=f'"{role}"')))
    store = open_store(url.set(username=role).render_as_string(hide_password=False))
    try:
        yield store
    finally:
        store.close()
        with demo_store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))


def test_the_application_role_writes_and_cannot_rewrite_the_trail(application_store, demo_actors):
    store = application_store
    with store.session() as session:
        line = session.scalars(sa.select(BudgetLine).order_by(BudgetLine.id.desc())).first()
        edit = LineEdit(line.id, line.version, {"actual_spend": 4321})
        save_changes(session, demo_actors["CMO"], BudgetChanges(edits=[edit]))
        add_item(session, demo_actors["CEO"], "Written by the application role")
        proposal = next(
            d.open_version
            for d in definitions(session, demo_actors["CFO"])
            if d.open_version and d.open_version.state == "proposed"
        )
        sign_off(session, demo_actors["CFO"], proposal.version_id, proposal.content_hash)
        close_review(session, demo_actors["CEO"], "2026-10")
    with store.session() as session:
        check = audit.verify(session, COMMAND_LINE)
        head = audit.current_head(session)
    assert check.intact and check.events >= 5 and check.signatures >= 3
    assert head is not None
    refused = {
        "UPDATE audit_events SET actor = 'Nobody'": "permission denied",
        "DELETE FROM audit_events": "permission denied",
        "TRUNCATE audit_events": "permission denied",
        "TRUNCATE audit_head": "permission denied",
        "DELETE FROM audit_head": "permission denied",
        "ALTER TABLE audit_events DISABLE TRIGGER USER": "must be owner",
        "DROP TRIGGER audit_head_no_change ON audit_head": "must be owner",
        "UPDATE audit_head SET last_id = last_id - 1": "audit head only moves forward",
        "UPDATE alembic_version SET version_num = '0001'": "permission denied",
    }
    for statement, reason in refused.items():
        with pytest.raises(sa.exc.DatabaseError, match=reason):
            with store.engine.begin() as conn:
                conn.execute(sa.text(statement))
    with store.session() as session:
        assert audit.verify(session, COMMAND_LINE, head).intact
