"""The public question form of a Live Q&A event: ``/ask/{form_token}``.

No login: the token in the link the campaign shared is the whole capability, and it opens
this one event's form and nothing else (``qa.event_by_form_token``). The form is
CSRF-safe the way the login form is (a token in the page, its signed twin in a cookie
scoped to this path), rate-limited per visitor and event (``qa.AskLimiter``), and uses the
same responsive layout as every page (a phone's width is enough).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from hustings import qa
from hustings.errors import InvalidInputError, RateLimitedError
from hustings.web.auth import Sessions
from hustings.web.deps import Conn, ShortText, TransactionRoute
from hustings.web.pages import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=TransactionRoute)

_COOKIE = "hustings_ask_csrf"
_VISITOR = "hustings_visitor"


def _form(
    request: Request,
    conn: Connection,
    event: qa.Event,
    code: int = 200,
    *,
    sent: bool = False,
    error: str | None = None,
    text: str = "",
    name: str = "",
) -> Response:
    sessions: Sessions = request.app.state.sessions
    token, cookie = sessions.new_login_csrf()
    visitor = request.cookies.get(_VISITOR) or secrets.token_urlsafe(24)
    response = render(
        request, "qa_ask.html", None, code, event=event, csrf_token=token, sent=sent,
        error=error, text=text, asker=name, approved=_approved(conn, event),
    )  # fmt: skip
    response.set_cookie(
        _VISITOR,
        visitor,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=f"/ask/{event.form_token}",
        max_age=86400,
    )
    response.set_cookie(
        _COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=f"/ask/{event.form_token}",
        max_age=3600,
    )
    return response


def _approved(conn: Connection, event: qa.Event) -> list[qa.Question]:
    """The event's approved questions, one per cluster, most-voted first: what the audience
    may vote for."""
    workspace_id, _ = qa.event_by_form_token(conn, event.form_token)
    questions = qa.list_questions(conn, workspace_id, event.id, "approved")
    first: dict[int, qa.Question] = {}
    for q in questions:
        first.setdefault(q.cluster_id, q)
    return sorted(first.values(), key=lambda q: (-q.votes, q.id))


def _voter(request: Request) -> str | None:
    """A stable key for this browser, never its cookie itself."""
    cookie = request.cookies.get(_VISITOR)
    if not cookie:
        return None
    return "web:" + hashlib.sha256(cookie.encode()).hexdigest()[:32]


@router.get("/ask/{form_token}")
def ask_form(request: Request, form_token: ShortText, conn: Conn) -> Response:
    _, event = qa.event_by_form_token(conn, form_token)
    return _form(request, conn, event)


@router.post("/ask/{form_token}")
def ask(
    request: Request,
    form_token: ShortText,
    conn: Conn,
    text: Annotated[str, Form(max_length=4000)],
    name: Annotated[ShortText, Form()] = "",
    csrf_token: Annotated[ShortText, Form()] = "",
) -> Response:
    workspace_id, event = qa.event_by_form_token(conn, form_token)
    sessions: Sessions = request.app.state.sessions
    if not sessions.check_login_csrf(request.cookies.get(_COOKIE), csrf_token):
        return _form(request, conn, event, 403, error="The form expired: please send it again.",
                     text=text, name=name)  # fmt: skip
    limiter: qa.AskLimiter = request.app.state.ask_limiter
    visitor = request.client.host if request.client else "unknown"
    try:
        limiter.take(visitor, event.id)
        qa.add_question(conn, workspace_id, event.id, text, "web", name or None)
    except RateLimitedError as exc:
        return _form(request, conn, event, 429, error=str(exc), text=text, name=name)
    except InvalidInputError as exc:
        return _form(request, conn, event, 422, error=str(exc), text=text, name=name)
    return _form(request, conn, event, sent=True)


@router.post("/ask/{form_token}/vote")
def vote(
    request: Request,
    form_token: ShortText,
    conn: Conn,
    cluster_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    csrf_token: Annotated[ShortText, Form()] = "",
) -> Response:
    """One "+1" per browser per question; only approved questions can be voted for."""
    workspace_id, event = qa.event_by_form_token(conn, form_token)
    sessions: Sessions = request.app.state.sessions
    voter = _voter(request)
    if voter is None or not sessions.check_login_csrf(request.cookies.get(_COOKIE), csrf_token):
        return _form(request, conn, event, 403, error="The form expired: please vote again.")
    if cluster_id not in {q.cluster_id for q in _approved(conn, event)}:
        return _form(request, conn, event, 404, error="No such question to vote for.")
    counted = qa.vote(conn, workspace_id, cluster_id, voter)
    return _form(request, conn, event, error=None if counted else "You voted for that one already.")


@router.get("/ask/{form_token}/log")
def public_log(request: Request, form_token: ShortText, conn: Conn) -> Response:
    """The event's public moderation log: counts only (received, held, merged, approved,
    edited, dismissed by reason, answered), no question and no asker, so a campaign can
    publish it beside its question form to show it did not cherry-pick."""
    workspace_id, event = qa.event_by_form_token(conn, form_token)
    counts = qa.moderation_log(conn, workspace_id, event.id)
    return render(request, "qa_log.html", None, event=event, counts=counts)
