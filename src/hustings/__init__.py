"""Hustings: use social media as a conversation, not a megaphone.

The public API is small: the canonical records, the store, and importing. Everything else
lives in capability modules (``hustings.threads``, ``hustings.nlp``, …) or is private.
"""

from __future__ import annotations

import typing

from hustings._lazy import lazy_getattr
from hustings.errors import HustingsError

if typing.TYPE_CHECKING:  # by module: a capitalised name here is public API
    from hustings.ingest.base import ImportOptions
    from hustings.ingest.runner import ImportPlan, ImportSummary, import_file, import_paths
    from hustings.model import (
        Account,
        FollowerSnapshot,
        Message,
        MessageKind,
        Person,
        ReplyLink,
        Role,
        TrackedAccount,
        Visibility,
    )
    from hustings.store import Store

_MODEL = [
    "Account",
    "FollowerSnapshot",
    "Message",
    "MessageKind",
    "Person",
    "ReplyLink",
    "Role",
    "TrackedAccount",
    "Visibility",
]
_HOMES = {
    **dict.fromkeys(_MODEL, "model"),
    **dict.fromkeys(
        ["ImportPlan", "ImportSummary", "import_file", "import_paths"], "ingest.runner"
    ),
    "ImportOptions": "ingest.base",
    "Store": "store",
}
# The store and the importers pull in SQLAlchemy and Alembic: half a second that commands
# which never touch the store (an audit of Parquet files, the NLP models) need not pay.
__getattr__ = lazy_getattr(__name__, _HOMES, globals())

__version__ = "0.1.0"

__all__ = [
    "Account",
    "FollowerSnapshot",
    "HustingsError",
    "ImportOptions",
    "ImportPlan",
    "ImportSummary",
    "Message",
    "MessageKind",
    "Person",
    "ReplyLink",
    "Role",
    "Store",
    "TrackedAccount",
    "Visibility",
    "__version__",
    "import_file",
    "import_paths",
]
