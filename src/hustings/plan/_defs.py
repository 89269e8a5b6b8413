"""The guard's built-in rules, each defined once, here.

Every rule returns a finding with its reason even when the verdict is ``ok`` where it has
something to report (the composer shows the pace beside the draft); ``None`` means the rule
does not apply (no campaign, no ask, no documented cap).
"""

from __future__ import annotations

import numpy as np

from hustings.metrics._kleinberg import flooded, kleinberg_two_state
from hustings.plan._caps import caps_for
from hustings.plan._guard import DAY, HOUR, Context, Rhythm, densest
from hustings.plan._rules import Finding, Rule, Verdict, register_rule

__all__: list[str] = []

_DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def _level(n: int, ceiling: float, hold_factor: float) -> Verdict:
    if n > hold_factor * ceiling:
        return Verdict.HOLD
    return Verdict.WARN if n > ceiling else Verdict.OK


def _fallback(r: Rhythm) -> str:
    if not r.thin:
        return ""
    return (f" (history too thin: {r.posts} posts in {r.weeks:.1f} weeks, so an ordinary "
            "account's pace is assumed)")


def _pace(ctx: Context, times: np.ndarray, r: Rhythm, whose: str) -> Finding:
    """Posts in the densest hour and day around the draft against the usual busiest ones."""
    p, at = ctx.params, ctx.draft.at
    n_h, span_h = densest(times, at, HOUR)
    n_d, span_d = densest(times, at, DAY)
    hour = max(r.busiest_hour, p.min_busiest_hour)
    day = max(r.busiest_day, p.min_busiest_day)
    by_hour = _level(n_h, hour, p.hold_factor)
    by_day = _level(n_d, day, p.hold_factor)
    slot = (at // HOUR + 72) % 168
    usual = (f"; {whose} usually posts {r.usual_at(at):.1f} times a week in this hour on "
             f"{_DAYS[slot // 24]}")
    if by_day.rank > by_hour.rank:
        reason = (f"{ctx.ordinal(n_d)} post in {ctx.span(span_d)}; {whose}'s usual busiest "
                  f"day is {r.busiest_day:g}")
        return Finding("", by_day, reason + usual + _fallback(r))
    reason = (f"{ctx.ordinal(n_h)} post in {ctx.span(span_h)}; {whose}'s usual busiest hour "
              f"is {r.busiest_hour:g}")
    return Finding("", by_hour, reason + usual + _fallback(r))


def _rhythm(ctx: Context) -> Finding:
    f = _pace(ctx, ctx.times, ctx.rhythm, "this account")
    return Finding("rhythm", f.verdict, f.reason)


def _campaign(ctx: Context) -> Finding | None:
    if not ctx.campaign:
        return None
    n = len(ctx.campaign) + 1
    f = _pace(ctx, ctx.campaign_times, ctx.campaign_rhythm, "the campaign")
    where = f"across the campaign's {n} accounts on {ctx.own.platform}: "
    return Finding("campaign", f.verdict, where + f.reason)


def _burst(ctx: Context) -> Finding:
    p, at, times = ctx.params, ctx.draft.at, ctx.times
    first = at // HOUR - p.burst_days * 24
    hours = times[times >= first * HOUR] // HOUR - first
    counts = np.bincount(hours, minlength=int(hours.max()) + 1).astype(np.float64)
    base = ctx.rhythm.rate
    states = kleinberg_two_state(
        counts[None, :], p.audit.burst_scale, p.audit.burst_gamma, np.asarray([base])
    )[0]
    h = at // HOUR - first
    if not states[h]:
        return Finding("burst", Verdict.OK, f"not in a burst (usual pace {base * 24:.1f} posts "
                       f"a day){_fallback(ctx.rhythm)}")
    lo, hi = h, h
    while lo > 0 and states[lo - 1]:
        lo -= 1
    while hi + 1 < len(states) and states[hi + 1]:
        hi += 1
    posts = int(counts[lo:hi + 1].sum())
    six, _ = densest(times, at, 6 * HOUR)
    flood = bool(flooded(np.asarray([float(six)]), np.asarray([base]), p.audit)[0])
    reason = (f"part of a burst of {posts} posts in {hi - lo + 1} hours against this account's "
              f"usual {base * 24:.1f} a day")
    if flood:
        reason += f"; {six} posts in 6 hours is a flood by the audit's definition"
    return Finding("burst", Verdict.HOLD if flood else Verdict.WARN,
                   reason + _fallback(ctx.rhythm))


def _silence_asks(ctx: Context) -> Finding | None:
    ask = ctx.asks()
    prev = ctx.previous
    if ask is None or prev is None:
        return None
    gap = ctx.draft.at - prev
    days = ctx.params.audit.silence_days
    if gap < days * DAY:
        return Finding("silence_asks", Verdict.OK, f"asks ({ask!r}) with the last post "
                       f"{gap / DAY:.1f} days before, under the {days}-day silence")
    return Finding("silence_asks", Verdict.WARN, f"asks people to {ask.lower()} in the first "
                   f"post after {gap / DAY:.0f} days of silence; say why you are back first")


def _caps(ctx: Context) -> Finding | None:
    caps = caps_for(ctx.own.platform)
    if not caps:
        return None
    worst: Finding | None = None
    for cap in caps:
        n, _ = densest(ctx.times, ctx.draft.at, cap.window)
        verdict = (Verdict.HOLD if n > cap.posts
                   else Verdict.WARN if n >= ctx.params.cap_warn_share * cap.posts
                   else Verdict.OK)
        reason = (f"{ctx.ordinal(n)} post in {cap.window_words}; {ctx.own.platform} allows "
                  f"{cap.posts:,} ({cap.what}; {cap.source})")
        if worst is None or verdict.rank > worst.verdict.rank:
            worst = Finding("platform_cap", verdict, reason)
    return worst


register_rule(Rule(
    name="rhythm",
    title="The account's own rhythm",
    definition="Posts in the densest hour and the densest day around the draft (published, "
    "queued and the draft itself) against the account's usual busiest hour and day: the "
    "busiest_quantile of its posts per active clock hour and per active day over the "
    "lookback_weeks before the draft, with its hour-of-week baseline (posts a week in each "
    "hour of the week) shown beside. Above the usual busiest (at least min_busiest_hour / "
    "min_busiest_day) warns; above hold_factor times it holds. With under min_history_weeks "
    "or min_history_posts of history, the fallback_* pace is the floor.",
    check=_rhythm,
    parameters={"GuardParams": "lookback_weeks, busiest_quantile, min_busiest_hour, "
                "min_busiest_day, hold_factor, min_history_weeks, min_history_posts, "
                "fallback_busiest_hour, fallback_busiest_day"},
))
register_rule(Rule(
    name="burst",
    title="Bursts",
    definition="Kleinberg's two-state automaton, the audit's burst definition (burst_scale, "
    "burst_gamma), over hourly counts of the account's published and queued posts and the "
    "draft for the last burst_days, with the account's mean hourly rate over its baseline "
    "weeks (or the fallback rate) as the base state. A draft in a burst hour warns; one "
    "whose six hours also meet the audit's flood definition holds.",
    check=_burst,
    parameters={"AuditParams": "burst_scale, burst_gamma, flood_posts_6h, "
                "flood_baseline_factor, flood_min_posts_6h", "GuardParams": "burst_days"},
))
register_rule(Rule(
    name="silence_asks",
    title="Asks after silence",
    definition="The audit's \"asks after silence\": a draft that asks for something (the "
    "audit's ask pattern: donate, volunteer, sign up, retweet...) as the first post after at "
    "least silence_days without one (published or queued) warns.",
    check=_silence_asks,
    parameters={"AuditParams": "silence_days, ask_pattern"},
))
register_rule(Rule(
    name="campaign",
    title="The campaign as a whole",
    definition="The rhythm rule applied to the campaign's accounts on the same platform "
    "together (they post to the same followers): their merged posts in the densest hour and "
    "day around the draft against their merged usual busiest hour and day.",
    check=_campaign,
    parameters={"GuardParams": "as the rhythm rule"},
))
register_rule(Rule(
    name="platform_cap",
    title="Platform posting caps",
    definition="Each documented posting cap of the draft's platform (stored with its source "
    "in hustings.plan._caps): the draft that would go over a cap in its sliding window holds; "
    "one at cap_warn_share of a cap or more warns.",
    check=_caps,
    parameters={"GuardParams": "cap_warn_share"},
))
