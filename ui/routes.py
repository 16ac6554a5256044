"""The HTTP routes a Streamlit script cannot provide: exchanging a log-in ticket for the
session cookie, and dropping the cookie after a log-out."""

from __future__ import annotations

import base64
import functools
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alignment import login_sessions
from alignment.errors import SamePageError
from alignment.store import Store
from alignment.store import open_store
from db.engine import database_url

REMEMBER_ROUTE = "/api/samepage/remember"
FORGET_ROUTE = "/api/samepage/forget"
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
    visitor in as someone else with a ticket it got hold of."""
    response = _pixel()
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
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
            secure=request.url.scheme == "https",
        )
    return response


def forget(request: Request) -> Response:
    """Drop the cookie after a log-out (the session itself already ended on the server)."""
    response = _pixel()
    response.delete_cookie(login_sessions.COOKIE, path="/", httponly=True, samesite="strict")
    return response


ROUTES = [Route(REMEMBER_ROUTE, remember), Route(FORGET_ROUTE, forget)]
