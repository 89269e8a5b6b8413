"""The cast of the fictional Northland election: parties, ridings, politicians, citizens.

Responsiveness is drawn from ranges seen in real campaigns, so an audit of the demo looks
like an audit of real accounts: leaders' reply shares spread from about 11% to 61% of their
own tweets (Canada, 2019), central party accounts rarely converse, grassroots candidates
converse more, and response times are lognormal with medians from half an hour to two days.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, timedelta

from hustings.demo._model import (
    DemoAccount,
    Party,
    Platform,
    Role,
    Stance,
)

__all__ = ["LEADER_REPLY_SHARES", "PARTIES", "RIDINGS", "build_cast"]

PARTIES = (
    Party(
        "HBR",
        "Harbour Party",
        "Harbour",
        "HarbourStrong",
        "harbourparty.example",
        "A fair deal for every harbour town.",
    ),
    Party(
        "EVG",
        "Evergreen Alliance",
        "Evergreen",
        "GoEvergreen",
        "evergreen.example",
        "Grow Northland, green and fair.",
    ),
    Party(
        "HER",
        "Heritage Party",
        "Heritage",
        "HeritageFirst",
        "heritageparty.example",
        "Common sense, common ground.",
    ),
    Party(
        "CIV",
        "Civic Liberals",
        "Civic",
        "CivicForward",
        "civicliberals.example",
        "Forward, together.",
    ),
    Party(
        "NFR",
        "Northern Frontier",
        "Frontier",
        "FrontierNow",
        "northernfrontier.example",
        "Northland's voice, not the capital's.",
    ),
)

RIDINGS = (
    "Riverside",
    "Harbourview",
    "Northgate",
    "Pine Hollow",
    "Stonebridge",
    "Cedar Falls",
    "Eastmarch",
    "Westbrook",
    "Kettle Lake",
    "Marrow Bay",
    "Ironwood",
    "Saltmarsh",
    "Greyhaven",
    "Fernley",
    "Brackenridge",
    "Oldmill",
    "Thornfield",
    "Copperton",
    "Lakeshore",
    "Highmoor",
    "Ashgrove",
    "Wrenfield",
    "Bellcliff",
    "Dunmore",
    "Glenview",
    "Summerside",
)

# Spread like the 2019 Canadian leaders, from the least to the most conversational.
LEADER_REPLY_SHARES = (0.11, 0.24, 0.36, 0.49, 0.61)

_FIRST = (
    "Aila",
    "Bram",
    "Cora",
    "Dario",
    "Edda",
    "Finn",
    "Greta",
    "Hollis",
    "Ines",
    "Jonah",
    "Kaia",
    "Leif",
    "Mira",
    "Nils",
    "Orla",
    "Pavel",
    "Quinn",
    "Rhea",
    "Soren",
    "Talia",
    "Ulla",
    "Vaughn",
    "Wren",
    "Xavi",
    "Yara",
    "Zeke",
    "Alma",
    "Bodhi",
    "Cleo",
    "Dev",
    "Elsa",
    "Faro",
    "Gil",
    "Hana",
    "Ivo",
    "Juno",
    "Kit",
    "Lena",
    "Milo",
    "Noor",
    "Otis",
    "Pia",
    "Rory",
    "Sina",
    "Tam",
    "Uma",
    "Vik",
    "Willa",
    "Ari",
    "Bea",
    "Cal",
    "Dina",
)
_LAST = (
    "Ashby",
    "Brennick",
    "Calloway",
    "Dunstan",
    "Ellery",
    "Fairweather",
    "Galloway",
    "Hartnell",
    "Ingram",
    "Jessop",
    "Kettering",
    "Lockhart",
    "Marwood",
    "Norcross",
    "Oakes",
    "Pennant",
    "Quarry",
    "Rowntree",
    "Stallard",
    "Thorne",
    "Upton",
    "Varley",
    "Whitlock",
    "Yardley",
    "Abernethy",
    "Blackwood",
    "Corrie",
    "Dalby",
    "Esk",
    "Fenwick",
    "Grier",
    "Halloran",
    "Isley",
    "Kerrigan",
    "Lindqvist",
    "Moray",
    "Nettleton",
    "Orme",
)
_NICK = (
    "voter",
    "renter",
    "nurse",
    "teacher",
    "fisher",
    "dad",
    "mum",
    "watcher",
    "local",
    "cyclist",
    "farmer",
    "student",
    "retiree",
    "builder",
    "baker",
    "commuter",
)
_MEDIA = (
    ("NorthlandHerald", "Northland Herald"),
    ("NLTVNews", "NLTV News"),
    ("HarbourRadio", "Harbour Radio 98.1"),
    ("TheLedgerNL", "The Ledger"),
    ("NLPollWatch", "Northland Poll Watch"),
    ("CapitalWire", "Capital Wire"),
)
_REMOTE_HOSTS = ("toot.example", "mstdn.example", "fedi.example")
_CITIZENS_AT_SCALE_ONE = 3000


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


class _Builder:
    """Hands out indexes and unique handles while the cast is assembled."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.start = start
        self.accounts: list[DemoAccount] = []
        self.handles: set[str] = set()

    def person(self) -> tuple[str, str]:
        return self.rng.choice(_FIRST), self.rng.choice(_LAST)

    def unique(self, handle: str) -> str:
        handle = handle[:15]
        candidate, n = handle, 1
        while candidate.lower() in self.handles:
            n += 1
            candidate = f"{handle[: 15 - len(str(n))]}{n}"
        self.handles.add(candidate.lower())
        return candidate

    def joined(self, years: float) -> datetime:
        days = self.rng.uniform(30, years * 365)
        seconds = self.rng.randrange(86400)
        return self.start - timedelta(days=int(days), seconds=seconds)

    def add(self, **fields: object) -> DemoAccount:
        account = DemoAccount(index=len(self.accounts), **fields)  # type: ignore[arg-type]
        self.accounts.append(account)
        return account


def _response(rng: random.Random) -> dict[str, float]:
    return {
        "response_median_minutes": _log_uniform(rng, 30, 2880),
        "response_sigma": rng.uniform(0.6, 1.3),
    }


def _political(b: _Builder, party: Party, leader_share: float, silent: bool) -> None:
    rng = b.rng
    both = frozenset({Platform.X, Platform.MASTODON})
    b.add(
        handle=b.unique(f"{party.short}Party"),
        name=f"{party.name} (synthetic)",
        role=Role.PARTY,
        platforms=both | {Platform.EMAIL},
        party=party.code,
        office="Central party account",
        followers=int(_log_uniform(rng, 15000, 80000)),
        created_at=b.joined(12),
        reply_share=0.0 if silent else rng.uniform(0.02, 0.1),
        posts_per_day=rng.uniform(6, 10),
        email=f"spokesperson@{party.domain}",
        **_response(rng),
    )
    first, last = b.person()
    leader = b.add(
        handle=b.unique(f"{first}{last}"),
        name=f"{first} {last} (synthetic)",
        role=Role.LEADER,
        platforms=both,
        party=party.code,
        office="Party leader",
        riding=rng.choice(RIDINGS),
        followers=int(_log_uniform(rng, 30000, 250000)),
        created_at=b.joined(12),
        reply_share=leader_share,
        posts_per_day=rng.uniform(4, 7),
        **_response(rng),
    )
    ridings = rng.sample(RIDINGS, rng.randint(22, len(RIDINGS)))
    candidates = []
    for riding in ridings:
        if riding == leader.riding:
            continue
        first, last = b.person()
        style = rng.random()
        share = 0.0 if style < 0.1 else 0.23 if style < 0.25 else rng.uniform(0.15, 0.7)
        candidates.append(
            b.add(
                handle=b.unique(f"{first}4{riding.replace(' ', '')}"),
                name=f"{first} {last} (synthetic)",
                role=Role.CANDIDATE,
                platforms=both if rng.random() < 0.7 else frozenset({Platform.X}),
                party=party.code,
                riding=riding,
                office=f"Candidate for {riding}",
                followers=int(rng.lognormvariate(math.log(1500), 0.9)),
                created_at=b.joined(8),
                reply_share=share,
                posts_per_day=rng.uniform(0.8, 2.5),
                **_response(rng),
            )
        )
    for n in range(rng.randint(1, 2)):
        first, last = b.person()
        proxy = candidates[0] if n == 0 else None
        staff = b.add(
            handle=b.unique(f"{first}{last[:3]}{party.code}"),
            name=f"{first} {last} (synthetic), {party.short} campaign team",
            role=Role.STAFF,
            platforms=both | {Platform.EMAIL},
            party=party.code,
            office=f"Digital staff, {party.name}"
            if proxy is None
            else f"Campaign staff for {proxy.name.removesuffix(' (synthetic)')}",
            followers=int(_log_uniform(rng, 150, 900)),
            created_at=b.joined(5),
            reply_share=0.85,
            posts_per_day=0.2,
            email=f"{first.lower()}.{last.lower()}@{party.domain}",
            response_median_minutes=_log_uniform(rng, 30, 240),
            response_sigma=0.7,
        )
        if proxy is not None:
            b.accounts[proxy.index] = replace(proxy, answered_by=staff.index)


def _citizen(b: _Builder, parties: int) -> None:
    rng = b.rng
    first, last = b.person()
    style = rng.random()
    if style < 0.45:
        handle = f"{first}{last}{rng.randrange(10, 999)}"
    elif style < 0.8:
        handle = f"{rng.choice(RIDINGS).replace(' ', '')}_{rng.choice(_NICK)}"
    else:
        handle = f"{first.lower()}_{rng.choice(_NICK)}{rng.randrange(1, 99)}"
    stances = [Stance.UNDECIDED] * parties
    if rng.random() < 0.6:
        home = rng.randrange(parties)
        stances[home] = Stance.SUPPORTIVE
        for other in rng.sample(range(parties), rng.randint(1, 3)):
            if other != home:
                stances[other] = Stance.OPPOSED
    elif rng.random() < 0.5:
        stances[rng.randrange(parties)] = Stance.OPPOSED
    roll = rng.random()
    platforms = {Platform.X} if roll < 0.62 else {Platform.MASTODON}
    if rng.random() < 0.25:
        platforms.add(Platform.EMAIL)
    remote = rng.random() < 0.3
    b.add(
        handle=b.unique(handle),
        name=f"{first} {last} (synthetic)",
        role=Role.CITIZEN,
        platforms=frozenset(platforms),
        riding=rng.choice(RIDINGS),
        followers=int(rng.lognormvariate(math.log(150), 1.2)),
        created_at=b.joined(14),
        activity=rng.lognormvariate(math.log(0.05), 1.0),
        temper=min(1.0, rng.betavariate(1.2, 7.0)),
        stances=tuple(stances),
        email=f"{first.lower()}.{last.lower()}{rng.randrange(1, 9999)}@mail.example",
        mastodon_host=rng.choice(_REMOTE_HOSTS) if remote else "social.northland.example",
    )


def build_cast(rng: random.Random, scale: float, start: datetime) -> list[DemoAccount]:
    """Return every account, politicians first; indexes are positions in the list.

    Accounts joined the platforms before ``start``, the campaign's first day.
    """
    b = _Builder(rng, start)
    shares = list(LEADER_REPLY_SHARES)
    rng.shuffle(shares)
    silent_party = rng.randrange(len(PARTIES))
    for n, party in enumerate(PARTIES):
        _political(b, party, shares[n], silent=n == silent_party)
    for handle, name in _MEDIA:
        b.add(
            handle=b.unique(handle),
            name=f"{name} (synthetic)",
            role=Role.MEDIA,
            platforms=frozenset({Platform.X, Platform.MASTODON}),
            office="News outlet",
            followers=int(_log_uniform(rng, 20000, 150000)),
            created_at=b.joined(12),
            reply_share=0.02,
            posts_per_day=rng.uniform(3, 8),
            **_response(rng),
        )
    for _ in range(max(50, round(_CITIZENS_AT_SCALE_ONE * scale))):
        _citizen(b, len(PARTIES))
    return b.accounts
