"""A party's metrics are its messages' metrics, not the average of its accounts' metrics.

The groupings are rolled up from per-account cells (``hustings.metrics._rollup``), so this
pins what a roll-up must not get wrong. Party P has two candidates in a 10-day period:
Alice (A) writes one message, a reply to a citizen; Bob (B) writes three posts. The party's
reply share is 1 reply in 4 messages, 0.25; the mean of the accounts' shares would be 0.5.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import pytest

from hustings.metrics import AuditParams, all_metrics, read_snapshot, run_audit
from hustings.metrics._rollup import plan_rollup
from hustings.metrics._scorecard import _PERIOD_COLUMNS, Scorecard
from hustings.metrics._sql import _base_schemas
from hustings.model import Message, MessageKind, Role, TrackedAccount
from tests.metrics.conftest import HANDMADE_PARAMS, build_snapshot

SINCE = datetime(2026, 3, 2, tzinfo=UTC)
UNTIL = datetime(2026, 3, 11, 23, 59, 59, tzinfo=UTC)
PARAMS = AuditParams(since=SINCE, until=UNTIL)


def _message(n: int, author: str, day: int, kind: MessageKind, to: str | None = None) -> Message:
    return Message(
        platform="x",
        platform_id=f"m{n}",
        author_id=author,
        author_handle=author.lower(),
        created_at=datetime(2026, 3, day, 12, tzinfo=UTC),
        text="thanks for asking",
        kind=kind,
        reply_to_id="c0" if to else None,
        reply_to_account_id=to,
        conversation_id="c0" if to else f"m{n}",
    )


MESSAGES = [
    _message(1, "A", 3, MessageKind.REPLY, to="CITIZEN"),
    _message(2, "B", 3, MessageKind.POST),
    _message(3, "B", 4, MessageKind.POST),
    _message(4, "B", 10, MessageKind.POST),
]
TRACKED = [
    TrackedAccount(platform="x", handle=h, role=Role.CANDIDATE, party="P", platform_id=h.upper())
    for h in ("a", "b")
]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot(tmp_path_factory.mktemp("rollup"), MESSAGES, TRACKED)


@pytest.fixture
def card(con: Any, snapshot: Path) -> Scorecard:
    return run_audit(read_snapshot(con, snapshot), PARAMS, engine=con.name, groupings=["party"])


def test_a_partys_share_counts_every_message_once(card: Scorecard) -> None:
    party = card.groups["party"].set_index("party").loc["P"]
    assert party["reply_share"] == pytest.approx(0.25)
    assert party["broadcast_share"] == pytest.approx(0.75)


def test_a_partys_rates_divide_by_its_accounts(card: Scorecard) -> None:
    party = card.groups["party"].set_index("party").loc["P"]
    assert party["messages"] == 4
    assert party["posts_per_week"] == pytest.approx(3 / (2 * 10 / 7))
    assert party["active_day_share"] == pytest.approx(4 / (2 * 10))  # A 1 day, B 3 days


def test_a_partys_longest_silence_is_its_longest_accounts(card: Scorecard) -> None:
    party = card.groups["party"].set_index("party").loc["P"]
    # Alice: from her reply at noon on day 3 to the end of day 11, 8.5 days
    assert party["longest_silence_days"] == pytest.approx(8.5, abs=1e-3)


def test_only_quantiles_are_computed_from_the_base_table_for_every_grouping() -> None:
    direct = set()
    for base, schema in _base_schemas().items():
        table = ibis.table(schema, name=base).mutate(weeks=1.0, period_days=7.0)
        mine = [m for m in all_metrics() if m.base == base]
        direct |= {m.name for m in plan_rollup(table, mine).direct}
    assert direct == {
        f"{stat}_first_response{clock}_min"
        for stat in ("median", "p90")
        for clock in ("", "_business")
    }


def test_account_cells_rolled_up_from_week_cells_give_the_same_accounts(
    con: Any, handmade_snapshot: Path, handmade_card: Scorecard
) -> None:
    """With week groupings asked for, the inbound metrics' account cells are the week cells
    summed; without, they are reduced from the rows. An account reads the same either way."""
    alone = run_audit(
        read_snapshot(con, handmade_snapshot), HANDMADE_PARAMS, engine=con.name, groupings=()
    )
    inbound = [m.name for m in all_metrics() if m.base == "inbound"]
    rolled = handmade_card.accounts.set_index("akey")[inbound].sort_index()
    direct = alone.accounts.set_index("akey")[inbound].sort_index()
    assert rolled["inbound"].sum() > 0
    assert rolled.equals(direct)


def test_only_bases_whose_cells_ignore_the_period_roll_up_from_weeks() -> None:
    schemas = _base_schemas()
    period_free = set()
    for base in ("own", "gaps", "inbound", "days"):
        table = ibis.table(schemas[base], name=base).mutate(weeks=1.0, period_days=7.0)
        rollup = plan_rollup(table, [m for m in all_metrics() if m.base == base])
        if not rollup.reads(_PERIOD_COLUMNS):
            period_free.add(base)
    # own: messages per week; gaps: silences cut at the week's edges; days: active day share
    assert period_free == {"inbound"}
