"""Select a hashtag's, keywords' or accounts' conversation from the store as a ``Corpus``.

What counts as in the conversation: a stored, complete (not context-only), public message in
the time window that carries one of the hashtags, contains one of the keywords, or is written
by, replies to or mentions one of the accounts. A repost counts when the message it reposts
qualifies, because X truncates a retweet's own text and drops the hashtag with it.

Context records (``partial``: seen only as a referenced tweet) are never in the conversation,
but they name the author a repost, quote or reply points at.

Like the audit's snapshot, a listening analysis reads platform facts only: what a workspace
typed or pushed (``messages.workspace_id`` set) is its own and never part of it.

**One person, one account.** A camp is who passes on whom, so a party on X and the same party
on Mastodon must be one node: kept apart, each platform's reposts formed their own camp (in
the demo, camp 3 was simply "the Mastodon accounts"). Accounts are merged when the store
knows they are one: tracked accounts the registry gives the same name and party (the
registry is the user's own list), and, with a ``workspace``, the identities that workspace's
people hold (linked, or merged by a person in People). A similar handle alone never merges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hustings.errors import ConfigError
from hustings.listen._corpus import Corpus, CorpusBuilder, EdgeKind
from hustings.model import MessageKind, Visibility
from hustings.store import Store
from hustings.store.schema import (
    accounts,
    messages,
    people,
    person_identities,
    tracked_accounts,
)

__all__ = ["ListenQuery", "load_corpus"]

_SHARED = messages.c.workspace_id.is_(None)
_CHUNK = 500
_SPOKEN = (
    MessageKind.POST,
    MessageKind.REPLY,
    MessageKind.QUOTE,
    MessageKind.REPOST,
    MessageKind.COMMENT,
)
_REPLIES = (MessageKind.REPLY.value, MessageKind.COMMENT.value)


@dataclass(frozen=True, slots=True)
class ListenQuery:
    """Hashtags (``#brexit``), keywords and accounts, any of which selects a message."""

    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    platform: str | None = None

    @classmethod
    def parse(
        cls,
        text: str | None,
        accounts: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        platform: str | None = None,
    ) -> ListenQuery:
        """Words starting with ``#`` are hashtags, the rest keywords; case is ignored."""
        words = (text or "").split()
        tags = tuple(w[1:].lower() for w in words if w.startswith("#") and len(w) > 1)
        keys = tuple(w.lower() for w in words if not w.startswith("#"))
        handles = tuple(a.strip().lstrip("@").lower() for a in accounts if a.strip())
        if not (tags or keys or handles):
            raise ConfigError("give a hashtag, keywords or --accounts to listen to")
        if since and until and since >= until:
            raise ConfigError("--since must be before --until")
        return cls(tags, keys, handles, since, until, platform)

    def describe(self) -> str:
        parts = [f"#{t}" for t in self.hashtags] + list(self.keywords)
        parts += [f"@{a}" for a in self.accounts]
        return " ".join(parts)

    def matches(self, row: Any, original: Any | None, author_key: str) -> bool:
        own = self._matches_one(row, author_key)
        return own or (original is not None and self._matches_one(original, None))

    def _matches_one(self, row: Any, author_key: str | None) -> bool:
        tags = {str(t).lower() for t in row.hashtags or ()}
        if any(t in tags for t in self.hashtags):
            return True
        text = (row.text or "").lower()
        if any(k in text for k in self.keywords):
            return True
        if not self.accounts or author_key is None:
            return False
        people = {author_key, (row.reply_to_handle or "").lower()}
        people.update(str(m).lower() for m in row.mentions or ())
        return any(a in people for a in self.accounts)


def _epoch(when: datetime) -> int:
    return int(when.timestamp())


class _Names:
    """Account keys from ids and handles, as the module docstring defines them."""

    def __init__(self, conn: Connection, multi_platform: bool) -> None:
        self.multi = multi_platform
        self.handles: dict[tuple[str, str], str] = {}
        self.followers: dict[tuple[str, str], int] = {}
        for platform, pid, handle, followers in conn.execute(
            select(
                accounts.c.platform, accounts.c.platform_id, accounts.c.handle, accounts.c.followers
            )
        ):
            if handle:
                self.handles[(platform, pid)] = handle.lower()
            if followers is not None:
                self.followers[(platform, pid)] = int(followers)

    def learn(self, platform: str, account_id: str, handle: str | None) -> None:
        if handle:
            self.handles.setdefault((platform, account_id), handle.lower())

    def key(self, platform: str, account_id: str | None, handle: str | None) -> str | None:
        name = (
            (handle or "").lower()
            or (self.handles.get((platform, account_id)) if account_id else None)
            or account_id
        )
        if not name:
            return None
        return f"{platform}:{name}" if self.multi else name


def _referenced(conn: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """Referenced messages (often context records) by (platform, id), looked up in chunks."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, str], Any] = {}
    cols = (
        messages.c.platform,
        messages.c.platform_id,
        messages.c.author_id,
        messages.c.author_handle,
        messages.c.hashtags,
        messages.c.text,
        messages.c.mentions,
        messages.c.reply_to_handle,
    )
    for start in range(0, len(wanted), _CHUNK):
        ids = [pid for _p, pid in wanted[start : start + _CHUNK]]
        shared = select(*cols).where(messages.c.platform_id.in_(ids), _SHARED)
        for row in conn.execute(shared):
            found[(row.platform, row.platform_id)] = row
    return found


def _rows(conn: Connection, query: ListenQuery) -> list[Any]:
    stmt = select(messages).where(
        _SHARED,
        messages.c.partial.is_(False),
        messages.c.visibility == Visibility.PUBLIC.value,
        messages.c.kind.in_([k.value for k in _SPOKEN]),
    )
    if query.platform:
        stmt = stmt.where(messages.c.platform == query.platform)
    if query.since:
        stmt = stmt.where(messages.c.created_at >= query.since)
    if query.until:
        stmt = stmt.where(messages.c.created_at < query.until)
    return list(conn.execute(stmt.order_by(messages.c.created_at, messages.c.platform_id)))


def _registry_identities(tracked: Sequence[Any], names: _Names) -> list[list[str]]:
    """Tracked accounts the registry gives the same name and party: one entity each."""
    groups: dict[tuple[str, str], list[str]] = {}
    for t in tracked:
        key = names.key(t.platform, t.platform_id, t.handle_lower)
        if key and t.name and t.name.strip():
            groups.setdefault((t.name.strip().lower(), (t.party or "").lower()), []).append(key)
    return [keys for keys in groups.values() if len(keys) > 1]


def _people_identities(conn: Connection, workspace_id: int, names: _Names) -> list[list[str]]:
    """The accounts each of the workspace's people holds (merged people count once)."""
    rows = conn.execute(
        select(
            person_identities.c.person_id,
            person_identities.c.platform,
            person_identities.c.account_id,
            person_identities.c.handle,
        )
        .join(people, people.c.id == person_identities.c.person_id)
        .where(person_identities.c.workspace_id == workspace_id, people.c.merged_into_id.is_(None))
    )
    groups: dict[int, list[str]] = {}
    for r in rows:
        handle = names.handles.get((r.platform, r.account_id)) or r.handle
        key = names.key(r.platform, r.account_id, handle)
        if key:
            groups.setdefault(r.person_id, []).append(key)
    return [keys for keys in groups.values() if len(keys) > 1]


def load_corpus(store: Store, query: ListenQuery, workspace_id: int | None = None) -> Corpus:
    """The conversation ``query`` selects, with its four interaction graphs' edges.

    Accounts known to be one person are merged (see the module docstring); ``workspace_id``
    adds the identities of that workspace's people.
    """
    builder = CorpusBuilder()
    with store.begin() as conn:
        rows = _rows(conn, query)
        names = _Names(conn, len({r.platform for r in rows}) > 1)
        for r in rows:
            names.learn(r.platform, r.author_id, r.author_handle)
        refs = _referenced(
            conn,
            [
                (r.platform, rid)
                for r in rows
                for rid in (r.repost_of_id, r.quote_of_id, r.reply_to_id)
                if rid
            ],
        )
        for ref in refs.values():
            names.learn(ref.platform, ref.author_id, ref.author_handle)
        tracked = list(conn.execute(select(tracked_accounts)))
        same = _registry_identities(tracked, names)
        if workspace_id is not None:
            same += _people_identities(conn, workspace_id, names)
        for keys in same:
            builder.merge(keys)
        for (platform, pid), count in names.followers.items():
            key = names.key(platform, pid, None)
            if key is not None:
                builder.followers(key, count)
        for r in rows:
            _add(builder, names, query, r, refs)
        for t in tracked:
            key = names.key(t.platform, t.platform_id, t.handle_lower)
            if key is not None:
                builder.track(key, t.role, t.party)
    return builder.build()


def _add(
    builder: CorpusBuilder,
    names: _Names,
    query: ListenQuery,
    r: Any,
    refs: dict[tuple[str, str], Any],
) -> None:
    author = names.key(r.platform, r.author_id, r.author_handle)
    assert author is not None  # author_id is NOT NULL
    original = refs.get((r.platform, r.repost_of_id)) if r.repost_of_id else None
    if not query.matches(r, original, author):
        return
    index = builder.message(
        r.platform_id,
        author,
        _epoch(r.created_at),
        r.text,
        r.reply_to_id,
        r.depth,
        r.kind == MessageKind.REPOST.value,
    )

    def author_of(ref_id: str | None) -> str | None:
        ref = refs.get((r.platform, ref_id)) if ref_id else None
        return names.key(r.platform, ref.author_id, ref.author_handle) if ref else None

    if r.kind == MessageKind.REPOST.value:
        target = author_of(r.repost_of_id)
        if target:
            builder.edge(index, target, EdgeKind.REPOST)
        return
    if r.kind in _REPLIES:
        target = names.key(r.platform, r.reply_to_account_id, r.reply_to_handle) or author_of(
            r.reply_to_id
        )
        if target:
            builder.edge(index, target, EdgeKind.REPLY)
    if r.quote_of_id:
        target = author_of(r.quote_of_id)
        if target:
            builder.edge(index, target, EdgeKind.QUOTE)
    for handle in dict.fromkeys(str(m).lower() for m in r.mentions or ()):
        key = names.key(r.platform, None, handle)
        if key:
            builder.edge(index, key, EdgeKind.MENTION)
