"""The moderator's page of a Live Q&A event and the login-free overlay for OBS.

``/qa/events/{event_id}``: one card per cluster with its variants; approve (the text
edited or not), dismiss with a reason, show, split, and next / clear / answered for the
screen, each a form post to ``/act`` (with access keys n, c, a). Any member of the
workspace may moderate. ``/overlay/{overlay_token}``: the question on screen, large, for a
browser source; it listens to ``/overlay/{overlay_token}/events``, server-sent events that
push what is on screen whenever it changes (checked every ``_TICK_S``), so a click reaches
the stream within a fraction of a second without the overlay polling over the network.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from hustings import qa
from hustings.errors import ConflictError, HustingsError, InvalidInputError
from hustings.web.deps import (
    Conn,
    Id,
    PageSession,
    PageWrite,
    ShortText,
    TransactionRoute,
    get_store,
)
from hustings.web.pages import back, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=TransactionRoute)
stream_router = APIRouter(include_in_schema=False)
_TICK_S = 0.05
_ACTIONS = ("approve", "dismiss", "show", "split", "next", "clear", "answered")


def _clusters(questions: list[qa.Question]) -> list[dict[str, Any]]:
    cards: dict[int, dict[str, Any]] = {}
    for q in questions:
        card = cards.setdefault(
            q.cluster_id, {"id": q.cluster_id, "votes": q.votes, "questions": []}
        )
        card["questions"].append(q)
    return sorted(cards.values(), key=lambda c: (-c["votes"], c["questions"][0].id))


def _page(request: Request, s: Any, conn: Any, event_id: int, code: int = 200,
          error: str | None = None) -> HTMLResponse:  # fmt: skip
    ws = s.actor.workspace_id
    event = qa.get_event(conn, ws, event_id)
    return render(
        request, "qa_moderate.html", s, code, event=event, error=error,
        clusters=_clusters(qa.list_questions(conn, ws, event_id)),
        screen=qa.on_screen(conn, event.overlay_token), reasons=qa.DISMISS_REASONS,
    )  # fmt: skip


@router.get("/qa/events/{event_id}")
def moderate(request: Request, event_id: Id, s: PageSession, conn: Conn) -> HTMLResponse:
    return _page(request, s, conn, event_id)


@router.post("/qa/events/{event_id}/act")
def act(
    request: Request,
    event_id: Id,
    s: PageWrite,
    conn: Conn,
    action: Annotated[ShortText, Form()],
    question_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    text: Annotated[str, Form(max_length=4000)] = "",
    reason: Annotated[ShortText, Form()] = "",
    video_s: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    ws = s.actor.workspace_id
    qa.get_event(conn, ws, event_id)
    try:
        _do(conn, ws, event_id, action, question_id, text, reason, video_s)
    except HustingsError as exc:
        code = 409 if isinstance(exc, ConflictError) else 422
        return _page(request, s, conn, event_id, code, str(exc))
    return back(f"/qa/events/{event_id}")


def _do(conn: Any, ws: int, event_id: int, action: str, question_id: int | None, text: str,
        reason: str, video_s: str) -> None:  # fmt: skip
    if action not in _ACTIONS:
        raise InvalidInputError(f"action must be one of {', '.join(_ACTIONS)}")
    if action == "next":
        qa.next_up(conn, ws, event_id)
        return
    if action == "clear":
        qa.clear(conn, ws, event_id)
        return
    if action == "answered":
        try:
            seconds = float(video_s) if video_s.strip() else None
        except ValueError as exc:
            raise InvalidInputError("the video time must be a number of seconds") from exc
        qa.take_down_answered(conn, ws, event_id, seconds)
        return
    if question_id is None:
        raise InvalidInputError(f"{action} needs a question")
    if qa.get_question_event(conn, ws, question_id) != event_id:
        raise InvalidInputError("that question belongs to another event")
    if action == "approve":
        qa.approve(conn, ws, question_id, text or None)
    elif action == "dismiss":
        qa.dismiss(conn, ws, question_id, reason)
    elif action == "show":
        qa.show(conn, ws, event_id, question_id)
    else:
        qa.split(conn, ws, question_id)


@router.get("/overlay/{overlay_token}")
def overlay(request: Request, overlay_token: ShortText, conn: Conn) -> HTMLResponse:
    qa.on_screen(conn, overlay_token)  # 404 for a wrong token
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, "qa_overlay.html", {"token": overlay_token}
    )
    return response


@stream_router.get("/overlay/{overlay_token}/events")
async def overlay_events(request: Request, overlay_token: ShortText) -> StreamingResponse:
    store = get_store(request)

    def read() -> dict[str, Any]:
        with store.begin() as conn:
            return qa.on_screen(conn, overlay_token).as_dict()

    first = await run_in_threadpool(read)  # a wrong token is a 404 before streaming starts

    async def events() -> AsyncIterator[str]:
        last: dict[str, Any] | None = None
        current = first
        while not await request.is_disconnected():
            if current != last:
                yield f"event: screen\ndata: {json.dumps(current)}\n\n"
                last = current
            await asyncio.sleep(_TICK_S)
            current = await run_in_threadpool(read)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"cache-control": "no-store"}
    )
