"""Dialogue or shouting: who answers whom across camps, and which questions nobody answered.

Everything here follows the definitions in ``_measures``; the functions compute them over a
corpus (or one day of it, through ``mask``) with array operations, so a million replies take
well under a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hustings.listen._corpus import Corpus, EdgeKind, IntArray

__all__ = ["AccountStats", "account_stats", "asks", "dialogue_measures", "opportunities"]

BoolArray = npt.NDArray[np.bool_]
SHOUTING_MIN_REPLIES = 3
SHOUTING_MIN_UNCIVIL = 0.5
_LINK = re.compile(r"https?://\S+")


def asks(text: str) -> bool:
    """Whether a message asks something: a question mark outside links."""
    return "?" in _LINK.sub("", text)


def _share(hits: BoolArray) -> float | None:
    return float(hits.mean()) if len(hits) else None


def _mean(values: IntArray) -> float | None:
    return float(values.mean()) if len(values) else None


@dataclass(frozen=True, slots=True)
class _Replies:
    """The reply edges of a corpus slice with what each measure needs per reply."""

    src: IntArray
    dst: IntArray
    msg: IntArray
    answered: BoolArray
    assigned: BoolArray
    cross: BoolArray


def _replies(corpus: Corpus, camp: IntArray, mask: BoolArray | None) -> _Replies:
    keep = corpus.edges_of(EdgeKind.REPLY)
    if mask is not None:
        keep = keep & mask
    src, dst, when = corpus.src[keep], corpus.dst[keep], corpus.etime[keep]
    n = max(corpus.n_accounts, 1)
    key = src * n + dst
    order = np.argsort(key, kind="stable")
    skey = key[order]
    if len(skey):
        starts = np.flatnonzero(np.r_[True, skey[1:] != skey[:-1]])
        latest = np.maximum.reduceat(when[order], starts)
        ukey = skey[starts]
    else:
        latest, ukey = when, skey
    back = dst * n + src
    pos = np.clip(np.searchsorted(ukey, back), 0, max(len(ukey) - 1, 0))
    found = (ukey[pos] == back) if len(ukey) else np.zeros(len(back), dtype=bool)
    answered = found & (latest[pos] >= when) if len(ukey) else found
    assigned = (camp[src] >= 0) & (camp[dst] >= 0)
    return _Replies(
        src, dst, corpus.emsg[keep], answered, assigned, assigned & (camp[src] != camp[dst])
    )


def dialogue_measures(
    corpus: Corpus,
    camp: IntArray,
    uncivil: BoolArray | None,
    mask: BoolArray | None = None,
) -> dict[str, float | None]:
    """The reply measures of ``_measures`` over the corpus, or the interactions in ``mask``."""
    r = _replies(corpus, camp, mask)
    within = r.assigned & ~r.cross
    depth = corpus.depth[r.msg]
    known = depth > 0
    out: dict[str, float | None] = {
        "cross_camp_reply_share": _share(r.cross[r.assigned]),
        "two_way_reply_share": _share(r.answered),
        "cross_camp_reply_depth": _mean(depth[r.cross & known]),
        "within_camp_reply_depth": _mean(depth[within & known]),
        "incivility_within_camps": None,
        "incivility_across_camps": None,
        "incivility_toward_politicians": None,
    }
    if uncivil is not None:
        bad = uncivil[r.msg]
        out["incivility_within_camps"] = _share(bad[within])
        out["incivility_across_camps"] = _share(bad[r.cross])
        out["incivility_toward_politicians"] = _share(bad[corpus.politicians()[r.dst]])
    return out


@dataclass(frozen=True, slots=True)
class AccountStats:
    """Per account (indexed like ``corpus.names``): the columns of ``nodes.csv``."""

    replies_sent: IntArray
    replies_received: IntArray
    replies_answered: IntArray
    cross_camp_replies: IntArray
    bridge_partners: IntArray
    uncivil_replies: IntArray | None
    shouting: BoolArray | None


def account_stats(corpus: Corpus, camp: IntArray, uncivil: BoolArray | None) -> AccountStats:
    """Reply counts, answers, bridges and shouting per account."""
    r = _replies(corpus, camp, None)
    n = corpus.n_accounts

    def count(index: IntArray) -> IntArray:
        return np.bincount(index, minlength=n).astype(np.int64)

    answered_cross = r.cross & r.answered
    pairs = np.unique(r.src[answered_cross] * max(n, 1) + r.dst[answered_cross])
    sent = count(r.src)
    answered = count(r.src[r.answered])
    bad = shouting = None
    if uncivil is not None:
        bad = count(r.src[uncivil[r.msg]])
        shouting = (
            (sent >= SHOUTING_MIN_REPLIES)
            & (answered == 0)
            & (bad >= SHOUTING_MIN_UNCIVIL * np.maximum(sent, 1))
        )
    return AccountStats(
        replies_sent=sent,
        replies_received=count(r.dst),
        replies_answered=answered,
        cross_camp_replies=count(r.src[r.cross]),
        bridge_partners=count(pairs // max(n, 1)),
        uncivil_replies=bad,
        shouting=shouting,
    )


def _last_reply_received(corpus: Corpus, mask: BoolArray | None) -> IntArray:
    keep = corpus.edges_of(EdgeKind.REPLY)
    if mask is not None:
        keep = keep & mask
    last = np.full(corpus.n_accounts, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, corpus.dst[keep], corpus.etime[keep])
    return last


def opportunities(
    corpus: Corpus, camp: IntArray, span: tuple[int, int] | None = None
) -> tuple[IntArray, IntArray]:
    """(open question message indices, unanswered undecided account indices).

    With ``span`` (start, end) in Unix seconds, only messages and replies in it count.
    """
    spoke = ~corpus.repost
    mask = None
    if span is not None:
        spoke = spoke & (corpus.time >= span[0]) & (corpus.time < span[1])
        mask = (corpus.etime >= span[0]) & (corpus.etime < span[1])
    last_in = _last_reply_received(corpus, mask)
    politician = corpus.politicians()
    candidates = np.flatnonzero(spoke & ~politician[corpus.author])
    question = np.array([asks(corpus.texts[i]) for i in candidates.tolist()], dtype=bool)
    candidates = candidates[question]
    open_q = candidates[last_in[corpus.author[candidates]] < corpus.time[candidates]]
    writers = np.unique(corpus.author[np.flatnonzero(spoke)])
    undecided = writers[(camp[writers] < 0) & (last_in[writers] == np.iinfo(np.int64).min)]
    return open_q, undecided
