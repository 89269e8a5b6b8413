"""The workspace's own posting rules, judged by the guard beside its built-in ones.

A campaign knows things no history shows: "never on Sunday mornings", "nothing on the day of
the memorial", "at most three posts a day from the candidate". Each is a :class:`UserRule`
of one of three kinds (:data:`KINDS`), for one account of the workspace or all of them,
stored in ``plan_rules`` and handed to the guard with the draft. The three checks are rules
in the one registry (:mod:`hustings.plan._rules`), with their definitions, so the composer,
the CLI and ``docs/plan.md`` print them like any other; a rule the user set that the draft
breaks holds it (the user said "never"), and the breaking-news override
(:func:`hustings.plan.post_now` with ``breaking``) is the way through.

Times are read in the rule's own time zone (``tz``, an IANA name; UTC when not given), as
the people who set "Sunday mornings" mean their Sunday.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, delete, or_, select

from hustings.errors import InvalidInputError, NotFoundError
from hustings.plan._rules import Finding, Rule, Verdict, register_rule
from hustings.store.schema import plan_rules
from hustings.workspace import Actor, Role, audit

if TYPE_CHECKING:
    from hustings.plan._guard import Context

__all__ = [
    "DAY_NAMES",
    "KINDS",
    "UserRule",
    "add_rule",
    "blocked",
    "list_rules",
    "make_rule",
    "remove_rule",
    "rules_for",
    "zone",
]

KINDS = ("quiet_hours", "blackout", "max_per_day")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG_DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
              "Sundays")


def zone(name: str) -> tzinfo:
    """The time zone named (an IANA name, or UTC); a bad name is the user's error."""
    if name in ("", "UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder, a name too long
        raise InvalidInputError(f"not a time zone: {name!r} (an IANA name such as "
                                "Europe/London)") from None


@dataclass(frozen=True, slots=True)
class UserRule:
    """One rule a user set: its kind, its fields (checked by :func:`make_rule`), for which
    account (None: every account of the workspace), and the note they left with it."""

    kind: str
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    id: int | None = None
    account_id: int | None = None
    note: str | None = None

    @property
    def tz(self) -> tzinfo:
        return zone(str(self.settings.get("tz") or "UTC"))

    def local(self, at: int) -> datetime:
        return datetime.fromtimestamp(at, self.tz)

    @property
    def words(self) -> str:
        """The rule as the user would say it."""
        s, zone = self.settings, str(self.settings.get("tz") or "UTC")
        if self.kind == "quiet_hours":
            days = [_LONG_DAYS[d] for d in s["days"]] or ["every day"]
            return (f"no posts {', '.join(days)} {s['start']:02d}:00-{s['end']:02d}:00 "
                    f"({zone})")
        if self.kind == "blackout":
            span = s["from"] if s["from"] == s["to"] else f"{s['from']} to {s['to']}"
            return f"no posts on {span} ({zone})"
        return f"at most {s['posts']} posts a day ({zone})"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "account_id": self.account_id, "kind": self.kind,
                "settings": dict(self.settings), "note": self.note, "words": self.words}


def _hour(value: Any, name: str, top: int) -> int:
    try:
        hour = int(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be an hour, 0 to {top}") from None
    if not 0 <= hour <= top:
        raise InvalidInputError(f"{name} must be an hour, 0 to {top}")
    return hour


def _day(value: Any, name: str) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidInputError(f"{name} must be a date (YYYY-MM-DD): {value!r}") from None


def _days(value: Any) -> list[int]:
    names = value.split(",") if isinstance(value, str) else list(value or ())
    found = []
    for name in names:
        if isinstance(name, int) and 0 <= name < 7:  # as stored: 0 is Monday
            found.append(name)
            continue
        key = str(name).strip().lower()[:3]
        if key not in DAY_NAMES:
            raise InvalidInputError(f"not a day of the week: {name!r} (mon, tue, ... sun)")
        found.append(DAY_NAMES.index(key))
    return sorted(set(found))


def make_rule(kind: str, settings: Mapping[str, Any], *, account_id: int | None = None,
              note: str | None = None, rule_id: int | None = None) -> UserRule:
    """A checked rule of ``kind`` from the fields a user gave (CLI, form, API)."""
    kind = kind.replace("-", "_")
    if kind not in KINDS:
        raise InvalidInputError(f"a rule is one of {', '.join(KINDS)}, not {kind!r}")
    tz = str(settings.get("tz") or "UTC")
    zone(tz)
    clean: dict[str, Any] = {"tz": tz}
    if kind == "quiet_hours":
        clean["start"] = _hour(settings.get("start"), "start", 23)
        clean["end"] = _hour(settings.get("end"), "end", 24)
        if clean["start"] == clean["end"]:
            raise InvalidInputError("quiet hours need a start and an end that differ")
        clean["days"] = _days(settings.get("days"))
    elif kind == "blackout":
        clean["from"] = _day(settings.get("from"), "from")
        clean["to"] = _day(settings.get("to") or settings.get("from"), "to")
        if clean["to"] < clean["from"]:
            raise InvalidInputError("a blackout ends on or after the day it starts")
    else:
        try:
            posts = int(settings.get("posts"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidInputError("a daily maximum needs a number of posts") from None
        if posts < 1:
            raise InvalidInputError("a daily maximum is at least 1 post")
        clean["posts"] = posts
    return UserRule(kind, MappingProxyType(clean), rule_id, account_id, note or None)


def _quiet(rule: UserRule, at: int) -> bool:
    s, local = rule.settings, rule.local(at)
    if s["days"] and local.weekday() not in s["days"]:
        return False
    start, end, hour = s["start"], s["end"], local.hour
    return bool(start <= hour < end if start < end else (hour >= start or hour < end))


def _dark(rule: UserRule, at: int) -> bool:
    day = rule.local(at).date().isoformat()
    return bool(rule.settings["from"] <= day <= rule.settings["to"])


def blocked(rules: Sequence[UserRule], at: int) -> UserRule | None:
    """The quiet-hours or blackout rule ``at`` falls in (best-time suggestions skip it)."""
    for rule in rules:
        if (rule.kind == "quiet_hours" and _quiet(rule, at)) or (
                rule.kind == "blackout" and _dark(rule, at)):
            return rule
    return None


def _said(rule: UserRule) -> str:
    return rule.words + (f" ({rule.note})" if rule.note else "")


def _check(ctx: Context, kind: str, name: str) -> Finding | None:
    mine = [r for r in ctx.user_rules if r.kind == kind]
    if not mine:
        return None
    test = _quiet if kind == "quiet_hours" else _dark
    broken = next((r for r in mine if test(r, ctx.draft.at)), None)
    if broken is None:
        return Finding(name, Verdict.OK, "outside " + "; ".join(r.words for r in mine))
    return Finding(name, Verdict.HOLD, f"the rule you set: {_said(broken)}")


def _max_per_day(ctx: Context) -> Finding | None:
    mine = [r for r in ctx.user_rules if r.kind == "max_per_day"]
    if not mine:
        return None
    worst: Finding | None = None
    for rule in mine:
        day = rule.local(ctx.draft.at).date()
        n = sum(1 for t in ctx.times.tolist() if rule.local(int(t)).date() == day)
        cap = int(rule.settings["posts"])
        verdict = Verdict.HOLD if n > cap else Verdict.OK
        reason = (f"{ctx.ordinal(n)} post on {day:%A %d %B}; the rule you set: {_said(rule)}")
        if worst is None or verdict.rank > worst.verdict.rank:
            worst = Finding("max_per_day", verdict, reason)
    return worst


register_rule(Rule(
    name="quiet_hours",
    title="Quiet hours you set",
    definition="A rule the workspace set for the account (or all its accounts): no posts in "
    "these hours of these days of the week (every day when none are named), in the rule's "
    "time zone. A draft timed inside them holds; only the breaking-news override lets it go.",
    check=lambda ctx: _check(ctx, "quiet_hours", "quiet_hours"),
    parameters={"plan_rules": "start, end (hours, end exclusive; may wrap past midnight), "
                "days, tz"},
))
register_rule(Rule(
    name="blackout",
    title="Blackout dates you set",
    definition="A rule the workspace set: no posts from one date to another, inclusive, in "
    "the rule's time zone (a day of mourning, a purdah period). A draft timed on one holds; "
    "only the breaking-news override lets it go.",
    check=lambda ctx: _check(ctx, "blackout", "blackout"),
    parameters={"plan_rules": "from, to (dates), tz"},
))
register_rule(Rule(
    name="max_per_day",
    title="Daily maximum you set",
    definition="A rule the workspace set: at most this many posts by the account on one "
    "calendar day in the rule's time zone, counting its published and queued posts and the "
    "draft. The draft that would go over holds; only the breaking-news override lets it go.",
    check=_max_per_day,
    parameters={"plan_rules": "posts, tz"},
))


# --- The store: a workspace's rules -------------------------------------------------------

def _row(row: Any) -> UserRule:
    return make_rule(row.kind, row.settings, account_id=row.tracked_account_id,
                     note=row.note, rule_id=row.id)


def rules_for(conn: Connection, workspace_id: int, tracked_id: int | None) -> list[UserRule]:
    """The rules of the workspace that apply to this account (its own and the all-account
    ones)."""
    query = select(plan_rules).where(plan_rules.c.workspace_id == workspace_id)
    query = query.where(or_(plan_rules.c.tracked_account_id.is_(None),
                            plan_rules.c.tracked_account_id == tracked_id))
    return [_row(r) for r in conn.execute(query.order_by(plan_rules.c.id))]


def list_rules(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """Every rule the workspace set, with the words the guard quotes."""
    rows = conn.execute(select(plan_rules).where(plan_rules.c.workspace_id == actor.workspace_id)
                        .order_by(plan_rules.c.id))
    return [_row(r).as_dict() for r in rows]


def add_rule(conn: Connection, actor: Actor, kind: str, settings: Mapping[str, Any],
             account: str | int | None = None, note: str | None = None) -> dict[str, Any]:
    """A manager sets a rule for one account of the workspace (or, without ``account``,
    for all of them); logged."""
    from hustings.plan._posts import account_id

    actor.require(Role.MANAGER)
    tracked = account_id(conn, actor, account) if account not in (None, "") else None
    rule = make_rule(kind, settings, account_id=tracked, note=(note or "").strip() or None)
    rule_id = int(conn.execute(plan_rules.insert().returning(plan_rules.c.id), {
        "workspace_id": actor.workspace_id, "tracked_account_id": tracked, "kind": rule.kind,
        "settings": dict(rule.settings), "note": rule.note, "created_by": actor.user_id,
        "created_at": datetime.now(UTC),
    }).scalar_one())
    audit(conn, actor, "plan.rule.add", "plan_rule", rule_id,
          {"kind": rule.kind, "account_id": tracked, "settings": dict(rule.settings)})
    return make_rule(rule.kind, rule.settings, account_id=tracked, note=rule.note,
                     rule_id=rule_id).as_dict()


def remove_rule(conn: Connection, actor: Actor, rule_id: int) -> None:
    actor.require(Role.MANAGER)
    done = conn.execute(delete(plan_rules).where(plan_rules.c.id == rule_id,
                                                 plan_rules.c.workspace_id == actor.workspace_id))
    if done.rowcount == 0:
        raise NotFoundError(f"no plan rule {rule_id} in this workspace")
    audit(conn, actor, "plan.rule.remove", "plan_rule", rule_id, {})
