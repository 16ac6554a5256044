"""The request log on a real team's store (issue 21, item 17): a request put off until
later, a cost with cents, a negative cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.shared import clock
from alignment.shared import formatting as fmt
from alignment.shared.errors import ValidationFailed
from alignment.trust import request_log

CEO = Actor(None, "The CEO", Role.CEO)
CMO = Actor(None, "The CMO", Role.CMO)


def test_a_request_put_off_is_neither_awaiting_nor_decided_without_research(store):
    with clock.pinned(dt.date(2026, 11, 20)), store.session() as session:
        later = request_log.raise_request(session, CEO, "Sponsor the regional trade fair")
        request_log.raise_request(session, CEO, "Launch a podcast")
        hasty = request_log.raise_request(session, CEO, "Buy a TikTok campaign")
        request_log.decide(session, CEO, later, "later", "After the Q1 numbers")
        request_log.decide(session, CEO, hasty, "do", "Everyone is on it")
        views = request_log.requests(session, CEO)
        with pytest.raises(
            ValidationFailed,
            match="'Sponsor the regional trade fair' was put off until later, so nothing "
            "came of it yet: decide do it or don't before recording its outcome.",
        ):
            request_log.record_outcome(session, CMO, later, "Nothing happened")
        put_off = next(v for v in request_log.requests(session, CEO) if v.id == later)
    summary = request_log.stats(views)
    assert summary.open_requests == 1
    assert summary.put_off == 1
    assert summary.decided_without_research == ["Buy a TikTok campaign"]
    assert put_off.status == "Put off until later"
    assert put_off.outcome == ""


def test_a_cost_keeps_its_cents_and_a_negative_cost_is_refused_in_words(store):
    with clock.pinned(dt.date(2026, 11, 20)), store.session() as session:
        request_id = request_log.raise_request(session, CEO, "Exhibit at the logistics expo")
        with pytest.raises(ValidationFailed, match=r"^The cost '-5' cannot be negative\.$"):
            request_log.add_research(session, CMO, request_id, "Quotes", "30 leads", "-5", "")
        untouched = request_log.requests(session, CEO)[0]
        request_log.add_research(session, CMO, request_id, "Quotes", "30 leads", "12,500.50", "")
        view = request_log.requests(session, CEO)[0]
    assert (untouched.research, untouched.cost) == ("", None)
    assert view.cost == Decimal("12500.50")
    assert fmt.money_exact(view.cost, "USD") == "$12,500.50"
