"""The audit benchmark's pandas baseline computes the engine's scorecard, not a lighter one.

``benchmarks/audit.py`` times DuckDB against ``benchmarks/audit_pandas.py``; the ratio means
something only if both compute the same tables. On the hand-made fortnight (staff, e-mail,
DMs, self-threads, automation, answers after the window), on context records, on an audit
without a registry and with classifier scores, every metric of every grouping and every list
must agree with DuckDB's ``run_audit``.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from benchmarks.audit_check import compare, compare_lists
from benchmarks.audit_pandas import pandas_scorecard

from hustings.metrics import GROUPINGS, AuditParams, connect, read_snapshot, run_audit
from hustings.metrics._scorecard import Scorecard
from hustings.model import Role, TrackedAccount
from tests.metrics import test_weeks
from tests.metrics.conftest import HANDMADE_PARAMS, build_snapshot
from tests.metrics.test_partial import MESSAGES, PARAMS

Cards = tuple[Scorecard, Scorecard]


def _cards(snapshot: Path, params: AuditParams) -> Cards:
    engine = run_audit(read_snapshot(connect("duckdb"), snapshot), params)
    return engine, pandas_scorecard(snapshot, params)


@pytest.fixture(scope="module")
def handmade(handmade_snapshot: Path) -> Cards:
    return _cards(handmade_snapshot, HANDMADE_PARAMS)


@pytest.fixture(scope="module")
def partial_scored(tmp_path_factory: pytest.TempPathFactory) -> Cards:
    """Context records, and a classifier score that overrides the heuristic for one message."""
    tracked = [TrackedAccount(platform="x", handle="a", role=Role.CANDIDATE, platform_id="A")]
    snapshot = build_snapshot(tmp_path_factory.mktemp("baseline"), MESSAGES, tracked)
    pq.write_table(
        pa.table({"platform": ["x"], "platform_id": ["c2"], "score": [0.1]}),
        snapshot / "needs_reply.parquet",
    )
    return _cards(snapshot, PARAMS)


@pytest.fixture(scope="module")
def without_registry(tmp_path_factory: pytest.TempPathFactory) -> Cards:
    return _cards(build_snapshot(tmp_path_factory.mktemp("bare"), MESSAGES), PARAMS)


@pytest.fixture(scope="module")
def partial_weeks(tmp_path_factory: pytest.TempPathFactory) -> Cards:
    """Partial first and last weeks, and a silence across a week without a message."""
    snapshot = build_snapshot(
        tmp_path_factory.mktemp("weeks"), test_weeks.MESSAGES, test_weeks.TRACKED
    )
    return _cards(snapshot, test_weeks.PARAMS)


def _disagreements(cards: Cards) -> dict[str, dict[str, tuple[int, int]]]:
    return {
        table: bad
        for table, metrics in compare(*cards).items()
        if (bad := {name: n for name, n in metrics.items() if n[0] != n[1]})
    }


@pytest.mark.parametrize(
    "fixture", ["handmade", "partial_scored", "without_registry", "partial_weeks"]
)
def test_every_metric_of_every_grouping_agrees_with_the_engine(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    cards: Cards = request.getfixturevalue(fixture)
    assert set(compare(*cards)) == {"accounts", *(g for g in GROUPINGS if g != "account")}
    assert _disagreements(cards) == {}


@pytest.mark.parametrize(
    "fixture", ["handmade", "partial_scored", "without_registry", "partial_weeks"]
)
def test_the_lists_agree_with_the_engine(fixture: str, request: pytest.FixtureRequest) -> None:
    cards: Cards = request.getfixturevalue(fixture)
    assert {name: same for name, same in compare_lists(*cards).items() if not same} == {}


def test_a_changed_value_is_reported_as_a_disagreement(handmade: Cards) -> None:
    engine, pandas = handmade
    accounts = pandas.accounts.copy()
    accounts.loc[accounts["akey"] == "x:A", "reciprocity"] += 0.01
    changed = Scorecard(**{**vars(pandas), "accounts": accounts})
    assert _disagreements((engine, changed)) == {"accounts": {"reciprocity": (4, 5)}}
