"""Server-rendered people pages: list, merge suggestions, a person's record and its actions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hustings.errors import InvalidInputError
from hustings.people import core, merge, privacy, stance, targets
from hustings.web.deps import (
    Conn,
    Id,
    PageSession,
    PageWrite,
    ShortText,
    Text,
    TransactionRoute,
    forget_cached_audit,
)
from hustings.web.pages import back, pager, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=TransactionRoute)
PEOPLE_PER_PAGE = 100


@router.get("/people")
def people_page(
    request: Request,
    s: PageSession,
    conn: Conn,
    q: Annotated[ShortText | None, Query()] = None,
    tag: Annotated[ShortText | None, Query()] = None,
    stance_value: Annotated[core.Stance | Literal[""] | None, Query(alias="stance")] = None,
    target: Annotated[ShortText | None, Query(max_length=128)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    page = core.page_people(
        conn,
        s.actor,
        q or None,
        tag or None,
        stance_value or None,
        limit=PEOPLE_PER_PAGE,
        cursor=cursor,
        target=target or None,
    )
    suggestions = merge.suggest_merges(conn, s.actor)
    return render(
        request,
        "people.html",
        s,
        people=page.rows,
        pager=pager(request, page.total, page.start, len(page.rows), page.next_cursor),
        suggestions=suggestions,
        q=q or "",
        tag=tag or "",
        stance=stance_value or "",
        target=target or "",
        stance_values=list(core.Stance),
        targets=targets.list_targets(conn, s.actor.workspace_id),
    )


@router.post("/people/merge")
def merge_people(
    s: PageWrite,
    conn: Conn,
    keep_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
    merge_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
) -> Response:
    merge.merge_people(conn, s.actor, keep_id, merge_id)
    return back(f"/people/{keep_id}")


@router.post("/merges/{merge_id}/undo")
def undo_merge(
    merge_id: Id, s: PageWrite, conn: Conn, person_id: Annotated[int, Form(ge=1)]
) -> Response:
    merge.undo_merge(conn, s.actor, merge_id)
    return back(f"/people/{person_id}")


@router.get("/people/{person_id}")
def person_page(request: Request, person_id: Id, s: PageSession, conn: Conn) -> HTMLResponse:
    person = privacy.person_detail(conn, s.actor, person_id)
    return render(
        request,
        "person.html",
        s,
        person=person,
        stances=list(core.Stance),
        sources=list(stance.USER_SOURCES),
        targets=targets.list_targets(conn, s.actor.workspace_id),
    )


@router.post("/people/{person_id}/stance")
def record_stance(
    person_id: Id,
    s: PageWrite,
    conn: Conn,
    value: Annotated[core.Stance, Form()],
    confidence: Annotated[str, Form(pattern=r"^(|\d{1,3})$")] = "",
    evidence_message_id: Annotated[str, Form(pattern=r"^(|\d{1,9})$")] = "",
    target: Annotated[ShortText, Form(max_length=128)] = "",
) -> Response:
    stance.record_stance(
        conn,
        s.actor,
        person_id,
        value,
        stance.StanceSource.STAFF,
        int(evidence_message_id) if evidence_message_id else None,
        int(confidence) if confidence else None,
        target=target or None,
    )
    return back(f"/people/{person_id}")


@router.post("/people/{person_id}/tags")
def add_tag(person_id: Id, s: PageWrite, conn: Conn, tag: Annotated[ShortText, Form()]) -> Response:
    core.add_tag(conn, s.actor, person_id, tag)
    return back(f"/people/{person_id}")


@router.post("/people/{person_id}/notes")
def add_note(person_id: Id, s: PageWrite, conn: Conn, text: Annotated[Text, Form()]) -> Response:
    core.add_note(conn, s.actor, person_id, text)
    return back(f"/people/{person_id}")


@router.get("/people/{person_id}/export.json")
def export_person(person_id: Id, s: PageSession, conn: Conn) -> Response:
    data = privacy.export_person(conn, s.actor, person_id)
    return JSONResponse(
        jsonable_encoder(data),
        headers={"Content-Disposition": f'attachment; filename="person-{person_id}.json"'},
    )


@router.post("/people/{person_id}/erase")
def erase_person(
    request: Request,
    person_id: Id,
    s: PageWrite,
    conn: Conn,
    background: BackgroundTasks,
    confirm: Annotated[ShortText, Form()] = "",
) -> Response:
    if confirm != "ERASE":
        raise InvalidInputError("type ERASE to confirm: erasure cannot be undone")
    counts = privacy.erase_person(conn, s.actor, person_id)
    forget_cached_audit(request, background)
    return render(request, "erased.html", s, counts=counts)
