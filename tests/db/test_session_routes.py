"""SamePage's own HTTP routes: a fresh ticket buys an HttpOnly cookie once, nothing else buys
one, and log-out's route drops it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from alignment.access import accounts
from alignment.access import login_sessions
from alignment.access.permissions import COMMAND_LINE
from ui import routes

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery staple"


@pytest.fixture
def client(store, store_url, monkeypatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", store_url)
    routes._store.cache_clear()
    with TestClient(
        Starlette(routes=routes.ROUTES),
        base_url="https://samepage.example",
        headers={"Sec-Fetch-Site": "same-origin"},
    ) as c:
        yield c
    routes._store().close()
    routes._store.cache_clear()


@pytest.fixture
def ticket(store) -> str:
    with store.session() as session:
        accounts.add_user(session, COMMAND_LINE, "ceo@kestrel.example", "Maya", "CEO", PASSWORD)
        me = accounts.log_in(session, "ceo@kestrel.example", PASSWORD)
        return login_sessions.start(session, me).ticket


def test_a_ticket_buys_a_strict_httponly_cookie_that_logs_in(client, ticket, store):
    response = client.get(routes.REMEMBER_ROUTE, params={"ticket": ticket})
    assert response.status_code == 200 and response.headers["content-type"] == "image/gif"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{login_sessions.COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=strict", "Secure", "Path=/", "Max-Age=43200"):
        assert attribute in cookie
    token = response.cookies[login_sessions.COOKIE]
    with store.session() as session:
        resumed = login_sessions.resume(session, token)
    assert resumed is not None and resumed.actor.name == "Maya"


def test_the_same_ticket_twice_buys_nothing_the_second_time(client, ticket):
    assert "set-cookie" in client.get(routes.REMEMBER_ROUTE, params={"ticket": ticket}).headers
    again = client.get(routes.REMEMBER_ROUTE, params={"ticket": ticket})
    assert again.status_code == 200 and "set-cookie" not in again.headers


@pytest.mark.parametrize("params", [{}, {"ticket": ""}, {"ticket": "guess"}, {"ticket": "x" * 500}])
def test_no_ticket_or_a_forged_one_buys_nothing(client, ticket, params):
    response = client.get(routes.REMEMBER_ROUTE, params=params)
    assert response.status_code == 200 and "set-cookie" not in response.headers


def test_the_forget_route_drops_the_cookie(client):
    response = client.get(routes.FORGET_ROUTE)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f'{login_sessions.COOKIE}=""') and "Max-Age=0" in cookie


@pytest.mark.parametrize("site", ["cross-site", "same-site", "none", None])
def test_only_samepage_s_own_pages_may_exchange_a_ticket(client, ticket, site):
    """The client says same-origin, as SamePage's own page does; each case overrides it
    (None: a request that says nothing of where it comes from)."""
    if site is None:
        del client.headers["Sec-Fetch-Site"]
    else:
        client.headers["Sec-Fetch-Site"] = site
    refused = client.get(routes.REMEMBER_ROUTE, params={"ticket": ticket})
    assert "set-cookie" not in refused.headers
    allowed = client.get(
        routes.REMEMBER_ROUTE, params={"ticket": ticket}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert "set-cookie" in allowed.headers
