"""The built-in metrics of the dialogic scorecard, each defined once, here.

Expressions reduce one base table (see :mod:`hustings.metrics._tables`). Two columns are
added by the scorecard just before reducing, because they depend on the grouping and not on
the data: ``period_days`` (calendar days in the group's period: the audit period, or for a
week grouping the week's days inside the audit period) and ``weeks`` (``period_days`` / 7).
A week grouping also cuts ``gap`` and ``tail`` at the week's edges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir

from hustings.metrics._params import Denominator
from hustings.metrics._registry import Direction, Metric, register_metric
from hustings.metrics._tables import DAY, RESPONSE_WINDOWS

__all__ = ["INBOUND_KINDS"]

INBOUND_KINDS = {
    "mention": "mention",
    "reply": "reply",
    "dm": "DM",
    "comment": "comment",
    "email": "e-mail",
}
"""Each kind of inbound message (the inbound table's ``ikind``) as a reader says it."""

H, L, N = Direction.HIGHER, Direction.LOWER, Direction.NEUTRAL
PERIOD = "the audit period"


def _share(part: Any, where: Any = None) -> Any:
    """Mean of a boolean as a float: a share in [0, 1], missing when nothing is counted.

    Integer literals cast to float: Spark reads a literal ``1.0`` as a decimal, and averages
    decimals to five places.
    """
    return ibis.ifelse(part, 1, 0).cast("float64").mean(where=where)


def _bind(fn: Callable[[Any, Any], Any], value: Any) -> Callable[[ir.Table], ir.Value]:
    """``fn`` with its second argument fixed: one expression per loop value, no late binding."""

    def expr(t: ir.Table) -> ir.Value:
        result: ir.Value = fn(t, value)
        return result

    return expr


def _quantile(column: str, q: float) -> Callable[[ir.Table], ir.Value]:
    return _bind(lambda t, c: t[c].quantile(q), column)


def _rate_24h(t: Any, rule: str) -> Any:
    counted = {
        "all": ibis.literal(True),
        "needs_reply": t.needs_reply,
        "facebook": t.after_silence,
    }[rule]
    return _share(t.in_24h, t.seen_24h & counted)


def _per_account_week(t: ir.Table, flag: Any) -> Any:
    accounts = t.aid.nunique()
    return flag.cast("int64").sum().cast("float64") / (accounts * t.weeks.max())


# --- volume -------------------------------------------------------------------------------

register_metric(
    Metric(
        name="messages",
        title="Own public messages",
        unit="messages",
        window=PERIOD,
        definition="Public messages the account wrote in the period: posts, replies, quotes, "
        "comments and reposts (DMs and e-mails are not counted here).",
        expr=lambda t: t.count(),
        empty=0,
    )
)
for _kind, _label in (
    ("post", "posts"),
    ("reply", "replies"),
    ("quote", "quotes"),
    ("repost", "reposts"),
):
    register_metric(
        Metric(
            name=f"{_label}_per_week",
            title=f"{_label.capitalize()} per week",
            unit=f"{_label} per account per week",
            window=PERIOD,
            definition=f"Own public messages of kind '{_kind}' in the period, divided by the "
            "number of accounts in the group and by the weeks in the period (for one week, "
            "its days in the period / 7).",
            expr=_bind(lambda t, k: _per_account_week(t, t.kind == k), _kind),
            empty=0,
        )
    )

# --- broadcast and reply shares -------------------------------------------------------------

register_metric(
    Metric(
        name="broadcast_share",
        title="Broadcast share",
        unit="share",
        window=PERIOD,
        direction=L,
        family="dialogue",
        definition="Share of the account's own messages (posts, replies, quotes; reposts left "
        "out) that reply to nobody. 1 means pure megaphone.",
        expr=lambda t: _share(~t.is_reply, t.authored),
    )
)
register_metric(
    Metric(
        name="reply_share",
        title="Reply share",
        unit="share",
        window=PERIOD,
        direction=H,
        family="dialogue",
        definition="Share of the account's own messages (posts, replies, quotes; reposts left "
        "out) that reply to someone, including itself. Broadcast share + reply share = 1.",
        expr=lambda t: _share(t.is_reply, t.authored),
    )
)
_TARGETS = {
    "citizens": "accounts not in the tracked-account registry (or in it with no party and "
    "not media)",
    "own_party": "tracked accounts of the same party, and the account's own staff",
    "other_parties": "tracked accounts of another party",
    "media": "tracked media accounts",
    "self": "the account itself (self-threads)",
}
for _target, _who in _TARGETS.items():
    register_metric(
        Metric(
            name=f"reply_share_{_target}",
            title=f"Replies to {_target.replace('_', ' ')}",
            unit="share",
            window=PERIOD,
            family="dialogue",
            direction=H if _target == "citizens" else N,
            parameters={"target": _target},
            definition=f"Share of the account's own messages (reposts left out) that reply to "
            f"{_who}. The five reply targets, plus replies whose target is unknown, add up to "
            "the reply share.",
            expr=_bind(lambda t, g: _share(t.target == g, t.authored), _target),
        )
    )

# --- consistency ----------------------------------------------------------------------------

register_metric(
    Metric(
        name="longest_silence_days",
        title="Longest silence",
        unit="days",
        window=PERIOD,
        base="gaps",
        direction=L,
        family="consistency",
        definition="The longest stretch without a public message from the account, counting the "
        "start and the end of the period as edges; the longest of any account in a group. For "
        "one week, the edges are the week's start and end within the period; a week without a "
        "message has no row for the account.",
        expr=lambda t: ibis.greatest(t.gap.max(), t.tail.max()).cast("float64") / DAY,
    )
)
register_metric(
    Metric(
        name="asks_after_silence",
        title="Asks after silence",
        unit="messages",
        window=PERIOD,
        base="gaps",
        direction=L,
        family="consistency",
        parameters={"silence": "AuditParams.silence_days"},
        definition="Calls to action (donate, volunteer, sign up, vote for, share...) posted as "
        "the first message after a silence of at least the configured number of days.",
        expr=lambda t: t.ask_after_silence.cast("int64").sum(),
        empty=0,
    )
)
register_metric(
    Metric(
        name="active_day_share",
        title="Active days",
        unit="share",
        window=PERIOD,
        base="days",
        direction=H,
        family="consistency",
        definition="Share of calendar days in the period on which the account published at "
        "least one public message (averaged over the accounts of a group; for one week, over "
        "its days in the period).",
        expr=lambda t: t.count().cast("float64") / (t.aid.nunique() * t.period_days.max()),
        empty=0,
    )
)
register_metric(
    Metric(
        name="on_off_switches",
        title="On/off switches",
        unit="switches per account",
        window=PERIOD,
        base="days",
        direction=L,
        family="consistency",
        definition="How often the account's daily activity changes between publishing days and "
        "silent days within the period (a one-day pause counts two switches).",
        expr=lambda t: t.switches.sum().cast("float64") / t.aid.nunique(),
        empty=0,
    )
)

# --- inbound ------------------------------------------------------------------------------

register_metric(
    Metric(
        name="inbound",
        title="Inbound messages",
        unit="messages",
        window=PERIOD,
        base="inbound",
        family="inbound",
        definition="Messages addressed to the account in the period: replies to it, mentions of "
        "it, DMs, comments and e-mails, not counting its own or its staff's.",
        expr=lambda t: t.count(),
        empty=0,
    )
)
for _ikind, _what in (
    ("mention", "mentions of the account outside a reply to it"),
    ("reply", "public replies to the account's messages"),
    ("dm", "direct messages in a conversation with the account"),
    ("comment", "comments on the account's posts"),
    ("email", "e-mails to the account"),
):
    register_metric(
        Metric(
            name=f"inbound_{_ikind}",
            title=f"Inbound: {INBOUND_KINDS[_ikind]}",
            unit="messages",
            window=PERIOD,
            base="inbound",
            family="inbound",
            parameters={"kind": _ikind},
            definition=f"Inbound messages of kind '{_ikind}': {_what}.",
            expr=_bind(lambda t, k: (t.ikind == k).cast("int64").sum(), _ikind),
            empty=0,
        )
    )

# --- response -------------------------------------------------------------------------------

_DENOMINATOR = (
    "over the inbound messages the configured denominator rule counts (all; only those "
    "needing a reply, by the needs-reply classifier's score when present, else a question "
    "mark or request word; or Facebook's rule, the first message from a person after 24 h "
    "without one)"
)
for _label, _seconds in RESPONSE_WINDOWS.items():
    register_metric(
        Metric(
            name=f"response_rate_{_label}",
            title=f"Response rate within {_label}",
            unit="share",
            window=_label,
            base="inbound",
            direction=H,
            family="response",
            parameters={"window_seconds": _seconds},
            definition=f"Share of inbound messages answered within {_label} by the account or "
            f"its staff, {_DENOMINATOR}. Automated replies do not count. Messages younger than "
            f"{_label} at the end of the data are left out, since their answer cannot be known.",
            expr=_bind(lambda t, w: _share(t[f"in_{w}"], t.counted & t[f"seen_{w}"]), _label),
        )
    )
for _rule, _rule_text in (
    ("all", "every inbound message"),
    ("needs_reply", "inbound messages that need a reply"),
    ("facebook", "the first message from a person after 24 h of silence (Facebook's rule)"),
):
    register_metric(
        Metric(
            name=f"response_rate_24h_{_rule}",
            title=f"Response rate within 24h ({Denominator(_rule).phrase})",
            unit="share",
            window="24h",
            base="inbound",
            direction=H,
            family="response",
            parameters={"denominator": _rule},
            definition=f"Share of {_rule_text} answered within 24 h by the account or its staff, "
            "whatever the configured denominator rule; automated replies do not count.",
            expr=_bind(_rate_24h, _rule),
        )
    )
for _stat, _q in (("median", 0.5), ("p90", 0.9)):
    for _clock, _col, _how, _minutes in (
        ("", "response_min", "wall-clock", "wall-clock minutes"),
        (
            "_business",
            "response_business_min",
            "business hours",
            "business minutes (Mon-Fri working hours)",
        ),
    ):
        register_metric(
            Metric(
                name=f"{_stat}_first_response{_clock}_min",
                title=f"{_stat.capitalize()} time to first response ({_how})",
                unit="minutes",
                window="any time in the data",
                base="answers",
                direction=L,
                family="response",
                parameters={"quantile": _q},
                definition=f"{'Median' if _q == 0.5 else '90th percentile of the'} {_minutes} "
                f"from an inbound message to the first human response, {_DENOMINATOR}, "
                "among those answered at all.",
                expr=_quantile(_col, _q),
            )
        )
register_metric(
    Metric(
        name="waiting",
        title="People waiting",
        unit="messages",
        window="up to the end of the data",
        base="inbound",
        direction=L,
        family="response",
        definition="Inbound messages that need a reply (classifier or heuristic) and received "
        "no human response from the account or its staff at all.",
        expr=lambda t: t.waiting.cast("int64").sum(),
        empty=0,
    )
)

# --- dialogue -------------------------------------------------------------------------------

register_metric(
    Metric(
        name="conversation_depth",
        title="Conversation depth",
        unit="turns",
        window=PERIOD,
        base="dialogues",
        direction=H,
        family="dialogue",
        definition="Turns per conversation with a person (Sprout's thread size): messages the "
        "person sent the account plus the account's replies to that person, per conversation in "
        "which the person wrote to the account. 1 means nobody answered.",
        expr=lambda t: (t.n_in + t.n_out).cast("float64").mean(where=t.n_in > 0),
    )
)
register_metric(
    Metric(
        name="people_who_wrote",
        title="People who wrote",
        unit="people",
        window=PERIOD,
        base="people",
        family="dialogue",
        definition="Distinct accounts (or e-mail addresses) that sent the account at least one "
        "inbound message in the period.",
        expr=lambda t: t.wrote.cast("int64").sum(),
        empty=0,
    )
)
register_metric(
    Metric(
        name="reciprocity",
        title="Reciprocity",
        unit="share",
        window=PERIOD,
        base="people",
        direction=H,
        family="dialogue",
        definition="People the account (or its staff) replied to, divided by the people who "
        "wrote to it.",
        expr=lambda t: _share(t.replied, t.wrote),
    )
)
register_metric(
    Metric(
        name="repeat_dialogue",
        title="Repeat dialogue",
        unit="share",
        window=PERIOD,
        base="people",
        direction=H,
        family="dialogue",
        definition="Share of the people who wrote to the account with whom it had two or more "
        "exchanges (conversations in which both sides took a turn).",
        expr=lambda t: _share(t.exchanges >= 2, t.wrote),
    )
)

# --- bursts -------------------------------------------------------------------------------

register_metric(
    Metric(
        name="bursts",
        title="Bursts",
        unit="bursts",
        window=PERIOD,
        base="bursts",
        family="bursts",
        parameters={"model": "Kleinberg two-state, hourly counts"},
        definition="Bursts found by Kleinberg's two-state automaton on the account's hourly "
        "posting counts: stretches where a rate several times the account's mean rate explains "
        "the posting better than the mean, after paying the cost of switching state.",
        expr=lambda t: t.bursts.sum(),
        empty=0,
    )
)
register_metric(
    Metric(
        name="peak_posts_per_hour",
        title="Peak posts per hour",
        unit="messages per hour",
        window="1 hour",
        base="bursts",
        family="bursts",
        definition="The most public messages the account published in one clock hour.",
        expr=lambda t: t.peak_posts_per_hour.max(),
    )
)
register_metric(
    Metric(
        name="peak_to_baseline",
        title="Peak against baseline",
        unit="ratio",
        window="1 hour",
        base="bursts",
        direction=L,
        family="bursts",
        definition="The peak hour's messages divided by the account's mean messages per hour "
        "over the period.",
        expr=lambda t: t.peak_to_baseline.max(),
    )
)
register_metric(
    Metric(
        name="flood",
        title="Flood flag",
        unit="accounts",
        window="6 hours",
        base="bursts",
        direction=L,
        family="bursts",
        definition="1 when the account published 100 or more messages within 6 hours, or five "
        "times its 6-hour baseline (with at least 10 messages); for a group, the accounts "
        "flagged.",
        expr=lambda t: t.flood.cast("int64").sum(),
        empty=0,
    )
)
register_metric(
    Metric(
        name="follower_change_in_bursts",
        title="Follower change around bursts",
        unit="followers",
        window="burst start to end",
        base="bursts",
        family="bursts",
        definition="Followers at the first snapshot after each burst minus followers at the "
        "last snapshot before it, summed over the account's bursts with a snapshot on both "
        "sides; missing when no burst has.",
        expr=lambda t: t.follower_change.sum(),
    )
)
