"""The audit scorecard of a workspace's own accounts, kept ready for the dashboard.

The audit (``hustings.metrics``) scores every tracked account from a Parquet snapshot of the
whole store, on DuckDB: seconds of work, far too slow to run while a page waits. An
:class:`AuditCache` runs it off the request path (``hustings serve`` refreshes it in the
background) and keeps the last result; the dashboard then only picks out the rows of the
workspace's own accounts, each metric shown with the definition the metric carries, so the
numbers on the page mean exactly what the audit report says they mean.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from hustings.errors import HustingsError
from hustings.store import Store
from hustings.store.schema import tracked_accounts, workspace_accounts

if TYPE_CHECKING:  # the audit engine (Ibis, DuckDB) loads on the first refresh, not at import
    from hustings.metrics import AuditParams, Scorecard

__all__ = ["HEADLINE", "AuditCache"]

HEADLINE = ("reply_share", "response_rate_24h", "median_first_response_min", "waiting")
"""The few metrics the dashboard's ranked chart shows beside the dialogue score: does the
account talk back, how soon, and how many people still wait. The rest are one click away."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Audit:
    card: Scorecard | None
    computed_at: datetime
    problem: str | None


class AuditCache:
    """The last audit of the whole store, replaced by each :meth:`refresh`.

    Readers take whichever audit is current when they look (one reference swap, so a page
    never sees half of a refresh); nothing is computed while a request waits.
    """

    def __init__(self, params: AuditParams | None = None) -> None:
        self._params = params
        self._last: _Audit | None = None
        self._generation = 0

    @property
    def ready(self) -> bool:
        """Whether an audit has finished since the app started."""
        return self._last is not None

    def refresh(self, store: Store) -> None:
        """Score the store now. An audit with nothing to score (no tracked account in the
        data yet) is kept as that explanation rather than as an error."""
        from hustings.metrics import AuditParams, audit_store

        generation = self._generation
        try:
            card, problem = audit_store(store, self._params or AuditParams()), None
        except HustingsError as exc:
            card, problem = None, str(exc)
            _log.info("audit scorecard not available: %s", exc)
        if generation == self._generation:  # else discarded meanwhile: read data now erased
            self._last = _Audit(card, datetime.now(UTC), problem)

    def discard(self) -> None:
        """Forget the last audit, as after an erasure: its list of people who waited in vain
        holds their handles and words. The dashboard says the audit has not run until the
        next refresh; a refresh already running when this is called is not kept either."""
        self._generation += 1
        self._last = None

    def for_workspace(self, conn: Connection, workspace_id: int) -> dict[str, Any]:
        """The scorecard rows of the workspace's tracked accounts, and every metric's
        title, unit and definition; never another workspace's accounts."""
        last = self._last
        if last is None:
            return {"ready": False, "problem": None, "metrics": [], "accounts": []}
        base: dict[str, Any] = {"ready": True, "computed_at": last.computed_at}
        if last.card is None:
            return {**base, "problem": last.problem, "metrics": [], "accounts": []}
        from hustings.metrics import SCORE_DEFINITION, to_records

        own = _own_accounts(conn, workspace_id)
        frame = last.card.accounts
        mine = frame[
            [
                (str(p), str(h).lower()) in own
                for p, h in zip(frame["platform"], frame["handle"], strict=True)
            ]
        ]
        score = {
            "name": "dialogue_score",
            "title": "Dialogue score",
            "unit": "0-100",
            "definition": SCORE_DEFINITION,
            "family": "score",
            "direction": "higher",
        }
        metrics = [score] + [
            {
                "name": m.name,
                "title": m.title,
                "unit": m.unit,
                "definition": m.definition,
                "family": m.family,
                "direction": m.direction.name.lower(),
            }
            for m in last.card.metrics
        ]
        accounts = [
            {
                "platform": row["platform"],
                "handle": row["handle"],
                "values": {m["name"]: row.get(m["name"]) for m in metrics},
            }
            for row in to_records(mine)
        ]
        # Best dialogue first; an account with no score (nothing to score yet) last.
        accounts.sort(key=lambda a: _rank(a["values"]["dialogue_score"]))
        return {
            **base,
            "problem": None,
            "window": last.card.window_text(),
            "metrics": metrics,
            "headline": [m for m in metrics if m["name"] in HEADLINE],
            "accounts": accounts,
        }


def _rank(score: float | None) -> tuple[bool, float]:
    return (score is None, -(score or 0.0))


def _own_accounts(conn: Connection, workspace_id: int) -> set[tuple[str, str]]:
    rows = conn.execute(
        select(tracked_accounts.c.platform, tracked_accounts.c.handle_lower)
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id)
    )
    return {(r.platform, r.handle_lower) for r in rows}
