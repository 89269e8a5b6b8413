"""The cadence guard on timelines built to show one behaviour each (no store)."""

from __future__ import annotations

import pytest

from hustings.errors import PluginError
from hustings.plan import (
    CAPS,
    Draft,
    Rule,
    Timeline,
    Verdict,
    all_rules,
    get_rule,
    judge,
    register_rule,
)
from hustings.plan._replay import STORM_START, first_hold, quiet_baseline, tweetstorm

HOUR, DAY = 3600, 86400


def test_tweetstorm_after_a_quiet_baseline_is_held_within_its_first_ten_posts() -> None:
    """The replay (see ``tweetstorm``): three posts a day for six weeks, then 110 posts in six
    hours, most naming a legislator's handle and asking people to tweet at them."""
    storm = tweetstorm()
    assert len(storm) >= 100 and storm[-1][0] - storm[0][0] <= 6 * HOUR
    held = first_hold(quiet_baseline(STORM_START), storm)
    assert held is not None and held <= 10


def test_a_post_at_the_accounts_usual_pace_is_ok() -> None:
    history = quiet_baseline(STORM_START)
    judgement = judge(Draft(STORM_START, "Happy birthday to the Coast Guard."),
                      Timeline.of("BarackObama", "x", history))
    assert judgement.verdict is Verdict.OK
    assert judgement.reasons == []


def test_a_hold_says_how_many_posts_in_how_long_against_the_usual_busiest_hour() -> None:
    history = quiet_baseline(STORM_START) + [STORM_START + i * 60 for i in range(20)]
    judgement = judge(Draft(STORM_START + 20 * 60, "one more"),
                      Timeline.of("BarackObama", "x", history))
    assert judgement.verdict is Verdict.HOLD
    rhythm = next(f for f in judgement.findings if f.rule == "rhythm")
    assert rhythm.reason.startswith("21st post in 20 minutes; this account's usual busiest hour")


def test_queued_posts_count_with_published_ones() -> None:
    history = quiet_baseline(STORM_START)
    queued = [STORM_START + i * 120 for i in range(1, 30)]
    judgement = judge(Draft(STORM_START, "first of many"),
                      Timeline.of("BarackObama", "x", history, queued))
    assert judgement.verdict is Verdict.HOLD


def test_an_ask_as_the_first_post_after_a_long_silence_warns() -> None:
    history = quiet_baseline(STORM_START - 20 * DAY)
    judgement = judge(Draft(STORM_START, "We're back! Donate $5 before midnight."),
                      Timeline.of("campaign", "x", history))
    finding = next(f for f in judgement.findings if f.rule == "silence_asks")
    assert finding.verdict is Verdict.WARN
    assert "asks people to donate in the first post after 2" in finding.reason


def test_an_ask_within_the_usual_rhythm_is_ok() -> None:
    history = quiet_baseline(STORM_START)
    judgement = judge(Draft(STORM_START, "Donate $5 before midnight."),
                      Timeline.of("campaign", "x", history))
    assert next(f for f in judgement.findings if f.rule == "silence_asks").verdict is Verdict.OK


def test_several_accounts_of_one_campaign_are_counted_together() -> None:
    """Each account posts 3 times in the hour, the draft included (within its own pace); the
    six together post 13 times to the same followers."""
    accounts = []
    for k in range(6):
        history = quiet_baseline(STORM_START, seed=k)
        history += [STORM_START - 3000 + k * 60 + i * 1200 for i in range(2)]
        accounts.append(Timeline.of(f"acct{k}", "bluesky", history))
    own = judge(Draft(STORM_START, "hello"), accounts[0])
    together = judge(Draft(STORM_START, "hello"), accounts[0], accounts[1:])
    assert own.verdict is Verdict.OK
    campaign = next(f for f in together.findings if f.rule == "campaign")
    assert campaign.verdict is not Verdict.OK
    assert campaign.reason.startswith("across the campaign's 6 accounts on bluesky")


def test_going_over_a_documented_platform_cap_holds_and_names_the_source() -> None:
    cap = next(c for c in CAPS if c.platform == "mastodon")
    queued = [STORM_START + 1 + i * (cap.window - 2) // cap.posts for i in range(cap.posts)]
    judgement = judge(Draft(STORM_START, "x"), Timeline.of("a", "mastodon", [], queued))
    finding = next(f for f in judgement.findings if f.rule == "platform_cap")
    assert finding.verdict is Verdict.HOLD
    assert cap.source in finding.reason


def test_a_new_account_is_judged_against_the_fallback_pace() -> None:
    few = [STORM_START - i * 900 for i in range(1, 4)]
    ok = judge(Draft(STORM_START, "x"), Timeline.of("new", "x", few))
    assert ok.verdict is Verdict.OK
    many = [STORM_START - i * 60 for i in range(1, 30)]
    held = judge(Draft(STORM_START, "x"), Timeline.of("new", "x", many))
    assert held.verdict is Verdict.HOLD
    assert "history too thin" in held.reasons[0]


def test_every_rule_has_a_title_and_a_definition() -> None:
    rules = list(all_rules())
    assert {r.name for r in rules} >= {"rhythm", "burst", "silence_asks", "campaign",
                                       "platform_cap"}
    for rule in rules:
        assert rule.title and rule.definition.strip()


def test_a_rule_name_is_taken_once() -> None:
    existing = get_rule("rhythm")
    with pytest.raises(PluginError, match="already registered"):
        register_rule(Rule(name="rhythm", title="again", definition="again",
                           check=existing.check))
