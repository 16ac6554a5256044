"""One data version for every cache: it moves on every write, in this process or another,
and the fitted curves of Next dollar are kept exactly while it stays put."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from alignment.allocation import next_dollar
from alignment.company.settings import update_company
from alignment.records.data_version import EMPTY
from alignment.records.data_version import data_version

ROOT = Path(__file__).resolve().parents[2]


def version_of(store) -> str:
    with store.session() as session:
        return data_version(session)


def another_process(store, *command: str) -> None:
    """Run a SamePage command on the store from another process, as a replica would write."""
    url = store.engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-m", "alignment", *command],
        cwd=ROOT,
        env={**os.environ, "SAMEPAGE_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_an_empty_store_has_the_empty_version_and_its_first_write_moves_it(store):
    from alignment.access.permissions import COMMAND_LINE

    assert version_of(store) == EMPTY
    with store.session() as session:
        update_company(session, COMMAND_LINE, name="Acme Robotics")
    assert version_of(store) != EMPTY


def test_reads_leave_the_version_and_a_write_moves_it(demo_store, demo_actors):
    before = version_of(demo_store)
    assert before != EMPTY
    with demo_store.session() as session:
        next_dollar.response_data(session, demo_actors["CEO"])
    assert version_of(demo_store) == before
    with demo_store.session() as session:
        update_company(session, demo_actors["CFO"], gross_margin=0.55)
    assert version_of(demo_store) not in (before, EMPTY)


def test_the_fit_is_kept_until_someone_writes_in_any_process(demo_store, demo_actors, monkeypatch):
    """The Next dollar page refitted on every visit; now an unchanged store is drawn from
    the fit kept, and a change made by another process (a replica, the command line) is
    fitted afresh on the next visit."""
    fits: list[dict[str, int]] = []

    def counted_fit(data, progress=None):
        fits.append({"fit": len(fits) + 1})
        return fits[-1]

    monkeypatch.setattr(next_dollar.response, "fit", counted_fit)
    next_dollar.FITS.clear()
    ceo, cmo = demo_actors["CEO"], demo_actors["CMO"]
    with demo_store.session() as session:
        first = next_dollar.response_curves(session, ceo)
    with demo_store.session() as session:
        assert next_dollar.response_curves(session, cmo) == first == {"fit": 1}
        assert next_dollar.response_curves(session, cmo, "pipeline") == {"fit": 2}
    assert len(fits) == 2

    another_process(demo_store, "company", "--name", "Kestrel Analytics GmbH")
    with demo_store.session() as session:
        again = next_dollar.response_curves(session, ceo)
    assert again == {"fit": 3} and len(fits) == 3
    with demo_store.session() as session:
        assert next_dollar.response_curves(session, ceo) == again
    assert len(fits) == 3


class _Fit:
    """Stands in for a fit: one channel whose curve counts how often it was drawn."""

    drawn = 0

    def __init__(self) -> None:
        self.channels = [type("Channel", (), {"channel": "Paid search"})()]

    def curve_frame(self, channel: str):
        import pandas as pd

        _Fit.drawn += 1
        return pd.DataFrame({"monthly_spend": [0.0, 1.0], "monthly_outcome": [0.0, 2.0]})


def test_the_curves_are_drawn_once_per_data_version(demo_store, demo_actors, monkeypatch):
    """Drawing the curves from a fit took longer than the kept fit saved; they are kept
    beside it now."""
    monkeypatch.setattr(next_dollar.response, "fit", lambda data, progress=None: _Fit())
    next_dollar.FITS.clear()
    next_dollar.CURVES.clear()
    _Fit.drawn = 0
    ceo = demo_actors["CEO"]
    with demo_store.session() as session:
        first = next_dollar.curve_frames(session, ceo)
        assert next_dollar.curve_frames(session, demo_actors["CFO"]).equals(first)
    assert _Fit.drawn == 1
    assert list(first["channel"]) == ["Paid search", "Paid search"]
    with demo_store.session() as session:
        update_company(session, demo_actors["CFO"], gross_margin=0.5)
    with demo_store.session() as session:
        next_dollar.curve_frames(session, ceo)
    assert _Fit.drawn == 2


def test_a_proposal_is_spread_once_per_data_version_and_inputs(
    demo_store, demo_actors, monkeypatch
):
    """Spreading a budget took most of a second on every rerun of the Next dollar page
    with the same inputs; it is kept now, and spread again for new inputs or a new store."""
    spreads: list[tuple[float, tuple]] = []

    def counted_propose(fit, budget, bounds=None, money=None, steps=0):
        spreads.append((budget, tuple(sorted((bounds or {}).items()))))
        return {"spread": len(spreads), "budget": budget, "money": money(1234.5)}

    monkeypatch.setattr(next_dollar.response, "fit", lambda data, progress=None: "a fit")
    monkeypatch.setattr(next_dollar.response, "propose", counted_propose)
    next_dollar.FITS.clear()
    next_dollar.PROPOSALS.clear()
    ceo, cfo = demo_actors["CEO"], demo_actors["CFO"]
    bounds = {"Paid search": (1000.0, 9000.0), "Events": (0.0, 5000.0)}
    with demo_store.session() as session:
        first = next_dollar.budget_proposal(session, ceo, 50_000.0, bounds, "EUR", "de_DE")
        same = next_dollar.budget_proposal(
            session, cfo, 50_000.0, dict(reversed(bounds.items())), "EUR", "de_DE"
        )
        assert first == same == {"spread": 1, "budget": 50_000.0, "money": "1.235\xa0€"}
        assert (
            next_dollar.budget_proposal(session, ceo, 60_000.0, bounds, "EUR", "de_DE")["spread"]
            == 2
        )
        wider = {**bounds, "Events": (0.0, 8000.0)}
        assert (
            next_dollar.budget_proposal(session, ceo, 50_000.0, wider, "EUR", "de_DE")["spread"]
            == 3
        )
    with demo_store.session() as session:
        update_company(session, cfo, gross_margin=0.5)
    with demo_store.session() as session:
        again = next_dollar.budget_proposal(session, ceo, 50_000.0, bounds, "EUR", "de_DE")
    assert again["spread"] == 4 and len(spreads) == 4


def test_the_month_choices_are_read_once_per_data_version_and_month(demo_store, demo_actors):
    """Every month picker read the months and their dated days on every render."""
    from alignment.shared import clock
    from alignment.spend import overview

    overview.MONTH_CHOICES.clear()
    ceo = demo_actors["CEO"]
    with demo_store.session() as session:
        first = overview.figure_months(session, ceo)
        assert overview.figure_months(session, demo_actors["CMO"]) == first
        assert overview.MONTH_CHOICES.computed == 1
        with clock.pinned(dt.date(2026, 12, 2)):
            overview.figure_months(session, ceo)
        assert overview.MONTH_CHOICES.computed == 2
    with demo_store.session() as session:
        update_company(session, demo_actors["CFO"], gross_margin=0.5)
    with demo_store.session() as session:
        assert overview.figure_months(session, ceo) == first
    assert overview.MONTH_CHOICES.computed == 3


def test_the_period_aggregates_kpi_tree_and_score_are_kept_until_a_write_in_another_process(
    demo_store, demo_actors, tmp_path
):
    """Issue 17: the figures every page asks for are read once per data version; a budget
    line imported by another process (the command line here, a replica in production)
    shows on the next read, never a kept figure."""
    from alignment.objectives import kpis
    from alignment.shared.periods import month_period
    from alignment.spend import overview
    from alignment.trust import checklist

    november = month_period("2026-11")
    ceo = demo_actors["CEO"]

    def read_all():
        with demo_store.session() as session:
            return (
                overview.headline_figures(session, ceo, november).actual_spend,
                overview.return_by_channel(session, ceo, november),
                overview.spend_over_time(session, ceo, "2026-11", months=3),
                kpis.period_values(session, ceo, november),
                [node.kpi.name for node in kpis.walk(kpis.kpi_tree(session, ceo))],
                checklist.alignment_summary(session, ceo, "2026-11"),
            )

    caches = (overview.FIGURES, kpis.TREES, checklist.SCORES)
    for cache in caches:
        cache.clear()
    spend, by_channel, trend, values, tree, score = read_all()
    assert read_all()[0] == spend
    assert [cache.computed for cache in caches] == [3, 2, 1]
    assert "Podcasts live" not in set(by_channel["channel"])

    upload = tmp_path / "podcasts.csv"
    upload.write_text(
        "month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
        "attributed_revenue,new_customers\n2026-11,Podcasts live,,1000,2500,0,0,0\n"
    )
    another_process(demo_store, "import", str(upload))
    new_spend, new_by_channel, new_trend, new_values, new_tree, new_score = read_all()
    assert new_spend - spend == 2500
    assert "Podcasts live" in set(new_by_channel["channel"])
    assert new_trend["actual_spend"].iloc[-1] - trend["actual_spend"].iloc[-1] == 2500
    assert (new_values, new_tree, new_score) == (values, tree, score)
    assert [cache.computed for cache in caches] == [6, 4, 2]
