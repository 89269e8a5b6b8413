"""Classifier scores beside the snapshot (``needs_reply.parquet``) override the heuristic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hustings.metrics import read_snapshot, run_audit
from hustings.model import Role, TrackedAccount
from tests.metrics.conftest import build_snapshot
from tests.metrics.test_partial import MESSAGES, PARAMS, _msg

# c3 asks Alice a question (by the heuristic) and nobody answers
UNANSWERED = [*MESSAGES, _msg("c3", "C3", 8, parent=("a4", "A"))]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tracked = [TrackedAccount(platform="x", handle="a", role=Role.CANDIDATE, platform_id="A")]
    return build_snapshot(tmp_path_factory.mktemp("scores"), UNANSWERED, tracked)


def _waiting(con: Any, snapshot: Path) -> list[str]:
    card = run_audit(read_snapshot(con, snapshot), PARAMS, engine=con.name, groupings=())
    return sorted(card.waiting["platform_id"])


def test_a_low_score_takes_a_question_off_the_waiting_list(con: Any, snapshot: Path) -> None:
    scores = snapshot / "needs_reply.parquet"
    scores.unlink(missing_ok=True)
    assert _waiting(con, snapshot) == ["c3"]
    pq.write_table(pa.table({"platform": ["x"], "platform_id": ["c3"], "score": [0.2]}), scores)
    try:
        assert _waiting(con, snapshot) == []
    finally:
        scores.unlink()
