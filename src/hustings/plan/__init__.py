"""Plan: outbound posts through one cadence guard on every path, and nudges toward answering.

The guard (:func:`judge`) is pure: the rules in one registry (:func:`all_rules`) judge a
draft against the account's own rhythm, bursts (the audit's Kleinberg automaton), asks after
silence (the audit's definition), the campaign as a whole and the platforms' documented
caps, and say ``ok``, ``warn`` or ``hold`` with a reason in plain words.
"""

from __future__ import annotations

from hustings.plan._besttime import DEFINITION as BEST_TIME_DEFINITION
from hustings.plan._besttime import BestTimeParams, best_time, score_slots, suggest
from hustings.plan._caps import CAPS, PlatformCap, caps_for
from hustings.plan._guard import Draft, GuardParams, Judgement, Timeline, judge
from hustings.plan._nudges import OUTCOMES, decide, get_nudge, nudge, reply_share
from hustings.plan._posts import (
    account_ids,
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
from hustings.plan._response import DEFINITION as RESPONSE_DEFINITION
from hustings.plan._response import ResponseParams, daily_response, response
from hustings.plan._rules import Finding, Rule, Verdict, all_rules, get_rule, register_rule
from hustings.plan._user_rules import KINDS as RULE_KINDS
from hustings.plan._user_rules import UserRule, add_rule, list_rules, make_rule, remove_rule

__all__ = [
    "BEST_TIME_DEFINITION",
    "CAPS",
    "OUTCOMES",
    "RESPONSE_DEFINITION",
    "RULE_KINDS",
    "BestTimeParams",
    "Draft",
    "Finding",
    "GuardParams",
    "Judgement",
    "PlatformCap",
    "ResponseParams",
    "Rule",
    "Timeline",
    "UserRule",
    "Verdict",
    "account_ids",
    "add_rule",
    "all_rules",
    "best_time",
    "cancel",
    "caps_for",
    "daily_response",
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
    "list_rules",
    "make_rule",
    "nudge",
    "override",
    "post_now",
    "queue",
    "register_rule",
    "remove_rule",
    "reply_share",
    "response",
    "score_slots",
    "send_due",
    "suggest",
]
