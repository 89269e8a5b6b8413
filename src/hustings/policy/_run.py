"""Fetching: read a source, record what it lists, code what is new, raise alerts, mail them.

The network is read outside any transaction (a slow feed holds no lock); what it found is
written in one transaction with the source's health and cursor, so a fetch that fails
half-way leaves the last good state. A failing source records its error and the others go
on: ``fetch_all`` never lets one broken feed stop the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import trafilatura
from sqlalchemy import Connection, or_, select, update

from hustings.connectors.connections import open_connector
from hustings.connectors.http import Http
from hustings.errors import ConnectorError, HustingsError, NotFoundError, PlatformResponseError
from hustings.policy._alerts import deliver_alerts, match_alerts
from hustings.policy._coding import code_pending
from hustings.policy._fetch import Entry, Listing, get, http_client, read_feed, read_listing
from hustings.policy._items import PageCheck, Recorded, known_sightings, mark_gone, record
from hustings.policy._sources import get_source
from hustings.policy._text import content_hash
from hustings.store import Store
from hustings.store.schema import connections, messages, policy_sources
from hustings.workspace import Actor

__all__ = ["RECHECK", "WATCH", "FetchReport", "fetch_all", "fetch_source"]

_TITLE_CHARS = 120
WATCH = timedelta(days=7)
"""How long an item that left its source's listing is still checked on its own page."""
RECHECK = timedelta(hours=6)
"""How often such a page is checked."""


@dataclass(slots=True)
class FetchReport:
    source_id: int
    name: str
    error: str | None = None
    new: int = 0
    merged: int = 0
    edited: int = 0
    deleted: int = 0
    coded: int = 0
    alerts: int = 0
    moved_to: str | None = None
    item_ids: list[int] = field(default_factory=list)


def _check_pages(http: Http, listing: Listing, known: dict[str, Any],
                 now: datetime) -> dict[str, PageCheck]:
    """Entries seen before and listed no more, checked on their own page: at once when they
    leave the listing, then every ``RECHECK`` while younger than ``WATCH`` (a feed keeps
    only its newest entries, so an edit or a deletion a day later happens off the feed).
    An empty answer decides nothing: a broken feed is not a mass deletion.
    """
    if not listing.entries:
        return {}
    listed = {e.external_id for e in listing.entries}
    checks: dict[str, PageCheck] = {}
    for external_id, seen in known.items():
        if external_id in listed or seen.state == "deleted" or not seen.url:
            continue
        if seen.gone_at is not None:
            age = now - (seen.published_at or seen.first_seen_at)
            if age > WATCH or (seen.checked_at is not None and now - seen.checked_at < RECHECK):
                continue
        try:
            checks[external_id] = _page(http, seen.url)
        except ConnectorError:
            continue  # cannot tell now; asked again at the next fetch
    return checks


def _page(http: Http, url: str) -> PageCheck:
    response, _ = get(http, url)
    if response.status_code in (404, 410):
        return PageCheck(True)
    if response.status_code >= 400:
        raise PlatformResponseError(f"{url} answered HTTP {response.status_code}")
    html = response.text
    text = trafilatura.extract(html, url=url, favor_precision=True) or ""
    return PageCheck(False, text, content_hash("", text) if text else None, html)


def _mail_entries(conn_store: Store, source: Any) -> tuple[list[Entry], dict[str, Any]]:
    """Newsletters from the workspace's mailbox, through the e-mail connector's own ``pull``
    from the source's cursor; only mail from ``sender`` (an address or ``@domain``)."""
    settings = source.settings
    with conn_store.begin() as conn:
        owned = conn.execute(select(connections.c.id).where(
            connections.c.id == settings["connection_id"],
            connections.c.workspace_id == source.workspace_id)).first()
        if owned is None:
            raise NotFoundError(f"no e-mail connection {settings['connection_id']}")
        connector, _ = open_connector(conn, settings["connection_id"])
    sender = str(settings.get("sender", "")).lower()
    cursor: dict[str, Any] = dict(source.cursor)
    entries = []
    try:
        for page in connector.pull(cursor):
            cursor = dict(page.cursor)
            for unit in page.units:
                for message in unit.messages:
                    author = message.author_id.lower()
                    if sender and not (author == sender or (sender.startswith("@")
                                                            and author.endswith(sender))):
                        continue
                    title = message.subject or message.text[:_TITLE_CHARS]
                    entries.append(Entry(message.platform_id, title, message.text.strip(),
                                         None, message.created_at, message.author_handle,
                                         message.text))
    finally:
        connector.close()
    return entries, cursor


def _post_entries(conn: Connection, source: Any) -> tuple[list[Entry], dict[str, Any]]:
    """The tracked account's own posts (not its replies) stored since the cursor."""
    settings, after = source.settings, int(source.cursor.get("message_id", 0))
    rows = conn.execute(select(messages).where(
        messages.c.platform == settings["platform"],
        messages.c.author_handle.is_not(None),
        messages.c.kind.in_(("post", "quote")), messages.c.visibility == "public",
        or_(messages.c.workspace_id.is_(None),
            messages.c.workspace_id == source.workspace_id),
        messages.c.id > after).order_by(messages.c.id)).all()
    handle = settings["handle"]
    entries = [Entry(f"{r.platform}:{r.platform_id}", re.sub(r"\s+", " ", r.text)[:_TITLE_CHARS],
                     r.text, None, r.created_at, r.author_handle, r.raw_source or r.text)
               for r in rows if (r.author_handle or "").lower().lstrip("@") == handle]
    last = rows[-1].id if rows else after
    return entries, {"message_id": int(last)}


def fetch_source(store: Store, actor: Actor, source_id: int, now: datetime | None = None,
                 http: Http | None = None, deliver: bool = True) -> FetchReport:
    """Fetch one source of the actor's workspace now; errors become its health."""
    now = now or datetime.now(UTC)
    with store.begin() as conn:
        source = get_source(conn, actor.workspace_id, source_id)
        known = known_sightings(conn, source.id)
    report = FetchReport(source.id, source.name)
    client = http or http_client()
    listing, cursor, gone = Listing(), dict(source.cursor), {}
    try:
        if source.kind == "feed":
            listing = read_feed(client, source.url, source.settings, known)
        elif source.kind == "listing":
            listing = read_listing(client, source.url, source.settings, known)
        elif source.kind == "email":
            listing.entries, cursor = _mail_entries(store, source)
        if source.kind in ("feed", "listing"):
            gone = _check_pages(client, listing, known, now)
    except HustingsError as exc:
        report.error = str(exc)
    finally:
        if http is None:
            client.close()
    with store.begin() as conn:
        values: dict[str, Any] = {"last_attempt_at": now}
        if report.error is not None:
            values.update(status="error", last_error=report.error)
        else:
            if source.kind == "account":
                listing.entries, cursor = _post_entries(conn, source)
            done = record(conn, source, listing.entries, now)
            mark_gone(conn, source, gone, now, done)
            _count(report, done)
            values.update(status="ok", last_error=None, last_ok_at=now, cursor=cursor)
            if listing.moved_to and listing.moved_to != source.url:
                values.update(url=listing.moved_to, moved_to=listing.moved_to)
                report.moved_to = listing.moved_to
            coded = code_pending(conn, source.workspace_id, now)
            report.coded = len(coded)
            report.alerts = len(match_alerts(conn, source.workspace_id, coded, now))
        conn.execute(update(policy_sources).where(policy_sources.c.id == source.id)
                     .values(values))
    if deliver and report.alerts:
        deliver_alerts(store, source.workspace_id, now)
    return report


def _count(report: FetchReport, done: Recorded) -> None:
    report.new, report.merged = len(done.new), len(done.merged)
    report.edited, report.deleted = len(done.edited), len(done.deleted)
    report.item_ids = done.new + done.merged + done.edited


def fetch_all(store: Store, actor: Actor, now: datetime | None = None,
              http: Http | None = None, deliver: bool = True) -> list[FetchReport]:
    """Fetch every source of the workspace; then send the alert mails that are due."""
    with store.begin() as conn:
        ids = list(conn.execute(select(policy_sources.c.id).where(
            policy_sources.c.workspace_id == actor.workspace_id)
            .order_by(policy_sources.c.id)).scalars())
    reports = [fetch_source(store, actor, i, now, http, deliver=False) for i in ids]
    if deliver:
        deliver_alerts(store, actor.workspace_id, now)
    return reports
