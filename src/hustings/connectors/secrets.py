"""Credentials at rest: encrypted with Fernet, never printed, logged or shown.

The key is derived from the application secret (``HUSTINGS_SECRET_KEY``, else the 0600
``secret_key`` file in the data folder, the same secret that signs web sessions) with
HKDF and a label of its own, so the cookie-signing key and the credentials key are never
the same bytes. Changing the application secret makes stored credentials unreadable: each
connection then reports a ``CredentialsError`` and must be connected again, which is the
intended effect of rotating a leaked secret.

A :class:`Secret` holds plain credentials in memory. Its ``repr``/``str`` are masked, so a
traceback, a log line or an f-string cannot leak it; only :meth:`Secret.reveal`, called at
the network edge (an ``Authorization`` header), gives the value.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hustings.errors import CredentialsError
from hustings.store import data_dir

__all__ = ["Secret", "decrypt", "encrypt", "load_secret"]

_LABEL = b"hustings connector credentials v1"


def load_secret() -> str:
    """``HUSTINGS_SECRET_KEY``, else a key kept (mode 0600) in the data folder."""
    env = os.environ.get("HUSTINGS_SECRET_KEY")
    if env:
        return env
    path: Path = data_dir() / "secret_key"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Secret:
    """A credential in memory; masked wherever it could be printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value:
            raise CredentialsError("the credential is empty")
        self._value = value

    def reveal(self) -> str:
        """The plain value: only for the request that sends it to the platform."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and secrets.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(("Secret", len(self._value)))

    def __reduce__(self) -> str:
        raise TypeError("a Secret is not pickled")


@cache
def _fernet(app_secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        app_secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: Secret) -> str:
    """The credential as stored: a Fernet token (AES-128-CBC + HMAC-SHA256, timestamped)."""
    return _fernet(load_secret()).encrypt(secret.reveal().encode()).decode("ascii")


def decrypt(token: str) -> Secret:
    """The stored credential back; a token made under another key is a ``CredentialsError``."""
    try:
        return Secret(_fernet(load_secret()).decrypt(token.encode("ascii")).decode())
    except (InvalidToken, ValueError) as exc:
        raise CredentialsError(
            "the stored credentials cannot be decrypted (the secret key changed?): "
            "connect the account again"
        ) from exc
