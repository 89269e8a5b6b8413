"""The JSON API for sessions, the inbox, SLA policies, canned replies, views and the dashboard.

Each route parses its input, calls one library function inside one transaction, and returns
what it returns. Unsafe methods need the session's ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError, model_validator

from hustings.errors import InvalidInputError
from hustings.inbox import dashboard as dash
from hustings.inbox import items, replies, sla, sync, views
from hustings.inbox.thread import item_detail
from hustings.ingest.base import Parsed
from hustings.ingest.intake import push_source, write_units
from hustings.model import RawRef
from hustings.store import Store
from hustings.web.auth import SESSION_COOKIE, Sessions
from hustings.web.canonical import CanonicalMessage, to_message
from hustings.web.deps import (
    API_ERRORS,
    ApiSession,
    ApiWrite,
    Conn,
    Id,
    ShortText,
    Text,
    TransactionRoute,
    get_store,
)
from hustings.workspace import Role, list_audit, list_members

__all__ = ["Filter", "FilterQuery", "router", "set_session_cookie"]

router = APIRouter(prefix="/api", route_class=TransactionRoute, responses=API_ERRORS)
StoreDep = Annotated[Store, Depends(get_store)]


class Ok(BaseModel):
    ok: bool = True
    id: int | None = None


class LoginBody(BaseModel):
    email: ShortText
    password: ShortText


class SessionOut(BaseModel):
    email: str
    workspace_id: int
    workspace: str
    role: str
    csrf_token: str


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    """HttpOnly and SameSite=Lax always; Secure whenever the page came over https."""
    response.set_cookie(
        SESSION_COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
        path="/",
    )


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=SessionOut, tags=["session"])
def login(body: LoginBody, request: Request, response: Response, store: StoreDep) -> SessionOut:
    """Sign in; the session cookie is set and the CSRF token returned for later writes.

    A JSON body is required, which a cross-site form cannot send, so this needs no CSRF token.
    """
    sessions: Sessions = request.app.state.sessions
    cookie, session = sessions.login(store, body.email, body.password, _client_ip(request))
    set_session_cookie(request, response, cookie)
    a = session.actor
    return SessionOut(
        email=a.email,
        workspace_id=a.workspace_id,
        workspace=session.workspace_name,
        role=a.role.value,
        csrf_token=session.csrf_token,
    )


@router.post("/logout", response_model=Ok, tags=["session"])
def logout(s: ApiWrite, request: Request, response: Response, conn: Conn) -> Ok:
    request.app.state.sessions.logout(conn, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Ok()


@router.get("/me", response_model=SessionOut, tags=["session"])
def me(s: ApiSession) -> SessionOut:
    a = s.actor
    return SessionOut(
        email=a.email,
        workspace_id=a.workspace_id,
        workspace=s.workspace_name,
        role=a.role.value,
        csrf_token=s.csrf_token,
    )


@router.get("/members", tags=["session"])
def members(s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    return list_members(conn, s.actor)


@router.get("/audit", tags=["session"])
def audit_log(
    s: ApiSession, conn: Conn, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    return list_audit(conn, s.actor, limit)


class FilterQuery(BaseModel):
    """Inbox filters from a query string or form; an empty field means "any"."""

    status: (
        Literal["any", "open", "new", "assigned", "waiting", "answered", "closed", "spam"] | None
    ) = "open"
    channel: ShortText | None = None
    assignee: Annotated[str, Field(pattern=r"^(me|none|\d{1,9})$")] | None = None
    needs_reply: bool | None = None
    sla: Literal["warning", "breached"] | None = None
    stance: ShortText | None = None
    stance_target: Annotated[ShortText, Field(min_length=1, max_length=128)] | None = None
    priority: Annotated[int, Field(ge=0, le=3)] | None = None
    person_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    q: ShortText | None = None
    view: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    sort: Literal["due", "priority", "newest"] = "due"
    cursor: Annotated[str, Field(max_length=500)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_any(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data

    def order(self) -> items.Sort:
        return items.Sort(self.sort)

    def filters(self) -> items.Filters:
        chosen = self.model_dump(exclude={"view", "limit", "offset", "sort", "cursor"})
        if chosen["status"] == "any":
            chosen["status"] = None
        return items.Filters.from_dict(chosen)


async def _filter_query(request: Request) -> FilterQuery:
    """The query string's filters, validated by pydantic in one call: FastAPI's field-by-field
    parsing of a query model was a sixth of the CPU of listing the inbox."""
    try:
        return FilterQuery.model_validate(dict(request.query_params))
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False)
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in errors]) from exc


# The same parameters in the OpenAPI document as FastAPI would list for ``Query()``.
_FILTER_PARAMETERS = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in FilterQuery.model_json_schema()["properties"].items()
    ]
}
Filter = Annotated[FilterQuery, Depends(_filter_query)]


# A list's paging travels in headers, as GitHub's API does, so the body stays the list that
# existing clients parse.
PAGING_HEADERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page of the list",
        "headers": {
            "X-Total-Count": {
                "description": "How many rows match the filters, over all pages",
                "schema": {"type": "integer"},
            },
            "Link": {
                "description": 'The next page, as `<url>; rel="next"` with a `cursor`; '
                "absent on the last page",
                "schema": {"type": "string"},
            },
        },
    }
}


def set_paging_headers(
    request: Request, response: Response, total: int, next_cursor: str | None
) -> None:
    """``X-Total-Count``, and a ``Link`` to the same query one page on when there is one."""
    response.headers["X-Total-Count"] = str(total)
    if next_cursor is not None:
        following = request.url.remove_query_params("offset").include_query_params(
            cursor=next_cursor
        )
        response.headers["Link"] = f'<{following}>; rel="next"'


@router.get("/items", tags=["inbox"], openapi_extra=_FILTER_PARAMETERS, responses=PAGING_HEADERS)
def list_items(
    s: ApiSession, conn: Conn, f: Filter, request: Request, response: Response
) -> list[dict[str, Any]]:
    """Items matching the filters (or a saved view) in ``sort`` order: ``due`` (most urgent
    first), ``priority`` or ``newest``. Page on with the ``Link`` header's cursor."""
    filters = views.get_view(conn, s.actor, f.view) if f.view else f.filters()
    page = items.page_items(conn, s.actor, filters, f.order(), f.limit, f.cursor, f.offset)
    set_paging_headers(request, response, page.total, page.next_cursor)
    return page.rows


@router.get("/items/{item_id}", tags=["inbox"])
def get_item(item_id: Id, s: ApiSession, conn: Conn) -> dict[str, Any]:
    """One item with its whole thread, notes, replies and the person's history."""
    return item_detail(conn, s.actor, item_id)


@router.post("/items/{item_id}/claim", response_model=Ok, tags=["inbox"])
def claim(item_id: Id, s: ApiWrite, conn: Conn) -> Ok:
    """Take an unassigned item; 409 when someone else already has it."""
    items.claim(conn, s.actor, item_id)
    return Ok(id=item_id)


class AssignBody(BaseModel):
    user_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    round_robin: bool = False


@router.post("/items/{item_id}/assign", response_model=Ok, tags=["inbox"])
def assign(item_id: Id, body: AssignBody, s: ApiWrite, conn: Conn) -> Ok:
    if body.round_robin:
        return Ok(id=items.assign_round_robin(conn, s.actor, item_id))
    items.assign(conn, s.actor, item_id, body.user_id)
    return Ok(id=body.user_id)


class StatusBody(BaseModel):
    status: items.Status


@router.post("/items/{item_id}/status", response_model=Ok, tags=["inbox"])
def set_status(item_id: Id, body: StatusBody, s: ApiWrite, conn: Conn) -> Ok:
    items.set_status(conn, s.actor, item_id, body.status)
    return Ok(id=item_id)


class PriorityBody(BaseModel):
    priority: Annotated[int, Field(ge=0, le=3)]


@router.post("/items/{item_id}/priority", response_model=Ok, tags=["inbox"])
def set_priority(item_id: Id, body: PriorityBody, s: ApiWrite, conn: Conn) -> Ok:
    items.set_priority(conn, s.actor, item_id, body.priority)
    return Ok(id=item_id)


class NoteBody(BaseModel):
    text: Text


@router.post("/items/{item_id}/notes", response_model=Ok, tags=["inbox"])
def add_note(item_id: Id, body: NoteBody, s: ApiWrite, conn: Conn) -> Ok:
    return Ok(id=items.add_note(conn, s.actor, item_id, body.text))


class ReplyBody(BaseModel):
    text: Text = ""
    canned_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = None
    fields: dict[ShortText, ShortText] = Field(default_factory=dict, max_length=50)
    wait_for_answer: bool = False


@router.post("/items/{item_id}/replies", response_model=Ok, tags=["inbox"])
def reply(item_id: Id, body: ReplyBody, s: ApiWrite, conn: Conn) -> Ok:
    """Record a reply (status "to post"); 422 while a ``{placeholder}`` is unfilled."""
    text = body.text
    if body.canned_id is not None:
        text = replies.fill_placeholders(
            replies.canned_body(conn, s.actor, body.canned_id), body.fields
        )
    reply_id = replies.reply(conn, s.actor, item_id, text, wait_for_answer=body.wait_for_answer)
    return Ok(id=reply_id)


class CannedBody(BaseModel):
    name: ShortText
    body: Text


@router.get("/canned", tags=["canned replies"])
def list_canned(s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    return replies.list_canned(conn, s.actor)


@router.post("/canned", response_model=Ok, tags=["canned replies"])
def save_canned(body: CannedBody, s: ApiWrite, conn: Conn) -> Ok:
    return Ok(id=replies.save_canned(conn, s.actor, body.name, body.body))


@router.delete("/canned/{canned_id}", response_model=Ok, tags=["canned replies"])
def delete_canned(canned_id: Id, s: ApiWrite, conn: Conn) -> Ok:
    replies.delete_canned(conn, s.actor, canned_id)
    return Ok(id=canned_id)


class ViewBody(BaseModel):
    name: ShortText
    filters: FilterQuery


@router.get("/views", tags=["views"])
def list_views(s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    return views.list_views(conn, s.actor)


@router.post("/views", response_model=Ok, tags=["views"])
def save_view(body: ViewBody, s: ApiWrite, conn: Conn) -> Ok:
    return Ok(id=views.save_view(conn, s.actor, body.name, body.filters.filters()))


@router.delete("/views/{view_id}", response_model=Ok, tags=["views"])
def delete_view(view_id: Id, s: ApiWrite, conn: Conn) -> Ok:
    views.delete_view(conn, s.actor, view_id)
    return Ok(id=view_id)


class BusinessHoursBody(BaseModel):
    tz: ShortText = "UTC"
    days: list[Annotated[int, Field(ge=0, le=6)]] = Field(default=[0, 1, 2, 3, 4], max_length=7)
    start: Annotated[str, Field(pattern=r"^\d\d:\d\d$")] = "09:00"
    end: Annotated[str, Field(pattern=r"^\d\d:\d\d$")] = "17:00"


class PolicyBody(BaseModel):
    name: ShortText = "default"
    first_response_minutes: Annotated[int, Field(ge=1, le=525_600)]
    next_response_minutes: Annotated[int, Field(ge=1, le=525_600)]
    warn_minutes: Annotated[int, Field(ge=0, le=525_600)] = 60
    business_hours: BusinessHoursBody | None = None


@router.get("/sla", tags=["sla"])
def list_policies(s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    found = sla.list_policies(conn, s.actor)
    return [
        {
            "id": p.id,
            "name": p.name,
            "first_response_minutes": p.first_response_minutes,
            "next_response_minutes": p.next_response_minutes,
            "warn_minutes": p.warn_minutes,
            "business_hours": p.business_hours.as_dict() if p.business_hours else None,
            "default": default,
        }
        for p, default in found
    ]


@router.put("/sla", response_model=Ok, tags=["sla"])
def save_policy(body: PolicyBody, s: ApiWrite, conn: Conn) -> Ok:
    """Create or replace a policy and make it the one new items get."""
    hours = (
        sla.BusinessHours.parse(body.business_hours.model_dump()) if body.business_hours else None
    )
    policy = sla.Policy(
        None,
        body.name,
        body.first_response_minutes,
        body.next_response_minutes,
        body.warn_minutes,
        hours,
    )
    return Ok(id=sla.save_policy(conn, s.actor, policy))


class RefusedOut(BaseModel):
    """A pushed message left unstored, and why (see ``PushOut``)."""

    platform: str
    platform_id: str
    reason: str


class PushOut(BaseModel):
    """What a push did. ``ok`` is false when any message was refused; the others were
    stored and filed all the same."""

    ok: bool
    filed: int = Field(description="new inbox items in this workspace")
    added: int = Field(description="messages stored for the first time")
    updated: int = Field(description="messages this workspace had pushed before, now edited")
    unchanged: int = Field(description="messages already stored with the same content")
    refused: list[RefusedOut] = Field(
        description="messages already stored with other content that this workspace did not "
        "add (a platform fact or another workspace's): never changed by a push"
    )


@router.post("/messages", response_model=PushOut, tags=["inbox"])
def receive(body: list[CanonicalMessage], s: ApiWrite, conn: Conn) -> PushOut:
    """Store messages from this workspace's live connector and file them into its inbox
    (owners only).

    Each message must be sent by or addressed to one of the workspace's accounts, else the
    whole push is refused (422) and nothing is stored. The messages become the
    workspace's own: no other workspace sees them. A message already stored that this
    workspace did not push (a platform fact, or another workspace's) is never changed:
    with the same content it counts as unchanged, with other content it is listed in
    ``refused`` with its reason, while the rest of the push is stored (200).
    """
    s.actor.require(Role.OWNER)
    if len(body) > 1000:
        raise InvalidInputError("at most 1000 messages per request")
    workspace = s.actor.workspace_id
    source = push_source(workspace)
    units = [
        Parsed(
            position=n,
            messages=(replace(to_message(m), raw=RawRef(source, n, "item")),),
            unit="item",
        )
        for n, m in enumerate(body, 1)
    ]
    done = write_units(conn, units, source, workspace, pushed=True)
    return PushOut(
        ok=not done.refused,
        filed=done.filed,
        added=done.added,
        updated=done.updated,
        unchanged=done.unchanged,
        refused=[
            RefusedOut(platform=r.platform, platform_id=r.platform_id, reason=r.reason)
            for r in done.refused
        ],
    )


@router.post("/sync", response_model=Ok, tags=["inbox"])
def sync_now(s: ApiWrite, conn: Conn) -> Ok:
    """File messages imported since the last sync into this workspace's inbox."""
    s.actor.require(Role.MANAGER)
    return Ok(id=sync.sync_workspace(conn, s.actor.workspace_id))


@router.get("/dashboard", tags=["dashboard"])
def dashboard(request: Request, s: ApiSession, conn: Conn) -> dict[str, Any]:
    """Open items, items past SLA, median first response this week, unanswered people, and
    the audit scorecard of the workspace's own accounts (from the last background audit)."""
    return dash.dashboard(conn, s.actor, request.app.state.audit)
