"""Each platform's documented posting limits, kept as data with where they are written.

A cap counts the posts one account makes in a sliding window. The guard holds a draft that
would go over a cap (the platform would refuse it, or refuse the ones after it) and warns
when the window is nearly full. Figures are the platforms' own published limits, looked up
on the date given; they change, so each carries its source to re-check.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CAPS", "PlatformCap", "caps_for"]

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True, slots=True)
class PlatformCap:
    """At most ``posts`` posts by one account in any ``window`` seconds on ``platform``."""

    platform: str
    posts: int
    window: int
    what: str
    source: str
    checked: str

    @property
    def window_words(self) -> str:
        if self.window % DAY == 0:
            days = self.window // DAY
            return "a day" if days == 1 else f"{days} days"
        hours = self.window / HOUR
        if hours >= 1:
            return "an hour" if hours == 1 else f"{hours:g} hours"
        return f"{self.window // 60} minutes"


CAPS: tuple[PlatformCap, ...] = (
    PlatformCap(
        "bluesky", 1666, HOUR,
        "5,000 write points an hour per account, 3 points a created record",
        "https://docs.bsky.app/docs/advanced-guides/rate-limits", "2026-12-07",
    ),
    PlatformCap(
        "bluesky", 11666, DAY,
        "35,000 write points a day per account, 3 points a created record",
        "https://docs.bsky.app/docs/advanced-guides/rate-limits", "2026-12-07",
    ),
    PlatformCap(
        "mastodon", 300, 5 * 60,
        "300 API requests per 5 minutes per account (the default; servers may set less)",
        "https://docs.joinmastodon.org/api/rate-limits/", "2026-12-07",
    ),
    PlatformCap(
        "x", 2400, DAY,
        "2,400 posts a day, itself divided into semi-hourly limits",
        "https://help.x.com/en/rules-and-policies/x-limits", "2026-12-07",
    ),
    PlatformCap(
        "x", 300, 3 * HOUR,
        "300 posts and reposts per 3 hours through the API (POST statuses/update, combined)",
        "https://developer.x.com/en/docs/basics/rate-limits", "2026-12-07",
    ),
)
"""The documented caps, by platform."""


def caps_for(platform: str) -> tuple[PlatformCap, ...]:
    return tuple(c for c in CAPS if c.platform == platform)
