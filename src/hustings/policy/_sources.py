"""A workspace's policy sources: add one (checking its rule), list them with their health.

Health is what a person needs to trust the matrix: when the source last brought an item,
the last error (a 500, a feed that is no longer a feed, a mailbox that refused the login),
whether it moved, and how many items it brought this week against its usual week. A
source that errs is ``error``; one that works but has gone quiet against its usual is
``quiet`` (``STALE_FACTOR``); otherwise ``ok`` (``new`` before its first fetch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select

from hustings.errors import InvalidInputError, NotFoundError
from hustings.policy._defs import SOURCE_KINDS, STALE_FACTOR
from hustings.store.schema import (
    connections,
    policy_items,
    policy_sources,
    tracked_accounts,
    workspace_accounts,
)
from hustings.workspace import Actor, Role, audit

__all__ = ["SourceHealth", "add_source", "get_source", "list_sources"]

_WEEK = timedelta(days=7)
_SETTINGS: dict[str, set[str]] = {
    "feed": {"timezone", "articles"},
    "listing": {"links", "match", "limit", "timezone"},
    "email": {"connection_id", "sender"},
    "account": {"platform", "handle"},
}


@dataclass(frozen=True, slots=True)
class SourceHealth:
    id: int
    kind: str
    name: str
    party: str
    url: str | None
    status: str
    last_item_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None
    moved_to: str | None
    this_week: int
    usual_week: float | None


def _check_settings(conn: Connection, actor: Actor, kind: str, url: str | None,
                    settings: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(settings) - _SETTINGS[kind])
    if unknown:
        raise InvalidInputError(f"a {kind} source has no setting {', '.join(unknown)} "
                                f"(it has: {', '.join(sorted(_SETTINGS[kind]))})")
    if kind in ("feed", "listing"):
        if not url or not re.match(r"^https?://[^\s/]+", url):
            raise InvalidInputError(f"a {kind} source needs an http(s) address, not {url!r}")
        if "match" in settings:
            try:
                re.compile(str(settings["match"]))
            except re.error as exc:
                raise InvalidInputError(f"match is not a regular expression: {exc}") from None
    if kind == "email":
        try:
            connection_id = int(settings.get("connection_id", ""))
        except ValueError:
            raise InvalidInputError("an email source needs connection_id, the id of the "
                                    "workspace's e-mail connection") from None
        found = conn.execute(select(connections.c.platform).where(
            connections.c.id == connection_id,
            connections.c.workspace_id == actor.workspace_id)).scalar()
        if found != "email":
            raise NotFoundError(f"no e-mail connection {connection_id}")
        settings = {**settings, "connection_id": connection_id}
    if kind == "account":
        platform, handle = settings.get("platform"), str(settings.get("handle", "")).lstrip("@")
        owned = conn.execute(
            select(tracked_accounts.c.id)
            .join(workspace_accounts,
                  workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
            .where(workspace_accounts.c.workspace_id == actor.workspace_id,
                   tracked_accounts.c.platform == platform,
                   tracked_accounts.c.handle_lower == handle.lower())
        ).scalar()
        if owned is None:
            raise NotFoundError(f"the workspace tracks no {platform} account @{handle}")
        settings = {"platform": platform, "handle": handle.lower()}
    return settings


def add_source(conn: Connection, actor: Actor, kind: str, name: str, party: str,
               url: str | None = None, author: str | None = None,
               settings: dict[str, Any] | None = None) -> int:
    """Add a source for ``party`` (or a person of it, ``author``); return its id."""
    actor.require(Role.MANAGER)
    if kind not in SOURCE_KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(SOURCE_KINDS)}, not {kind!r}")
    if not name.strip() or not party.strip():
        raise InvalidInputError("a source needs a name and a party")
    checked = _check_settings(conn, actor, kind, url, dict(settings or {}))
    source_id = conn.execute(policy_sources.insert().returning(policy_sources.c.id), {
        "workspace_id": actor.workspace_id, "kind": kind, "name": name.strip(),
        "party": party.strip(), "author": author, "url": url, "settings": checked,
        "cursor": {}, "status": "new", "created_at": datetime.now(UTC),
    }).scalar_one()
    audit(conn, actor, "policy.source.add", "policy_source", int(source_id))
    return int(source_id)


def get_source(conn: Connection, workspace_id: int, source_id: int) -> Any:
    row = conn.execute(select(policy_sources).where(
        policy_sources.c.id == source_id, policy_sources.c.workspace_id == workspace_id)).first()
    if row is None:
        raise NotFoundError(f"no policy source {source_id}")
    return row


def list_sources(conn: Connection, actor: Actor, now: datetime | None = None
                 ) -> list[SourceHealth]:
    """Every source of the workspace with its health, as of ``now``."""
    now = now or datetime.now(UTC)
    rows = conn.execute(select(policy_sources).where(
        policy_sources.c.workspace_id == actor.workspace_id).order_by(policy_sources.c.id)).all()
    seen = policy_items.c.first_seen_at
    stats = {r.source_id: r for r in conn.execute(
        select(policy_items.c.source_id, func.max(seen).label("last"), func.min(seen)
               .label("first"), func.count().label("n"),
               func.sum(case((seen >= now - _WEEK, 1), else_=0)).label("week"))
        .where(policy_items.c.workspace_id == actor.workspace_id)
        .group_by(policy_items.c.source_id)).all()}
    out = []
    for row in rows:
        stat = stats.get(row.id)
        week = int(stat.week or 0) if stat else 0
        usual = None
        if stat is not None and stat.first is not None:
            watched = max(now - max(stat.first, row.created_at), timedelta(0))
            earlier_weeks = watched / _WEEK - 1
            if earlier_weeks >= 1:
                usual = (int(stat.n) - week) / earlier_weeks
        status = row.status
        if status == "ok" and usual is not None and week < usual * STALE_FACTOR:
            status = "quiet"
        out.append(SourceHealth(row.id, row.kind, row.name, row.party, row.url, status,
                                stat.last if stat else None, row.last_ok_at, row.last_error,
                                row.moved_to, week, usual))
    return out
