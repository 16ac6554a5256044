"""The what-if on a real team's store: months with gaps, feeders without figures, and saving
its targets only to a month the person picked (issue 21, items 12-15).

The team's tree, built by hand: New revenue (USD) <- SQLs <- MQLs <- Webinars held, with
Ebooks and Podcasts also under MQLs but never given a figure. Six months, April to
September 2026; webinars were reported for three of them only.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.objectives import funnel
from alignment.objectives import kpis
from alignment.objectives.kpis import KpiInput
from alignment.objectives.kpis import KpiValueChange
from alignment.shared.errors import EditedMeanwhile
from alignment.shared.errors import InvalidPeriod
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from db.models import AuditEvent
from db.models import KpiValue

CMO = Actor(None, "The CMO", Role.CMO)
CFO = Actor(None, "The CFO", Role.CFO)
MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
ACTUALS = {
    "Webinars held": {"2026-07": 2, "2026-08": 3, "2026-09": 2},
    "MQLs": dict(zip(MONTHS, [80, 80, 80, 100, 90, 110], strict=True)),
    "SQLs": dict(zip(MONTHS, [32, 32, 32, 40, 36, 44], strict=True)),
    "New revenue": dict(
        zip(MONTHS, [160_000, 160_000, 160_000, 200_000, 180_000, 220_000], strict=True)
    ),
}
OCTOBER = {
    "Webinars held": (2, 2),
    "MQLs": (110, 96),
    "SQLs": (44, 40),
    "New revenue": (220_000, 200_000),
}
"""October 2026, already measured: (target, actual)."""


@pytest.fixture
def team(store) -> dict[str, int]:
    ids: dict[str, int] = {}
    with store.session() as session:
        ids["New revenue"] = kpis.create_kpi(
            session, CMO, KpiInput("New revenue", "USD", "higher", "financial")
        )
        for name, parent, kind in [
            ("SQLs", "New revenue", "result"),
            ("MQLs", "SQLs", "result"),
            ("Webinars held", "MQLs", "activity"),
            ("Ebooks", "MQLs", "activity"),
            ("Podcasts", "MQLs", "activity"),
        ]:
            factor = 5000 if parent == "New revenue" else None
            label = "USD per SQL" if factor else ""
            ids[name] = kpis.create_kpi(
                session,
                CMO,
                KpiInput(name, "count", "higher", kind, "sum", ids[parent], factor, label),
            )
        changes = [
            KpiValueChange(ids[name], month, actual=value, fields=("actual",))
            for name, months in ACTUALS.items()
            for month, value in months.items()
        ]
        changes += [
            KpiValueChange(ids[name], "2026-10", target=target, actual=actual)
            for name, (target, actual) in OCTOBER.items()
        ]
        kpis.save_values(session, CMO, changes)
    return ids


def test_usually_is_the_average_of_the_months_with_figures(store, team):
    with store.session() as session:
        usual = funnel.usual_month(session, CMO, team["Webinars held"], "2026-09", 6)
        nothing = funnel.usual_month(session, CMO, team["Ebooks"], "2026-09", 6)
    # (2 + 3 + 2) / 3 months with figures, not / 6.
    assert usual.level == pytest.approx(2.3333333)
    assert usual.months == 3
    assert nothing.level is None and nothing.months == 0


def test_the_what_if_uses_months_with_figures_and_leaves_empty_feeders_out(store, team):
    with store.session() as session:
        result = funnel.what_if(session, CMO, team["Webinars held"], 3, "2026-09", 6)
    links = {link.child: link for link in result.links}
    # MQLs per webinar over July-September, the months both have: (100 + 90 + 110) / 7,
    # all of it to webinars (Ebooks and Podcasts have no figures).
    assert links["Webinars held"].rate == pytest.approx(300 / 7)
    assert links["Webinars held"].months == 3
    assert links["Webinars held"].left_out == ("Ebooks", "Podcasts")
    assert links["Webinars held"].shared_with == ()
    assert links["MQLs"].rate == pytest.approx(216 / 540)  # 0.4 SQLs per MQL
    assert links["SQLs"].rate == pytest.approx(5000.0)
    assert result.usual == {
        "Webinars held": pytest.approx(7 / 3),
        "MQLs": pytest.approx(90.0),
        "SQLs": pytest.approx(36.0),
        "New revenue": pytest.approx(180_000.0),
    }
    assert result.months_with_data == {"Webinars held": 3, "MQLs": 6, "SQLs": 6, "New revenue": 6}
    # 3 webinars, 2/3 above the usual 7/3: MQLs 90 + 2/3 * 300/7 = 90 + 200/7 = 118.571...
    # SQLs 36 + 200/7 * 0.4 = 36 + 80/7 = 47.428...; revenue 180,000 + 80/7 * 5,000.
    assert result.implied == [
        ("MQLs", pytest.approx(118.5714286)),
        ("SQLs", pytest.approx(47.4285714)),
        ("New revenue", pytest.approx(237_142.857)),
    ]
    said = " ".join(result.assumptions)
    assert "Webinars held 3 of 6" in said
    assert "Ebooks and Podcasts also feed MQLs but have no figures" in said
    assert "left out of the share" in said


def test_a_value_outside_what_was_seen_is_said_to_stretch_the_rates(store, team):
    with store.session() as session:
        result = funnel.what_if(session, CMO, team["Webinars held"], 9, "2026-09", 6)
    assert any("between 2 and 3 a month" in a and "outside" in a for a in result.assumptions)


def test_saving_goes_to_the_first_month_without_actuals_unless_another_is_picked(store, team):
    with store.session() as session:
        assert funnel.first_open_month(session, CMO, "2026-09") == "2026-11"
        assert funnel.months_with_actuals(session, CMO) == {*MONTHS, "2026-10"}


def _targets(store) -> dict[str, tuple[float | None, float | None]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT k.name, v.target, v.actual FROM kpi_values v "
                "JOIN kpis k ON k.id = v.kpi_id WHERE v.month = '2026-10'"
            )
        ).all()
    return {name: (target, actual) for name, target, actual in rows}


def test_a_month_with_actuals_keeps_its_targets_unless_confirmed(store, team):
    with store.session() as session:
        result = funnel.what_if(session, CMO, team["Webinars held"], 3, "2026-09", 6)
        preview = funnel.preview_targets(session, CMO, funnel.what_if_targets(result), "2026-10")
    shown = {c.kpi: (c.target_now, c.target_new, c.actual) for c in preview.changes}
    assert shown == {
        "Webinars held": (2, 3, 2),
        "MQLs": (110, 118.57, 96),
        "SQLs": (44, 47.43, 40),
        "New revenue": (220_000, 237_142.86, 200_000),
    }
    assert preview.with_actuals == ["Webinars held", "MQLs", "SQLs", "New revenue"]
    before = _targets(store)
    with store.session() as session:
        events = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        with pytest.raises(ValidationFailed, match="October 2026 already has actuals for MQLs"):
            funnel.save_what_if_targets(session, CMO, preview)
    assert _targets(store) == before
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events
        assert funnel.save_what_if_targets(session, CMO, preview, overwrite_actuals=True) == 4
    assert _targets(store) == {
        "Webinars held": (3, 2),
        "MQLs": (118.57, 96),
        "SQLs": (47.43, 40),
        "New revenue": (237_142.86, 200_000),
    }


def test_a_month_without_actuals_is_saved_as_previewed_and_only_that_month(store, team):
    with store.session() as session:
        result = funnel.what_if(session, CMO, team["Webinars held"], 3, "2026-09", 6)
        preview = funnel.preview_targets(session, CMO, funnel.what_if_targets(result), "2026-11")
        assert preview.with_actuals == []
        assert [c.target_now for c in preview.changes] == [None] * 4
        count = session.scalar(sa.select(sa.func.count()).select_from(KpiValue))
        assert funnel.save_what_if_targets(session, CMO, preview) == 4
        rows = session.execute(
            sa.select(KpiValue.kpi_id, KpiValue.target, KpiValue.actual).where(
                KpiValue.month == "2026-11"
            )
        ).all()
        assert session.scalar(sa.select(sa.func.count()).select_from(KpiValue)) == count + 4
    assert {(k, t, a) for k, t, a in rows} == {
        (team["Webinars held"], 3, None),
        (team["MQLs"], 118.57, None),
        (team["SQLs"], 47.43, None),
        (team["New revenue"], 237_142.86, None),
    }
    assert _targets(store)["MQLs"] == (110, 96)


def test_a_target_changed_after_the_preview_is_a_conflict_and_nothing_is_saved(store, team):
    with store.session() as session:
        result = funnel.what_if(session, CMO, team["Webinars held"], 3, "2026-09", 6)
        preview = funnel.preview_targets(session, CMO, funnel.what_if_targets(result), "2026-11")
    with store.session() as session:
        kpis.save_values(session, CMO, [KpiValueChange(team["SQLs"], "2026-11", target=50)])
    with store.session() as session, pytest.raises(EditedMeanwhile):
        funnel.save_what_if_targets(session, CMO, preview)
    with store.engine.connect() as conn:
        saved = conn.execute(
            sa.text("SELECT count(*) FROM kpi_values WHERE month = '2026-11'")
        ).scalar()
    assert saved == 1


def test_only_the_cmo_saves_targets_and_a_bad_month_is_a_sentence(store, team):
    with store.session() as session:
        result = funnel.what_if(session, CFO, team["Webinars held"], 3, "2026-09", 6)
        preview = funnel.preview_targets(session, CFO, funnel.what_if_targets(result), "2026-11")
        with pytest.raises(PermissionDenied):
            funnel.save_what_if_targets(session, CFO, preview)
        with pytest.raises(InvalidPeriod, match="not a month"):
            funnel.preview_targets(session, CMO, funnel.what_if_targets(result), "2026-13")


def test_feeders_sharing_a_parent_use_the_conversion_the_team_set(store, team):
    """Webinars and ebooks both have figures under MQLs: the figures cannot tell how many
    MQLs each brought, so a webinar's stated 30 MQLs is used instead of an equal share.
    A link with one feeder (SQLs per MQL) still comes from the figures."""
    with store.session() as session:
        kpis.update_kpi(
            session,
            CMO,
            team["Webinars held"],
            KpiInput(
                "Webinars held",
                "count",
                "higher",
                "activity",
                "sum",
                team["MQLs"],
                30,
                "about 30 MQLs per webinar",
            ),
        )
        kpis.save_values(
            session,
            CMO,
            [
                KpiValueChange(team["Ebooks"], m, actual=4, fields=("actual",))
                for m in ("2026-07", "2026-08", "2026-09")
            ],
        )
        result = funnel.what_if(session, CMO, team["Webinars held"], 3, "2026-09", 6)
    mqls_link = result.links[0]
    assert (mqls_link.rate, mqls_link.stated, mqls_link.shared_with) == (30, True, ())
    # usual webinars 7/3; MQLs usual (80*3+100+90+110)/6 = 90; +2/3 webinar x 30 = +20
    implied = dict(result.implied)
    assert implied["MQLs"] == pytest.approx(110.0)
    # SQLs per MQL from the figures: 216 / 540 = 0.4; usual SQLs 36; +20 x 0.4 = +8
    assert implied["SQLs"] == pytest.approx(44.0)
    assert any(
        a.startswith("MQLs per Webinars held: 30, the conversion the team set for Webinars held")
        for a in result.assumptions
    ), result.assumptions


def test_a_sole_feeder_keeps_the_rate_its_figures_show(store, team):
    """Only webinars have figures under MQLs: a stated conversion does not override what the
    figures show for a link they can measure."""
    with store.session() as session:
        kpis.update_kpi(
            session,
            CMO,
            team["Webinars held"],
            KpiInput("Webinars held", "count", "higher", "activity", "sum", team["MQLs"], 30),
        )
        result = funnel.what_if(session, CMO, team["Webinars held"], 3, "2026-09", 6)
    # July-September: 300 MQLs over 7 webinars
    assert result.links[0].rate == pytest.approx(300 / 7)
    assert result.links[0].stated is False
