"""The report's charts, as Altair specifications, each with the metrics it shows.

A chart never carries its own wording of a metric: series, axes and facets are titled by the
registry (:func:`hustings.metrics.column_title`), and the HTML folds ``metric.definition`` of
every metric in :attr:`Figure.metrics` under the chart. Every chart that colours by party
uses :func:`party_scale`, so a party has one colour throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from hustings.metrics import SCORE_DEFINITION, Scorecard, column_title
from hustings.render import duration
from hustings.report._palette import OTHER_COLOURS, party_colours, party_name

__all__ = ["Figure", "account_label", "figures", "party_scale"]

_WIDTH = 640
_MAX_BARS = 25
_BURST_ACCOUNTS = 6
_PANEL = 170
_NEUTRAL = "#5b7083"
_TIME = "%d %b %H:%M"


@dataclass(frozen=True)
class Figure:
    """One chart of the report, the metrics it shows and any definition not in the registry."""

    name: str
    title: str
    chart: alt.TopLevelMixin
    metrics: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def party_scale(card: Scorecard) -> alt.Scale:
    """The party → colour scale every chart of ``card``'s report uses."""
    colours = party_colours(card.accounts.get("party", []))
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def account_label(platform: object, handle: object) -> str:
    """An account as charts name it: ``@handle (platform)``, a Mastodon handle without its
    server (the axis cut the long ones off)."""
    bare = str(handle).lstrip("@")
    if platform == "mastodon":
        bare = bare.partition("@")[0]
    return f"@{bare} ({platform})"


def _parties(frame: pd.DataFrame, column: str = "party") -> pd.Series:
    return frame[column].map(party_name)


def _long(frame: pd.DataFrame, key: str, metrics: Sequence[str]) -> pd.DataFrame:
    """``frame`` as (group, metric title, value) rows; the group of a party is its name."""
    present = [m for m in metrics if m in frame.columns]
    groups = frame[key].map(party_name) if key == "party" else frame[key].fillna("(none)")
    data = frame.assign(group=groups.astype(str))[["group", *present]]
    long = data.melt(id_vars="group", var_name="metric", value_name="value").dropna()
    return long.assign(metric=long["metric"].map(column_title))


def _titles(metrics: Sequence[str]) -> list[str]:
    return [column_title(m) for m in metrics]


def _league(card: Scorecard) -> Figure:
    data = card.league.dropna(subset=["dialogue_score"]).head(_MAX_BARS)
    data = data.assign(
        account=[
            account_label(p, h) for p, h in zip(data["platform"], data["handle"], strict=True)
        ],
        party=_parties(data),
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("dialogue_score:Q", title="Dialogue score", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("account:N", sort="-x", title=None),
            color=alt.Color("party:N", title="Party", scale=party_scale(card)),
            tooltip=[
                alt.Tooltip("account:N", title="Account"),
                alt.Tooltip("party:N", title="Party"),
                alt.Tooltip("dialogue_score:Q", title="Dialogue score", format=".1f"),
            ],
        )
        .properties(width=_WIDTH, title=f"Top {len(data)} accounts by dialogue score")
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
    if grouping == "party":
        color = alt.Color("group:N", scale=party_scale(card), legend=None)
    else:
        color = alt.value(_NEUTRAL)  # type: ignore[assignment]
    label = column_title("district" if grouping == "district" else grouping)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "value:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
            ),
            y=alt.Y("group:N", title=None),
            color=color,
            tooltip=[
                alt.Tooltip("group:N", title=label),
                alt.Tooltip("metric:N", title="Measure"),
                alt.Tooltip("value:Q", title="Value", format=".0%"),
            ],
        )
        .properties(width=_PANEL)
        .facet(column=alt.Column("metric:N", title=None, sort=_titles(metrics)))
    )
    return Figure(f"per_{grouping}", f"Per {label.lower()}", chart, metrics)


def _targets(card: Scorecard) -> Figure:
    metrics = tuple(
        f"reply_share_{t}" for t in ("citizens", "own_party", "other_parties", "media", "self")
    )
    data = _long(card.groups["party"], "party", metrics)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("sum(value):Q", title="Share of own messages", axis=alt.Axis(format="%")),
            y=alt.Y("group:N", title=None),
            color=alt.Color(
                "metric:N",
                title="Reply target",
                sort=_titles(metrics),
                scale=alt.Scale(domain=_titles(metrics), range=list(OTHER_COLOURS)),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Party"),
                alt.Tooltip("metric:N", title="Reply target"),
                alt.Tooltip("value:Q", title="Share", format=".0%"),
            ],
        )
        .properties(width=_WIDTH, title="Whom replies go to, by party")
    )
    return Figure("reply_targets", "Reply targets", chart, metrics)


def _inbound(card: Scorecard) -> Figure:
    metrics = tuple(f"inbound_{k}" for k in ("mention", "reply", "dm", "comment", "email"))
    data = _long(card.groups["party"], "party", metrics)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("sum(value):Q", title="Messages"),
            y=alt.Y("group:N", title=None),
            color=alt.Color(
                "metric:N",
                title="Kind",
                sort=_titles(metrics),
                scale=alt.Scale(domain=_titles(metrics), range=list(OTHER_COLOURS)),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("group:N", title="Party"),
                alt.Tooltip("metric:N", title="Kind"),
                alt.Tooltip("value:Q", title="Messages", format=",.0f"),
            ],
        )
        .properties(width=_WIDTH, title="Inbound messages by kind, by party")
    )
    return Figure("inbound", "Inbound messages", chart, metrics)


def _weekly(card: Scorecard) -> Figure:
    metrics = ("reply_share", "response_rate_24h", "messages")
    frame = card.groups["party_week"].assign(week=lambda f: f["week"].astype(str))
    present = [m for m in metrics if m in frame.columns]
    data = frame.assign(party=_parties(frame))[["week", "party", *present]].melt(
        id_vars=["week", "party"], var_name="metric", value_name="value"
    )
    data = data.dropna().assign(metric=lambda f: f["metric"].map(column_title))
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0)),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("party:N", title="Party", scale=party_scale(card)),
            tooltip=[
                alt.Tooltip("week:T", title="Week starting", format="%d %b %Y"),
                alt.Tooltip("party:N", title="Party"),
                alt.Tooltip("metric:N", title="Measure"),
                alt.Tooltip("value:Q", title="Value", format=",.2f"),
            ],
        )
        .properties(width=_PANEL + 40, height=130)
        .facet(column=alt.Column("metric:N", title=None, sort=_titles(metrics)))
        .resolve_scale(y="independent")
    )
    return Figure("weekly", "Weekly trends", chart, metrics)


def _busiest(card: Scorecard) -> list[str]:
    totals = card.bursts.groupby("akey")["posts"].sum() if len(card.bursts) else pd.Series()
    if totals.empty:
        totals = card.hourly.groupby("akey")["n"].sum()
    return list(totals.sort_values(ascending=False).head(_BURST_ACCOUNTS).index)


def _bursts(card: Scorecard) -> Figure:
    top = _busiest(card)
    who = card.accounts.set_index("akey")
    names = {a: account_label(who.at[a, "platform"], who.at[a, "handle"]) for a in top}
    party = {a: party_name(who.at[a, "party"]) for a in top}
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
    data = data.assign(account=data["akey"].map(names), party=data["akey"].map(party))
    data = data.drop(columns=[c for c in ("akey", "handle") if c in data.columns])
    base = (
        alt.Chart()
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("time:T", title=None, axis=alt.Axis(format="%d %b")),
            y=alt.Y("n:Q", title=None),
            color=alt.Color("party:N", title="Party", scale=party_scale(card)),
            tooltip=[
                alt.Tooltip("account:N", title="Account"),
                alt.Tooltip("time:T", title="Hour", format=_TIME),
                alt.Tooltip("n:Q", title="Posts"),
            ],
        )
        .transform_filter(alt.datum.layer == "hour")
    )
    shade = (
        alt.Chart()
        .mark_rect(opacity=0.2, color="#d62728")
        .encode(
            x="start:T",
            x2="end:T",
            tooltip=[
                alt.Tooltip("start:T", title=column_title("start"), format=_TIME),
                alt.Tooltip("end:T", title=column_title("end"), format=_TIME),
                alt.Tooltip("posts:Q", title=column_title("posts")),
                alt.Tooltip("follower_change:Q", title=column_title("follower_change")),
            ],
        )
        .transform_filter(alt.datum.layer == "burst")
    )
    chart = (
        alt.layer(shade, base, data=data)
        .properties(width=_WIDTH, height=60)
        .facet(
            row=alt.Row("account:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left"))
        )
        .properties(title="Posts per hour of the busiest accounts (shaded: bursts)")
    )
    return Figure(
        "bursts",
        "Bursts",
        chart,
        ("bursts", "peak_posts_per_hour", "flood", "follower_change_in_bursts"),
    )


def _response_times(card: Scorecard) -> Figure:
    data = card.response_times.sort_values("from_min")
    data = data.assign(
        party=_parties(data), bucket=[duration(m, "minutes") for m in data["from_min"]]
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "bucket:N",
                title="Time to first response (at least; each bar doubles the last)",
                sort=list(dict.fromkeys(data["bucket"])),
                axis=alt.Axis(labelAngle=-40),
            ),
            y=alt.Y("sum(n):Q", title="Inbound messages"),
            color=alt.Color("party:N", title="Party", scale=party_scale(card)),
            tooltip=[
                alt.Tooltip("party:N", title="Party"),
                alt.Tooltip("bucket:N", title="At least"),
                alt.Tooltip("sum(n):Q", title="Messages"),
            ],
        )
        .properties(width=_WIDTH, title="Time to first response")
    )
    return Figure(
        "response_times",
        "Time to first response",
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
        _response_times(card),
        _bursts(card),
    ]
