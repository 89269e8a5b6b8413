"""The composer: draft a post, see the guard's verdict and reasons, queue, post now, cancel;
a manager overrides a hold with a reason; a nudge offers the people waiting instead.

Thin over :mod:`hustings.plan`: every handler calls the library and redirects back
(post/redirect/get). "Post now" waits on the platform, so it runs outside the request's
transaction, like connecting an account (``settle_write``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hustings import plan
from hustings.errors import InvalidInputError
from hustings.store.schema import tracked_accounts, workspace_accounts
from hustings.web.deps import (
    Conn,
    Id,
    PageSession,
    PageWrite,
    PageWriteClaim,
    ShortText,
    Text,
    TransactionRoute,
    get_store,
    settle_write,
)
from hustings.web.pages import back, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=TransactionRoute)


@router.get("/plan")
def composer(request: Request, s: PageSession, conn: Conn,
             nudge: Annotated[int | None, Query()] = None) -> HTMLResponse:
    accounts = conn.execute(
        select(tracked_accounts.c.id, tracked_accounts.c.platform, tracked_accounts.c.handle)
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == s.actor.workspace_id)
        .order_by(tracked_accounts.c.platform, tracked_accounts.c.handle)
    ).all()
    shown = plan.get_nudge(conn, s.actor, nudge) if nudge is not None else None
    shares = {a.id: plan.reply_share(conn, s.actor, a.id) for a in accounts}
    best = {a.id: plan.best_time(conn, s.actor, a.id) for a in accounts}
    responses = {a.id: plan.response(conn, s.actor, a.id) for a in accounts}
    return render(request, "plan.html", s, accounts=accounts, nudge=shown, shares=shares,
                  posts=plan.list_posts(conn, s.actor, findings=True), outcomes=plan.OUTCOMES,
                  best=best, days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
                  rules=plan.list_rules(conn, s.actor), definition=plan.BEST_TIME_DEFINITION,
                  responses=responses, response_definition=plan.RESPONSE_DEFINITION)


def _when(at: str) -> datetime | None:
    if not at:
        return None
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise InvalidInputError(f"not a date and time: {at!r}") from None
    return when.replace(tzinfo=when.tzinfo or UTC)


@router.post("/plan/draft")
def draft(s: PageWrite, conn: Conn, account: Annotated[ShortText, Form()],
          text: Annotated[Text, Form()], at: Annotated[ShortText, Form()] = "") -> Response:
    made = plan.draft(conn, s.actor, account, text, _when(at))
    return back(f"/plan?nudge={made['nudge']['id']}" if made["nudge"] else "/plan")


@router.post("/plan/{post_id}/edit")
def edit(post_id: Id, s: PageWrite, conn: Conn, text: Annotated[Text, Form()],
         at: Annotated[ShortText, Form()] = "") -> Response:
    """The composer's edit form: the text (and the time, if given); judged again."""
    plan.edit(conn, s.actor, post_id, text, _when(at))
    return back("/plan")


@router.post("/plan/{post_id}/queue")
def queue(post_id: Id, s: PageWrite, conn: Conn) -> Response:
    plan.queue(conn, s.actor, post_id)
    return back("/plan")


@router.post("/plan/{post_id}/cancel")
def cancel(post_id: Id, s: PageWrite, conn: Conn) -> Response:
    plan.cancel(conn, s.actor, post_id)
    return back("/plan")


@router.post("/plan/{post_id}/override")
def override(post_id: Id, s: PageWrite, conn: Conn,
             reason: Annotated[ShortText, Form()]) -> Response:
    plan.override(conn, s.actor, post_id, reason)
    return back("/plan")


@router.post("/plan/{post_id}/post")
async def post_now(request: Request, post_id: Id, claim: PageWriteClaim,
                   breaking: Annotated[ShortText | None, Form()] = None) -> Response:
    """Post now; the breaking-news form sends a manager's reason to post through a hold."""
    s = await run_in_threadpool(settle_write, claim)
    await run_in_threadpool(plan.post_now, get_store(request), s.actor, post_id, breaking)
    return back("/plan")


@router.post("/plan/rules")
def add_rule(s: PageWrite, conn: Conn, kind: Annotated[ShortText, Form()],
             account: Annotated[ShortText, Form()] = "",
             start: Annotated[ShortText, Form()] = "", end: Annotated[ShortText, Form()] = "",
             days: Annotated[ShortText, Form()] = "",
             date_from: Annotated[ShortText, Form(alias="from")] = "",
             date_to: Annotated[ShortText, Form(alias="to")] = "",
             posts: Annotated[ShortText, Form()] = "", tz: Annotated[ShortText, Form()] = "UTC",
             note: Annotated[ShortText, Form()] = "") -> Response:
    """A manager sets a posting rule from the composer's form (empty fields are unset)."""
    settings = {"start": start or None, "end": end or None, "days": days,
                "from": date_from or None, "to": date_to or None, "posts": posts or None,
                "tz": tz}
    plan.add_rule(conn, s.actor, kind, settings, account or None, note)
    return back("/plan")


@router.post("/plan/rules/{rule_id}/remove")
def remove_rule(rule_id: Id, s: PageWrite, conn: Conn) -> Response:
    plan.remove_rule(conn, s.actor, rule_id)
    return back("/plan")


@router.post("/plan/nudges/{nudge_id}/decide")
def decide(nudge_id: Id, s: PageWrite, conn: Conn, outcome: Annotated[ShortText, Form()],
           item: Annotated[int | None, Form()] = None) -> Response:
    """Record what the user did; answering a waiting person goes to that person's item."""
    plan.decide(conn, s.actor, nudge_id, outcome)
    if outcome == "answered" and item is not None:
        return back(f"/inbox/{item}")
    return back("/plan")
