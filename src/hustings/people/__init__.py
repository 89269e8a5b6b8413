"""People: identities across platforms and e-mail, stance history, tags, notes, merges,
subject-access export, erasure, and NationBuilder-style CSV.

Modules: ``core`` (people, identities, tags, notes), ``stance``, ``merge``, ``privacy``
(detail, export), ``erasure`` (what erasing removes, keeps and redacts) and ``csv_io``.
"""

from __future__ import annotations

from hustings.people.core import Stance
from hustings.people.stance import StanceSource

__all__ = ["Stance", "StanceSource"]
