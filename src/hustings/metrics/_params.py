"""The audit's parameters, and the heuristics it uses, kept as data so they can be printed.

Every threshold the scorecard applies lives here, so a report can state it beside the numbers
and a user can change it without touching an expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

__all__ = [
    "ASK_PATTERN",
    "AUTOMATION_CLIENT_PATTERN",
    "AUTOMATION_TEXT_PATTERN",
    "ENGINES",
    "NEEDS_REPLY_PATTERN",
    "AuditParams",
    "Denominator",
]

ENGINES = ("duckdb", "spark")
"""Where the same expressions run: embedded DuckDB, or Spark (local or a cluster)."""

NEEDS_REPLY_PATTERN = (
    r"\?|\b(please|pls|plz|can you|could you|would you|will you|how do|how can|"
    r"where (is|can|do)|when (is|will|do)|what (is|are|will)|why|help|need|answer|respond|"
    r"reply|explain|contact)\b"
)
"""The needs-a-reply heuristic, used when no classifier scores are present: a question mark or
a request word, case-insensitive."""

AUTOMATION_CLIENT_PATTERN = (
    r"(bot\b|autorespond|auto-respond|auto.?reply|zapier|ifttt|dlvr\.it|twitterfeed|"
    r"sprinklr bot|chatbot|automat)"
)
"""Clients (the app a message was sent from: X ``source``, Mastodon ``application``, a mail's
``X-Mailer``/list headers) whose replies are automation and never count as a response."""

AUTOMATION_TEXT_PATTERN = (
    r"(this is an automated|automatic reply|auto-reply|autoreply|"
    r"i am (currently )?out of (the )?office|do not reply to this)"
)
"""Texts that mark an auto-responder whatever the client. Phrased as the responder speaks
("I am out of office"), not as a topic: an agent answering a question *about* out-of-office
settings is a person (a case in the customer-care threads)."""

ASK_PATTERN = (
    r"\b(donate|chip in|volunteer|sign (up|the|our)|join (us|our)|vote for|register to vote|"
    r"share this|retweet|rt if|get involved|pledge)\b"
)
"""Calls to action counted by "asks after silence"."""


class Denominator(StrEnum):
    """Which inbound messages a response rate is computed over."""

    ALL = "all"
    NEEDS_REPLY = "needs_reply"
    FACEBOOK = "facebook"

    @property
    def phrase(self) -> str:
        """The rule as a reader says it (titles and reports print this, not the value)."""
        return {
            "all": "all messages",
            "needs_reply": "messages needing a reply",
            "facebook": "Facebook's rule",
        }[self.value]


@dataclass(frozen=True, slots=True)
class AuditParams:
    """Everything the audit needs besides the data.

    ``since``/``until`` bound the audit period (``None``: the data's own first and last
    message). ``business_*`` define business hours, Monday to Friday, at a fixed UTC offset
    (no daylight-saving shifts). ``needs_reply_threshold`` applies to classifier scores when a
    ``needs_reply`` table is present.
    """

    since: datetime | None = None
    until: datetime | None = None
    min_posts: int = 20
    denominator: Denominator = Denominator.NEEDS_REPLY
    facebook_silence_hours: int = 24
    business_start_hour: int = 9
    business_end_hour: int = 17
    utc_offset_hours: int = 0
    silence_days: int = 7
    flood_posts_6h: int = 100
    flood_baseline_factor: float = 5.0
    flood_min_posts_6h: int = 10
    burst_scale: float = 3.0
    burst_gamma: float = 1.0
    needs_reply_threshold: float = 0.5
    needs_reply_pattern: str = NEEDS_REPLY_PATTERN
    automation_client_pattern: str = AUTOMATION_CLIENT_PATTERN
    automation_text_pattern: str = AUTOMATION_TEXT_PATTERN
    ask_pattern: str = ASK_PATTERN
    registry_only: bool = field(default=False)

    def with_period(self, since: datetime, until: datetime) -> AuditParams:
        return replace(self, since=since, until=until)

    def describe(self) -> dict[str, str]:
        """The parameters a reader needs to interpret the numbers, as printable strings."""
        return {
            "period": f"{_day(self.since)} to {_day(self.until)}",
            "response rates count": self.denominator.phrase,
            "business hours": (
                f"Mon-Fri {self.business_start_hour:02d}:00-{self.business_end_hour:02d}:00 "
                f"UTC{self.utc_offset_hours:+d}"
            ),
            "minimum posts": str(self.min_posts),
            "silence before an ask": f"{self.silence_days} days",
            "flood": (
                f"{self.flood_posts_6h}+ posts in 6 h, or {self.flood_baseline_factor:g}x the "
                f"6-hour baseline (at least {self.flood_min_posts_6h} posts)"
            ),
            "bursts": f"Kleinberg two-state, s={self.burst_scale:g}, gamma={self.burst_gamma:g}",
        }


def _day(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else "the data's edge"
