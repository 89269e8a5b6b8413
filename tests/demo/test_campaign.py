"""The demo campaign holds what the audit must find, computed back from the written files."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import hustings.demo
from hustings.demo import Campaign, DemoFiles, iter_messages, simulate, write_files
from hustings.demo._model import CAMPAIGN_DAYS
from tests.demo.now import NOW


def _fingerprint(files: DemoFiles) -> str:
    digest = hashlib.sha256()
    for path in sorted(files.paths):
        digest.update(path.relative_to(files.out_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def test_exported_members_are_curated() -> None:
    public = {name for name in dir(hustings.demo) if not name.startswith("_")}
    assert set(hustings.demo.__all__) == public - {"annotations"}


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    first = write_files(simulate(seed=5, scale=0.1, now=NOW), tmp_path / "a")
    second = write_files(simulate(seed=5, scale=0.1, now=NOW), tmp_path / "b")
    assert _fingerprint(first) == _fingerprint(second)


def test_different_seed_writes_different_files(tmp_path: Path) -> None:
    first = write_files(simulate(seed=5, scale=0.1, now=NOW), tmp_path / "a")
    second = write_files(simulate(seed=6, scale=0.1, now=NOW), tmp_path / "b")
    assert _fingerprint(first) != _fingerprint(second)


def test_iter_messages_streams_the_simulated_messages() -> None:
    kept = simulate(seed=3, scale=0.1, now=NOW).messages
    streamed = list(iter_messages(seed=3, scale=0.1, now=NOW))
    assert [(m.seq, m.created_at, m.text) for m in streamed] == [
        (m.seq, m.created_at, m.text) for m in kept
    ]


def test_scale_multiplies_messages() -> None:
    small, large = simulate(seed=1, scale=0.25, now=NOW), simulate(seed=1, scale=0.5, now=NOW)
    assert 1.4 < len(large.messages) / len(small.messages) < 2.4


def test_scale_one_is_quick(timed_run: tuple[Campaign, DemoFiles, float]) -> None:
    campaign, _, seconds = timed_run
    assert 40000 <= len(campaign.messages) <= 65000
    assert seconds < 60


def test_each_party_has_central_leader_and_twenty_candidates(
    registry: list[dict[str, str]],
) -> None:
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    for row in registry:
        if row["platform"] == "x" and row["party"]:
            roles[row["party"]][row["role"]] += 1
    assert len(roles) >= 5
    for counts in roles.values():
        assert counts["party"] == 1
        assert counts["leader"] == 1
        assert counts["candidate"] >= 20
        assert 1 <= counts["staff"] <= 2
    candidates = [r for r in registry if r["role"] == "candidate" and r["platform"] == "x"]
    assert all(r["district"] for r in candidates)


def _own_tweets(tweets: dict[str, dict[str, Any]], x_pages: list[dict[str, Any]]) -> Any:
    users = {u["id"]: u["username"] for p in x_pages for u in p["includes"]["users"]}
    by_author: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tweet in tweets.values():
        by_author[users[tweet["author_id"]]].append(tweet)
    return by_author


def test_flood_account_posts_a_hundred_asks_in_six_hours_after_two_weeks_of_silence(
    campaign: Campaign, tweets: dict[str, dict[str, Any]], x_pages: list[dict[str, Any]]
) -> None:
    truth = campaign.ground_truth
    own = sorted(_when(t["created_at"]) for t in _own_tweets(tweets, x_pages)[truth.flood_handle])
    first = own[0]
    assert first - campaign.start >= timedelta(days=14)
    burst = [t for t in own if t - first <= timedelta(hours=6)]
    assert len(burst) >= 100
    assert truth.flood_start <= first <= truth.flood_end


def test_flood_account_loses_followers_the_next_day(campaign: Campaign, files: DemoFiles) -> None:
    truth = campaign.ground_truth
    with files.followers.open(encoding="utf-8", newline="") as rows:
        series = sorted(
            (_when(r["taken_at"].replace("Z", "+00:00")), int(r["followers"]))
            for r in csv.DictReader(rows)
            if r["platform"] == "x" and r["handle"] == truth.flood_handle
        )
    before = [n for when, n in series if when <= truth.flood_start][-1]
    after = next(n for when, n in series if when > truth.flood_end)
    assert 0.01 <= 1 - after / before <= 0.03


def test_leader_reply_shares_spread_from_eleven_to_sixty_one_percent(
    registry: list[dict[str, str]],
    tweets: dict[str, dict[str, Any]],
    x_pages: list[dict[str, Any]],
) -> None:
    by_author = _own_tweets(tweets, x_pages)
    shares = []
    for row in registry:
        if row["platform"] == "x" and row["role"] == "leader":
            own = [
                t
                for t in by_author[row["handle"]]
                if not any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
            ]
            replies = sum("in_reply_to_user_id" in t for t in own)
            shares.append(replies / len(own))
    assert len(shares) == 5
    assert 0.08 <= min(shares) <= 0.15
    assert 0.55 <= max(shares) <= 0.66


def test_staff_answer_on_behalf_of_a_candidate(
    campaign: Campaign, tweets: dict[str, dict[str, Any]], x_pages: list[dict[str, Any]]
) -> None:
    staff, candidate = campaign.ground_truth.staff_proxies[0]
    first_name = next(a.name.split()[0] for a in campaign.accounts if a.handle == candidate)
    replies = [t for t in _own_tweets(tweets, x_pages)[staff] if "in_reply_to_user_id" in t]
    assert any(first_name in t["text"] for t in replies)


def test_some_tracked_accounts_answer_nobody(
    campaign: Campaign, tweets: dict[str, dict[str, Any]], x_pages: list[dict[str, Any]]
) -> None:
    by_author = _own_tweets(tweets, x_pages)
    silent = campaign.ground_truth.silent_handles
    assert silent
    for handle in silent:
        assert not any("in_reply_to_user_id" in t for t in by_author.get(handle, []))


def test_threads_reach_depth_six(campaign: Campaign) -> None:
    assert max(m.depth for m in campaign.messages) == 6


def test_incivility_is_between_ten_and_eighteen_percent(campaign: Campaign) -> None:
    assert 0.10 <= campaign.ground_truth.uncivil_share <= 0.18


def test_stats_count_accounts_and_messages(campaign: Campaign) -> None:
    stats = campaign.stats()
    assert stats["messages"] == len(campaign.messages)
    by_role = campaign.accounts_by_role()
    assert by_role["citizen"] == 3000
    assert set(campaign.messages_by_platform_kind()) == {"x", "mastodon", "email"}


def test_everything_is_labelled_synthetic(
    campaign: Campaign,
    files: DemoFiles,
    statuses: list[dict[str, Any]],
    x_pages: list[dict[str, Any]],
) -> None:
    assert "SYNTHETIC" in files.readme.read_text(encoding="utf-8")
    assert all(
        a.name.endswith("(synthetic)") or "(synthetic)," in a.name for a in campaign.accounts
    )
    for page in x_pages[:20]:
        assert all("(synthetic)" in u["name"] for u in page["includes"]["users"])
        assert all("Synthetic" in u["description"] for u in page["includes"]["users"])
    assert all("(synthetic)" in s["account"]["display_name"] for s in statuses)
    assert b"X-Synthetic:" in files.mbox.read_bytes()[:2000]


def test_campaign_ends_at_now_and_its_last_day_is_today() -> None:
    campaign = simulate(seed=5, scale=0.1, now=NOW)
    last = max(m.created_at for m in campaign.messages)
    assert campaign.end == NOW and last <= NOW
    assert last.date() == NOW.date()
    assert (NOW.date() - campaign.start.date()).days == CAMPAIGN_DAYS - 1
    assert all(a.created_at < campaign.start for a in campaign.accounts)


def test_a_later_run_the_same_day_continues_the_same_campaign() -> None:
    early = simulate(seed=5, scale=0.1, now=NOW - timedelta(hours=3)).messages
    late = simulate(seed=5, scale=0.1, now=NOW).messages
    assert len(late) > len(early)
    assert [(m.seq, m.created_at, m.text) for m in late[: len(early)]] == [
        (m.seq, m.created_at, m.text) for m in early
    ]
