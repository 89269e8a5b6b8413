"""Erasure (the right to be forgotten) of one person, by the workspace that holds them.

A workspace erases *its* data about the person and the person's own messages where no
other workspace holds them; it never touches what another workspace holds or owns, nor a
tracked account's posts. In one transaction, ``erase_person``:

- finds the person and everyone merged into them, however long the chain of merges
  (23 into 22, then 22 into 24: erasing 24 erases all three);
- deletes this workspace's data about them: the people rows, identities, stance entries,
  tags, notes, merge records, inbox items with their notes and outbound records, and the
  replies and drafts this workspace wrote to them (recorded on one of its inbox items, or
  with ``messages.workspace_id`` this workspace and one of its own accounts as author; a
  third party's message it pushed is redacted like any other);
- deletes the person's own messages, with their classifier scores, unless another
  workspace holds or owns them (:func:`held_by_another_workspace`) or the identity is a
  tracked account (:func:`hustings.people.core.tracked_identities`), whose posts are
  public record and stay whole;
- for identities no other workspace knows and that are not tracked accounts, also deletes
  the cached account profile and follower snapshots, and redacts the person out of what
  others wrote (``hustings.people._redact``): third parties' messages to or about them,
  this workspace's notes on other people, and quarantined excerpts, which lose their text;
- keeps the audit trail of who did what and when but strips it of the person: entries
  about them lose their target id and details, and the erasure itself is logged as
  ``person.erase`` with only the counts. One ``erasures`` row holds who, when and counts.

The next ``hustings export parquet`` reads the store as it is after this, so nothing erased
reaches it; the web app also drops its in-memory audit scorecard (see
``hustings.inbox.scorecard.AuditCache.discard``). What stays and why is in
``docs/security.md`` (Erasure).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Select,
    Text,
    and_,
    cast,
    delete,
    false,
    func,
    or_,
    select,
    tuple_,
    update,
)

from hustings.people._redact import ERASED, Redactor
from hustings.people.core import get_person_row, tracked_identities
from hustings.store.keys import keys_in
from hustings.store.schema import (
    accounts,
    audit_log,
    erasures,
    follower_snapshots,
    inbox_items,
    inbox_notes,
    inbox_replies,
    message_scores,
    messages,
    outbound,
    people,
    person_identities,
    person_merges,
    person_notes,
    person_stances,
    person_tags,
    quarantine,
    stance_entries,
    tracked_accounts,
    workspace_accounts,
)
from hustings.workspace import Actor, Role, audit

__all__ = ["erase_person", "held_by_another_workspace", "merge_chain", "owned_by_another_workspace"]

Key = tuple[str, str]


def owned_by_another_workspace(workspace_id: int) -> ColumnElement[bool]:
    """True for a ``messages`` row another workspace typed or pushed: its ``workspace_id``
    is set to that workspace, or the message is a reply recorded on that workspace's inbox
    item (replies written before ``messages.workspace_id`` was filled in). Only the owner
    may change or erase it."""
    their_replies = (
        select(inbox_replies.c.message_id)
        .join(inbox_items, inbox_items.c.id == inbox_replies.c.item_id)
        .where(inbox_items.c.workspace_id != workspace_id)
    )
    return or_(
        and_(messages.c.workspace_id.is_not(None), messages.c.workspace_id != workspace_id),
        messages.c.id.in_(their_replies),
    )


def held_by_another_workspace(workspace_id: int) -> ColumnElement[bool]:
    """True for a ``messages`` row that a workspace other than ``workspace_id`` holds.

    Another workspace holds a message when it has an inbox item for it, when it has a
    person identity for the message's author (it knows that person too, and their messages
    are part of its record of them), or when one of its stance entries cites the message as
    evidence; and it holds, as owner, whatever it typed or pushed
    (:func:`owned_by_another_workspace`). Erasing a person in one workspace deletes the
    person's own messages only where this is false: the other workspace answers for its
    own data, and erases it itself when asked.

    Uncorrelated ``IN`` subqueries: each is read once (no index leads with
    ``inbox_items.message_id``, so a correlated ``EXISTS`` scanned the items once per
    message). None of them yields ``NULL``, so ``NOT`` of this is never unknown.
    """
    items = select(inbox_items.c.message_id).where(inbox_items.c.workspace_id != workspace_id)
    known = select(person_identities.c.platform, person_identities.c.account_id).where(
        person_identities.c.workspace_id != workspace_id
    )
    evidence = select(stance_entries.c.evidence_message_id).where(
        stance_entries.c.workspace_id != workspace_id,
        stance_entries.c.evidence_message_id.is_not(None),
    )
    return or_(
        messages.c.id.in_(items),
        tuple_(messages.c.platform, messages.c.author_id).in_(known),
        messages.c.id.in_(evidence),
        owned_by_another_workspace(workspace_id),
    )


def _chunks(values: Sequence[int], size: int = 5000) -> Iterable[Sequence[int]]:
    """Slices of ``values`` small enough for one statement's parameters on any database."""
    return (values[start : start + size] for start in range(0, len(values), size))


def _ids(conn: Connection, query: Select[Any]) -> list[int]:
    return [int(i) for i in conn.execute(query).scalars()]


def merge_chain(conn: Connection, workspace_id: int, person_id: int) -> list[int]:
    """The person and everyone merged into them, directly or through others merged into them.

    Merges chain (23 into 22, then 22 into 24): erasing 24 must erase 22 *and* 23, or 23,
    pointing at a deleted 22, would come back to life as its own person.
    """
    found, frontier = [person_id], [person_id]
    while frontier:
        frontier = [
            i
            for i in _ids(
                conn,
                select(people.c.id).where(
                    people.c.workspace_id == workspace_id, people.c.merged_into_id.in_(frontier)
                ),
            )
            if i not in found
        ]
        found.extend(frontier)
    return found


def _known_elsewhere(conn: Connection, workspace_id: int, keys: Iterable[Key]) -> set[Key]:
    rows = conn.execute(
        select(person_identities.c.platform, person_identities.c.account_id).where(
            person_identities.c.workspace_id != workspace_id,
            keys_in(person_identities.c.platform, person_identities.c.account_id, keys),
        )
    )
    return {(r.platform, r.account_id) for r in rows}


def _own_accounts(conn: Connection, workspace_id: int) -> set[Key]:
    """How the workspace's own accounts appear as a message's author: by platform id or by
    handle (as the inbox matches them), or as ``workspace`` (a reply from an inbox with no
    known account). A message the workspace pushed from anyone else is a third party's."""
    rows = conn.execute(
        select(
            tracked_accounts.c.platform, tracked_accounts.c.platform_id, tracked_accounts.c.handle
        )
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id)
    ).all()
    return {
        (r.platform, author)
        for r in rows
        for author in (r.platform_id, r.handle, r.handle.lower(), "workspace")
        if author
    }


def _messages_to_delete(
    conn: Connection,
    workspace_id: int,
    keys: Sequence[Key],
    own_keys: Sequence[Key],
    item_ids: Sequence[int],
) -> list[int]:
    """The person's own messages (``own_keys``: not tracked accounts) no other workspace
    holds, and this workspace's replies and drafts to any of their ``keys``.

    Separate statements rather than one ``OR``: each then reads an index (author, the
    workspace's own rows, the replies of its items) instead of scanning every message."""
    theirs = select(messages.c.id).where(
        keys_in(messages.c.platform, messages.c.author_id, own_keys),
        or_(
            messages.c.workspace_id == workspace_id,
            and_(messages.c.workspace_id.is_(None), ~held_by_another_workspace(workspace_id)),
        ),
    )
    to_them = keys_in(messages.c.platform, messages.c.reply_to_account_id, keys)
    queries: list[Select[Any]] = [
        select(inbox_replies.c.message_id).where(inbox_replies.c.item_id.in_(item_ids)),
        select(messages.c.id).where(
            messages.c.workspace_id == workspace_id,
            to_them,
            keys_in(messages.c.platform, messages.c.author_id, _own_accounts(conn, workspace_id)),
        ),
        select(messages.c.id)
        .join(inbox_replies, inbox_replies.c.message_id == messages.c.id)
        .join(inbox_items, inbox_items.c.id == inbox_replies.c.item_id)
        .where(inbox_items.c.workspace_id == workspace_id, to_them),
    ]
    if own_keys:
        queries.append(theirs)
    return sorted({i for query in queries for i in _ids(conn, query)})


def _has(column: ColumnElement[Any], needle: str, dialect: str) -> ColumnElement[bool]:
    """``column`` contains ``needle`` (lower case) in any case. SQLite's ``LIKE`` ignores
    ASCII case already, and lower-casing every scanned row there doubled the scan; an
    uppercase non-ASCII spelling may slip past it, as it may past the redaction itself."""
    # JSON columns (``mentions``) are searched as their text, the same on both stores.
    text = cast(column, Text) if isinstance(column.type, JSON) else column
    if dialect == "sqlite":
        return text.contains(needle, autoescape=True)
    return text.icontains(needle, autoescape=True)


def _delete_messages(conn: Connection, message_ids: Sequence[int]) -> int:
    """Delete the messages, with inbox items and classifier scores of them, in slices that
    fit one statement; return how many scores went."""
    scores = 0
    for chunk in _chunks(message_ids):
        conn.execute(delete(inbox_items).where(inbox_items.c.message_id.in_(chunk)))
        result = conn.execute(delete(message_scores).where(message_scores.c.message_id.in_(chunk)))
        scores += int(result.rowcount)
        conn.execute(delete(messages).where(messages.c.id.in_(chunk)))
    return scores


def _names_them(erased: Sequence[tuple[str, str, str | None]], dialect: str) -> ColumnElement[bool]:
    """A search (refined by ``Redactor``) for messages that reply to, mention or DM one of
    the ``erased`` identities, on that identity's platform."""
    mentions = messages.c.mentions if dialect == "sqlite" else cast(messages.c.mentions, Text)
    per_identity = []
    for platform, account_id, handle in erased:
        redactor = Redactor.of([(platform, account_id, handle)])
        names = sorted(redactor.handles)
        per_identity.append(
            and_(
                messages.c.platform == platform,
                or_(
                    messages.c.reply_to_account_id == account_id,
                    func.lower(messages.c.reply_to_handle).in_(names or [""]),
                    *(_has(messages.c.text, f"@{n}", dialect) for n in names),
                    *(_has(messages.c.text, a, dialect) for a in redactor.addresses),
                    *(_has(mentions, n, dialect) for n in names),
                    and_(
                        messages.c.kind == "dm",
                        or_(
                            messages.c.conversation_id.startswith(
                                f"{account_id}-", autoescape=True
                            ),
                            messages.c.conversation_id.endswith(f"-{account_id}", autoescape=True),
                        ),
                    ),
                ),
            )
        )
    return or_(*per_identity) if per_identity else false()


def _redact_messages(
    conn: Connection,
    workspace_id: int,
    erased: Sequence[tuple[str, str, str | None]],
    keys: Sequence[Key],
    deleted: Sequence[int],
    redactor: Redactor,
) -> int:
    """Redact the erased identities out of the kept messages this workspace may change:
    platform facts (``workspace_id`` NULL) and its own; never another workspace's, and
    never the person's own messages that another workspace still holds."""
    found = conn.execute(
        select(
            messages.c.id,
            messages.c.platform,
            messages.c.author_id,
            messages.c.workspace_id,
            messages.c.kind,
            messages.c.text,
            messages.c.subject,
            messages.c.mentions,
            messages.c.reply_to_account_id,
            messages.c.reply_to_handle,
            messages.c.conversation_id,
        ).where(_names_them(erased, conn.dialect.name))
    ).all()
    # Refined here rather than in the scan's WHERE: a correlated subquery per scanned row
    # made the scan several times slower, and the scan's substring match also finds longer
    # handles (``@user12`` for ``user1``) that the redactor's whole-word match leaves alone.
    skip, theirs = set(deleted), set(keys)
    redacted = {
        r.id: values
        for r in found
        if r.id not in skip
        and (r.platform, r.author_id) not in theirs
        and r.workspace_id in (None, workspace_id)
        and (values := _redacted(r, redactor))
    }
    others = {
        i
        for chunk in _chunks(list(redacted))
        for i in _ids(
            conn,
            select(messages.c.id).where(
                messages.c.id.in_(chunk), owned_by_another_workspace(workspace_id)
            ),
        )
    }
    for message_id, values in redacted.items():
        if message_id not in others:
            # ``content_hash`` stays: a re-import of the same file then finds the message
            # unchanged and leaves it redacted, instead of writing the handle back.
            conn.execute(update(messages).where(messages.c.id == message_id).values(**values))
    return len(redacted) - len(others)


def _redacted(row: Any, redactor: Redactor) -> dict[str, Any]:
    """The columns of a ``messages`` row with the erased person redacted out; ``{}`` when
    nothing in it names them."""
    values = {
        "text": redactor.text(row.text),
        "subject": redactor.text(row.subject),
        "mentions": redactor.mentions(row.mentions or []),
        "reply_to_account_id": (
            ERASED if redactor.is_them(row.reply_to_account_id) else row.reply_to_account_id
        ),
        "reply_to_handle": ERASED if redactor.is_them(row.reply_to_handle) else row.reply_to_handle,
        "conversation_id": (
            redactor.conversation(row.conversation_id) if row.kind == "dm" else row.conversation_id
        ),
    }
    return values if any(values[k] != getattr(row, k) for k in values) else {}


def _redact_free_text(conn: Connection, workspace_id: int, redactor: Redactor) -> int:
    """Redact them out of this workspace's notes on others, and quarantined excerpts (which
    may be their own record, so lose their whole text). Returns how many rows changed."""
    changed = 0
    notes = [
        (
            inbox_notes,
            select(inbox_notes.c.id, inbox_notes.c.text)
            .join(inbox_items, inbox_items.c.id == inbox_notes.c.item_id)
            .where(inbox_items.c.workspace_id == workspace_id),
        ),
        (
            person_notes,
            select(person_notes.c.id, person_notes.c.text)
            .join(people, people.c.id == person_notes.c.person_id)
            .where(people.c.workspace_id == workspace_id),
        ),
    ]
    needles = redactor.mention_needles()
    for table, query in notes if needles else []:
        hits = query.where(
            or_(*(func.lower(table.c.text).contains(n, autoescape=True) for n in needles))
        )
        for r in conn.execute(hits).all():
            text = redactor.text(r.text)
            if text != r.text:
                conn.execute(update(table).where(table.c.id == r.id).values(text=text))
                changed += 1
    needles = redactor.needles()
    if not needles:
        return changed
    excerpts = select(quarantine.c.id, quarantine.c.excerpt, quarantine.c.reason).where(
        or_(*(func.lower(quarantine.c.excerpt).contains(n, autoescape=True) for n in needles))
    )
    for q in conn.execute(excerpts).all():
        if redactor.found_in(q.excerpt):
            conn.execute(
                update(quarantine)
                .where(quarantine.c.id == q.id)
                .values(excerpt=ERASED, reason=redactor.scrub(q.reason))
            )
            changed += 1
    return changed


def _scrub_audit(
    conn: Connection, workspace_id: int, person_ids: Sequence[int], item_ids: Sequence[int]
) -> None:
    """Keep who did what and when; drop which person or item it was done to, and details."""
    about = or_(
        and_(audit_log.c.target_type == "person", audit_log.c.target_id.in_(person_ids)),
        and_(audit_log.c.target_type == "inbox_item", audit_log.c.target_id.in_(item_ids)),
    )
    conn.execute(
        update(audit_log)
        .where(audit_log.c.workspace_id == workspace_id, about)
        .values(target_id=None, detail={})
    )
    merges = conn.execute(
        select(audit_log.c.id, audit_log.c.detail).where(
            audit_log.c.workspace_id == workspace_id,
            audit_log.c.action.in_(["person.merge", "person.unmerge"]),
        )
    ).all()
    mentioned = [r.id for r in merges if (r.detail or {}).get("merged_id") in person_ids]
    if mentioned:
        conn.execute(update(audit_log).where(audit_log.c.id.in_(mentioned)).values(detail={}))


def erase_person(conn: Connection, actor: Actor, person_id: int) -> dict[str, int]:
    """Erase the person from the actor's workspace as the module docstring describes;
    return how many rows of each kind were deleted or redacted (nothing else remains)."""
    actor.require(Role.MANAGER)
    get_person_row(conn, actor, person_id)
    ws = actor.workspace_id
    person_ids = merge_chain(conn, ws, person_id)
    identities = [
        (r.platform, r.account_id, r.handle)
        for r in conn.execute(
            select(
                person_identities.c.platform,
                person_identities.c.account_id,
                person_identities.c.handle,
            ).where(person_identities.c.person_id.in_(person_ids))
        )
    ]
    keys = [(p, a) for p, a, _ in identities]
    tracked = tracked_identities(conn, identities)
    own_keys = [k for k in keys if k not in tracked]
    shared = tracked | _known_elsewhere(conn, ws, keys)
    erased = [i for i in identities if (i[0], i[1]) not in shared]
    erased_keys = [(p, a) for p, a, _ in erased]
    handles = {
        (r.platform, r.platform_id, r.handle)
        for r in conn.execute(
            select(accounts.c.platform, accounts.c.platform_id, accounts.c.handle).where(
                keys_in(accounts.c.platform, accounts.c.platform_id, erased_keys),
                accounts.c.handle.is_not(None),
            )
        )
    }
    handles |= {
        (r.platform, r.author_id, r.author_handle)
        for r in conn.execute(
            select(messages.c.platform, messages.c.author_id, messages.c.author_handle)
            .where(
                keys_in(messages.c.platform, messages.c.author_id, erased_keys),
                messages.c.author_handle.is_not(None),
            )
            .distinct()
        )
    }
    erased = sorted(set(erased) | handles, key=str)
    redactor = Redactor.of(erased)
    item_ids = _ids(
        conn,
        select(inbox_items.c.id).where(
            inbox_items.c.workspace_id == ws, inbox_items.c.person_id.in_(person_ids)
        ),
    )
    message_ids = _messages_to_delete(conn, ws, keys, own_keys, item_ids)
    counts: dict[str, int] = {
        "people": len(person_ids),
        "identities": len(keys),
        "inbox_items": len(item_ids),
        "messages": len(message_ids),
    }
    counts["redacted_messages"] = _redact_messages(conn, ws, erased, keys, message_ids, redactor)
    counts["redacted_other"] = _redact_free_text(conn, ws, redactor)
    _scrub_audit(conn, ws, person_ids, item_ids)
    steps: list[tuple[str | None, Any]] = [
        ("item_notes", delete(inbox_notes).where(inbox_notes.c.item_id.in_(item_ids))),
        ("replies", delete(inbox_replies).where(inbox_replies.c.item_id.in_(item_ids))),
        (
            None,
            delete(outbound).where(
                outbound.c.workspace_id == ws,
                outbound.c.item_id.in_(item_ids),
            ),
        ),
        (None, delete(inbox_items).where(inbox_items.c.id.in_(item_ids))),
        (
            "stance_entries",
            delete(stance_entries).where(stance_entries.c.person_id.in_(person_ids)),
        ),
        (None, delete(person_stances).where(person_stances.c.person_id.in_(person_ids))),
        ("scores", None),  # the messages, after what cites them: see _delete_messages
        (
            "profiles",
            delete(accounts).where(
                keys_in(accounts.c.platform, accounts.c.platform_id, erased_keys)
            ),
        ),
        (
            "follower_snapshots",
            delete(follower_snapshots).where(
                keys_in(follower_snapshots.c.platform, follower_snapshots.c.account_id, erased_keys)
            ),
        ),
        ("tags", delete(person_tags).where(person_tags.c.person_id.in_(person_ids))),
        ("notes", delete(person_notes).where(person_notes.c.person_id.in_(person_ids))),
        (None, delete(person_identities).where(person_identities.c.person_id.in_(person_ids))),
        (
            "merges",
            delete(person_merges).where(
                or_(
                    person_merges.c.kept_id.in_(person_ids),
                    person_merges.c.merged_id.in_(person_ids),
                )
            ),
        ),
        (None, people.update().where(people.c.id.in_(person_ids)).values(merged_into_id=None)),
        (None, delete(people).where(people.c.id.in_(person_ids))),
    ]
    for name, statement in steps:
        if statement is None:
            counts["scores"] = _delete_messages(conn, message_ids)
            continue
        result = conn.execute(statement)
        if name is not None:
            counts[name] = int(result.rowcount)
    result = conn.execute(
        erasures.insert().values(
            workspace_id=ws, by_user_id=actor.user_id, erased_at=datetime.now(UTC), counts=counts
        )
    )
    (erasure_id,) = result.inserted_primary_key or (0,)
    audit(conn, actor, "person.erase", "erasure", int(erasure_id), counts)
    return counts
