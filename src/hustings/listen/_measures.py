"""Every listening measure, defined once: the report, the CLI, the CSVs and the docs print these.

The audit's metrics registry holds Ibis reductions over message tables; listening measures
are graph computations (communities, random walks), so they live in their own registry with
the same rule: one frozen record per measure, its definition written here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hustings.errors import PluginError
from hustings.listen._network import RWC_HUBS

__all__ = ["MEASURES", "Measure", "definition_rows"]


@dataclass(frozen=True, slots=True)
class Measure:
    """A listening measure: its column name, a title, a plain-language definition, a unit."""

    name: str
    title: str
    definition: str
    unit: str


_ALL: dict[str, Measure] = {}


def _define(name: str, title: str, unit: str, definition: str) -> None:
    if name in _ALL:
        raise PluginError(f"listening measure {name!r} is defined twice")
    _ALL[name] = Measure(name, title, " ".join(definition.split()), unit)


for _kind, _what in (
    ("reply", "replies to another account"),
    ("mention", "@-mentions of another account in posts, replies and quotes (not in reposts)"),
    ("quote", "quotes of another account's message"),
    ("repost", "reposts (retweets, boosts) of another account's message"),
):
    _define(
        f"{_kind}_interactions",
        f"{_kind.title()} interactions",
        "interactions",
        f"Number of {_what} in the conversation; self-interactions are not counted. "
        f"Each is one edge of the {_kind} graph, weighted by how often it happened.",
    )
    _define(
        f"modularity_{_kind}",
        f"Camp modularity of the {_kind} graph",
        "modularity",
        f"Newman modularity of the camps on the {_kind} graph with direction dropped and "
        "weights summed (accounts in no camp count as groups of one). Near 0: the "
        "interactions ignore camps; towards 1: they stay inside camps.",
    )

_define(
    "accounts",
    "Accounts",
    "accounts",
    "Accounts that wrote a message in the conversation or were replied to, mentioned, "
    "quoted or reposted in it.",
)
_define(
    "camps",
    "Camps",
    "camps",
    "Leiden communities (modularity objective, weighted) of the repost graph holding at "
    "least 3 accounts and 1% of the accounts that repost or are reposted.",
)
_define(
    "rwc",
    "Random-walk controversy (RWC)",
    "score from -1 to 1",
    f"Garimella et al.'s RWC between the two largest camps on the repost graph: walks start "
    f"in equal numbers from each camp at a random account that is not a hub, follow "
    f"reposts in either direction in proportion to their counts, and stop at the first of "
    f"either camp's {RWC_HUBS} most-reposting-or-reposted accounts (hubs). With "
    "P_AB = Pr[started in A | ended in B], RWC = P_XX·P_YY − P_YX·P_XY. Near 1: each "
    "camp hears only its own; near 0: camps reach each other's hubs.",
)
_define(
    "cross_camp_reply_share",
    "Cross-camp replies",
    "share",
    "Among replies whose author and addressee are both in a camp, the share where the "
    "two are in different camps.",
)
_define(
    "two_way_reply_share",
    "Two-way replies",
    "share",
    "Share of replies that got a reply back: the account replied to later replied to the "
    "replier (at the same time or after) within the window. The rest are one-shot.",
)
_define(
    "cross_camp_reply_depth",
    "Depth of cross-camp replies",
    "thread depth",
    "Mean thread depth of cross-camp replies whose depth is known (1 answers a post, 2 "
    "answers a reply, ...): how far into a conversation people of different camps go.",
)
_define(
    "within_camp_reply_depth",
    "Depth of within-camp replies",
    "thread depth",
    "Mean thread depth of replies between two accounts of the same camp whose depth is "
    "known, to compare with the cross-camp depth.",
)
_define(
    "incivility_within_camps",
    "Incivility within camps",
    "share",
    "Share of replies between two accounts of the same camp that the incivility classifier "
    "labels uncivil (offensive, hateful or shouting). Empty when no classifier is installed.",
)
_define(
    "incivility_across_camps",
    "Incivility across camps",
    "share",
    "Share of cross-camp replies labelled uncivil by the incivility classifier.",
)
_define(
    "incivility_toward_politicians",
    "Incivility toward politicians",
    "share",
    "Share of replies to tracked accounts other than media (parties, leaders, candidates, "
    "officials, staff) labelled uncivil by the incivility classifier.",
)
_define(
    "shouting_accounts",
    "Shouting accounts",
    "accounts",
    "Accounts that sent at least 3 replies, got none of them answered (see two-way "
    "replies), and had at least half of them labelled uncivil. Empty without a classifier.",
)
_define(
    "bridge_accounts",
    "Bridges",
    "accounts",
    "Accounts with at least one reply answered by an account of another camp: they sent a "
    "cross-camp reply and the addressee replied back.",
)
_define(
    "open_questions",
    "Open questions",
    "messages",
    "Messages (not reposts) by accounts that are not tracked politicians, containing a "
    "question mark outside links, after which nobody in the conversation replied to their "
    "author.",
)
_define(
    "unanswered_undecided",
    "Undecided, unanswered",
    "accounts",
    "Accounts in no camp that wrote at least one message other than a repost and that "
    "nobody in the conversation replied to.",
)

MEASURES: Mapping[str, Measure] = MappingProxyType(_ALL)
"""All listening measures by column name, in the order reports print them."""


def definition_rows() -> list[dict[str, str]]:
    return [
        {"measure": m.name, "title": m.title, "unit": m.unit, "definition": m.definition}
        for m in MEASURES.values()
    ]
