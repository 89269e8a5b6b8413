"""Plan: outbound posts through one cadence guard on every path, and nudges toward answering.

The guard (:func:`judge`) is pure: the rules in one registry (:func:`all_rules`) judge a
draft against the account's own rhythm, bursts (the audit's Kleinberg automaton), asks after
silence (the audit's definition), the campaign as a whole and the platforms' documented
caps, and say ``ok``, ``warn`` or ``hold`` with a reason in plain words.
"""

from __future__ import annotations

from hustings.plan._caps import CAPS, PlatformCap, caps_for
from hustings.plan._guard import Draft, GuardParams, Judgement, Timeline, judge
from hustings.plan._nudges import OUTCOMES, decide, get_nudge, nudge, reply_share
from hustings.plan._posts import (
    cancel,
    draft,
    edit,
    get_post,
    list_posts,
    override,
    post_now,
    queue,
    send_due,
)
from hustings.plan._record import judge_and_record, judge_synced
from hustings.plan._rules import Finding, Rule, Verdict, all_rules, get_rule, register_rule

__all__ = [
    "CAPS",
    "OUTCOMES",
    "Draft",
    "Finding",
    "GuardParams",
    "Judgement",
    "PlatformCap",
    "Rule",
    "Timeline",
    "Verdict",
    "all_rules",
    "cancel",
    "caps_for",
    "decide",
    "draft",
    "edit",
    "get_nudge",
    "get_post",
    "get_rule",
    "judge",
    "judge_and_record",
    "judge_synced",
    "list_posts",
    "nudge",
    "override",
    "post_now",
    "queue",
    "register_rule",
    "reply_share",
    "send_due",
]
