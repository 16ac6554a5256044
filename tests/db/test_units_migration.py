"""Upgrading a store from 0007 to units that follow the metric, on SQLite and PostgreSQL:
signed versions keep their exact content and hash and are flagged when their unit
disagrees with their metric; unsigned ones take the metric's unit."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.definitions.success import content_hash
from alignment.definitions.success import live_status
from alignment.definitions.success_workflow import definitions
from alignment.definitions.success_workflow import revise
from alignment.edges.store import open_store
from alignment.shared.periods import parse_period
from db import migrate

CFO = Actor(None, "CFO", Role.CFO)
CMO = Actor(None, "CMO", Role.CMO)
COMMON = {
    "comparison": "at_least",
    "period_start": "2026-01",
    "period_end": "2026-12",
    "deadline": dt.date(2026, 12, 31),
    "measurement": "As the metric says",
    "data_source": "budget lines",
    "tolerance": 0.1,
    "owner_role": "CMO",
}
VERSIONS = {
    # id: (state, metric, target, unit, title)
    1: ("signed_off", "romi", 80.0, "%", "ROMI typed as 80 %"),
    2: ("signed_off", "romi", 0.8, "ratio", "ROMI stored as a share"),
    3: ("signed_off", "marketing_cac", 12500.0, "EUR", "CAC in euros"),
    4: ("signed_off", "marketing_cac", 9000.0, "usd", "CAC in dollars"),
    5: ("superseded", "roas", 3.0, "%", "Old ROAS"),
    6: ("signed_off", "roas", 3.5, "x", "ROAS as a multiple"),
    7: ("draft", "romi", 80.0, "%", "Draft ROMI typed as 80 %"),
    8: ("proposed", "roas", 4.0, "ratio", "Proposed ROAS"),
    9: ("signed_off", "kpi:1", 500.0, "count", "Leads"),
}


def _content(version_id: int) -> dict:
    state, metric, target, unit, title = VERSIONS[version_id]
    return {"title": title, "metric": metric, "target": target, "unit": unit, **COMMON}


def _store_at_0007(url: str) -> None:
    """A store as 0007 left it, holding versions typed with the free unit field."""
    engine = sa.create_engine(url)
    config = migrate.alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO company_settings (id, company_name, currency, locale, gross_margin,"
                " fiscal_year_start_month, idle_minutes, demo, updated_at) VALUES (1, 'Team',"
                " 'USD', 'en_US', 0.7, 1, 30, :no, :at)"
            ),
            {"no": False, "at": dt.datetime(2026, 1, 1)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO kpis (id, name, unit, direction, kind, aggregation, "
                "conversion_label, description) VALUES (1, 'Leads', 'count', 'higher', "
                "'result', 'sum', '', '')"
            )
        )
        for version_id, (state, *_rest) in VERSIONS.items():
            conn.execute(
                sa.text("INSERT INTO success_definitions (id, created_at) VALUES (:id, :at)"),
                {"id": version_id, "at": dt.datetime(2026, 1, 5)},
            )
            content = _content(version_id)
            signed = state in ("signed_off", "superseded")
            conn.execute(
                sa.text(
                    "INSERT INTO success_definition_versions (id, definition_id, number, state,"
                    " title, metric, target, unit, comparison, period_start, period_end,"
                    " deadline, measurement, data_source, tolerance, owner_role, created_at,"
                    " signed_at, content_hash) VALUES (:id, :id, 1, :state, :title, :metric,"
                    " :target, :unit, :comparison, :period_start, :period_end, :deadline,"
                    " :measurement, :data_source, :tolerance, :owner_role, :at, :signed_at,"
                    " :hash)"
                ),
                {
                    "id": version_id,
                    "state": state,
                    "at": dt.datetime(2026, 1, 5),
                    "signed_at": dt.datetime(2026, 1, 9) if signed else None,
                    "hash": content_hash(content) if signed else None,
                    **content,
                },
            )
        if conn.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("success_definitions", "success_definition_versions", "kpis"):
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)")
                )
    engine.dispose()


def _rows(url: str) -> dict[int, dict]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT * FROM success_definition_versions ORDER BY id")
        ).mappings()
        result = {row["id"]: dict(row) for row in rows}
    engine.dispose()
    return result


@pytest.fixture
def upgraded(store_url):
    """The store of ``_store_at_0007``, opened by this version of SamePage (which upgrades it)."""
    open_store(store_url).close()
    _store_at_0007(store_url)
    before = _rows(store_url)
    assert "unit_disagrees" not in before[1]
    store = open_store(store_url)
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    yield store, before
    store.close()


SIGNED_IDS = [1, 2, 3, 4, 5, 6, 9]
CONTENT_COLUMNS = ["title", "metric", "target", "unit", "tolerance", "state", "content_hash"]


def test_signed_versions_keep_their_content_and_hash_and_disagreeing_ones_are_flagged(upgraded):
    store, before = upgraded
    after = _rows(store.url)
    for version_id in SIGNED_IDS:
        for column in CONTENT_COLUMNS:
            assert after[version_id][column] == before[version_id][column], (version_id, column)
        assert after[version_id]["content_hash"] == content_hash(_content(version_id))
    flagged = {i for i in SIGNED_IDS if after[i]["unit_disagrees"]}
    assert flagged == {1, 3, 5}
    assert after[1]["target"] == 80.0 and after[1]["unit"] == "%"


def test_the_flag_shows_on_the_card_and_the_overview_gives_it_no_status(upgraded):
    store, _ = upgraded
    with store.session() as session:
        views = {v.definition_id: v for v in definitions(session, CFO)}
        statuses = {s.definition_id: s for s in live_status(session, CFO, parse_period("2026-11"))}
    romi = views[1].in_force
    assert romi.unit_disagrees and not romi.changed_since_signoff
    assert romi.target_text == "80 %"
    assert statuses[1].unit_disagrees and statuses[1].status is None
    assert statuses[1].target_text == "80 %"
    assert not views[2].in_force.unit_disagrees
    assert views[2].in_force.target_text == "80.0%"
    assert views[3].in_force.unit_disagrees and not views[4].in_force.unit_disagrees
    assert views[6].in_force.target_text == "3.50×"
    assert not views[9].in_force.unit_disagrees


def test_unsigned_versions_take_the_metrics_unit_and_say_so(upgraded):
    store, before = upgraded
    after = _rows(store.url)
    assert (after[7]["unit"], after[7]["target"], after[7]["unit_disagrees"]) == ("%", 0.8, False)
    assert (after[8]["unit"], after[8]["target"]) == ("x", 4.0)
    engine = sa.create_engine(store.url)
    with engine.connect() as conn:
        comments = dict(
            conn.execute(sa.text("SELECT version_id, comment FROM success_definition_events")).all()
        )
    engine.dispose()
    assert comments == {
        7: "On upgrade the unit follows the metric: the target shown as 80 % is kept as the "
        "share 0.8.",
        8: "On upgrade the unit follows the metric: 'ratio' became 'x'.",
    }
    with store.session() as session:
        views = {v.definition_id: v for v in definitions(session, CMO)}
    assert views[7].open_version.target_text == "80.0%"
    assert views[7].open_version.target_as_typed == "80"


def test_a_new_version_of_a_flagged_one_reads_as_its_screens_showed_it(upgraded):
    store, _ = upgraded
    with store.session() as session:
        revise(session, CMO, 1)
    with store.session() as session:
        view = next(v for v in definitions(session, CMO) if v.definition_id == 1)
    draft = view.open_version
    assert (draft.content["target"], draft.content["unit"]) == (0.8, "%")
    assert not draft.unit_disagrees and draft.target_text == "80.0%"
    assert view.in_force.unit_disagrees and view.in_force.content["target"] == 80.0
