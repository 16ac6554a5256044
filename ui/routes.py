"""The HTTP routes a Streamlit script cannot provide: exchanging a log-in ticket for the
session cookie, and dropping the cookie after a log-out."""

from __future__ import annotations

import base64
import functools
import logging
import os

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alignment.access import login_sessions
from alignment.edges.store import Store
from alignment.edges.store import open_store
from alignment.shared.errors import SamePageError
from db.engine import database_url

REMEMBER_ROUTE = "/api/samepage/remember"
FORGET_ROUTE = "/api/samepage/forget"
BEHIND_TLS_VARIABLE = "SAMEPAGE_BEHIND_TLS"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
log = logging.getLogger("samepage")


@functools.cache
def _store() -> Store:
    return open_store(database_url())


def _pixel() -> Response:
    return Response(_PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


def remember(request: Request) -> Response:
    """Exchange a one-time ticket for the HttpOnly session cookie; anything else is ignored.

    Only SamePage's own pages may ask (Sec-Fetch-Site), so another site cannot log a
    visitor in as someone else with a ticket it got hold of. A request without the header
    is refused too: every browser SamePage supports sends it, a forged request need not."""
    response = _pixel()
    if request.headers.get("sec-fetch-site") != "same-origin":
        return response
    try:
        with _store().session() as session:
            token = login_sessions.redeem(session, request.query_params.get("ticket", ""))
    except SamePageError:
        log.exception("Could not remember a log-in")
        return response
    if token:
        response.set_cookie(
            login_sessions.COOKIE,
            token,
            max_age=login_sessions.LONGEST_HOURS * 3600,
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure_cookie(request),
        )
    return response


def behind_tls() -> bool:
    """``SAMEPAGE_BEHIND_TLS=1``: the operator says browsers reach SamePage over HTTPS, so
    the cookie is ``Secure`` even where SamePage itself sees plain HTTP on localhost."""
    return os.environ.get(BEHIND_TLS_VARIABLE, "") not in ("", "0", "false")


def secure_cookie(request: Request) -> bool:
    """The session cookie is ``Secure`` unless SamePage is reached on this computer over
    plain HTTP: behind a proxy on another host uvicorn sees ``http``, and a cookie sent in
    clear there could be copied off the network."""
    if behind_tls() or request.url.scheme == "https":
        return True
    return (request.url.hostname or "").lower() not in LOCAL_HOSTS


def forget(request: Request) -> Response:
    """Drop the cookie after a log-out (the session itself already ended on the server)."""
    response = _pixel()
    response.delete_cookie(
        login_sessions.COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure_cookie(request),
    )
    return response


ROUTES = [Route(REMEMBER_ROUTE, remember), Route(FORGET_ROUTE, forget)]


TRUSTED_PROXIES_VARIABLE = "SAMEPAGE_TRUSTED_PROXIES"


def trusted_proxies() -> frozenset[str]:
    """``SAMEPAGE_TRUSTED_PROXIES=10.0.0.5,10.0.0.6``: the addresses of the operator's own
    reverse proxies, whose ``X-Forwarded-For`` SamePage believes."""
    return frozenset(
        part.strip()
        for part in os.environ.get(TRUSTED_PROXIES_VARIABLE, "").split(",")
        if part.strip()
    )


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: frozenset[str]
) -> str | None:
    """The browser's address for the per-client log-in limit. Behind the operator's own
    proxies it is the nearest ``X-Forwarded-For`` entry that is not one of them, read from
    the right: the entries further left were written by the client and prove nothing. A
    peer that is not a trusted proxy is the client itself, whatever it sends. Streamlit
    reports no address (None) for a peer on this computer: that is a proxy on the same
    host when a local address is trusted."""
    proxy = peer in trusted or (peer is None and bool(trusted & LOCAL_HOSTS))
    if not proxy or not forwarded_for:
        return peer
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    for hop in reversed(hops):
        if hop not in trusted and hop not in LOCAL_HOSTS:
            return hop[:300]
    return peer
