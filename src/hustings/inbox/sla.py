"""Service levels: how soon a message must be answered, counted in business hours if set.

A policy has a first-response target (the first message of a person's conversation), a
next-response target (they wrote again after we answered), a warning margin, and optional
business hours (``{"tz": "Europe/London", "days": [0, 1, 2, 3, 4], "start": "09:00",
"end": "17:00"}``, days Monday = 0). A workspace without a policy gets the default below:
an unanswered citizen is the failure this product exists to prevent, so there is always one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Select, and_, bindparam, select

from hustings.errors import InvalidInputError
from hustings.store.schema import sla_policies
from hustings.workspace import Actor, Role, audit

__all__ = [
    "BusinessHours",
    "Policy",
    "SlaState",
    "add_business_minutes",
    "default_policy",
    "joined_policy",
    "list_policies",
    "save_policy",
    "sla_state",
    "with_active_policy",
]

_MAX_DAYS = 400  # bounds the business-hours walk even for a target of months


@dataclass(frozen=True, slots=True)
class BusinessHours:
    tz: ZoneInfo
    days: frozenset[int]
    start: time
    end: time

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> BusinessHours:
        try:
            tz = ZoneInfo(str(spec.get("tz", "UTC")))
            days = frozenset(int(d) for d in spec.get("days", [0, 1, 2, 3, 4]))
            start = time.fromisoformat(str(spec.get("start", "09:00")))
            end = time.fromisoformat(str(spec.get("end", "17:00")))
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise InvalidInputError(f"bad business hours {spec!r}: {exc}") from exc
        if not days or not days <= set(range(7)) or start >= end:
            raise InvalidInputError("business hours need days 0-6 and start before end")
        return cls(tz=tz, days=days, start=start, end=end)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tz": str(self.tz),
            "days": sorted(self.days),
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
        }


@dataclass(frozen=True, slots=True)
class Policy:
    id: int | None
    name: str
    first_response_minutes: int
    next_response_minutes: int
    warn_minutes: int
    business_hours: BusinessHours | None = None

    def due(self, received: datetime, follow_up: bool) -> datetime:
        minutes = self.next_response_minutes if follow_up else self.first_response_minutes
        if self.business_hours is None:
            return received + timedelta(minutes=minutes)
        return add_business_minutes(received, minutes, self.business_hours)


def default_policy() -> Policy:
    return Policy(
        id=None,
        name="default",
        first_response_minutes=240,
        next_response_minutes=480,
        warn_minutes=60,
    )


def add_business_minutes(start: datetime, minutes: int, hours: BusinessHours) -> datetime:
    """``start`` plus ``minutes`` of open time, skipping nights, weekends and closed days."""
    local = start.astimezone(hours.tz)
    left = timedelta(minutes=minutes)
    for _ in range(_MAX_DAYS):
        day = local.date()
        opens = datetime.combine(day, hours.start, hours.tz)
        closes = datetime.combine(day, hours.end, hours.tz)
        if day.weekday() in hours.days and local < closes:
            begin = max(local, opens)
            if begin + left <= closes:
                return (begin + left).astimezone(start.tzinfo)
            left -= closes - begin
        local = datetime.combine(day + timedelta(days=1), time(0), hours.tz)
    raise InvalidInputError(f"no business hours within {_MAX_DAYS} days")


class SlaState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    LATE = "late"
    NONE = "none"


_OPEN = ("new", "assigned")


def sla_state(
    status: str,
    due_at: datetime | None,
    responded_at: datetime | None,
    now: datetime,
    warn_minutes: int,
) -> SlaState:
    """Where an item stands against its due time: open ones warn then breach; answered ones
    were met or late."""
    if due_at is None or status == "spam":
        return SlaState.NONE
    if status in _OPEN:
        if now > due_at:
            return SlaState.BREACHED
        if now > due_at - timedelta(minutes=warn_minutes):
            return SlaState.WARNING
        return SlaState.OK
    if responded_at is None:
        return SlaState.NONE
    return SlaState.MET if responded_at <= due_at else SlaState.LATE


def _policy(row: Any, prefix: str = "") -> Policy:
    values = row._mapping
    hours = values[prefix + "business_hours"]
    return Policy(
        id=values[prefix + "id"],
        name=values[prefix + "name"],
        first_response_minutes=values[prefix + "first_response_minutes"],
        next_response_minutes=values[prefix + "next_response_minutes"],
        warn_minutes=values[prefix + "warn_minutes"],
        business_hours=BusinessHours.parse(hours) if hours else None,
    )


_PREFIX = "policy_"


def with_active_policy(query: Select[Any], workspace_id: Any) -> Select[Any]:
    """``query`` plus the columns of the active policy of ``workspace_id`` (``NULL`` when it
    has none), for ``joined_policy``: one statement instead of a round trip of its own."""
    return query.add_columns(
        *(c.label(_PREFIX + c.name) for c in sla_policies.c if c.name != "workspace_id")
    ).outerjoin(
        sla_policies,
        and_(sla_policies.c.workspace_id == workspace_id, sla_policies.c.is_default.is_(True)),
    )


def joined_policy(row: Any) -> Policy:
    """The active policy in a row of a ``with_active_policy`` query."""
    return default_policy() if row._mapping[_PREFIX + "id"] is None else _policy(row, _PREFIX)


def list_policies(conn: Connection, actor: Actor) -> list[tuple[Policy, bool]]:
    rows = conn.execute(
        select(sla_policies)
        .where(sla_policies.c.workspace_id == actor.workspace_id)
        .order_by(sla_policies.c.id)
    )
    return [(_policy(r), bool(r.is_default)) for r in rows]


# Built once: every inbox listing and thread view asks for the workspace's policy.
_ACTIVE = select(sla_policies).where(
    sla_policies.c.workspace_id == bindparam("workspace_id"), sla_policies.c.is_default.is_(True)
)


def active_policy(conn: Connection, workspace_id: int) -> Policy:
    row = conn.execute(_ACTIVE, {"workspace_id": workspace_id}).first()
    return _policy(row) if row is not None else default_policy()


def save_policy(conn: Connection, actor: Actor, policy: Policy, make_default: bool = True) -> int:
    """Create or replace the named policy; the default one applies to new items."""
    actor.require(Role.MANAGER)
    if min(policy.first_response_minutes, policy.next_response_minutes) <= 0:
        raise InvalidInputError("response targets must be positive minutes")
    if policy.warn_minutes < 0:
        raise InvalidInputError("the warning margin cannot be negative")
    values = {
        "first_response_minutes": policy.first_response_minutes,
        "next_response_minutes": policy.next_response_minutes,
        "warn_minutes": policy.warn_minutes,
        "business_hours": policy.business_hours.as_dict() if policy.business_hours else None,
        "is_default": make_default,
    }
    if make_default:
        conn.execute(
            sla_policies.update()
            .where(sla_policies.c.workspace_id == actor.workspace_id)
            .values(is_default=False)
        )
    found = conn.execute(
        select(sla_policies.c.id).where(
            sla_policies.c.workspace_id == actor.workspace_id, sla_policies.c.name == policy.name
        )
    ).first()
    if found is None:
        result = conn.execute(
            sla_policies.insert().values(
                workspace_id=actor.workspace_id, name=policy.name, **values
            )
        )
        (policy_id,) = result.inserted_primary_key or (0,)
    else:
        policy_id = found.id
        conn.execute(sla_policies.update().where(sla_policies.c.id == policy_id).values(**values))
    audit(conn, actor, "sla.save", "sla_policy", int(policy_id), {"name": policy.name})
    return int(policy_id)
