"""The scorecard on a hand-made fortnight: values worked out by hand, and DuckDB = Spark = Python.

One audit per engine is shared by the tests of a module (Spark plans each query in about a
second, so one audit there takes a minute or two).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from hustings.metrics import all_metrics
from hustings.metrics._scorecard import Scorecard
from tests.metrics import handmade
from tests.metrics.conftest import HANDMADE_PARAMS
from tests.metrics.reference import reference_scorecard

_CARDS: dict[str, Scorecard] = {}
HAND_WORKED = [
    (akey, name, value)
    for akey, values in handmade.EXPECTED.items()
    for name, value in values.items()
]
REFERENCE = reference_scorecard(handmade.MESSAGES, handmade.TRACKED, HANDMADE_PARAMS)
REFERENCE_CASES = sorted({name for values in REFERENCE.values() for name in values})


@pytest.fixture
def card(con: Any, handmade_snapshot: Any) -> Scorecard:
    from hustings.metrics import read_snapshot, run_audit

    if con.name not in _CARDS:
        _CARDS[con.name] = run_audit(
            read_snapshot(con, handmade_snapshot),
            HANDMADE_PARAMS,
            engine=con.name,
            groupings=("party",),
        )
    return _CARDS[con.name]


def _value(card: Scorecard, akey: str, name: str) -> float | None:
    row = card.accounts.set_index("akey").loc[akey]
    value = row[name]
    return (
        None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )


def _same(got: float | None, want: float | None) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize(
    ("akey", "name", "want"), HAND_WORKED, ids=[f"{a}-{n}" for a, n, _ in HAND_WORKED]
)
def test_metric_matches_the_value_worked_out_by_hand(
    card: Scorecard, akey: str, name: str, want: float | None
) -> None:
    assert _same(_value(card, akey, name), want)


@pytest.mark.parametrize("name", REFERENCE_CASES)
def test_metric_matches_the_plain_python_computation(card: Scorecard, name: str) -> None:
    for akey, values in REFERENCE.items():
        assert _same(_value(card, akey, name), values[name]), (akey, name)


def test_every_account_of_the_registry_is_audited_and_staff_is_folded_in(card: Scorecard) -> None:
    assert set(card.accounts["akey"]) == {"x:A", "email:alice@red.example", "x:B", "x:R", "x:N"}


def test_waiting_list_names_who_waited_in_vain(card: Scorecard) -> None:
    assert sorted(card.waiting["platform_id"]) == ["e3", "m1", "r4", "r7"]
    assert card.waiting_total == 4


def test_party_grouping_pools_its_accounts(card: Scorecard) -> None:
    party = card.groups["party"].set_index("party")
    assert party.loc["Red", "messages"] == 12
    assert party.loc["Red", "inbound"] == 11


def test_every_registered_metric_is_in_the_account_table(card: Scorecard) -> None:
    missing = [m.name for m in all_metrics() if m.name not in card.accounts.columns]
    assert missing == []
