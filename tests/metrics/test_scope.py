"""A scoped audit computes every metric over the accounts in scope as one group, on each
engine: the headline a campaign reads is its own, not the pool of every party."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hustings.metrics import Scope, read_snapshot, run_audit
from tests.metrics.conftest import HANDMADE_PARAMS


def test_scoped_headline_sums_only_the_party_in_scope(con: Any, handmade_snapshot: Path) -> None:
    card = run_audit(
        read_snapshot(con, handmade_snapshot),
        HANDMADE_PARAMS,
        engine=con.name,
        scope=Scope.of(["red"]),
    )
    red = card.accounts[card.accounts["party"] == "Red"]
    assert card.accounts["focus"].tolist() == (card.accounts["party"] == "Red").tolist()
    for name in ("messages", "inbound", "waiting"):
        assert card.headline[name] == red[name].sum(), name
    everyone = card.groups["all"].iloc[0]
    assert card.headline["messages"] < everyone["messages"]
    assert card.headline["reply_share"] == pytest.approx(
        card.groups["party"].set_index("party").at["Red", "reply_share"]
    )
