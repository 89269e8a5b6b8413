"""The reading of a conversation in one line, and the order in which to answer people.

A report of twenty measures does not say whether the camps talk or shout; the verdict does,
from three of them, by a rule stated in words next to it (:data:`VERDICT_RULE`) and built
from the same thresholds the code applies, so the sentence and its rule cannot disagree.

Open questions are ranked by reach, then age (:data:`QUESTION_ORDER`): a question seen by
many waits in public, and among equals the one waiting longest is answered first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hustings.listen._corpus import Corpus, IntArray

__all__ = [
    "QUESTION_ORDER",
    "UNDECIDED_ORDER",
    "VERDICT_RULE",
    "Verdict",
    "rank_questions",
    "rank_undecided",
    "reach",
    "verdict",
]

APART_BELOW = 0.15
"""Below this share of replies crossing camps, the camps keep to themselves."""
SHOUTING_FROM = 0.30
"""From this share of cross-camp replies labelled uncivil, the camps shout."""
ONE_WAY_BELOW = 0.20
"""Below this share of replies answered back, people talk past each other."""

NO_CAMPS = "no camps"
APART = "camps keep to themselves"
SHOUTING = "mostly shouting"
PAST = "talking past each other"
DIALOGUE = "dialogue across camps"


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


VERDICT_RULE = (
    f"Fewer than two camps: “{NO_CAMPS}”. Otherwise, fewer than {_pct(APART_BELOW)} of "
    f"replies crossing camps: “{APART}”; else {_pct(SHOUTING_FROM)} or more of cross-camp "
    f"replies uncivil: “{SHOUTING}”; else fewer than {_pct(ONE_WAY_BELOW)} of replies "
    f"answered back: “{PAST}”; else “{DIALOGUE}”. The numbers are the measures "
    "“Cross-camp replies”, “Two-way replies” and “Incivility across camps” below."
)
"""The verdict's rule, as the report prints it beside the sentence."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The reading (``label``) and the numbers that support it (``facts``)."""

    label: str
    facts: str

    @property
    def sentence(self) -> str:
        """The verdict in one line: "mostly shouting: 9% of replies cross camps, ..."."""
        return f"{self.label}: {self.facts}"


def verdict(measures: Mapping[str, float | None]) -> Verdict:
    """The one-line reading of a conversation's measures, by :data:`VERDICT_RULE`."""
    camps = measures.get("camps") or 0
    cross = measures.get("cross_camp_reply_share")
    two_way = measures.get("two_way_reply_share")
    uncivil = measures.get("incivility_across_camps")
    if camps < 2 or cross is None:
        accounts = int(measures.get("accounts") or 0)
        return Verdict(NO_CAMPS, f"the reposts among {accounts:,} accounts do not split into sides")
    facts = [f"{_pct(cross)} of replies cross camps"]
    if two_way is not None:
        facts.append(f"{_pct(two_way)} of replies are answered back")
    facts.append(
        "incivility not measured (no classifier)"
        if uncivil is None
        else f"{_pct(uncivil)} of cross-camp replies are uncivil"
    )
    if cross < APART_BELOW:
        label = APART
    elif uncivil is not None and uncivil >= SHOUTING_FROM:
        label = SHOUTING
    elif two_way is not None and two_way < ONE_WAY_BELOW:
        label = PAST
    else:
        label = DIALOGUE
    return Verdict(label, ", ".join(facts))


QUESTION_ORDER = (
    "Ranked by reach, then age: questions from accounts with more followers come first (by "
    "order of magnitude: 10,000 and more, then 1,000 and more, and so on; unknown last), and "
    "among those the question waiting longest (to the end of the data) comes first."
)
"""How open questions are ordered, as the report prints it."""

UNDECIDED_ORDER = "Ranked by reach (followers, most first), then by messages written."
"""How the undecided, unanswered accounts are ordered, as the report prints it."""


def reach(corpus: Corpus, account: int) -> int | None:
    """Followers of an account as last seen (summed over its merged accounts), if known."""
    return corpus.followers.get(account)


def _magnitude(followers: int | None) -> int:
    return -1 if followers is None else int(math.log10(1 + followers))


def _known(followers: int | None) -> int:
    return -1 if followers is None else followers


def rank_questions(corpus: Corpus, questions: IntArray) -> IntArray:
    """``questions`` (message indices) in :data:`QUESTION_ORDER`."""
    ordered = sorted(
        questions.tolist(),
        key=lambda i: (
            -_magnitude(reach(corpus, int(corpus.author[i]))),
            int(corpus.time[i]),
            i,
        ),
    )
    return np.asarray(ordered, dtype=np.int64)


def rank_undecided(corpus: Corpus, accounts: IntArray) -> IntArray:
    """``accounts`` in :data:`UNDECIDED_ORDER`."""
    written = np.bincount(corpus.author[~corpus.repost], minlength=corpus.n_accounts)
    ordered = sorted(
        accounts.tolist(),
        key=lambda a: (-_known(reach(corpus, a)), -int(written[a]), corpus.names[a]),
    )
    return np.asarray(ordered, dtype=np.int64)
