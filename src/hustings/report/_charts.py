"""The report's charts, as Altair specifications, each with the metrics it shows.

A chart never carries its own wording of a metric: the HTML prints ``metric.definition`` for
every metric named in :attr:`Figure.metrics` beside the chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from hustings.metrics import SCORE_DEFINITION, Scorecard

__all__ = ["Figure", "figures"]

_WIDTH = 640
_MAX_BARS = 25
_BURST_ACCOUNTS = 6


@dataclass(frozen=True)
class Figure:
    """One chart of the report, the metrics it shows and any definition not in the registry."""

    name: str
    title: str
    chart: alt.TopLevelMixin
    metrics: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def _label(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].fillna("(none)").astype(str)


def _long(frame: pd.DataFrame, key: str, metrics: tuple[str, ...]) -> pd.DataFrame:
    present = [m for m in metrics if m in frame.columns]
    data = frame.assign(group=_label(frame, key))[["group", *present]]
    return data.melt(id_vars="group", var_name="metric", value_name="value").dropna()


def _league(card: Scorecard) -> Figure:
    data = card.league.dropna(subset=["dialogue_score"]).head(_MAX_BARS)
    data = data.assign(
        account=data["platform"] + ":" + data["handle"].astype(str), party=_label(data, "party")
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("dialogue_score:Q", title="Dialogue score", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("account:N", sort="-x", title=None),
            color=alt.Color("party:N", title="Party"),
            tooltip=[
                "account",
                "party",
                "dialogue_score",
                *[c for c in data.columns if c.startswith("part_")],
            ],
        )
        .properties(width=_WIDTH, title="League table by dialogue score")
    )
    return Figure(
        "league",
        "League table",
        chart,
        (
            "reply_share",
            "reply_share_self",
            "response_rate_72h",
            "reciprocity",
            "median_first_response_min",
            "repeat_dialogue",
        ),
        (SCORE_DEFINITION,),
    )


def _comparison(card: Scorecard, grouping: str) -> Figure:
    metrics = ("broadcast_share", "reply_share", "response_rate_24h", "reciprocity")
    data = _long(card.groups[grouping], grouping, metrics)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title="Share", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("group:N", title=grouping.capitalize()),
            color=alt.Color("group:N", legend=None),
            row=alt.Row("metric:N", title=None),
            tooltip=["group", "metric", alt.Tooltip("value:Q", format=".2f")],
        )
        .properties(width=_WIDTH - 120, title=f"Per {grouping}")
    )
    return Figure(f"per_{grouping}", f"Per-{grouping} comparison", chart, metrics)


def _targets(card: Scorecard) -> Figure:
    metrics = tuple(
        f"reply_share_{t}" for t in ("citizens", "own_party", "other_parties", "media", "self")
    )
    data = _long(card.groups["party"], "party", metrics)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("sum(value):Q", title="Share of own messages"),
            y=alt.Y("group:N", title="Party"),
            color=alt.Color("metric:N", title="Reply target"),
            tooltip=["group", "metric", alt.Tooltip("value:Q", format=".2f")],
        )
        .properties(width=_WIDTH, title="Whom replies go to")
    )
    return Figure("reply_targets", "Reply targets by party", chart, metrics)


def _inbound(card: Scorecard) -> Figure:
    metrics = tuple(f"inbound_{k}" for k in ("mention", "reply", "dm", "comment", "email"))
    data = _long(card.groups["party"], "party", metrics)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("sum(value):Q", title="Messages"),
            y=alt.Y("group:N", title="Party"),
            color=alt.Color("metric:N", title="Kind"),
            tooltip=["group", "metric", "value"],
        )
        .properties(width=_WIDTH, title="Inbound messages by kind")
    )
    return Figure("inbound", "Inbound by kind", chart, metrics)


def _weekly(card: Scorecard) -> Figure:
    metrics = ("reply_share", "response_rate_24h", "messages")
    frame = card.groups["party_week"].assign(week=lambda f: f["week"].astype(str))
    data = (
        frame.assign(party=_label(frame, "party"))[
            ["week", "party", *[m for m in metrics if m in frame.columns]]
        ]
        .melt(id_vars=["week", "party"], var_name="metric", value_name="value")
        .dropna()
    )
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:O", title="Week starting"),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("party:N", title="Party"),
            row=alt.Row("metric:N", title=None),
            tooltip=["week", "party", "metric", alt.Tooltip("value:Q", format=".2f")],
        )
        .resolve_scale(y="independent")
        .properties(width=_WIDTH - 120, height=140, title="Weekly trends")
    )
    return Figure("weekly", "Weekly trends", chart, metrics)


def _bursts(card: Scorecard) -> Figure:
    top = (
        card.bursts.groupby("akey")["posts"]
        .sum()
        .sort_values(ascending=False)
        .head(_BURST_ACCOUNTS)
        .index.tolist()
    )
    if not top:
        top = (
            card.hourly.groupby("akey")["n"]
            .sum()
            .sort_values(ascending=False)
            .head(_BURST_ACCOUNTS)
            .index.tolist()
        )
    hourly = card.hourly[card.hourly["akey"].isin(top)].copy()
    first_hour = pd.Timestamp(card.since).floor("h")
    hourly["time"] = (first_hour + pd.to_timedelta(hourly["hour"], unit="h")).astype(str)
    spans = card.bursts[card.bursts["akey"].isin(top)].copy()
    spans["start"], spans["end"] = spans["start"].astype(str), spans["end"].astype(str)
    # One frame for both layers: a faceted layer chart needs its data at the top level.
    data = pd.concat(
        [hourly.assign(layer="hour")[["akey", "layer", "time", "n"]], spans.assign(layer="burst")],
        ignore_index=True,
    )
    base = (
        alt.Chart()
        .mark_bar(opacity=0.8)
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("n:Q", title="Posts per hour"),
            tooltip=["akey:N", "time:T", "n:Q"],
        )
        .transform_filter(alt.datum.layer == "hour")
    )
    shade = (
        alt.Chart()
        .mark_rect(opacity=0.25, color="#d62728")
        .encode(
            x="start:T",
            x2="end:T",
            tooltip=[
                "start:T",
                "end:T",
                "posts:Q",
                "followers_before:Q",
                "followers_after:Q",
                "follower_change:Q",
            ],
        )
        .transform_filter(alt.datum.layer == "burst")
    )
    chart = (
        alt.layer(shade, base, data=data)
        .properties(width=_WIDTH, height=90)
        .facet(row=alt.Row("akey:N", title=None))
        .properties(title="Burst timelines (red: Kleinberg bursts; tooltip: follower change)")
    )
    return Figure(
        "bursts",
        "Burst timelines",
        chart,
        ("bursts", "peak_posts_per_hour", "flood", "follower_change_in_bursts"),
    )


def _response_times(card: Scorecard) -> Figure:
    data = card.response_times.assign(
        party=lambda f: _label(f, "party"), bucket=lambda f: f["from_min"].round(0).astype(int)
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("bucket:O", title="Minutes to first response (from, doubling bins)"),
            y=alt.Y("sum(n):Q", title="Inbound messages"),
            color=alt.Color("party:N", title="Party"),
            tooltip=["party", "bucket", "n"],
        )
        .properties(width=_WIDTH, title="Time to first response")
    )
    return Figure(
        "response_times",
        "Response-time distribution",
        chart,
        ("median_first_response_min", "p90_first_response_min"),
    )


def figures(card: Scorecard) -> list[Figure]:
    """Every chart of the report, in reading order."""
    return [
        _league(card),
        _comparison(card, "party"),
        _comparison(card, "role"),
        _targets(card),
        _inbound(card),
        _weekly(card),
        _bursts(card),
        _response_times(card),
    ]
