"""Hustings: use social media as a conversation, not a megaphone.

The public API is small: the canonical records, the store, and importing. Everything else
lives in capability modules (``hustings.threads``, ``hustings.nlp``, …) or is private.
"""

from __future__ import annotations

from hustings.errors import HustingsError
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
