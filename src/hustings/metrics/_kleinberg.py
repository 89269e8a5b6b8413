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
    counts: FloatArray, scale: float, gamma: float, floor: FloatArray | None = None
) -> BoolArray:
    """Burst state per hour for each row of ``counts`` (accounts x hours), by Viterbi.

    The base rate is each row's mean count per hour. ``floor`` (per row) raises it where the
    row's own history is too thin to say what is usual: the plan guard judges an account
    with a few days of posts against a fallback rate instead of against its near-silence.
    The audit passes none: over a whole audit period the account's own mean is the base.
    """
    n_acc, n_hours = counts.shape
    totals = counts.sum(axis=1)
    base = np.where(totals > 0, totals / max(n_hours, 1), 1.0)
    if floor is not None:
        base = np.maximum(base, floor)
    rates = np.stack([base, base * scale])
    log_rates = np.log(rates)
    enter = np.full(n_acc, gamma * np.log(max(n_hours, 2)))
    # The automaton starts in the base state: a burst is entered at its cost, even in the
    # first hour (starting free in either state made one post early in the period a burst).
    cost = np.stack([np.zeros(n_acc), np.full(n_acc, np.inf)])
    back = np.zeros((n_hours, 2, n_acc), dtype=np.bool_)
    for h in range(n_hours):
        emit = rates - counts[:, h] * log_rates
        stay0, from1 = cost[0], cost[1]
        back[h, 0] = from1 < stay0
        new0 = np.minimum(stay0, from1) + emit[0]
        up = cost[0] + enter
        back[h, 1] = up < cost[1]
        new1 = np.minimum(up, cost[1]) + emit[1]
        cost = np.stack([new0, new1])
    states = np.zeros((n_acc, n_hours), dtype=np.bool_)
    state = cost[1] < cost[0]
    rows = np.arange(n_acc)
    for h in range(n_hours - 1, -1, -1):
        states[:, h] = state
        # back[h, s] says whether the best path into state s at h came from the other state
        switched = back[h, state.astype(np.int64), rows]
        state = np.where(switched, ~state, state)
    states[totals == 0] = False
    return states


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
