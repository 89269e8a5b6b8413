"""An independent plain-Python scorecard, written from the definitions, to check the engines.

It reads canonical ``Message`` records and the registry directly (no Parquet, no Ibis, no
shared helpers with ``hustings.metrics``), loops the way an analyst would, and returns per
account the metrics whose definitions it implements.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from hustings.metrics import AuditParams
from hustings.model import Message, TrackedAccount

PUBLIC = {"post", "reply", "quote", "repost", "comment"}
PRIVATE = {"dm", "email", "chat"}
DAY = 86400


def _ts(when: datetime) -> int:
    return int(when.timestamp())


def _business(ts: int, p: AuditParams) -> int:
    """Business seconds from 1969-12-29 (a Monday) to ``ts``, counted day by day."""
    local = ts + p.utc_offset_hours * 3600
    days, sec = divmod(local, DAY)
    monday_days = days + 3
    full_weeks, weekday = divmod(monday_days, 7)
    span = (p.business_end_hour - p.business_start_hour) * 3600
    total = (full_weeks * 5 + min(weekday, 5)) * span
    if weekday < 5:
        total += min(max(sec - p.business_start_hour * 3600, 0), span)
    return total


def _quantile(values: list[float], q: float) -> float | None:
    return float(np.quantile(values, q)) if values else None


def reference_scorecard(
    messages: Sequence[Message], tracked: Sequence[TrackedAccount], p: AuditParams
) -> dict[str, dict[str, float | None]]:
    assert p.since and p.until
    lo, hi = _ts(p.since), _ts(p.until)
    as_of = max(max(_ts(m.created_at) for m in messages), hi)
    by_handle = {(m.platform, (m.author_handle or "").lower()): m.author_id for m in messages}
    ids = {}
    for t in tracked:
        ids[(t.platform, t.handle.lower())] = t.platform_id or by_handle.get(
            (t.platform, t.handle.lower())
        )
    audited = {t for t in tracked if t.role != "staff"}
    boss = {
        ids[(t.platform, t.handle.lower())]: ids[(t.platform, t.office)]
        for t in tracked
        if t.role == "staff" and t.office
    }
    info = {ids[(t.platform, t.handle.lower())]: t for t in tracked}
    nr = re.compile(p.needs_reply_pattern)
    auto_c, auto_t = re.compile(p.automation_client_pattern), re.compile(p.automation_text_pattern)
    ask = re.compile(p.ask_pattern)
    out: dict[str, dict[str, float | None]] = {}
    for acc in audited:
        me = ids[(acc.platform, acc.handle.lower())]
        team = {me} | {s for s, b in boss.items() if b == me}
        mine = sorted(
            (
                m
                for m in messages
                if m.platform == acc.platform
                and m.author_id == me
                and m.kind in PUBLIC
                and not m.partial
                and lo <= _ts(m.created_at) <= hi
            ),
            key=lambda m: (m.created_at, m.platform_id),
        )
        authored = [m for m in mine if m.kind != "repost"]
        replies = [
            m
            for m in authored
            if m.kind in ("reply", "comment") or m.reply_to_id or m.reply_to_account_id
        ]
        r: dict[str, float | None] = {"messages": len(mine)}
        weeks = (hi // DAY - lo // DAY + 1) / 7
        for kind, label in (
            ("post", "posts"),
            ("reply", "replies"),
            ("repost", "reposts"),
            ("quote", "quotes"),
        ):
            r[f"{label}_per_week"] = sum(m.kind == kind for m in mine) / weeks

        def target(m: Message, me: str = me, acc: TrackedAccount = acc) -> str:
            if m.reply_to_account_id == me:
                return "self"
            t = info.get(m.reply_to_account_id or "")
            if t is None:
                return "citizens"
            if m.reply_to_account_id in boss and boss[m.reply_to_account_id] == me:
                return "own_party"
            if t.role == "media":
                return "media"
            if t.party and t.party == acc.party:
                return "own_party"
            return "other_parties" if t.party else "citizens"

        n = len(authored)
        r["broadcast_share"] = (n - len(replies)) / n if n else None
        r["reply_share"] = len(replies) / n if n else None
        for g in ("citizens", "own_party", "other_parties", "media", "self"):
            r[f"reply_share_{g}"] = sum(target(m) == g for m in replies) / n if n else None
        # inbound: addressed to me by someone outside my team
        private_convs = {
            m.conversation_id for m in messages if m.author_id in team and m.kind in PRIVATE
        }
        inbound = []
        for m in messages:
            if (
                m.platform != acc.platform
                or m.author_id in team
                or m.kind == "repost"
                or m.partial
                or not lo <= _ts(m.created_at) <= hi
            ):
                continue
            if m.reply_to_account_id == me:
                kind = (
                    "email"
                    if m.kind == "email"
                    else "dm"
                    if m.kind in PRIVATE
                    else ("comment" if m.kind == "comment" else "reply")
                )
            elif m.kind in PRIVATE and m.conversation_id in private_convs:
                kind = "email" if m.kind == "email" else "dm"
            elif acc.handle.lower() in [x.lower() for x in m.mentions]:
                kind = "mention"
            else:
                continue
            inbound.append((m, kind))
        r["inbound"] = len(inbound)
        for k in ("mention", "reply", "dm", "comment", "email"):
            r[f"inbound_{k}"] = sum(kind == k for _, kind in inbound)
        answers = [
            m
            for m in messages
            if m.author_id in team
            and m.kind != "repost"
            and not auto_c.search((m.client or "").lower())
            and not auto_t.search(m.text.lower())
        ]

        def first_answer(m: Message, answers: list[Message] = answers) -> int | None:
            found = [
                _ts(a.created_at)
                for a in answers
                if a.platform == m.platform
                and (
                    (a.reply_to_id == m.platform_id and a.created_at >= m.created_at)
                    or (
                        a.created_at > m.created_at
                        and a.conversation_id == m.conversation_id
                        and (a.kind in PRIVATE or a.reply_to_account_id == m.author_id)
                    )
                )
            ]
            return min(found) if found else None

        rows = []
        last_from: dict[str, int] = {}
        for m, _ in sorted(inbound, key=lambda x: (x[0].created_at, x[0].platform_id)):
            ts = _ts(m.created_at)
            prev = last_from.get(m.author_id)
            last_from[m.author_id] = ts
            rows.append(
                {
                    "ts": ts,
                    "first": first_answer(m),
                    "nr": bool(nr.search(m.text.lower())),
                    "fb": prev is None or ts - prev >= p.facebook_silence_hours * 3600,
                }
            )
        rules = {
            "all": lambda x: True,
            "needs_reply": lambda x: x["nr"],
            "facebook": lambda x: x["fb"],
        }
        counted = rules[p.denominator.value]

        def rate(
            window: int, rule: object = counted, rows: list[dict[str, Any]] = rows
        ) -> float | None:
            pool = [x for x in rows if rule(x) and x["ts"] <= as_of - window]  # type: ignore[operator]
            if not pool:
                return None
            return sum(
                x["first"] is not None and x["first"] - x["ts"] <= window for x in pool
            ) / len(pool)

        for label, seconds in (("24h", DAY), ("72h", 3 * DAY), ("7d", 7 * DAY)):
            r[f"response_rate_{label}"] = rate(seconds)
        for rule_name, rule in rules.items():
            r[f"response_rate_24h_{rule_name}"] = rate(DAY, rule)
        done = [x for x in rows if counted(x) and x["first"] is not None]
        wall = [(x["first"] - x["ts"]) / 60 for x in done]
        biz = [(_business(x["first"], p) - _business(x["ts"], p)) / 60 for x in done]
        r["median_first_response_min"] = statistics.median(wall) if wall else None
        r["p90_first_response_min"] = _quantile(wall, 0.9)
        r["median_first_response_business_min"] = statistics.median(biz) if biz else None
        r["p90_first_response_business_min"] = _quantile(biz, 0.9)
        r["waiting"] = sum(x["nr"] and x["first"] is None for x in rows)
        # dialogue
        turns: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for m, _ in inbound:
            turns[(m.author_id, m.conversation_id or m.platform_id)][0] += 1
        for a in answers:
            if (
                a.platform == acc.platform
                and lo <= _ts(a.created_at) <= hi
                and a.reply_to_account_id
                and a.reply_to_account_id not in team
            ):
                turns[(a.reply_to_account_id, a.conversation_id or "")][1] += 1
        started = [i + o for (i, o) in turns.values() if i > 0]
        r["conversation_depth"] = sum(started) / len(started) if started else None
        wrote = {person for (person, _), (i, _o) in turns.items() if i > 0}
        replied = {person for (person, _), (_i, o) in turns.items() if o > 0}
        exchanges = defaultdict(int)
        for (person, _), (i, o) in turns.items():
            exchanges[person] += int(i > 0 and o > 0)
        r["people_who_wrote"] = len(wrote)
        r["reciprocity"] = len(wrote & replied) / len(wrote) if wrote else None
        r["repeat_dialogue"] = sum(exchanges[x] >= 2 for x in wrote) / len(wrote) if wrote else None
        # consistency
        times = [_ts(m.created_at) for m in mine]
        days = sorted({t // DAY for t in times})
        n_days = hi // DAY - lo // DAY + 1
        r["active_day_share"] = len(days) / n_days
        switches = sum(2 for a, b in itertools.pairwise(days) if b - a > 1)
        if days:
            switches += int(days[0] > lo // DAY) + int(days[-1] < hi // DAY)
        r["on_off_switches"] = switches
        gaps = [b - a for a, b in zip([lo, *times], times, strict=False)]
        r["longest_silence_days"] = (max([*gaps, hi - times[-1]]) / DAY) if times else None
        r["asks_after_silence"] = sum(
            1
            for i, m in enumerate(mine)
            if i > 0
            and m.kind != "repost"
            and times[i] - times[i - 1] >= p.silence_days * DAY
            and ask.search(m.text.lower())
        )
        out[f"{acc.platform}:{me}"] = r
    return out
