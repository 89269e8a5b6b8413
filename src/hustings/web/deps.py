"""What every route needs: the store, the signed-in session, a checked CSRF token, and
input types that reject what the database would choke on (so bad input is a 422, not a 500).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import AfterValidator, StringConstraints
from sqlalchemy import Connection

from hustings.inbox.errors import AuthError, PermissionDeniedError
from hustings.store import Store
from hustings.web.auth import CSRF_HEADER, SESSION_COOKIE, Session, Sessions, csrf_ok

__all__ = [
    "ApiSession",
    "ApiWrite",
    "Conn",
    "Id",
    "LoginRequired",
    "PageSession",
    "PageWrite",
    "ShortText",
    "Text",
    "get_store",
]

_MAX_ID = 2_147_483_647


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


Text = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_no_nul)]
ShortText = Annotated[str, StringConstraints(max_length=255), AfterValidator(_no_nul)]
Id = Annotated[int, Path(ge=1, le=_MAX_ID)]


class LoginRequired(Exception):
    """Raised by page routes without a session; the app answers with a redirect to /login."""


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


def _request_connection(request: Request) -> Iterator[Connection]:
    """The request's one transaction, opened together with the session check.

    The route's work shares the transaction, which commits (or rolls back on an error)
    before the response goes out. Reading the session here rather than in a dependency of
    its own saves a hop to the thread pool on every request.
    """
    with get_store(request).begin() as conn:
        request.state.session = _sessions(request).read(conn, request.cookies.get(SESSION_COOKIE))
        yield conn


Conn = Annotated[Connection, Depends(_request_connection, scope="function")]


async def current_session(request: Request, conn: Conn) -> Session | None:
    """The live session behind the cookie, as read when the request's transaction began."""
    session: Session | None = request.state.session
    return session


async def _api_session(session: Annotated[Session | None, Depends(current_session)]) -> Session:
    if session is None:
        raise AuthError("sign in first (POST /api/login)")
    return session


async def _api_write(request: Request, session: Session = Depends(_api_session)) -> Session:
    if not csrf_ok(session, request.headers.get(CSRF_HEADER)):
        raise _csrf_error()
    return session


async def _page_session(session: Annotated[Session | None, Depends(current_session)]) -> Session:
    if session is None:
        raise LoginRequired()
    return session


async def _page_write(request: Request, session: Session = Depends(_page_session)) -> Session:
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        form = await request.form()
        field = form.get("csrf_token")
        token = field if isinstance(field, str) else None
    if not csrf_ok(session, token):
        raise _csrf_error()
    return session


def _csrf_error() -> Exception:
    return PermissionDeniedError("missing or wrong CSRF token: reload the page and try again")


ApiSession = Annotated[Session, Depends(_api_session)]
ApiWrite = Annotated[Session, Depends(_api_write)]
PageSession = Annotated[Session, Depends(_page_session)]
PageWrite = Annotated[Session, Depends(_page_write)]
