"""The overview read as one (alignment/dashboard.py): kept while nothing changes, read
again after any write, on a new day or for another person, and never hiding a signed
definition whose content was changed behind SamePage's back."""

from __future__ import annotations

import sqlalchemy as sa

from alignment import dashboard as dashboards
from alignment.company.settings import update_company
from alignment.definitions.success import live_status
from alignment.shared import clock
from alignment.shared.periods import parse_period
from alignment.spend.overview import headline_figures

NOV = parse_period("2026-11")


def test_an_unchanged_store_is_read_once_and_a_write_reads_it_again(demo_store, demo_actors):
    dashboards.DASHBOARDS.clear()
    ceo, cfo = demo_actors["CEO"], demo_actors["CFO"]
    with demo_store.session() as session:
        first = dashboards.dashboard(session, ceo, NOV)
        assert first.now == headline_figures(session, ceo, NOV)
        assert first.definitions == live_status(session, ceo, NOV)
        again = dashboards.dashboard(session, ceo, NOV)
    assert dashboards.DASHBOARDS.computed == 1
    assert again.now == first.now and again.trend.equals(first.trend)

    with demo_store.session() as session:
        update_company(session, cfo, gross_margin=0.5)
    with demo_store.session() as session:
        after = dashboards.dashboard(session, ceo, NOV)
        assert after.now == headline_figures(session, ceo, NOV)
    assert dashboards.DASHBOARDS.computed == 2
    assert after.now.romi != first.now.romi


def test_another_person_or_another_day_is_read_afresh(demo_store, demo_actors, monkeypatch):
    dashboards.DASHBOARDS.clear()
    with demo_store.session() as session:
        dashboards.dashboard(session, demo_actors["CEO"], NOV)
        dashboards.dashboard(session, demo_actors["CFO"], NOV)
        assert dashboards.DASHBOARDS.computed == 2
        monkeypatch.setenv(clock.ENVIRONMENT, "2026-12-02T08:00:00")
        dashboards.dashboard(session, demo_actors["CEO"], NOV)
    assert dashboards.DASHBOARDS.computed == 3


def test_a_signed_definition_changed_in_the_database_shows_at_once(demo_store, demo_actors):
    """An edit in the database records no audit event, so the data version stays; the live
    status, which is what reveals it, is never taken from the cache."""
    ceo = demo_actors["CEO"]
    with demo_store.session() as session:
        before = dashboards.dashboard(session, ceo, NOV).definitions
    signed = next(d for d in before if not d.changed_since_signoff)
    with demo_store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE success_definition_versions SET measurement = 'Whatever marketing says' "
                "WHERE id = (SELECT max(id) FROM success_definition_versions WHERE title = :t "
                "AND signed_at IS NOT NULL)"
            ),
            {"t": signed.title},
        )
    with demo_store.session() as session:
        after = dashboards.dashboard(session, ceo, NOV).definitions
    assert next(d for d in after if d.title == signed.title).changed_since_signoff
