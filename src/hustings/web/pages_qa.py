"""The public question form of a Live Q&A event: ``/ask/{form_token}``.

No login: the token in the link the campaign shared is the whole capability, and it opens
this one event's form and nothing else (``qa.event_by_form_token``). The form is
CSRF-safe the way the login form is (a token in the page, its signed twin in a cookie
scoped to this path), rate-limited per visitor and event (``qa.AskLimiter``), and uses the
same responsive layout as every page (a phone's width is enough).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from hustings import qa
from hustings.errors import InvalidInputError, RateLimitedError
from hustings.web.auth import Sessions
from hustings.web.deps import Conn, ShortText, TransactionRoute
from hustings.web.pages import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=TransactionRoute)

_COOKIE = "hustings_ask_csrf"


def _form(
    request: Request,
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
    response = render(
        request, "qa_ask.html", None, code, event=event, csrf_token=token, sent=sent,
        error=error, text=text, asker=name,
    )  # fmt: skip
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


@router.get("/ask/{form_token}")
def ask_form(request: Request, form_token: ShortText, conn: Conn) -> Response:
    _, event = qa.event_by_form_token(conn, form_token)
    return _form(request, event)


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
        return _form(request, event, 403, error="The form expired: please send it again.",
                     text=text, name=name)  # fmt: skip
    limiter: qa.AskLimiter = request.app.state.ask_limiter
    visitor = request.client.host if request.client else "unknown"
    try:
        limiter.take(visitor, event.id)
        qa.add_question(conn, workspace_id, event.id, text, "web", name or None)
    except RateLimitedError as exc:
        return _form(request, event, 429, error=str(exc), text=text, name=name)
    except InvalidInputError as exc:
        return _form(request, event, 422, error=str(exc), text=text, name=name)
    return _form(request, event, sent=True)
