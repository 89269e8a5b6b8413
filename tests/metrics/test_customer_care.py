"""Real threads: the audit's median time to first response equals the one read off the raw JSON."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pytest

from hustings.metrics import AuditParams, Denominator, read_snapshot, run_audit
from tests.metrics import customer_care
from tests.metrics.conftest import build_snapshot

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    path = shared_data / "conversations" / "customer-care-threads"
    if not (path / "dev.json").is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="module")
def snapshot(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    messages, tracked = customer_care.to_records(customer_care.two_message(folder))
    return build_snapshot(tmp_path_factory.mktemp("care"), messages, tracked)


def _raw_median_minutes(folder: Path) -> float:
    """Straight from the JSON: durations of two-message threads, negative ones left out."""
    minutes = [
        customer_care.duration_seconds(c["dialogHeader"]["duration"]) / 60
        for c in customer_care.two_message(folder)
    ]
    return statistics.median(m for m in minutes if m >= 0)


def test_raw_median_is_the_published_91_minutes(folder: Path) -> None:
    assert _raw_median_minutes(folder) == pytest.approx(91, abs=0.5)


def test_audit_median_first_response_matches_the_raw_json(
    con: Any, folder: Path, snapshot: Path
) -> None:
    params = AuditParams(denominator=Denominator.ALL)
    card = run_audit(read_snapshot(con, snapshot), params, engine=con.name, groupings=("all",))
    overall = card.groups["all"].iloc[0]
    assert overall["median_first_response_min"] == pytest.approx(_raw_median_minutes(folder))
    assert len(card.accounts) == 25
