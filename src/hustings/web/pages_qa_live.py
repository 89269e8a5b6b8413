"""The moderator's page of a Live Q&A event and the login-free overlay for OBS.

``/qa/events/{event_id}``: one card per cluster with its variants; approve (the text
edited or not), dismiss with a reason, show, split, and next / clear / answered for the
screen, each a form post to ``/act`` (with access keys n, c, a). What a member may do is
their part in the event (``qa.PERMISSIONS``): an assistant reads the queue and types in
phone questions, a moderator acts on it, a host also names who helps.
``/overlay/{overlay_token}``: the question on screen, large, for a browser source;
it listens to ``/overlay/{overlay_token}/events``, server-sent events that
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
from hustings.errors import ConflictError, HustingsError, PermissionDeniedError
from hustings.qa import _speech as qa_speech
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
    role = qa.authorize(conn, s.actor, event_id, "view")
    ws = s.actor.workspace_id
    event = qa.get_event(conn, ws, event_id)
    polling = getattr(request.app.state, "qa_polling", None)
    return render(
        request, "qa_moderate.html", s, code, event=event, error=error, role=role,
        moderates=role in ("moderator", "host"),
        clusters=_clusters(qa.list_questions(conn, ws, event_id)),
        screen=qa.on_screen(conn, event.overlay_token), reasons=qa.DISMISS_REASONS,
        polling=polling.status(event_id) if polling is not None else None,
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
    author: Annotated[ShortText, Form()] = "",
) -> Response:
    """Every act goes through ``qa.perform``, which checks the user's part in the event."""
    qa.authorize(conn, s.actor, event_id, "view")  # another workspace's event: 404
    try:
        qa.perform(conn, s.actor, event_id, action, question_id, text, reason, video_s, author)
    except PermissionDeniedError:
        raise
    except HustingsError as exc:
        code = 409 if isinstance(exc, ConflictError) else 422
        return _page(request, s, conn, event_id, code, str(exc))
    return back(f"/qa/events/{event_id}")


@router.get("/overlay/{overlay_token}")
def overlay(
    request: Request, overlay_token: ShortText, conn: Conn, speech: bool = False
) -> HTMLResponse:
    """``?speech=1`` reads each question aloud too, when the server has ``espeak-ng``."""
    qa.on_screen(conn, overlay_token)  # 404 for a wrong token
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, "qa_overlay.html",
        {"token": overlay_token, "speech": speech and qa_speech.available()},
    )  # fmt: skip
    return response


@router.get("/overlay/{overlay_token}/speech.wav")
def speech(request: Request, overlay_token: ShortText, conn: Conn) -> Response:
    """The question on screen read aloud (a WAV made when first asked for after a push,
    then kept); 204 when the screen is clear or the server has no ``espeak-ng``."""
    screen = qa.on_screen(conn, overlay_token)
    if screen.question_id is None or not qa_speech.available():
        return Response(status_code=204)
    cache: dict[tuple[str, int, str], bytes] = request.app.state.qa_speech
    key = (overlay_token, screen.question_id, screen.text)
    if key not in cache:
        spoken = qa_speech.speak(f"{screen.author} asks: {screen.text}")
        if spoken is None:
            return Response(status_code=204)
        while len(cache) >= 32:
            cache.pop(next(iter(cache)))
        cache[key] = spoken
    return Response(cache[key], media_type="audio/wav")


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
