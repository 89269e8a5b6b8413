"""What every route needs: the store, the signed-in session, a checked CSRF token, and
input types that reject what the database would choke on (so bad input is a 422, not a 500).

A route that reads or writes the store does all its database work in one trip to the thread
pool: ``TransactionRoute`` opens the request's transaction, reads its session (the user's
*current* role, so a deleted session or a changed role takes effect at once), checks it,
runs the route and commits, all in the same worker thread. FastAPI's own way (a generator
dependency for the transaction, a sync route, a sync response check) took four trips, and
the request held its pooled connection while the event loop got round to each of them:
under load, that waiting was most of a request's time.

The dependencies therefore only stake claims (``_Claim``) that the route's thread turns
into the real connection and session. What needs no database is checked at once, before
the body is read: a missing or forged session cookie (401, or a redirect to /login) and a
missing CSRF token (403).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Path, Request
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, StringConstraints
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from hustings.errors import AuthError, PermissionDeniedError
from hustings.inbox.scorecard import AuditCache
from hustings.store import Store
from hustings.web.auth import CSRF_HEADER, SESSION_COOKIE, Session, Sessions, csrf_ok

__all__ = [
    "API_ERRORS",
    "ApiError",
    "ApiSession",
    "ApiWrite",
    "ApiWriteClaim",
    "Conn",
    "Id",
    "LoginRequired",
    "PageSession",
    "PageWrite",
    "PageWriteClaim",
    "ShortText",
    "Text",
    "TransactionRoute",
    "forget_cached_audit",
    "get_store",
    "settle_write",
]

_MAX_ID = 2_147_483_647


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


Text = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_no_nul)]
ShortText = Annotated[str, StringConstraints(max_length=255), AfterValidator(_no_nul)]
Id = Annotated[int, Path(ge=1, le=_MAX_ID)]


class ApiError(BaseModel):
    """Every API error body: one sentence a person can act on, and, for input that failed
    validation, one line per problem (``field: what is wrong``).

    The OpenAPI document declares this shape for every 4xx (``API_ERRORS``), replacing
    FastAPI's default 422 schema (``detail`` as an array of objects), which the app's error
    handler never sent: clients generated from the document broke on the first error.
    """

    detail: str
    errors: list[str] | None = None


API_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ApiError, "description": text}
    for code, text in (
        (401, "Not signed in, or the e-mail address or password is wrong"),
        (403, "The role may not do this, or the CSRF token is missing or wrong"),
        (404, "No such record in this workspace"),
        (409, "Someone else got there first"),
        (422, "Input to fix: `detail` says what, `errors` lists each field"),
        (429, "Too many failed logins: wait, then try again"),
    )
}


class LoginRequired(Exception):
    """Raised by page routes without a session; the app answers with a redirect to /login."""


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def forget_cached_audit(request: Request, background: BackgroundTasks) -> None:
    """Drop the app's audit scorecard after an erasure, now and again once the erasure has
    committed (background tasks run after the response): an audit that read the store in
    between would otherwise keep the erased person's words in memory until its next run."""
    cache: AuditCache = request.app.state.audit
    cache.discard()
    background.add_task(cache.discard)


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


@dataclass(frozen=True, slots=True)
class _Claim:
    """A route's claim on the request's transaction, settled in the route's thread."""

    request: Request

    def settle(self, conn: Connection, session: Session | None) -> Any:
        return conn


@dataclass(frozen=True, slots=True)
class _SessionClaim(_Claim):
    """A claim on the live session behind ``token``; ``csrf`` is checked when ``write``."""

    token: str
    api: bool
    write: bool = False
    csrf: str | None = None

    def settle(self, conn: Connection, session: Session | None) -> Session:
        if session is None:
            raise _signed_out(self.api)
        if self.write and not csrf_ok(session, self.csrf):
            raise _csrf_error()
        return session


def _signed_out(api: bool) -> Exception:
    return AuthError("sign in first (POST /api/login)") if api else LoginRequired()


def _csrf_error() -> Exception:
    return PermissionDeniedError("missing or wrong CSRF token: reload the page and try again")


def _in_transaction(route: Callable[..., Any], values: dict[str, Any]) -> Any:
    """Run ``route`` with its claims settled, inside the request's one transaction, which
    commits (or rolls back on an error) before the response goes out."""
    claims = [v for v in values.values() if isinstance(v, _Claim)]
    if not claims:
        return route(**values)
    request = claims[0].request
    token = next((c.token for c in claims if isinstance(c, _SessionClaim)), None)
    with get_store(request).begin() as conn:
        session = _sessions(request).lookup(conn, token) if token else None
        settled = {
            k: v.settle(conn, session) if isinstance(v, _Claim) else v for k, v in values.items()
        }
        return route(**settled)


def _one_trip(route: Callable[..., Any]) -> Callable[..., Any]:
    """A sync route as a coroutine that runs it, with its transaction, in one worker thread.

    ``functools.wraps`` keeps the route's signature and annotations for FastAPI; being a
    coroutine, the wrapper also has FastAPI check the response on the event loop rather
    than in yet another trip to the pool.
    """

    @functools.wraps(route)
    async def run(**values: Any) -> Any:
        return await run_in_threadpool(_in_transaction, route, values)

    return run


class TransactionRoute(APIRoute):
    """The route class of every router: sync routes run as ``_one_trip`` describes."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _one_trip(endpoint)
        super().__init__(path, endpoint, **kwargs)


async def _conn(request: Request) -> _Claim:
    return _Claim(request)


def _token(request: Request, api: bool) -> str:
    """The session token of a validly signed cookie; 401 or /login at once without one."""
    token = _sessions(request).token(request.cookies.get(SESSION_COOKIE))
    if token is None:
        raise _signed_out(api)
    return token


async def _api_session(request: Request) -> _SessionClaim:
    return _SessionClaim(request, _token(request, api=True), api=True)


def _write_claim(request: Request, token: str, api: bool, csrf: str | None) -> _SessionClaim:
    """A write needs a CSRF token; whether it is the session's is checked in the route's trip."""
    if csrf is None:
        raise _csrf_error()
    return _SessionClaim(request, token, api=api, write=True, csrf=csrf)


async def _api_write(request: Request) -> _SessionClaim:
    token = _token(request, api=True)
    return _write_claim(request, token, True, request.headers.get(CSRF_HEADER))


async def _page_session(request: Request) -> _SessionClaim:
    return _SessionClaim(request, _token(request, api=False), api=False)


async def _page_write(request: Request) -> _SessionClaim:
    token = _token(request, api=False)
    csrf = request.headers.get(CSRF_HEADER)
    if csrf is None:
        form = await request.form()
        field = form.get("csrf_token")
        csrf = field if isinstance(field, str) else None
    return _write_claim(request, token, False, csrf)


def settle_write(claim: Any) -> Session:
    """For an ``async`` route, which runs outside the request transaction (one that must
    not hold a transaction open, such as one waiting on a platform): check the session and
    its CSRF token now, in a short transaction of its own."""
    assert isinstance(claim, _SessionClaim)
    with get_store(claim.request).begin() as conn:
        session = _sessions(claim.request).lookup(conn, claim.token)
        return claim.settle(conn, session)


# An async route receives the unsettled claim; ``settle_write`` settles it.
PageWriteClaim = Annotated[Any, Depends(_page_write)]
ApiWriteClaim = Annotated[Any, Depends(_api_write)]
# Each is the real connection or session by the time the route's body runs.
Conn = Annotated[Connection, Depends(_conn)]
ApiSession = Annotated[Session, Depends(_api_session)]
ApiWrite = Annotated[Session, Depends(_api_write)]
PageSession = Annotated[Session, Depends(_page_session)]
PageWrite = Annotated[Session, Depends(_page_write)]
