"""The conversation a query selects, as flat integer arrays rather than message objects.

Why arrays: a hashtag in a national campaign easily yields a million interactions, and every
measure here is a group-by over (source, target, kind, time). Numpy arrays of account indices
keep that in a few dozen bytes per interaction and let the graph library take them as is;
the benchmark builds a million-edge corpus the same way the store loader does.

An *account key* is the account's handle in lower case when known (mentions only carry
handles), else its platform id; when a corpus spans several platforms the key is prefixed
with ``platform:`` so that two platforms' ``@jo`` stay two people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["NO_INDEX", "Corpus", "CorpusBuilder", "EdgeKind", "IntArray"]

IntArray = npt.NDArray[np.int64]
NO_INDEX: Final = -1


class EdgeKind(IntEnum):
    """The four interaction graphs. The source is always the account that acted."""

    REPLY = 0
    MENTION = 1
    QUOTE = 2
    REPOST = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Corpus:
    """Messages and the interactions they make, indexed by account number.

    Message arrays (one entry per message in the query): ``author``, ``time`` (Unix seconds,
    UTC), ``parent`` (index of the message answered, when it is in the corpus, else -1),
    ``depth`` (thread depth from the store, 1 for a direct reply, -1 unknown), ``ids``,
    ``texts`` and ``repost`` (the message only passes another on).
    Edge arrays (one entry per interaction): ``src``, ``dst``, ``kind``, ``etime``,
    ``emsg`` (the message that made it).
    """

    names: Sequence[str]
    author: IntArray
    time: IntArray
    parent: IntArray
    depth: IntArray
    ids: Sequence[str]
    texts: Sequence[str]
    src: IntArray
    dst: IntArray
    kind: IntArray
    etime: IntArray
    emsg: IntArray
    repost: npt.NDArray[np.bool_]
    tracked: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    """Account index → (role, party) for tracked accounts (politicians, parties, media)."""
    aliases: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Account index → the other keys merged into it (the same person on other platforms)."""
    followers: dict[int, int] = field(default_factory=dict)
    """Account index → followers as last seen in the store, summed over merged accounts."""

    @property
    def n_accounts(self) -> int:
        return len(self.names)

    @property
    def n_messages(self) -> int:
        return len(self.author)

    def edges_of(self, kind: EdgeKind) -> npt.NDArray[np.bool_]:
        mask: npt.NDArray[np.bool_] = self.kind == int(kind)
        return mask

    def politicians(self) -> npt.NDArray[np.bool_]:
        """Per account: is it a tracked account (party, leader, candidate, official, staff)."""
        out = np.zeros(self.n_accounts, dtype=bool)
        for index, (role, _party) in self.tracked.items():
            out[index] = role != "media"
        return out


class CorpusBuilder:
    """Collects messages and interactions one at a time, then freezes them into arrays."""

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self.names: list[str] = []
        self._msg: list[tuple[int, int, int]] = []
        self._repost: list[bool] = []
        self._parent_ids: list[str | None] = []
        self.ids: list[str] = []
        self.texts: list[str] = []
        self._edges: list[tuple[int, int, int, int, int]] = []
        self.tracked: dict[int, tuple[str, str | None]] = {}
        self._alias: dict[str, str] = {}
        self._followers: dict[str, int] = {}

    def merge(self, keys: Sequence[str]) -> str:
        """Make ``keys`` one account (one person on several platforms); return the key that
        names it. Call before any message or edge names them."""
        ordered = sorted(
            {self._alias.get(k, k) for k in keys}, key=lambda k: (k.startswith("email:"), len(k), k)
        )
        kept = ordered[0]
        for key, target in list(self._alias.items()):
            if target in ordered:
                self._alias[key] = kept
        for key in ordered[1:]:
            self._alias[key] = kept
        return kept

    def followers(self, key: str, count: int) -> None:
        """Record an account's follower count (the larger, if it is seen twice)."""
        self._followers[key] = max(count, self._followers.get(key, 0))

    def account(self, key: str) -> int:
        key = self._alias.get(key, key)
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self.names)
            self.names.append(key)
        return index

    def find(self, key: str) -> int | None:
        return self._index.get(self._alias.get(key, key))

    def message(
        self,
        message_id: str,
        author: str,
        time: int,
        text: str,
        parent_id: str | None = None,
        depth: int | None = None,
        repost: bool = False,
    ) -> int:
        """Add a message; return its index for the interactions it makes."""
        index = len(self._msg)
        self._msg.append((self.account(author), time, NO_INDEX if depth is None else depth))
        self._parent_ids.append(parent_id)
        self._repost.append(repost)
        self.ids.append(message_id)
        self.texts.append(text)
        return index

    def edge(self, message: int, target: str, kind: EdgeKind) -> bool:
        """Add an interaction from ``message``'s author; self-loops are not interactions."""
        source, time, _depth = self._msg[message]
        dst = self.account(target)
        if dst == source:
            return False
        self._edges.append((source, dst, int(kind), time, message))
        return True

    def track(self, key: str, role: str, party: str | None) -> None:
        index = self.find(key)
        if index is not None:
            self.tracked[index] = (role, party)

    def _merged(self) -> tuple[dict[int, tuple[str, ...]], dict[int, int]]:
        aliases: dict[int, list[str]] = {}
        for key, kept in sorted(self._alias.items()):
            if kept in self._index:
                aliases.setdefault(self._index[kept], []).append(key)
        followers: dict[int, int] = {}
        for key, count in self._followers.items():
            index = self.find(key)
            if index is not None:
                followers[index] = followers.get(index, 0) + count
        return {i: tuple(keys) for i, keys in aliases.items()}, followers

    def build(self) -> Corpus:
        by_id = {mid: i for i, mid in enumerate(self.ids)}
        parent = [NO_INDEX if p is None else by_id.get(p, NO_INDEX) for p in self._parent_ids]
        msg = np.array(self._msg, dtype=np.int64).reshape(-1, 3)
        edges = np.array(self._edges, dtype=np.int64).reshape(-1, 5)
        aliases, followers = self._merged()
        return Corpus(
            names=self.names,
            author=msg[:, 0].copy(),
            time=msg[:, 1].copy(),
            parent=np.array(parent, dtype=np.int64),
            depth=msg[:, 2].copy(),
            ids=self.ids,
            texts=self.texts,
            src=edges[:, 0].copy(),
            dst=edges[:, 1].copy(),
            kind=edges[:, 2].copy(),
            etime=edges[:, 3].copy(),
            emsg=edges[:, 4].copy(),
            repost=np.array(self._repost, dtype=bool),
            tracked=dict(self.tracked),
            aliases=aliases,
            followers=followers,
        )
