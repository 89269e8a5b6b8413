"""One colour per party, everywhere: every chart and table asks :func:`party_colours`.

Left to the charting library, a party took whatever colour its position in each chart's
legend gave it, so the same party was blue in one chart and orange in the next. Here the
colour depends on the set of parties alone (sorted by name), and every chart of a report
passes the same set, so a party keeps its colour from the first chart to the last.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "NO_PARTY",
    "NO_PARTY_COLOUR",
    "OTHER_COLOURS",
    "PARTY_COLOURS",
    "party_colours",
    "party_name",
]

PARTY_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
)
"""Colours for parties, in the order of their names."""
NO_PARTY = "(no party)"
"""How an account without a party is shown; it is always grey."""
NO_PARTY_COLOUR = "#9e9e9e"
OTHER_COLOURS = ("#6b8fa3", "#c9a66b", "#8aa17a", "#b07aa1", "#7f7f7f", "#d4c17f")
"""Muted colours for categories that are not parties (reply targets, kinds), so that they
are not mistaken for one."""


def party_name(party: object) -> str:
    """A party as charts and tables label it: missing reads :data:`NO_PARTY`."""
    if party is None or (isinstance(party, float) and party != party):
        return NO_PARTY
    text = str(party).strip()
    return text or NO_PARTY


def party_colours(parties: Iterable[object]) -> dict[str, str]:
    """Each party's colour (by :func:`party_name`), the same whichever chart asks; grey for
    :data:`NO_PARTY`, listed when some account has no party."""
    named = {party_name(p) for p in parties}
    names = sorted(named - {NO_PARTY})
    colours = {name: PARTY_COLOURS[i % len(PARTY_COLOURS)] for i, name in enumerate(names)}
    if NO_PARTY in named:
        colours[NO_PARTY] = NO_PARTY_COLOUR
    return colours
