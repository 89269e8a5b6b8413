"""Keep each stored message's thread root and depth right as messages arrive, in any order.

Placement happens at write time, one batch at a time: a new message is placed from its
parent in the same batch or in the store, and replies stored earlier below it (whose
parent was missing until now) are re-placed level by level. Each step reads only the
batch's neighbours through the ``(platform, reply_to_id)`` index, never a whole platform,
so an import's memory stays flat however large the store grows. The answer is the one
``hustings.threads.resolve_depths`` gives over all messages at once; a test checks that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection, and_, bindparam, select, update

from hustings.model import ReplyLink
from hustings.store.rows import MessageRow
from hustings.store.schema import messages
from hustings.threads import Placement, resolve_depths

__all__ = ["parent_key", "place_rows", "reseat_descendants", "stored_placement"]

_CHUNK = 500
_BY_MESSAGE = ReplyLink.MESSAGE.value
_BY_ACCOUNT = ReplyLink.ACCOUNT.value


def _parent(row: MessageRow) -> str | None:
    return row.reply_to_id if row.reply_link == _BY_MESSAGE else None


def parent_key(row: MessageRow) -> tuple[str, str] | None:
    """The stored message ``row`` replies to, when it names one: its placement anchors."""
    parent = _parent(row)
    return (row.platform, parent) if parent is not None else None


def stored_placement(root: str | None, depth: int | None) -> Placement:
    """A stored message's placement; one whose depth is unknown anchors nothing."""
    return (root, depth) if root is not None and depth is not None else None


def _by_platform(rows: Iterable[MessageRow]) -> dict[str, list[MessageRow]]:
    grouped: dict[str, list[MessageRow]] = defaultdict(list)
    for row in rows:
        grouped[row.platform].append(row)
    return grouped


def place_rows(
    rows: Sequence[MessageRow], stored: Mapping[tuple[str, str], Placement]
) -> list[MessageRow]:
    """``rows`` with ``root_id`` and ``depth`` set, in the same order.

    ``stored`` holds the placements of the stored parents of ``rows`` (see ``parent_key``);
    the writer reads them in the same lookup that tells new rows from known ones. A message
    whose chain leaves what is known (a deleted or uncollected parent, or a reply aimed only
    at an account) keeps its conversation id as root and an unknown depth.
    """
    placements: dict[tuple[str, str], Placement] = {}
    for platform, group in _by_platform(rows).items():
        parents = {r.platform_id: _parent(r) for r in group if r.reply_link != _BY_ACCOUNT}
        anchors = {
            parent: stored.get((platform, parent))
            for parent in parents.values()
            if parent is not None and parent not in parents
        }
        for pid, placement in resolve_depths(parents, anchors).items():
            placements[(platform, pid)] = placement
    placed = []
    for row in rows:
        found = placements.get((row.platform, row.platform_id))
        root, depth = found if found is not None else (row.conversation_id, None)
        placed.append(MessageRow._make((*row[:-2], root, depth)))
    return placed


_Child = tuple[str, str, str | None, str | None, int | None]
"""A stored reply: id, parent id, conversation id, root id, depth."""


def _children(conn: Connection, platform: str, parent_ids: Sequence[str]) -> list[_Child]:
    """Stored message-level replies to ``parent_ids``."""
    found: list[_Child] = []
    for start in range(0, len(parent_ids), _CHUNK):
        query = select(
            messages.c.platform_id,
            messages.c.reply_to_id,
            messages.c.conversation_id,
            messages.c.root_id,
            messages.c.depth,
        ).where(
            and_(
                messages.c.platform == platform,
                messages.c.reply_to_id.in_(parent_ids[start : start + _CHUNK]),
                messages.c.reply_link == _BY_MESSAGE,
            )
        )
        found.extend((r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(query))
    return found


def _reseat_platform(conn: Connection, platform: str, written: list[MessageRow]) -> None:
    """Propagate placements down from ``written`` until nothing changes.

    Rows just written may themselves sit below a stored reply that this batch re-places
    (a parent, its stored reply, and that reply's reply in the same batch), so they are not
    exempt: a placement can change once per written row above it. More changes than that
    mean a reply cycle, which only corrupt data can make; its members lose their depth.
    """
    frontier = {r.platform_id: stored_placement(r.root_id, r.depth) for r in written}
    changed: dict[str, int] = defaultdict(int)
    while frontier:
        changes: list[dict[str, object]] = []
        following: dict[str, Placement] = {}
        for pid, parent, conversation, root, depth in _children(conn, platform, list(frontier)):
            above = frontier[parent]
            new = (above[0], above[1] + 1) if above is not None else None
            if changed[pid] > len(written):
                new = None
            new_root, new_depth = new if new is not None else (conversation, None)
            if (new_root, new_depth) != (root, depth):
                changes.append({"k_id": pid, "v_root": new_root, "v_depth": new_depth})
                following[pid] = new
                changed[pid] += 1
        if changes:
            conn.execute(
                update(messages)
                .where(messages.c.platform == platform)
                .where(messages.c.platform_id == bindparam("k_id"))
                .values(root_id=bindparam("v_root"), depth=bindparam("v_depth")),
                changes,
            )
        frontier = following


def reseat_descendants(conn: Connection, written: Sequence[MessageRow]) -> None:
    """Re-place stored replies below the rows just written, down to the last changed level."""
    for platform, group in _by_platform(written).items():
        _reseat_platform(conn, platform, group)
