"""One audited report per session (PNG rendering takes seconds), shared by the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from hustings.metrics import Scope, connect, read_snapshot, run_audit
from hustings.metrics._scorecard import Scorecard
from hustings.report import write_report
from tests.metrics import handmade
from tests.metrics.conftest import HANDMADE_PARAMS, build_snapshot


@pytest.fixture(scope="session")
def card(tmp_path_factory: pytest.TempPathFactory) -> Scorecard:
    snapshot = build_snapshot(
        tmp_path_factory.mktemp("report-data"),
        handmade.MESSAGES,
        handmade.TRACKED,
        handmade.ACCOUNTS,
    )
    return run_audit(read_snapshot(connect("duckdb"), snapshot), HANDMADE_PARAMS)


@pytest.fixture(scope="session")
def report_dir(card: Scorecard, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    write_report(card, out)
    return out


@pytest.fixture(scope="session")
def scoped_card(tmp_path_factory: pytest.TempPathFactory) -> Scorecard:
    """The hand-made audit with the Red party's accounts in scope."""
    snapshot = build_snapshot(
        tmp_path_factory.mktemp("report-scoped-data"),
        handmade.MESSAGES,
        handmade.TRACKED,
        handmade.ACCOUNTS,
    )
    return run_audit(
        read_snapshot(connect("duckdb"), snapshot), HANDMADE_PARAMS, scope=Scope.of(["Red"])
    )


@pytest.fixture(scope="session")
def scoped_report_dir(scoped_card: Scorecard, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report-scoped")
    write_report(scoped_card, out, png=False)
    return out
