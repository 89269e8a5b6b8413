"""Two ways raw data can make the engines, or a registry, disagree with what happened.

- Mastodon and Bluesky times carry fractions of a second. Every engine drops the fraction
  (a message at 23:59:59.6 was posted on that day), so DuckDB, Spark and the plain-Python
  reference agree on days, silences and waits.
- Registries write handles as ``@Alice``, `` alice`` or ``alice``, while CSV exports name a
  reply's target only by handle. A self-reply must be found however the registry wrote it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hustings.metrics import AuditParams, Denominator, read_snapshot, run_audit
from hustings.model import Message, MessageKind, ReplyLink, Role, TrackedAccount
from tests.metrics.conftest import build_snapshot
from tests.metrics.reference import reference_scorecard

T0 = datetime(2026, 3, 2, tzinfo=UTC)
PARAMS = AuditParams(  # two whole days: the period's ends are inclusive
    since=T0, until=T0 + timedelta(days=2, seconds=-1), denominator=Denominator.ALL, min_posts=1
)


def _post(pid: str, at: datetime, reply_to_handle: str | None = None) -> Message:
    reply: dict[str, Any] = {}
    if reply_to_handle is not None:
        reply = {"reply_to_handle": reply_to_handle, "reply_link": ReplyLink.ACCOUNT}
    return Message(
        platform="mastodon",
        platform_id=pid,
        author_id="A",
        author_handle="alice",
        created_at=at,
        text="our plan for the buses",
        kind=MessageKind.REPLY if reply else MessageKind.POST,
        **reply,
    )


MESSAGES = [
    _post("m1", T0 + timedelta(hours=9)),
    _post("m2", T0 + timedelta(hours=23, minutes=59, seconds=59, milliseconds=600)),
    _post("m3", T0 + timedelta(hours=10), reply_to_handle="alice"),
]


@pytest.fixture(scope="module", params=["@Alice ", "alice", " ALICE"])
def snapshot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tracked = [
        TrackedAccount(platform="mastodon", handle=request.param, role=Role.CANDIDATE, party="P")
    ]
    return build_snapshot(tmp_path_factory.mktemp("clock"), MESSAGES, tracked)


def test_a_message_just_before_midnight_is_on_its_own_day(con: Any, snapshot: Path) -> None:
    card = run_audit(read_snapshot(con, snapshot), PARAMS, engine=con.name, groupings=())
    alice = card.accounts.set_index("akey").loc["mastodon:A"]
    assert alice["active_day_share"] == pytest.approx(1 / 2)  # not 2 of 2 by rounding up
    # the silence runs from 23:59:59 to the period's end, not from 00:00:00 of the next day
    assert alice["longest_silence_days"] == pytest.approx(1.0)


def test_a_self_reply_named_by_handle_is_a_self_thread(con: Any, snapshot: Path) -> None:
    card = run_audit(read_snapshot(con, snapshot), PARAMS, engine=con.name, groupings=())
    alice = card.accounts.set_index("akey").loc["mastodon:A"]
    assert alice["handle"].strip() == alice["handle"] and not alice["handle"].startswith("@")
    assert alice["reply_share_self"] == pytest.approx(1 / 3)
    assert alice["reply_share_citizens"] == 0


def test_the_engines_agree_with_the_plain_python_reference(con: Any, snapshot: Path) -> None:
    tracked = [TrackedAccount(platform="mastodon", handle="alice", role=Role.CANDIDATE)]
    ref = reference_scorecard(MESSAGES, tracked, PARAMS)["mastodon:A"]
    card = run_audit(read_snapshot(con, snapshot), PARAMS, engine=con.name, groupings=())
    alice = card.accounts.set_index("akey").loc["mastodon:A"]
    for metric in ("active_day_share", "longest_silence_days"):
        assert alice[metric] == pytest.approx(ref[metric]), metric
