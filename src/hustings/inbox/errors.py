"""Errors of the inbox, people and web capabilities, under the one ``HustingsError`` root.

::

    HustingsError
    └── WorkspaceError                      a request the workspace cannot satisfy
        ├── NotFoundError(LookupError)      no such thing *in this workspace* (also for
        │                                   another workspace's ids: never reveal they exist)
        ├── PermissionDeniedError(PermissionError)   the user's role does not allow it
        ├── ConflictError                   someone else got there first (claim, merge)
        ├── InvalidInputError(ValueError)   a value the user must fix (unfilled placeholder)
        └── AuthError                       wrong password, too many attempts, bad session

They live here rather than in ``hustings.errors`` only because this capability was built in
parallel with the foundation; the lead may move them into that tree unchanged. The web layer
maps them to 404, 403, 409, 422 and 401/429.
"""

from __future__ import annotations

from hustings.errors import HustingsError

__all__ = [
    "AuthError",
    "ConflictError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "WorkspaceError",
]


class WorkspaceError(HustingsError):
    """Root of the inbox, people and web errors."""


class NotFoundError(WorkspaceError, LookupError):
    pass


class PermissionDeniedError(WorkspaceError, PermissionError):
    pass


class ConflictError(WorkspaceError):
    pass


class InvalidInputError(WorkspaceError, ValueError):
    pass


class AuthError(WorkspaceError):
    pass


class RateLimitedError(AuthError):
    """Too many failed logins for this address or client: wait before trying again."""
