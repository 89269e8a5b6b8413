"""Plan: outbound posts through one cadence guard on every path, and nudges toward answering.

The guard (:func:`judge`) is pure: the rules in one registry (:func:`all_rules`) judge a
draft against the account's own rhythm, bursts (the audit's Kleinberg automaton), asks after
silence (the audit's definition), the campaign as a whole and the platforms' documented
caps, and say ``ok``, ``warn`` or ``hold`` with a reason in plain words.
"""

from __future__ import annotations

from hustings.plan._caps import CAPS, PlatformCap, caps_for
from hustings.plan._guard import Draft, GuardParams, Judgement, Timeline, judge
from hustings.plan._rules import Finding, Rule, Verdict, all_rules, get_rule, register_rule

__all__ = [
    "CAPS",
    "Draft",
    "Finding",
    "GuardParams",
    "Judgement",
    "PlatformCap",
    "Rule",
    "Timeline",
    "Verdict",
    "all_rules",
    "caps_for",
    "get_rule",
    "judge",
    "register_rule",
]
