"""Items: an entry becomes one item however many sources carry it; its versions are the
evidence.

A source's entry is matched first by the source's own id for it (a re-fetch: same content,
or a silent edit kept as a new version), then across sources by normalised URL or by
title and opening text (the same release by feed and by e-mail is one item). An entry a
source no longer lists, whose page now answers 404 or 410, was deleted: the item keeps its
text and every version, and its state and time say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from hustings.errors import NotFoundError
from hustings.policy._fetch import Entry
from hustings.policy._text import content_hash, diff_lines, text_key, url_key
from hustings.store.schema import (
    policy_item_versions,
    policy_items,
    policy_sightings,
    policy_sources,
)
from hustings.workspace import Actor

__all__ = [
    "PageCheck",
    "Recorded",
    "get_item",
    "known_sightings",
    "list_items",
    "mark_gone",
    "record",
]


@dataclass(slots=True)
class Recorded:
    new: list[int] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)


def known_sightings(conn: Connection, source_id: int) -> dict[str, Any]:
    """The source's entries seen before, by their external id, with their item's url and
    date (what a deletion check needs)."""
    rows = conn.execute(
        select(policy_sightings.c.external_id, policy_sightings.c.item_id,
               policy_sightings.c.content_hash, policy_sightings.c.gone_at,
               policy_sightings.c.page_hash, policy_sightings.c.checked_at,
               policy_items.c.url, policy_items.c.published_at, policy_items.c.state,
               policy_items.c.first_seen_at, policy_items.c.title)
        .join(policy_items, policy_items.c.id == policy_sightings.c.item_id)
        .where(policy_sightings.c.source_id == source_id)
    ).all()
    return {r.external_id: r for r in rows}


def _version(conn: Connection, workspace_id: int, item_id: int, change: str, entry: Entry,
             digest: str, now: datetime) -> None:
    conn.execute(policy_item_versions.insert(), {
        "workspace_id": workspace_id, "item_id": item_id, "change": change,
        "title": entry.title, "text": entry.text, "archive": entry.archive,
        "content_hash": digest, "seen_at": now})


def _edit(conn: Connection, source: Any, entry: Entry, item_id: int, state: str, digest: str,
          now: datetime) -> None:
    change = "restored" if state == "deleted" else "edit"
    _version(conn, source.workspace_id, item_id, change, entry, digest, now)
    item = conn.execute(select(policy_items.c.topic_by).where(
        policy_items.c.id == item_id)).first()
    recode = {} if item is not None and item.topic_by == "human" else {
        "topic_code": None, "topic_confidence": None, "topic_by": None, "coded_at": None}
    conn.execute(update(policy_items).where(policy_items.c.id == item_id).values(
        title=entry.title, text=entry.text, content_hash=digest, state="edited",
        changed_at=now, **recode))


def record(conn: Connection, source: Any, entries: list[Entry], now: datetime) -> Recorded:
    """Write what a fetch of ``source`` found; in the caller's transaction."""
    done = Recorded()
    known = known_sightings(conn, source.id)
    ws = source.workspace_id
    for entry in entries:
        digest = content_hash(entry.title, entry.text)
        seen = known.get(entry.external_id)
        if seen is not None:
            if seen.content_hash != digest and (entry.text or not seen.content_hash):
                _edit(conn, source, entry, seen.item_id, seen.state, digest, now)
                done.edited.append(seen.item_id)
            conn.execute(update(policy_sightings).where(
                policy_sightings.c.source_id == source.id,
                policy_sightings.c.external_id == entry.external_id,
            ).values(last_seen_at=now, gone_at=None,
                     content_hash=digest if entry.text else seen.content_hash))
            continue
        ukey, tkey = url_key(entry.url), text_key(entry.title, entry.text)
        match = [policy_items.c.text_key == tkey]
        if ukey is not None:
            match.append(policy_items.c.url_key == ukey)
        found = conn.execute(select(policy_items.c.id, policy_items.c.published_at,
                                    policy_items.c.url).where(
            policy_items.c.workspace_id == ws, or_(*match)).order_by(policy_items.c.id)).first()
        if found is not None:
            item_id = int(found.id)
            fill: dict[str, Any] = {}
            if entry.published_at and (found.published_at is None
                                       or entry.published_at < found.published_at):
                fill["published_at"] = entry.published_at
            if found.url is None and entry.url:
                fill.update(url=entry.url, url_key=ukey)
            if fill:
                conn.execute(update(policy_items).where(policy_items.c.id == item_id)
                             .values(fill))
            done.merged.append(item_id)
        else:
            item_id = int(conn.execute(policy_items.insert().returning(policy_items.c.id), {
                "workspace_id": ws, "source_id": source.id, "party": source.party,
                "author": entry.author or source.author, "title": entry.title,
                "text": entry.text, "url": entry.url, "url_key": ukey, "text_key": tkey,
                "content_hash": digest, "published_at": entry.published_at,
                "first_seen_at": now, "state": "live", "review": False,
            }).scalar_one())
            _version(conn, ws, item_id, "first", entry, digest, now)
            done.new.append(item_id)
        conn.execute(policy_sightings.insert(), {
            "workspace_id": ws, "source_id": source.id, "item_id": item_id,
            "external_id": entry.external_id, "content_hash": digest,
            "first_seen_at": now, "last_seen_at": now})
    return done


@dataclass(frozen=True, slots=True)
class PageCheck:
    """An unlisted entry's page as checked now: gone (404/410), or its text and digest."""

    deleted: bool
    text: str = ""
    page_hash: str | None = None
    html: str | None = None


def mark_gone(conn: Connection, source: Any, checks: dict[str, PageCheck], now: datetime,
              done: Recorded) -> None:
    """Entries the source no longer lists, with their page checked: a page gone means the
    item was deleted; a page whose text changed since the last check was silently edited
    (the first check sets the baseline)."""
    for external_id, check in checks.items():
        where = (policy_sightings.c.source_id == source.id,
                 policy_sightings.c.external_id == external_id)
        row = conn.execute(select(policy_sightings).where(*where)).first()
        if row is None:
            continue
        conn.execute(update(policy_sightings).where(*where).values(
            gone_at=row.gone_at or now, checked_at=now,
            page_hash=check.page_hash or row.page_hash))
        item = conn.execute(select(policy_items).where(policy_items.c.id == row.item_id)).first()
        if item is None or item.state == "deleted":
            continue
        if not check.deleted:
            if row.page_hash is not None and check.page_hash not in (None, row.page_hash):
                entry = Entry(external_id, item.title, check.text, item.url, item.published_at,
                              item.author, check.html or "")
                digest = content_hash(item.title, check.text)
                _edit(conn, source, entry, int(item.id), item.state, digest, now)
                done.edited.append(int(item.id))
            continue
        conn.execute(update(policy_items).where(policy_items.c.id == item.id)
                     .values(state="deleted", changed_at=now))
        conn.execute(policy_item_versions.insert(), {
            "workspace_id": item.workspace_id, "item_id": item.id, "change": "delete",
            "title": item.title, "text": "", "archive": None,
            "content_hash": content_hash(item.title, ""), "seen_at": now})
        done.deleted.append(int(item.id))


def _item_row(row: Any) -> dict[str, Any]:
    return {"id": row.id, "party": row.party, "author": row.author, "title": row.title,
            "url": row.url, "published_at": row.published_at,
            "first_seen_at": row.first_seen_at, "state": row.state,
            "topic_code": row.topic_code, "topic_confidence": row.topic_confidence,
            "topic_by": row.topic_by, "review": row.review, "source_id": row.source_id}


def list_items(conn: Connection, actor: Actor, *, party: str | None = None,
               topic: int | None = None, since: datetime | None = None,
               until: datetime | None = None, state: str | None = None,
               review: bool | None = None, ids: list[int] | None = None,
               limit: int = 200) -> list[dict[str, Any]]:
    """The workspace's items, newest first, narrowed as asked."""
    when = policy_items.c.published_at
    query = select(policy_items).where(policy_items.c.workspace_id == actor.workspace_id)
    if party is not None:
        query = query.where(policy_items.c.party == party)
    if topic is not None:
        query = query.where(policy_items.c.topic_code == topic)
    if since is not None:
        query = query.where(or_(when >= since, when.is_(None)
                                & (policy_items.c.first_seen_at >= since)))
    if until is not None:
        query = query.where(or_(when < until, when.is_(None)
                                & (policy_items.c.first_seen_at < until)))
    if state is not None:
        query = query.where(policy_items.c.state == state)
    if review is not None:
        query = query.where(policy_items.c.review.is_(review))
    if ids is not None:
        query = query.where(policy_items.c.id.in_(ids))
    rows = conn.execute(query.order_by(policy_items.c.first_seen_at.desc(),
                                       policy_items.c.id.desc()).limit(limit)).all()
    return [_item_row(r) for r in rows]


def get_item(conn: Connection, actor: Actor, item_id: int) -> dict[str, Any]:
    """One item with its text, the sources that carried it, every version and the diff of
    each change against the version before, with the times they were seen."""
    row = conn.execute(select(policy_items).where(
        policy_items.c.id == item_id, policy_items.c.workspace_id == actor.workspace_id)).first()
    if row is None:
        raise NotFoundError(f"no policy item {item_id}")
    versions = conn.execute(select(policy_item_versions).where(
        policy_item_versions.c.item_id == item_id).order_by(policy_item_versions.c.seen_at,
                                                           policy_item_versions.c.id)).all()
    shown: list[dict[str, Any]] = []
    for before, after in zip([None, *versions], versions, strict=False):
        diff = [] if before is None else diff_lines(
            before.title + "\n" + before.text, after.title + "\n" + after.text,
            f"{before.seen_at:%Y-%m-%d %H:%M} UTC", f"{after.seen_at:%Y-%m-%d %H:%M} UTC")
        shown.append({"change": after.change, "seen_at": after.seen_at,
                      "content_hash": after.content_hash, "diff": diff,
                      "archive_chars": len(after.archive or "")})
    sources = conn.execute(
        select(policy_sources.c.id, policy_sources.c.name, policy_sources.c.kind,
               policy_sightings.c.first_seen_at, policy_sightings.c.gone_at)
        .join(policy_sightings, policy_sightings.c.source_id == policy_sources.c.id)
        .where(policy_sightings.c.item_id == item_id)).all()
    return {**_item_row(row), "text": row.text, "content_hash": row.content_hash,
            "changed_at": row.changed_at, "versions": shown,
            "sources": [dict(s._mapping) for s in sources]}
