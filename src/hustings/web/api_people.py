"""The JSON API for people: identities, stance, tags, notes, merges, export, erasure, CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Body, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field, field_validator

from hustings.errors import InvalidInputError
from hustings.people import core, csv_io, merge, privacy, stance, targets
from hustings.web.api_inbox import PAGING_HEADERS, Ok, set_paging_headers
from hustings.web.deps import (
    API_ERRORS,
    ApiSession,
    ApiWrite,
    Conn,
    Id,
    ShortText,
    Text,
    TransactionRoute,
    forget_cached_audit,
)

__all__ = ["router"]

router = APIRouter(
    prefix="/api", tags=["people"], route_class=TransactionRoute, responses=API_ERRORS
)
_ID = Field(ge=1, le=2_147_483_647)


@router.get("/people", responses=PAGING_HEADERS)
def list_people(
    s: ApiSession,
    conn: Conn,
    request: Request,
    response: Response,
    q: Annotated[ShortText | None, Query()] = None,
    tag: Annotated[ShortText | None, Query()] = None,
    stance_value: Annotated[core.Stance | None, Query(alias="stance")] = None,
    target: Annotated[ShortText | None, Query(min_length=1, max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    sort: Annotated[Literal["newest"], Query()] = "newest",
) -> list[dict[str, Any]]:
    """People newest first, each with ``stances``: the current stance per named target.

    ``stance`` filters on the stance toward ``target`` (toward any target without one);
    ``X-Total-Count`` and a ``Link`` header's cursor page on."""
    page = core.page_people(conn, s.actor, q, tag, stance_value, limit, cursor, offset, target)
    set_paging_headers(request, response, page.total, page.next_cursor)
    return page.rows


@router.get("/people/merge-suggestions")
def merge_suggestions(s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    """Pairs with strong, unique evidence of being one person; a human must confirm."""
    return merge.suggest_merges(conn, s.actor)


class MergeBody(BaseModel):
    keep_id: Annotated[int, _ID]
    merge_id: Annotated[int, _ID]


@router.post("/people/merge", response_model=Ok)
def merge_people(body: MergeBody, s: ApiWrite, conn: Conn) -> Ok:
    """Merge ``merge_id`` into ``keep_id``; the returned id undoes it."""
    return Ok(id=merge.merge_people(conn, s.actor, body.keep_id, body.merge_id))


@router.post("/merges/{merge_id}/undo", response_model=Ok)
def undo_merge(merge_id: Id, s: ApiWrite, conn: Conn) -> Ok:
    merge.undo_merge(conn, s.actor, merge_id)
    return Ok(id=merge_id)


@router.get("/people.csv", response_class=PlainTextResponse)
def export_csv(s: ApiSession, conn: Conn) -> PlainTextResponse:
    """Every person in NationBuilder's column layout."""
    text = "".join(csv_io.export_csv(conn, s.actor))
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="people.csv"'},
    )


class ImportOut(BaseModel):
    created: int
    updated: int
    skipped: list[tuple[int, str]]


@router.post("/people/import", response_model=ImportOut)
def import_csv(
    s: ApiWrite,
    conn: Conn,
    csv_text: Annotated[str, Body(media_type="text/csv", max_length=20_000_000)],
) -> ImportOut:
    """Create or update people from a NationBuilder-style CSV; bad rows come back skipped."""
    if "\x00" in csv_text:
        raise InvalidInputError("the CSV contains NUL characters")
    result = csv_io.import_csv(conn, s.actor, csv_text)
    return ImportOut(created=result.created, updated=result.updated, skipped=result.skipped)


@router.get("/people/{person_id}")
def get_person(person_id: Id, s: ApiSession, conn: Conn) -> dict[str, Any]:
    return privacy.person_detail(conn, s.actor, person_id)


@router.get("/people/{person_id}/export")
def export_person(person_id: Id, s: ApiSession, conn: Conn) -> dict[str, Any]:
    """Everything held about one person, for a subject-access request."""
    return privacy.export_person(conn, s.actor, person_id)


@router.delete("/people/{person_id}")
def erase_person(
    person_id: Id, s: ApiWrite, conn: Conn, request: Request, background: BackgroundTasks
) -> dict[str, int]:
    """Erase the person from this workspace (see docs/security.md); only the counts remain."""
    counts = privacy.erase_person(conn, s.actor, person_id)
    forget_cached_audit(request, background)
    return counts


class TargetOut(BaseModel):
    name: str
    kind: str
    description: str | None
    created_at: datetime


class TargetBody(BaseModel):
    """A target the workspace tracks stance toward: its candidate, a policy, a party."""

    name: Annotated[ShortText, Field(min_length=1, max_length=targets.MAX_TARGET)]
    kind: targets.TargetKind = targets.TargetKind.OTHER
    description: Annotated[Text, Field(max_length=2000)] | None = None


@router.get("/stance-targets", response_model=list[TargetOut])
def list_targets(s: ApiSession, conn: Conn) -> list[dict[str, Any]]:
    """What this workspace tracks stance toward, in the order it named them."""
    return targets.list_targets(conn, s.actor.workspace_id)


@router.post("/stance-targets", response_model=TargetOut)
def add_target(body: TargetBody, s: ApiWrite, conn: Conn) -> dict[str, Any]:
    """Name a new stance target (managers); a name the workspace has already is 409."""
    return targets.add_target(conn, s.actor, body.name, body.kind, body.description)


class StanceBody(BaseModel):
    """A judgement staff record: theirs (``staff``) or what the person said (``self_declared``),
    toward ``target`` (one of the workspace's; left out: its default, usually its candidate).

    ``model`` is not accepted: model entries come only from ``hustings nlp enrich``.
    """

    target: Annotated[ShortText, Field(min_length=1, max_length=targets.MAX_TARGET)] | None = None
    value: core.Stance
    source: Literal["staff", "self_declared"] = "staff"
    evidence_message_id: Annotated[int, _ID] | None = None
    confidence: Annotated[int, Field(ge=0, le=100)] | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _not_the_model(cls, value: object) -> object:
        if value == stance.StanceSource.MODEL.value:
            raise ValueError(stance.MODEL_ONLY)
        return value


class StanceOut(BaseModel):
    target: str
    stance: core.Stance


@router.post("/people/{person_id}/stance", response_model=StanceOut)
def record_stance(person_id: Id, body: StanceBody, s: ApiWrite, conn: Conn) -> StanceOut:
    """Add a stance entry; returns the target and the current stance toward it after it."""
    current = stance.record_stance(
        conn,
        s.actor,
        person_id,
        body.value,
        stance.StanceSource(body.source),
        body.evidence_message_id,
        body.confidence,
        target=body.target,
    )
    return StanceOut(target=current.target, stance=current.value)


class TagBody(BaseModel):
    tag: Annotated[ShortText, Field(min_length=1, max_length=64)]


@router.post("/people/{person_id}/tags", response_model=Ok)
def add_tag(person_id: Id, body: TagBody, s: ApiWrite, conn: Conn) -> Ok:
    core.add_tag(conn, s.actor, person_id, body.tag)
    return Ok(id=person_id)


@router.delete("/people/{person_id}/tags/{tag}", response_model=Ok)
def remove_tag(person_id: Id, tag: ShortText, s: ApiWrite, conn: Conn) -> Ok:
    core.remove_tag(conn, s.actor, person_id, tag)
    return Ok(id=person_id)


class NoteBody(BaseModel):
    text: Text


@router.post("/people/{person_id}/notes", response_model=Ok)
def add_note(person_id: Id, body: NoteBody, s: ApiWrite, conn: Conn) -> Ok:
    return Ok(id=core.add_note(conn, s.actor, person_id, body.text))


class IdentityBody(BaseModel):
    platform: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")]
    account_id: Annotated[ShortText, Field(min_length=1)]
    handle: ShortText | None = None
    verified: bool = False


@router.post("/people/{person_id}/identities", response_model=Ok)
def add_identity(person_id: Id, body: IdentityBody, s: ApiWrite, conn: Conn) -> Ok:
    core.add_identity(
        conn, s.actor, person_id, body.platform, body.account_id, body.handle, body.verified
    )
    return Ok(id=person_id)
