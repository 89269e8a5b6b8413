"""How a canonical ``Message`` is stored: its row, its content digest, its encoding.

One module so that the importer's parser process and the writer agree on every column,
and so that the thread code can read rows without importing the writer.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import NamedTuple

import orjson

from hustings.model import Message
from hustings.store.bounds import admit_message

__all__ = ["MessageRow", "content_hash", "encode_message"]


class MessageRow(NamedTuple):
    """One ``messages`` row, already in the form its database stores.

    A tuple rather than a dict or a ``Message``: an import parses in a second process and
    sends rows across a pipe, and the store inserts them with one ``executemany`` that skips
    SQLAlchemy's per-row type processing. ``encode_message`` is therefore the one place
    that knows how each database stores a time (naive UTC text on SQLite, exactly as
    SQLAlchemy writes it, so both writers sort alike) and a JSON list (text).
    """

    platform: str
    platform_id: str
    author_id: str
    author_handle: str | None
    created_at: datetime | str
    text: str
    kind: str
    visibility: str
    reply_to_id: str | None
    reply_to_account_id: str | None
    reply_to_handle: str | None
    reply_link: str | None
    conversation_id: str | None
    quote_of_id: str | None
    repost_of_id: str | None
    mentions: str
    hashtags: str
    urls: str
    language: str | None
    client: str | None
    subject: str | None
    raw_source: str | None
    raw_position: int | None
    raw_unit: str | None
    partial: bool
    content_hash: str
    batch_id: int | None
    root_id: str | None = None
    depth: int | None = None


def content_hash(message: Message) -> str:
    """A digest of what a message says, so a re-import can tell an edit from a repeat.

    Covers the content, not where it was read nor the thread placement derived from it.
    orjson writes the (UTC) datetime and the tuples itself, in C: this runs once per
    imported message. Changing what is hashed makes every stored message look edited.
    """
    m = message
    payload = orjson.dumps(
        [
            m.author_id,
            m.created_at,
            m.text,
            m.kind.value,
            m.visibility.value,
            m.reply_to_id,
            m.reply_to_account_id,
            m.reply_to_handle,
            m.conversation_id,
            m.quote_of_id,
            m.repost_of_id,
            m.mentions,
            m.hashtags,
            m.urls,
            m.language,
            m.subject,
        ]
    )
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def _stored_time(value: datetime, dialect: str) -> datetime | str:
    if dialect != "sqlite":
        return value
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _json_text(values: tuple[str, ...]) -> str:
    return orjson.dumps(values).decode() if values else "[]"


def encode_message(message: Message, batch_id: int | None, dialect: str) -> MessageRow:
    """``message`` as a row for a database of ``dialect`` (SQLAlchemy's dialect name).

    Every writer of messages encodes here, so ``admit_message`` runs first: text cleaned of
    what PostgreSQL refuses, and ``RecordRefusedError`` for a message neither store keeps.
    """
    m = admit_message(message)
    raw = m.raw
    return MessageRow(
        m.platform,
        m.platform_id,
        m.author_id,
        m.author_handle,
        _stored_time(m.created_at, dialect),
        m.text,
        m.kind.value,
        m.visibility.value,
        m.reply_to_id,
        m.reply_to_account_id,
        m.reply_to_handle,
        m.reply_link.value if m.reply_link else None,
        m.conversation_id,
        m.quote_of_id,
        m.repost_of_id,
        _json_text(m.mentions),
        _json_text(m.hashtags),
        _json_text(m.urls),
        m.language,
        m.client,
        m.subject,
        raw.source if raw else None,
        raw.position if raw else None,
        raw.unit if raw else None,
        m.partial,
        content_hash(m),
        batch_id,
    )
