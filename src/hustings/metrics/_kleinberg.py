"""Kleinberg's two-state burst automaton, in numpy alone: one definition for the audit and the
plan guard.

The audit (:mod:`hustings.metrics._bursts`) runs it over each account's hourly counts for the
audit period; the plan guard (:mod:`hustings.plan`) runs the very same function over an
account's last weeks of published and queued posts plus the draft. Kept apart from the
engine-bound burst table so that judging a draft does not import Ibis.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hustings.metrics._params import AuditParams

__all__ = ["BoolArray", "FloatArray", "flooded", "kleinberg_two_state"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def kleinberg_two_state(
    counts: FloatArray, scale: float, gamma: float, base: FloatArray | None = None
) -> BoolArray:
    """Burst state per hour for each row of ``counts`` (accounts x hours), by Viterbi.

    The base rate is each row's mean count per hour over ``counts``, unless ``base`` (per
    row) is given: the plan guard runs the automaton over the last days only, for speed, and
    gives the rate of the account's whole 16-week baseline (or a fallback rate where that
    history is too thin to say what is usual). The audit passes none.
    """
    n_acc, n_hours = counts.shape
    totals = counts.sum(axis=1)
    if base is None:
        base = np.where(totals > 0, totals / max(n_hours, 1), 1.0)
    r0, r1 = base, base * scale
    # Emission costs of every hour in both states at once (hours x accounts, so each hour is
    # one contiguous row); the loop is left with the Viterbi step alone.
    hourly = np.ascontiguousarray(counts.T)
    emit0 = r0 - hourly * np.log(r0)
    emit1 = r1 - hourly * np.log(r1)
    enter = gamma * np.log(max(n_hours, 2))
    if n_acc == 1:
        states = _viterbi_one(emit0[:, 0].tolist(), emit1[:, 0].tolist(), float(enter))[None, :]
    else:
        states = _viterbi(emit0, emit1, enter)
    states[totals == 0] = False
    return states


def _viterbi(emit0: FloatArray, emit1: FloatArray, enter: float) -> BoolArray:
    """The burst states (accounts x hours) from the emission costs (hours x accounts)."""
    n_hours, n_acc = emit0.shape
    # The automaton starts in the base state: a burst is entered at its cost, even in the
    # first hour (starting free in either state made one post early in the period a burst).
    cost0, cost1 = np.zeros(n_acc), np.full(n_acc, np.inf)
    # back_s[h] says whether the best path into state s at hour h came from the other state
    back0 = np.zeros((n_hours, n_acc), dtype=np.bool_)
    back1 = np.zeros((n_hours, n_acc), dtype=np.bool_)
    for h in range(n_hours):
        up = cost0 + enter
        np.less(cost1, cost0, out=back0[h])
        np.less(up, cost1, out=back1[h])
        cost0, cost1 = np.minimum(cost0, cost1) + emit0[h], np.minimum(up, cost1) + emit1[h]
    states = np.zeros((n_hours, n_acc), dtype=np.bool_)
    state = cost1 < cost0
    for h in range(n_hours - 1, -1, -1):
        states[h] = state
        state = state ^ np.where(state, back1[h], back0[h])
    return np.ascontiguousarray(states.T)


def _viterbi_one(emit0: list[float], emit1: list[float], enter: float) -> BoolArray:
    """:func:`_viterbi` for one account, step for step on Python floats: numpy's overhead
    per call on arrays of one is most of the time when the plan guard judges a draft."""
    cost0, cost1 = 0.0, float("inf")
    back0: list[bool] = []
    back1: list[bool] = []
    for e0, e1 in zip(emit0, emit1, strict=True):
        up = cost0 + enter
        back0.append(cost1 < cost0)
        back1.append(up < cost1)
        cost0, cost1 = min(cost0, cost1) + e0, min(up, cost1) + e1
    state = cost1 < cost0
    states = [False] * len(emit0)
    for h in range(len(emit0) - 1, -1, -1):
        states[h] = state
        state = state != (back1[h] if state else back0[h])
    return np.asarray(states, dtype=np.bool_)


def flooded(six: FloatArray, baseline: FloatArray, params: AuditParams) -> BoolArray:
    """The audit's flood: ``six`` posts in six hours reach ``flood_posts_6h``, or reach
    ``flood_baseline_factor`` times the six hours the ``baseline`` (posts an hour) predicts
    and at least ``flood_min_posts_6h``."""
    many = six >= params.flood_posts_6h
    above = (six >= params.flood_baseline_factor * baseline * 6) & (
        six >= params.flood_min_posts_6h
    )
    result: BoolArray = many | above
    return result
