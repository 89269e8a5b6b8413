"""The JSON API for planned posts: the same composer and guard as the pages and the CLI.

Every call that could put a post out is judged first and the verdict stored; a hold keeps
the post in until a manager overrides it with a reason. "Post now" waits on the platform,
so it runs outside the request's transaction (``settle_write``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from hustings import plan
from hustings.web.deps import (
    API_ERRORS,
    ApiSession,
    ApiWrite,
    ApiWriteClaim,
    Conn,
    Id,
    ShortText,
    Text,
    TransactionRoute,
    get_store,
    settle_write,
)

__all__ = ["router"]

router = APIRouter(
    prefix="/api/plan", tags=["plan"], route_class=TransactionRoute, responses=API_ERRORS
)
State = Literal["draft", "queued", "held", "sending", "sent", "to_post", "cancelled"]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)


class DraftBody(BaseModel):
    account: ShortText = Field(description="Account id, handle, or platform:handle.")
    text: Text
    at: datetime | None = None
    thread_parent_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class EditBody(BaseModel):
    text: Text | None = None
    at: datetime | None = None


class QueueBody(BaseModel):
    at: datetime | None = None


class OverrideBody(BaseModel):
    reason: ShortText


class PostBody(BaseModel):
    breaking: ShortText | None = Field(
        default=None, description="Breaking news: a manager posts through a hold, saying why.")


class RuleBody(BaseModel):
    kind: Literal["quiet_hours", "blackout", "max_per_day"]
    account: ShortText | None = Field(default=None, description="Only this account.")
    start: int | None = Field(default=None, ge=0, le=23)
    end: int | None = Field(default=None, ge=0, le=24)
    days: list[ShortText] = Field(default_factory=list, max_length=7)
    date_from: ShortText | None = Field(default=None, alias="from")
    date_to: ShortText | None = Field(default=None, alias="to")
    posts: int | None = Field(default=None, ge=1, le=10_000)
    tz: ShortText = "UTC"
    note: ShortText | None = None


class DecideBody(BaseModel):
    outcome: Literal["revised", "deferred", "answered", "posted_anyway"]


@router.get("/posts")
def list_posts(s: ApiSession, conn: Conn,
               state: Annotated[State | None, Query()] = None) -> list[dict[str, Any]]:
    """The workspace's planned posts with their state and latest verdict's findings."""
    return plan.list_posts(conn, s.actor, state, findings=True)


@router.post("/posts")
def draft(body: DraftBody, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    """Write a draft: the guard's verdict and findings, and the nudge when people wait."""
    return plan.draft(conn, s.actor, body.account, body.text, _utc(body.at),
                      body.thread_parent_id)


@router.post("/posts/{post_id}/edit")
def edit(post_id: Id, body: EditBody, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    """Change a post's text or time before it goes; the guard judges it again (a queued
    post it now holds is ``held``; an override does not carry over)."""
    return plan.edit(conn, s.actor, post_id, body.text, _utc(body.at))


@router.post("/posts/{post_id}/queue")
def queue(post_id: Id, s: ApiWrite, conn: Conn,
          body: Annotated[QueueBody | None, Body()] = None) -> dict[str, Any]:
    """Schedule a post; a hold keeps it ``held``."""
    return plan.queue(conn, s.actor, post_id, _utc(body.at) if body else None)


@router.post("/posts/{post_id}/cancel")
def cancel(post_id: Id, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    return plan.cancel(conn, s.actor, post_id)


@router.post("/posts/{post_id}/override")
def override(post_id: Id, body: OverrideBody, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    """A manager lets a held post go, with the reason (kept in the audit log)."""
    return plan.override(conn, s.actor, post_id, body.reason)


@router.post("/posts/{post_id}/post")
async def post_now(request: Request, post_id: Id, claim: ApiWriteClaim,
                   body: Annotated[PostBody | None, Body()] = None) -> dict[str, Any]:
    """Post now through the account's connection, unless the guard holds it; with
    ``breaking``, a manager posts through a hold (the reason is in the audit log)."""
    s = await run_in_threadpool(settle_write, claim)
    result: dict[str, Any] = await run_in_threadpool(
        plan.post_now, get_store(request), s.actor, post_id, body.breaking if body else None)
    return result


@router.get("/best-time")
def best_time(s: ApiSession, conn: Conn,
              account: Annotated[ShortText | None, Query()] = None,
              tz: Annotated[ShortText | None, Query()] = None) -> list[dict[str, Any]]:
    """Each account's score for every hour of the week from its own followers' responses
    (with the definition and the posts behind each score), and the suggested time."""
    wanted = [account] if account else plan.account_ids(conn, s.actor)
    return [plan.best_time(conn, s.actor, a, tz=tz) for a in wanted]


@router.get("/response")
def response(s: ApiSession, conn: Conn,
             account: Annotated[ShortText | None, Query()] = None) -> list[dict[str, Any]]:
    """Each account's follower change and responses per day it posted, against its own
    baseline (with the definition); burst days carry what the burst cost."""
    wanted = [account] if account else plan.account_ids(conn, s.actor)
    return [plan.response(conn, s.actor, a) for a in wanted]


@router.get("/rules")
def rules(s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    """The posting rules the workspace set, in the words the guard quotes."""
    return plan.list_rules(conn, s.actor)


@router.post("/rules")
def add_rule(body: RuleBody, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    """A manager sets quiet hours, a blackout or a daily maximum."""
    settings = {"start": body.start, "end": body.end, "days": body.days,
                "from": body.date_from, "to": body.date_to, "posts": body.posts, "tz": body.tz}
    return plan.add_rule(conn, s.actor, body.kind, settings, body.account, body.note)


@router.post("/rules/{rule_id}/remove")
def remove_rule(rule_id: Id, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    plan.remove_rule(conn, s.actor, rule_id)
    return {"removed": rule_id}


@router.post("/nudges/{nudge_id}/decide")
def decide(nudge_id: Id, body: DecideBody, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    """Record what was done with a nudge."""
    plan.decide(conn, s.actor, nudge_id, body.outcome)
    return plan.get_nudge(conn, s.actor, nudge_id)
