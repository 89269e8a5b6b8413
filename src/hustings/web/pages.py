"""Server-rendered pages: login, the inbox with its thread view, and the dashboard.

Forms post to small handlers that call the same library functions as the API and redirect
back (post/redirect/get); htmx (``hx-boost``) turns those round trips into in-place swaps
without any page-specific JavaScript. ``static/app.js`` adds the triage shortcuts.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from hustings.errors import AuthError
from hustings.inbox import dashboard as dash
from hustings.inbox import items, replies, views
from hustings.inbox.thread import item_detail
from hustings.people.targets import list_targets
from hustings.store import Store
from hustings.web.api_inbox import Filter, FilterQuery, set_session_cookie
from hustings.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Session, Sessions
from hustings.web.deps import (
    Conn,
    Id,
    PageSession,
    PageWrite,
    ShortText,
    Text,
    TransactionRoute,
    get_store,
)
from hustings.workspace import list_members

__all__ = ["render", "router"]

router = APIRouter(include_in_schema=False, route_class=TransactionRoute)
StoreDep = Annotated[Store, Depends(get_store)]


def render(
    request: Request, name: str, session: Session | None, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, name, {"session": session, **ctx}, status_code=status_code
    )


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: ``next=//evil.example`` must not become an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/inbox"


@router.get("/")
def home() -> RedirectResponse:
    return back("/inbox")


def _login_page(request: Request, error: str | None, next_url: str, code: int) -> Response:
    sessions: Sessions = request.app.state.sessions
    token, cookie = sessions.new_login_csrf()
    response = render(
        request, "login.html", None, code, csrf_token=token, error=error, next=next_url
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/login",
        max_age=3600,
    )
    return response


@router.get("/login")
def login_form(request: Request, next: Annotated[ShortText, Query()] = "/inbox") -> Response:
    return _login_page(request, None, _safe_next(next), 200)


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    email: Annotated[ShortText, Form()],
    password: Annotated[ShortText, Form()],
    csrf_token: Annotated[ShortText, Form()] = "",
    next: Annotated[ShortText, Form()] = "/inbox",
) -> Response:
    sessions: Sessions = request.app.state.sessions
    if not sessions.check_login_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_page(request, "The form expired: please sign in again.", next, 403)
    ip = request.client.host if request.client else "unknown"
    try:
        cookie, _ = sessions.login(store, email, password, ip)
    except AuthError as exc:
        code = 429 if "too many" in str(exc) else 401
        return _login_page(request, str(exc), _safe_next(next), code)
    response = back(_safe_next(next))
    set_session_cookie(request, response, cookie)
    return response


@router.post("/logout")
def logout(s: PageWrite, request: Request, conn: Conn) -> Response:
    request.app.state.sessions.logout(conn, request.cookies.get(SESSION_COOKIE))
    response = back("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/inbox")
def inbox(request: Request, s: PageSession, conn: Conn, f: Filter) -> HTMLResponse:
    filters = views.get_view(conn, s.actor, f.view) if f.view else f.filters()
    page = items.page_items(conn, s.actor, filters, f.order(), f.limit, f.cursor, f.offset)
    saved = views.list_views(conn, s.actor)
    return render(
        request,
        "inbox.html",
        s,
        items=page.rows,
        pager=pager(request, page.total, page.start, len(page.rows), page.next_cursor),
        sort=f.sort,
        view=f.view,
        filters=filters.as_dict(),
        views=saved,
        query=request.url.query,
        targets=list_targets(conn, s.actor.workspace_id),
    )


def pager(
    request: Request, total: int, start: int, shown: int, next_cursor: str | None
) -> dict[str, Any]:
    """What a list's header and footer show: "showing 51–100 of 2,000", and links to the
    next page and back to the first that keep every filter and the sort of this URL."""
    here = request.url.remove_query_params(["cursor", "offset"])
    first = f"{here.path}?{here.query}" if here.query else here.path
    following = None
    if next_cursor is not None:
        on = here.include_query_params(cursor=next_cursor)
        following = f"{on.path}?{on.query}"
    return {
        "total": total,
        "first": start + 1 if shown else 0,
        "last": start + shown,
        "next_url": following,
        "first_url": first if start else None,
    }


@router.post("/inbox/views")
def save_view(
    request: Request,
    s: PageWrite,
    conn: Conn,
    name: Annotated[ShortText, Form()],
    f: Annotated[FilterQuery, Form()],
) -> Response:
    view_id = views.save_view(conn, s.actor, name, f.filters())
    return back(f"/inbox?view={view_id}")


@router.get("/inbox/{item_id}")
def item_page(request: Request, item_id: Id, s: PageSession, conn: Conn) -> HTMLResponse:
    detail = item_detail(conn, s.actor, item_id)
    canned = replies.list_canned(conn, s.actor)
    team = list_members(conn, s.actor)
    return render(request, "item.html", s, item=detail, canned=canned, members=team)


@router.post("/inbox/{item_id}/claim")
def claim(item_id: Id, s: PageWrite, conn: Conn) -> Response:
    items.claim(conn, s.actor, item_id)
    return back(f"/inbox/{item_id}")


@router.post("/inbox/{item_id}/status")
def set_status(
    item_id: Id, s: PageWrite, conn: Conn, status: Annotated[items.Status, Form()]
) -> Response:
    items.set_status(conn, s.actor, item_id, status)
    return back(f"/inbox/{item_id}")


@router.post("/inbox/{item_id}/priority")
def set_priority(
    item_id: Id, s: PageWrite, conn: Conn, priority: Annotated[int, Form(ge=0, le=3)]
) -> Response:
    items.set_priority(conn, s.actor, item_id, priority)
    return back(f"/inbox/{item_id}")


@router.post("/inbox/{item_id}/assign")
def assign(
    item_id: Id,
    s: PageWrite,
    conn: Conn,
    user_id: Annotated[str, Form(pattern=r"^(|\d{1,9}|round_robin)$")] = "",
) -> Response:
    if user_id == "round_robin":
        items.assign_round_robin(conn, s.actor, item_id)
    else:
        items.assign(conn, s.actor, item_id, int(user_id) if user_id else None)
    return back(f"/inbox/{item_id}")


@router.post("/inbox/{item_id}/notes")
def add_note(item_id: Id, s: PageWrite, conn: Conn, text: Annotated[Text, Form()]) -> Response:
    items.add_note(conn, s.actor, item_id, text)
    return back(f"/inbox/{item_id}")


@router.post("/inbox/{item_id}/reply")
def reply(
    item_id: Id,
    s: PageWrite,
    conn: Conn,
    text: Annotated[Text, Form()],
    wait_for_answer: Annotated[bool, Form()] = False,
) -> Response:
    replies.reply(conn, s.actor, item_id, text, wait_for_answer=wait_for_answer)
    return back(f"/inbox/{item_id}")


RANKED = 10
"""Accounts the dashboard's ranked chart shows; the full scorecard has every one."""


@router.get("/dashboard")
def dashboard(request: Request, s: PageSession, conn: Conn) -> HTMLResponse:
    figures = dash.dashboard(conn, s.actor, request.app.state.audit)
    return render(request, "dashboard.html", s, d=figures, ranked_limit=RANKED)


@router.get("/dashboard/accounts")
def scorecard(
    request: Request,
    s: PageSession,
    conn: Conn,
    family: Annotated[ShortText, Query()] = "dialogue",
    sort: Annotated[ShortText, Query()] = "dialogue_score",
) -> HTMLResponse:
    """Every metric of the workspace's accounts, one family of metrics at a time (a table
    an account per row stays readable; 43 metric columns would not), sorted by any column,
    best first where a metric says which way is better."""
    card = request.app.state.audit.for_workspace(conn, s.actor.workspace_id)
    metrics = card["metrics"]
    families = list(dict.fromkeys(m["family"] for m in metrics[1:]))
    if family not in families:
        family = families[0] if families else ""
    columns = [metrics[0], *(m for m in metrics if m["family"] == family)] if metrics else []
    by = next((m for m in columns if m["name"] == sort), columns[0] if columns else None)
    rows = list(card["accounts"])
    if by is not None:
        present = [a for a in rows if a["values"][by["name"]] is not None]
        present.sort(key=lambda a: a["values"][by["name"]], reverse=by["direction"] != "lower")
        rows = present + [a for a in rows if a["values"][by["name"]] is None]
    return render(
        request,
        "scorecard.html",
        s,
        sc=card,
        families=families,
        family=family,
        columns=columns,
        sort=by["name"] if by else "",
        rows=rows,
    )
