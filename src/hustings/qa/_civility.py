"""The incivility pre-filter: which incoming questions wait for a moderator's review.

It uses the project's own offline incivility classifier (``hustings.nlp``, task
``incivility``) and holds a question the classifier calls hateful, or offensive with a
score of at least ``HOLD_OFFENSIVE``: the classifier's own 0.5 line held one question in
six of the real political chat's, many of them blunt but civil ("Why is the pool shut?"
scores 0.59), and a held question waits on a busy moderator. Shouting
alone (capitals, "!!!") is how many viewers type in a live chat and is let through. A held
question is kept, never deleted: the moderator releases it (approve) or dismisses it with a
reason, and both acts show in the public log, so the filter cannot silently cherry-pick.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from hustings import nlp

__all__ = ["HOLD_OFFENSIVE", "uncivil"]

HOLD_OFFENSIVE: Final = 0.65


def uncivil(texts: Sequence[str]) -> list[bool]:
    """For each text, whether the pre-filter holds it for review."""
    if not texts:
        return []
    return [
        p.label == "hateful" or p.scores["offensive"] >= HOLD_OFFENSIVE
        for p in nlp.load("incivility").predict(list(texts))
    ]
