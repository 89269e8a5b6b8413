"""The JSON API for a Live Q&A event's queue: the same acts as the moderator's page, through
the same ``qa.perform``, so the event roles (``qa.PERMISSIONS``) hold here too."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hustings import qa
from hustings.web.deps import (
    API_ERRORS,
    ApiSession,
    ApiWrite,
    Conn,
    Id,
    ShortText,
    TransactionRoute,
)

__all__ = ["router"]

router = APIRouter(
    prefix="/api/qa", tags=["qa"], route_class=TransactionRoute, responses=API_ERRORS
)
Action = Literal["ask", "approve", "dismiss", "show", "split", "next", "clear", "answered"]


class ActBody(BaseModel):
    action: Action
    question_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    text: Annotated[str, Field(max_length=4000)] = ""
    reason: ShortText = ""
    video_s: Annotated[str, Field(max_length=32)] = ""
    author: ShortText = ""


class RoleBody(BaseModel):
    email: ShortText
    role: Literal["host", "moderator", "assistant"] | None = Field(
        description="The member's part at the event; null takes it away."
    )


@router.get("/events/{event_id}/questions")
def questions(event_id: Id, s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    """The event's questions in arrival order, with status, cluster and votes."""
    qa.authorize(conn, s.actor, event_id, "view")
    return qa.export_rows(conn, s.actor.workspace_id, event_id)


@router.post("/events/{event_id}/act")
def act(event_id: Id, body: ActBody, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    """Ask, approve, dismiss, show, split, next, clear or answered, as the caller's part in
    the event allows; answers the question it touched (``null`` if none)."""
    touched = qa.perform(conn, s.actor, event_id, body.action, body.question_id, body.text,
                         body.reason, body.video_s, body.author)  # fmt: skip
    return {"question_id": touched}


@router.get("/events/{event_id}/roles")
def roles(event_id: Id, s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    """Who has a part at the event."""
    return qa.list_roles(conn, s.actor, event_id)


@router.put("/events/{event_id}/roles")
def set_role(event_id: Id, body: RoleBody, s: ApiWrite, conn: Conn) -> list[dict[str, Any]]:
    """Give a workspace member a part at the event (the host only)."""
    qa.set_role(conn, s.actor, event_id, body.email, body.role)
    return qa.list_roles(conn, s.actor, event_id)
