"""People: the humans behind accounts and addresses, with tags, notes and a stance.

A person belongs to one workspace and has one or more identities ``(platform, account id)``
(``email`` is a platform whose account id is the address). The inbox creates a person the
first time an identity writes in; staff merge people when the evidence is strong (see
``merge``). A merged person is kept, pointing at the survivor, so that a merge can be undone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from hustings.errors import InvalidInputError, NotFoundError
from hustings.store.cursor import decode_cursor, encode_cursor
from hustings.store.schema import (
    people,
    person_identities,
    person_notes,
    person_tags,
    tracked_accounts,
    users,
    workspace_accounts,
)
from hustings.workspace import Actor, Role, audit
from hustings.workspace.directory import (
    Author,
    people_for_authors,
    stance_matches,
    stances_of,
)

__all__ = [
    "PeoplePage",
    "Stance",
    "add_identity",
    "add_note",
    "add_tag",
    "create_person",
    "get_person_row",
    "identities_of",
    "list_people",
    "page_people",
    "person_for_author",
    "remove_tag",
    "stances_of",
    "tracked_identities",
]

_TAG = re.compile(r"^[\w][\w .:/-]{0,63}$")


class Stance(StrEnum):
    """A NationBuilder-style support level; ``level`` is its 1 (support) to 5 (oppose)."""

    STRONG_SUPPORT = "strong_support"
    SUPPORT = "support"
    UNDECIDED = "undecided"
    OPPOSE = "oppose"
    STRONG_OPPOSITION = "strong_opposition"
    UNKNOWN = "unknown"

    @property
    def level(self) -> int | None:
        order = list(Stance)
        return None if self is Stance.UNKNOWN else order.index(self) + 1

    @classmethod
    def from_level(cls, level: int | None) -> Stance:
        if level is None:
            return cls.UNKNOWN
        if not 1 <= level <= 5:
            raise InvalidInputError(f"support level {level} is not between 1 and 5")
        return list(cls)[level - 1]


def _now() -> datetime:
    return datetime.now(UTC)


def get_person_row(conn: Connection, actor: Actor, person_id: int) -> Any:
    """The live person ``person_id`` of the actor's workspace, or ``NotFoundError``.

    Another workspace's person and a merged-away person are both "not found": the first so
    that ids reveal nothing, the second because its data now lives on the survivor.
    """
    row = conn.execute(
        select(people).where(
            people.c.id == person_id,
            people.c.workspace_id == actor.workspace_id,
            people.c.merged_into_id.is_(None),
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no person {person_id}")
    return row


def create_person(conn: Connection, workspace_id: int, name: str | None) -> int:
    result = conn.execute(
        people.insert().values(
            workspace_id=workspace_id,
            name=name,
            created_at=_now(),
        )
    )
    (person_id,) = result.inserted_primary_key or (0,)
    return int(person_id)


def _identity_owner(conn: Connection, workspace_id: int, platform: str, account_id: str) -> Any:
    return conn.execute(
        select(person_identities.c.person_id, people.c.merged_into_id)
        .join(people, people.c.id == person_identities.c.person_id)
        .where(
            person_identities.c.workspace_id == workspace_id,
            person_identities.c.platform == platform,
            person_identities.c.account_id == account_id,
        )
    ).first()


def tracked_identities(
    conn: Connection,
    identities: Iterable[tuple[str, str, str | None]],
    *,
    owned_by_other_than: int | None = None,
) -> set[tuple[str, str]]:
    """The ``(platform, account id)`` of those ``(platform, account id, handle)`` identities
    that are tracked accounts: a candidate's, a party's, an office's, a journalist's.

    An identity is a tracked account when the registry holds the same platform and either
    the same platform account id or the same handle (the registry may know only the handle;
    the inbox matches accounts the same way). A tracked account's posts are its public
    record, not a person's private data: erasure never deletes them, and another workspace
    must not claim one as a person of its own. With ``owned_by_other_than``, only accounts
    some *other* workspace than that one owns count.
    """
    wanted = list(identities)
    if not wanted:
        return set()
    names = {name for _, account_id, handle in wanted for name in _names(account_id, handle)}
    query = select(
        tracked_accounts.c.platform, tracked_accounts.c.platform_id, tracked_accounts.c.handle_lower
    ).where(
        tracked_accounts.c.platform.in_({p for p, _, _ in wanted}),
        or_(
            tracked_accounts.c.platform_id.in_({a for _, a, _ in wanted}),
            tracked_accounts.c.handle_lower.in_(names),
        ),
    )
    if owned_by_other_than is not None:
        query = query.where(
            exists().where(
                workspace_accounts.c.tracked_account_id == tracked_accounts.c.id,
                workspace_accounts.c.workspace_id != owned_by_other_than,
            )
        )
    rows = conn.execute(query).all()
    return {
        (platform, account_id)
        for platform, account_id, handle in wanted
        if any(
            r.platform == platform
            and (r.platform_id == account_id or r.handle_lower in _names(account_id, handle))
            for r in rows
        )
    }


def _names(account_id: str, handle: str | None) -> set[str]:
    return {n.strip().lstrip("@").lower() for n in (account_id, handle or "")} - {""}


def person_for_author(
    conn: Connection,
    workspace_id: int,
    platform: str,
    account_id: str,
    handle: str | None,
    linked: list[list[str]] | None = None,
) -> int:
    """The person behind ``platform``/``account_id``, created on first sight."""
    author = Author(platform, account_id, handle, linked or [])
    return people_for_authors(conn, workspace_id, [author])[(platform, account_id)]


def add_identity(
    conn: Connection,
    actor: Actor,
    person_id: int,
    platform: str,
    account_id: str,
    handle: str | None = None,
    verified: bool = False,
) -> None:
    """Attach an identity staff know about; one that belongs to someone else is refused.

    So is another workspace's tracked account (its candidate, its office): a person here
    who "is" that account would make the account's public posts this workspace's data
    about a person, for it to export or erase.
    """
    actor.require(Role.RESPONDER)
    get_person_row(conn, actor, person_id)
    platform, account_id = platform.strip().lower(), account_id.strip()
    if platform == "email":
        account_id = account_id.lower()
    if not platform or not account_id:
        raise InvalidInputError("an identity needs a platform and an account id")
    owner = _identity_owner(conn, actor.workspace_id, platform, account_id)
    if owner is not None:
        if owner.person_id == person_id:
            return
        raise InvalidInputError(
            f"{platform}:{account_id} belongs to person {owner.person_id}: merge them instead"
        )
    identity = (platform, account_id, handle)
    if tracked_identities(conn, [identity], owned_by_other_than=actor.workspace_id):
        raise InvalidInputError(
            f"{platform}:{account_id} is a tracked account of another workspace, not a person"
        )
    conn.execute(
        person_identities.insert().values(
            workspace_id=actor.workspace_id,
            person_id=person_id,
            platform=platform,
            account_id=account_id,
            handle=handle,
            verified=verified,
            linked=[],
        )
    )
    audit(conn, actor, "person.identity", "person", person_id, {"platform": platform})


def identities_of(conn: Connection, person_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(person_identities)
        .where(person_identities.c.person_id == person_id)
        .order_by(person_identities.c.id)
    )
    return [
        {
            "id": r.id,
            "platform": r.platform,
            "account_id": r.account_id,
            "handle": r.handle,
            "verified": r.verified,
        }
        for r in rows
    ]


def _matching_people(
    actor: Actor, q: str | None, tag: str | None, stance: Stance | None, target: str | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        people.c.workspace_id == actor.workspace_id,
        people.c.merged_into_id.is_(None),
    ]
    if q:
        pattern = f"%{q.lower()}%"
        handles = select(person_identities.c.id).where(
            person_identities.c.person_id == people.c.id,
            or_(
                func.lower(person_identities.c.handle).like(pattern),
                func.lower(person_identities.c.account_id).like(pattern),
            ),
        )
        where.append(or_(func.lower(people.c.name).like(pattern), exists(handles)))
    if tag:
        where.append(
            exists(
                select(person_tags.c.id).where(
                    person_tags.c.person_id == people.c.id, person_tags.c.tag == tag
                )
            )
        )
    if stance is not None:
        where.append(stance_matches(people.c.id, target, stance.value))
    elif target is not None:
        where.append(~stance_matches(people.c.id, target, Stance.UNKNOWN.value))
    return where


def _people_rows(conn: Connection, actor: Actor, rows: list[Any]) -> list[dict[str, Any]]:
    ids = [r.id for r in rows]
    stances = stances_of(conn, actor.workspace_id, ids)
    idents: dict[int, list[str]] = {}
    for ident in conn.execute(
        select(person_identities).where(person_identities.c.person_id.in_(ids))
    ):
        idents.setdefault(ident.person_id, []).append(
            f"{ident.platform}:{ident.handle or ident.account_id}"
        )
    return [
        {
            "id": r.id,
            "name": r.name,
            "stances": stances.get(r.id, []),
            "created_at": r.created_at,
            "identities": idents.get(r.id, []),
        }
        for r in rows
    ]


_PERSON_COLUMNS = (people.c.id, people.c.name, people.c.created_at)
_CURSOR_SCOPE = "people:newest"


def list_people(
    conn: Connection,
    actor: Actor,
    q: str | None = None,
    tag: str | None = None,
    stance: Stance | None = None,
    limit: int = 50,
    offset: int = 0,
    target: str | None = None,
) -> list[dict[str, Any]]:
    """People of the workspace, newest first, filtered by text, tag and current stance
    (toward ``target``; toward any target when none is given); each with their current
    stance per target."""
    query = select(*_PERSON_COLUMNS).where(*_matching_people(actor, q, tag, stance, target))
    rows = conn.execute(query.order_by(people.c.id.desc()).limit(limit).offset(offset)).all()
    return _people_rows(conn, actor, list(rows))


@dataclass(frozen=True, slots=True)
class PeoplePage:
    """One page of people: its rows, how many match in all, where it starts (0-based) and
    the cursor for the next page (``None`` on the last)."""

    rows: list[dict[str, Any]]
    total: int
    start: int
    next_cursor: str | None


def page_people(
    conn: Connection,
    actor: Actor,
    q: str | None = None,
    tag: str | None = None,
    stance: Stance | None = None,
    limit: int = 50,
    cursor: str | None = None,
    offset: int = 0,
    target: str | None = None,
) -> PeoplePage:
    """A page of ``list_people`` with the total; a cursor reads on after the previous page's
    last person (newest first, so by id descending) and never skips or repeats anyone."""
    where = _matching_people(actor, q, tag, stance, target)
    total = int(conn.execute(select(func.count()).select_from(people).where(*where)).scalar_one())
    query = select(*_PERSON_COLUMNS).where(*where)
    start = offset
    if cursor:
        (last_id,), start = decode_cursor(_CURSOR_SCOPE, cursor, (int,))
        if last_id is None:
            raise InvalidInputError("the page cursor is not valid for this list")
        query = query.where(people.c.id < last_id)
    elif offset:
        query = query.offset(offset)
    rows = list(conn.execute(query.order_by(people.c.id.desc()).limit(limit + 1)).all())
    found = _people_rows(conn, actor, rows[:limit])
    following = None
    if len(rows) > limit:
        following = encode_cursor(_CURSOR_SCOPE, [found[-1]["id"]], start + len(found))
    return PeoplePage(found, total, start, following)


def add_tag(conn: Connection, actor: Actor, person_id: int, tag: str) -> None:
    actor.require(Role.RESPONDER)
    get_person_row(conn, actor, person_id)
    tag = tag.strip().lower()
    if not _TAG.match(tag):
        raise InvalidInputError(f"{tag!r} is not a tag (letters, digits, space . : / -)")
    if conn.execute(
        select(person_tags.c.id).where(
            person_tags.c.person_id == person_id, person_tags.c.tag == tag
        )
    ).first():
        return
    conn.execute(person_tags.insert().values(person_id=person_id, tag=tag))
    audit(conn, actor, "person.tag", "person", person_id, {"tag": tag})


def remove_tag(conn: Connection, actor: Actor, person_id: int, tag: str) -> None:
    actor.require(Role.RESPONDER)
    get_person_row(conn, actor, person_id)
    conn.execute(
        person_tags.delete().where(
            person_tags.c.person_id == person_id, person_tags.c.tag == tag.strip().lower()
        )
    )
    audit(conn, actor, "person.untag", "person", person_id, {"tag": tag})


def add_note(conn: Connection, actor: Actor, person_id: int, text: str) -> int:
    actor.require(Role.RESPONDER)
    get_person_row(conn, actor, person_id)
    if not text.strip():
        raise InvalidInputError("a note needs some text")
    result = conn.execute(
        person_notes.insert().values(
            person_id=person_id, author_id=actor.user_id, text=text.strip(), created_at=_now()
        )
    )
    audit(conn, actor, "person.note", "person", person_id)
    (note_id,) = result.inserted_primary_key or (0,)
    return int(note_id)


def notes_and_tags(conn: Connection, person_id: int) -> tuple[list[dict[str, Any]], list[str]]:
    notes = [
        {"id": r.id, "text": r.text, "author": r.email, "created_at": r.created_at}
        for r in conn.execute(
            select(person_notes, users.c.email)
            .outerjoin(users, users.c.id == person_notes.c.author_id)
            .where(person_notes.c.person_id == person_id)
            .order_by(person_notes.c.id)
        )
    ]
    tags = list(
        conn.execute(
            select(person_tags.c.tag)
            .where(person_tags.c.person_id == person_id)
            .order_by(person_tags.c.tag)
        ).scalars()
    )
    return notes, tags
