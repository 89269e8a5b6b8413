"""The one intake seam: parsed units into the store, then into the reached inboxes.

``write_units`` is what a connector sync (and, once routed through it, the file runner and
the push API) calls with the ``Parsed`` units an importer's ``parse_value`` made. In the
caller's transaction it

1. upserts accounts, messages, follower snapshots and registry entries idempotently,
   reusing the store's writers (a unit written twice, or a duplicate stream event, changes
   nothing);
2. quarantines every bad unit with its reason under the source's name, once per place
   (``connector:<platform>:<connection id>`` for a connector), into the same quarantine
   table file imports use;
3. files the new messages into the inbox of the workspace that asked (``workspace_id``),
   then answers its items that one of its own accounts replied to on the platform
   (``inbox.answered``: a reply made in the platform's own app counts).

So a page of a sync and its cursor commit together: killed midway, the page is not half
there, and the next run starts again from the cursor it left.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from hustings.errors import RecordRefusedError
from hustings.inbox.answered import mark_answered_on_platform
from hustings.inbox.sync import sync_workspace
from hustings.ingest.base import Parsed
from hustings.model import ImportBatch, Quarantined
from hustings.store.batches import quarantine_records
from hustings.store.bounds import admit_account, admit_message, admit_snapshot, admit_tracked
from hustings.store.records import (
    write_accounts,
    write_messages,
    write_snapshots,
    write_tracked,
)

__all__ = ["IntakeResult", "connector_source", "write_units"]

R = TypeVar("R")

_ADMIT: dict[str, Callable[[Any], Any]] = {
    "messages": admit_message,
    "context": admit_message,
    "accounts": admit_account,
    "tracked": admit_tracked,
    "snapshots": admit_snapshot,
}
_QUARANTINED = frozenset({"messages", "tracked", "snapshots"})


@dataclass(slots=True)
class IntakeResult:
    """What one call wrote: the counts a sync reports and a health page shows."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    context_added: int = 0
    accounts_added: int = 0
    snapshots_added: int = 0
    tracked_added: int = 0
    quarantined: int = 0
    filed: int = 0


def connector_source(platform: str, connection_id: int) -> str:
    """The source name of a connector's records: in quarantine rows and raw references."""
    return f"connector:{platform}:{connection_id}"


def _place(source: str) -> ImportBatch:
    """The quarantine's key for a live source, which has no file batch: its own name."""
    digest = hashlib.blake2b(source.encode(), digest_size=16).hexdigest()
    return ImportBatch(
        id=None, source=source, format="connector", fingerprint=digest,
        started_at=datetime.now(UTC),
    )


def _passes(admit: Callable[[R], R], record: R) -> R | str:
    try:
        return admit(record)
    except RecordRefusedError as exc:
        return str(exc)


def _admitted(units: Iterable[Parsed], source: str) -> tuple[list[Parsed], list[Quarantined]]:
    """``units`` without what the store refuses (``hustings.store.bounds``), as the file
    runner does: one record out of bounds must not fail the whole page. A refused message,
    registry entry or snapshot is quarantined at its unit; a refused context message or
    account is left out, as a broken expansion is."""
    kept: list[Parsed] = []
    bad: list[Quarantined] = []
    for unit in units:
        found: dict[str, list[Any]] = {}
        for name, admit in _ADMIT.items():
            for record in getattr(unit, name):
                passed = _passes(admit, record)
                if not isinstance(passed, str):
                    found.setdefault(name, []).append(passed)
                elif name in _QUARANTINED:
                    shown = getattr(record, "text", None) or str(record)
                    bad.append(Quarantined(source, unit.position, "item", passed, shown[:200]))
        fields: dict[str, Any] = {name: tuple(found.get(name, ())) for name in _ADMIT}
        kept.append(replace(unit, **fields))
    return kept, bad


def write_units(
    conn: Connection,
    units: Iterable[Parsed],
    source: str,
    workspace_id: int | None = None,
) -> IntakeResult:
    """Write ``units`` from ``source`` in the caller's transaction; file them into
    ``workspace_id``'s inbox when given. Returns the counts."""
    units, refused = _admitted(units, source)
    result = IntakeResult()
    result.accounts_added = write_accounts(conn, [a for u in units for a in u.accounts], None)
    messages = [m for u in units for m in (*u.context, *u.messages)]
    written = write_messages(conn, messages, None)
    result.added, result.updated = written.added, written.updated
    result.unchanged, result.context_added = written.unchanged, written.context_added
    snapshots = [(s, u.position) for u in units for s in u.snapshots]
    result.snapshots_added, unknown = write_snapshots(conn, [s for s, _ in snapshots])
    result.tracked_added = write_tracked(conn, [t for u in units for t in u.tracked])
    bad: list[Quarantined] = refused + [q for u in units for q in u.quarantined]
    where = {id(s): position for s, position in snapshots}
    bad += [
        Quarantined(
            source, where[id(s)], "item",
            f"no {s.platform} account with handle {s.handle!r} in the store",
            f"{s.handle},{s.taken_at.isoformat()},{s.followers}",
        )
        for s in unknown
    ]
    bad += [
        Quarantined(source, row.raw_position or 0, row.raw_unit or "item", reason, row.text)
        for row, reason in written.conflicts
    ]
    quarantine_records(conn, _place(source), bad)
    result.quarantined = len(bad)
    if workspace_id is not None:
        result.filed = sync_workspace(conn, workspace_id)
        mark_answered_on_platform(conn, workspace_id)
    return result
