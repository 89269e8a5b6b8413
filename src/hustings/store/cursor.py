"""Keyset page cursors: an opaque token holding the last row's sort key and id.

A cursor is base64url JSON plus a short digest over it and the name of the list and sort it
belongs to, so a cursor copied from another list or sort, truncated or hand-edited is
refused (``InvalidInputError``, a 4xx) rather than silently starting somewhere odd. The
digest is not a secret: a forged cursor can only move the reader within the same
workspace's filtered rows, because the workspace and the filters are applied on every query
and are never taken from the cursor.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from typing import Any

from hustings.errors import InvalidInputError

__all__ = ["decode_cursor", "encode_cursor", "key_datetime"]

_DIGEST_CHARS = 12


def _digest(scope: str, body: bytes) -> str:
    return hashlib.sha256(scope.encode() + b"\0" + body).hexdigest()[:_DIGEST_CHARS]


def encode_cursor(scope: str, key: list[Any], position: int) -> str:
    """A token for the row after ``key`` in ``scope`` (``"items:due"``); ``position`` is how
    many rows came before, so a page can say "51–100 of 2,000"."""
    body = json.dumps([key, position], separators=(",", ":")).encode()
    token = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{token}.{_digest(scope, body)}"


def decode_cursor(scope: str, token: str, kinds: tuple[type, ...]) -> tuple[list[Any], int]:
    """The key (one value per ``kinds`` entry, ``datetime`` as ISO text, any may be null)
    and the position, or ``InvalidInputError`` for anything not made by ``encode_cursor``."""
    bad = InvalidInputError("the page cursor is not valid for this list; start from page one")
    token_part, _, digest = token.partition(".")
    try:
        body = base64.urlsafe_b64decode(token_part + "=" * (-len(token_part) % 4))
        if digest != _digest(scope, body):
            raise bad
        key, position = json.loads(body)
    except (ValueError, binascii.Error, TypeError) as exc:
        raise bad from exc
    if not (isinstance(key, list) and len(key) == len(kinds)):
        raise bad
    if not (isinstance(position, int) and position >= 0):
        raise bad
    values: list[Any] = []
    for value, kind in zip(key, kinds, strict=True):
        if value is None:
            values.append(None)
        elif kind is datetime and isinstance(value, str):
            values.append(key_datetime(value, bad))
        elif kind is int and isinstance(value, int) and not isinstance(value, bool):
            values.append(value)
        else:
            raise bad
    return values, position


def key_datetime(text: str, bad: Exception) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise bad from exc
    if when.tzinfo is None:
        raise bad
    return when
