"""Reconstruct conversations from reply links: root, parent, depth, participants, turn order.

Pure functions over ids and messages, so that the store, the audit and tests share one
definition of a thread. A reply whose parent is not known (deleted, protected, outside the
collection) keeps an unknown depth rather than a guessed one, and a reply from a format that
names only the account answered (``ReplyLink.ACCOUNT``) never gets a message-level parent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hustings.model import Message, ReplyLink

__all__ = ["Placement", "Thread", "Turn", "build_thread", "resolve_depths"]


Placement = tuple[str, int] | None
"""Where a message sits in its thread: ``(root id, depth)``, or ``None`` when unknown."""


def resolve_depths(
    parents: Mapping[str, str | None], anchors: Mapping[str, Placement] | None = None
) -> dict[str, Placement]:
    """Map each id to ``(root id, depth)``, or ``None`` when its chain leaves ``parents``.

    ``parents`` maps every known message id to the id it replies to (``None`` for a root).
    Depth 0 is the root. Cycles, which only corrupt data can make, resolve to ``None``.
    ``anchors`` places ids outside ``parents`` that are already placed (messages stored
    earlier), so that a batch of new messages can be placed without reading whole threads.
    """
    resolved: dict[str, Placement] = dict(anchors or {})
    for start in parents:
        chain: list[str] = []
        on_chain: set[str] = set()
        node: str | None = start
        answer: tuple[str, int] | None
        while True:
            if node in resolved:
                answer = resolved[node]
                break
            if node is None or node not in parents or node in on_chain:
                answer = None
                break
            chain.append(node)
            on_chain.add(node)
            parent = parents[node]
            if parent is None:
                answer = (node, -1)
                break
            node = parent
        for member in reversed(chain):
            if answer is None:
                resolved[member] = None
            else:
                answer = (answer[0], answer[1] + 1)
                resolved[member] = answer
    return {key: resolved[key] for key in parents}


@dataclass(frozen=True, slots=True)
class Turn:
    message: Message
    depth: int | None
    parent_id: str | None


@dataclass(frozen=True, slots=True)
class Thread:
    """One conversation in the order it happened."""

    root_id: str
    turns: tuple[Turn, ...]

    @property
    def participants(self) -> tuple[str, ...]:
        """Authors in order of their first turn."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            seen.setdefault(turn.message.author_id, None)
        return tuple(seen)

    @property
    def max_depth(self) -> int | None:
        depths = [t.depth for t in self.turns if t.depth is not None]
        return max(depths) if depths else None


def build_thread(root_id: str, messages: Sequence[Message]) -> Thread:
    """Order ``messages`` of one conversation and give each its depth and parent."""
    parents = {
        m.platform_id: (m.reply_to_id if m.reply_link is ReplyLink.MESSAGE else None)
        for m in messages
    }
    for m in messages:
        if m.reply_link is ReplyLink.ACCOUNT:
            parents.pop(m.platform_id)
    depths = resolve_depths(parents)
    turns = []
    for m in sorted(messages, key=lambda m: (m.created_at, m.platform_id)):
        resolved = depths.get(m.platform_id)
        turns.append(
            Turn(
                message=m,
                depth=resolved[1] if resolved else None,
                parent_id=parents.get(m.platform_id),
            )
        )
    return Thread(root_id=root_id, turns=tuple(turns))
