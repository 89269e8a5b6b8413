"""Platform identifiers derived from time and sequence, as the real platforms make them.

X ids are Twitter snowflakes (milliseconds since 2010-11-04 shifted left 22 bits) and
Mastodon ids are milliseconds shifted left 16 bits, so in both formats an id grows with its
``created_at``, which importers and pagination rely on. Deriving ids instead of storing
them keeps messages platform-neutral and the writers stateless.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from hustings.demo._model import DemoAccount

__all__ = [
    "iso_millis",
    "mastodon_account_id",
    "mastodon_status_id",
    "token",
    "x_status_id",
    "x_user_id",
]

_TWITTER_EPOCH_MS = 1288834974657
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def x_status_id(created_at: datetime, seq: int) -> str:
    return str(((_millis(created_at) - _TWITTER_EPOCH_MS) << 22) | (seq & 0x3FFFFF))


def x_user_id(account: DemoAccount) -> str:
    return str(((_millis(account.created_at) - _TWITTER_EPOCH_MS) << 22) | account.index)


def mastodon_status_id(created_at: datetime, seq: int) -> str:
    return str((_millis(created_at) << 16) | (seq & 0xFFFF))


def mastodon_account_id(account: DemoAccount) -> str:
    return str((_millis(account.created_at) << 16) | (account.index & 0xFFFF))


def iso_millis(when: datetime) -> str:
    """``2026-09-01T12:34:56.000Z``, the form both APIs use for ``created_at``."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def token(label: str, length: int, alphabet: str = _ALPHABET) -> str:
    """A stable pseudo-random code (t.co paths, pagination tokens) from ``label``."""
    number = int.from_bytes(hashlib.blake2b(label.encode(), digest_size=32).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(alphabet))
        chars.append(alphabet[digit])
    return "".join(chars)
