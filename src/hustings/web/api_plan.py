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
async def post_now(request: Request, post_id: Id, claim: ApiWriteClaim) -> dict[str, Any]:
    """Post now through the account's connection, unless the guard holds it."""
    s = await run_in_threadpool(settle_write, claim)
    result: dict[str, Any] = await run_in_threadpool(
        plan.post_now, get_store(request), s.actor, post_id)
    return result


@router.post("/nudges/{nudge_id}/decide")
def decide(nudge_id: Id, body: DecideBody, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    """Record what was done with a nudge."""
    plan.decide(conn, s.actor, nudge_id, body.outcome)
    return plan.get_nudge(conn, s.actor, nudge_id)
