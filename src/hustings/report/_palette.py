"""One colour per party, everywhere: every chart and table asks :func:`party_colours`.

Left to the charting library, a party took whatever colour its position in each chart's
legend gave it, so the same party was blue in one chart and orange in the next. Here the
colour depends on the set of parties alone, and every chart of a report passes the same
set, so a party keeps its colour from the first chart to the last.

A party people know by a colour gets that colour (:data:`CONVENTIONAL`: Republicans red,
Democrats blue, Labour red, Conservatives blue, Liberal Democrats orange, Greens green,
...): a reader who sees Republicans in green and Greens in red reads the chart wrong
before reading its legend. Parties without a conventional colour, and a second party
claiming a colour already taken in the same chart (Labour and Canada's Liberals both
red), take :data:`PARTY_COLOURS` in the order of their names.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "CONVENTIONAL",
    "NO_PARTY",
    "NO_PARTY_COLOUR",
    "OTHER_COLOURS",
    "PARTY_COLOURS",
    "conventional_colour",
    "party_colours",
    "party_name",
]

PARTY_COLOURS = (
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#d62728",
)
"""Colours for parties without a conventional one, in the order of their names (the
colours no big party is known by come first)."""

_RED, _BLUE, _ORANGE, _GREEN, _YELLOW = "#d62728", "#1f5fbf", "#f28c1b", "#3a9b35", "#e6c200"

CONVENTIONAL: tuple[tuple[str, str], ...] = (
    ("liberal democrat", _ORANGE),
    ("new democratic", _ORANGE),
    ("ndp", _ORANGE),
    ("democratic unionist", "#d46a4c"),
    ("democrat", _BLUE),
    ("democratic", _BLUE),
    ("dem", _BLUE),
    ("d", _BLUE),
    ("republican", _RED),
    ("gop", _RED),
    ("r", _RED),
    ("conservative", _BLUE),
    ("tory", _BLUE),
    ("labour", _RED),
    ("labor", _RED),
    ("liberal", _RED),
    ("green", _GREEN),
    ("bloc", "#33b2cc"),
    ("scottish national", _YELLOW),
    ("snp", _YELLOW),
    ("plaid cymru", "#005b54"),
    ("reform", "#12b6cf"),
    ("people s party", "#4e2e7f"),
    ("ppc", "#4e2e7f"),
    ("libertarian", _YELLOW),
    ("l", _YELLOW),
    ("dup", "#d46a4c"),
    ("sinn fein", "#326760"),
)
"""A party's conventional colour, by the start of its name (lower case, accents and
punctuation dropped, a plural "s" allowed): the first entry the name equals or begins with,
as whole words ("liberal democrats" before "liberal"; "labour co-operative" is Labour). The
one-letter entries are the US registers' codes (D, R, L). Parties of one colour family
share one value, so two red parties in one chart are told apart: the second takes a
spare colour."""
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


def _key(name: str) -> str:
    """A party name reduced for :data:`CONVENTIONAL`: "Bloc Québécois" -> "bloc quebecois",
    "Scottish National[k]" -> "scottish national k"."""
    with contextlib.suppress(UnicodeError):  # UTF-8 read as Windows-1252 upstream:
        name = name.encode("cp1252").decode("utf-8")  # "Sinn FÃ©in" is "Sinn Féin"
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.casefold()).split())


def conventional_colour(name: str) -> str | None:
    """The colour a party is known by (:data:`CONVENTIONAL`), or None."""
    key = _key(name)
    for start, colour in CONVENTIONAL:
        if key in (start, start + "s") or key.startswith((start + " ", start + "s ")):
            return colour
    return None


def party_colours(parties: Iterable[object]) -> dict[str, str]:
    """Each party's colour (by :func:`party_name`), the same whichever chart asks; grey for
    :data:`NO_PARTY`, listed when some account has no party."""
    named = {party_name(p) for p in parties}
    names = sorted(named - {NO_PARTY})
    colours: dict[str, str] = {}
    for name in names:
        known = conventional_colour(name)
        if known is not None and known not in colours.values():
            colours[name] = known
    spare = [c for c in PARTY_COLOURS if c not in colours.values()] or list(PARTY_COLOURS)
    rest = [name for name in names if name not in colours]
    for i, name in enumerate(rest):
        colours[name] = spare[i % len(spare)]
    if NO_PARTY in named:
        colours[NO_PARTY] = NO_PARTY_COLOUR
    return {name: colours[name] for name in [*names, *([NO_PARTY] if NO_PARTY in named else [])]}
