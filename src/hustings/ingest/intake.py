"""The one intake seam: parsed units into the store, then into the reached inboxes.

``write_units`` is how records enter the store, for every source: a file batch (the file
runner, whose parser process hands it ``Prepared`` batches), a connector sync (units from
an importer's ``parse_value``) and a workspace's push (``POST /api/messages``). In the
caller's transaction it

1. admits every record by ``hustings.store.bounds`` and upserts accounts, messages,
   follower snapshots and registry entries idempotently, reusing the store's writers (a
   unit written twice, or a duplicate stream event, changes nothing);
2. quarantines every bad unit with its reason under the source: the file's batch, or for
   a live source its name (``connector:<platform>:<connection id>``), once per place, in
   the one quarantine table;
3. files the new messages into the inbox of the workspace that asked (``workspace_id``),
   then answers its items that one of its own accounts replied to on the platform
   (``inbox.answered``: a reply made in the platform's own app counts).

The caller saves its checkpoint (a file batch's position, a connector's cursor) in the same
transaction, so a page and its checkpoint commit together: killed midway, the page is not
half there, and the next run starts again from the checkpoint it left.

A push is the one source that writes as a workspace (``pushed=True``): its messages must
involve the workspace's own accounts, become that workspace's rows, never change rows it
did not add (those are returned as ``refused``, to the pusher, rather than quarantined),
and are filed into that workspace's inbox only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from hustings.inbox.answered import mark_answered_on_platform
from hustings.inbox.sync import (
    Refusal,
    file_pushed,
    file_written,
    pushing_inbox,
    sync_workspace,
)
from hustings.ingest.base import Parsed
from hustings.ingest.batching import Prepared, SeenCache, Target, prepare
from hustings.ingest.readers import quarantined
from hustings.model import ImportBatch, Quarantined
from hustings.store.batches import quarantine_records
from hustings.store.records import (
    SAME_ID_TWICE,
    write_accounts,
    write_message_rows,
    write_snapshots,
    write_tracked,
)
from hustings.store.rows import MessageRow

__all__ = ["IntakeResult", "connector_source", "push_source", "write_units"]

_PUSHED_TWICE = "the same id twice with different content in this push"


@dataclass(slots=True)
class IntakeResult:
    """What one call wrote: the counts a sync or an import reports and a health page shows.

    ``read`` counts the records the source is about (as ``hustings import`` reports them):
    primary messages, registry entries, snapshots of snapshot files, and every quarantined
    record. ``refused`` lists the messages a push may not change (see the module)."""

    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    context_added: int = 0
    accounts_added: int = 0
    snapshots_added: int = 0
    tracked_added: int = 0
    quarantined: int = 0
    filed: int = 0
    refused: list[Refusal] = field(default_factory=list)


def connector_source(platform: str, connection_id: int) -> str:
    """The source name of a connector's records: in quarantine rows and raw references."""
    return f"connector:{platform}:{connection_id}"


def push_source(workspace_id: int) -> str:
    """The source name of what a workspace pushes (``POST /api/messages``)."""
    return f"push:workspace:{workspace_id}"


def _place(source: str) -> ImportBatch:
    """The quarantine's key for a live source, which has no file batch: its own name."""
    digest = hashlib.blake2b(source.encode(), digest_size=16).hexdigest()
    return ImportBatch(
        id=None, source=source, format="connector", fingerprint=digest,
        started_at=datetime.now(UTC),
    )


def _conflicts(source: str, conflicts: list[tuple[MessageRow, str]]) -> list[Quarantined]:
    return [
        quarantined(
            source, row.raw_position or 0, row.raw_unit or "record",
            f"{reason}: {row.platform_id}", row.text,
        )
        for row, reason in conflicts
    ]


def _unknown_handles(source: str, prepared: Prepared, unknown: list[Any]) -> list[Quarantined]:
    """Snapshots whose handle matches no stored account, quarantined where they were read."""
    where = {id(s): position for s, position in prepared.snapshots}
    return [
        quarantined(
            source, where[id(s)], "line",
            f"no {s.platform} account with handle {s.handle!r} in the store; "
            "import its posts first",
            f"{s.handle},{s.taken_at.isoformat()},{s.followers}",
        )
        for s in unknown
    ]


def write_units(
    conn: Connection,
    units: Iterable[Parsed] | Prepared,
    source: str | ImportBatch,
    workspace_id: int | None = None,
    *,
    pushed: bool = False,
    whole_inbox: bool = True,
) -> IntakeResult:
    """Write ``units`` in the caller's transaction and return the counts.

    ``source`` is a file batch (its records are stamped with the batch and quarantined
    under it) or a live source's name (``connector_source``, ``push_source``). ``units``
    are ``Parsed`` units, or a ``Prepared`` batch the file runner's parser process already
    admitted and encoded. With ``workspace_id`` the new messages are filed into that
    workspace's inbox; with ``pushed`` too they are that workspace's push (module doc).
    Without ``whole_inbox`` only these units' messages are filed (``file_written``), not
    everything since the inbox's sync cursor: a live stream's many small batches must not
    each rescan the inbox's recent messages.
    """
    batch = source if isinstance(source, ImportBatch) else None
    name = source.source if isinstance(source, ImportBatch) else source
    owner, inbox = None, None
    if isinstance(units, Prepared):
        if pushed:
            raise ValueError("a push is written from Parsed units, not a prepared batch")
        prepared = units
    else:
        parsed = list(units)
        if pushed:
            if workspace_id is None:
                raise ValueError("a push needs the pushing workspace")
            owner = workspace_id
            inbox = pushing_inbox(conn, owner, [m for u in parsed for m in u.messages])
        target = Target(name, batch.id if batch else None, conn.dialect.name)
        prepared = prepare(parsed, 0, target, SeenCache())
    result = IntakeResult()
    result.accounts_added = write_accounts(conn, prepared.accounts, batch.id if batch else None)
    written = write_message_rows(conn, prepared.messages, owner=owner)
    result.added, result.updated = written.added, written.updated
    result.unchanged, result.context_added = written.unchanged, written.context_added
    result.snapshots_added, unknown = write_snapshots(conn, [s for s, _ in prepared.snapshots])
    result.tracked_added = write_tracked(conn, prepared.tracked)
    bad = prepared.quarantined + _unknown_handles(name, prepared, unknown)
    if pushed:
        result.refused = [
            Refusal(row.platform, row.platform_id, _PUSHED_TWICE if why == SAME_ID_TWICE else why)
            for row, why in written.conflicts
        ]
    else:
        bad += _conflicts(name, written.conflicts)
    quarantine_records(conn, batch or _place(name), bad)
    result.quarantined = len(bad)
    primary = prepared.primary - len(written.conflicts)
    result.read = primary + len(prepared.tracked) + prepared.standalone + len(bad)
    if inbox is not None:
        keys = [(row.platform, row.platform_id) for row in prepared.messages]
        result.filed = file_pushed(conn, inbox, keys)
    elif workspace_id is not None and whole_inbox:
        result.filed = sync_workspace(conn, workspace_id)
        mark_answered_on_platform(conn, workspace_id)
    elif workspace_id is not None:
        result.filed, ours = file_written(conn, workspace_id, prepared.messages)
        if ours:
            mark_answered_on_platform(conn, workspace_id)
    return result
