"""Kleinberg's automaton: one account alone gets the states it gets among others."""

from __future__ import annotations

import numpy as np

from hustings.metrics._kleinberg import kleinberg_two_state


def test_one_account_alone_gets_the_same_burst_hours_as_among_others() -> None:
    rng = np.random.default_rng(7)
    counts = rng.poisson(rng.uniform(0.05, 2, size=(6, 1)) * np.ones((6, 400))).astype(float)
    counts[:, rng.integers(0, 400, 15)] += rng.integers(0, 30, (6, 15))
    together = kleinberg_two_state(counts, 3.0, 1.0)
    assert together.any()
    for row in range(6):
        alone = kleinberg_two_state(counts[row:row + 1], 3.0, 1.0)
        assert (alone[0] == together[row]).all()


def test_a_given_base_rate_replaces_the_rows_own_mean() -> None:
    """Six posts in one hour after a quiet week: a burst against a quiet base rate, not
    against a base rate of six an hour."""
    counts = np.zeros((1, 168))
    counts[0, -1] = 6
    assert kleinberg_two_state(counts, 3.0, 1.0, np.asarray([0.05]))[0, -1]
    assert not kleinberg_two_state(counts, 3.0, 1.0, np.asarray([6.0]))[0, -1]
