"""The demo team's stance records: toward its candidate and three policies, staff and model.

Without this, every person of the demo reads "no stance", and the people pages show none of
what stance tracking is for. A campaign team names what it tracks (here the Harbour Party's
leader and three pledges its citizens write about), staff record what some people's
messages show, and the stance model, adapted with those staff judgements as its examples,
reads the rest. So the demo does exactly that:

- **targets**: the first party's leader (a candidate) and the rent cap, late-night buses
  and flood defences (policies, from the issues the simulated citizens raise);
- **staff entries**: for about a third of the people who wrote to the party's accounts (or
  about a policy), the stance the simulator gave them, with their message as evidence,
  authored by the demo user a little after the message;
- **model entries**: the shipped stance model adapted to each target with those staff
  entries as its examples, run over the other people's messages; its favour and against
  readings become model entries with its confidence and how many examples it had.

Seeded, so the same seed gives the same records; re-running adds nothing already recorded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from hustings.demo._files import registry_handle, registry_platform_id, tracked_handles
from hustings.demo._model import Campaign, DemoAccount, Role
from hustings.demo._model import Stance as Latent
from hustings.errors import ConfigError
from hustings.people.core import Stance
from hustings.people.stance import Judgement, StanceSource, record_judgements
from hustings.people.targets import TargetKind, add_target, find_target
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, tracked_accounts, users, workspaces
from hustings.workspace import Actor
from hustings.workspace import Role as WorkspaceRole

__all__ = ["POLICIES", "seed_stances"]

# (issue hashtag as the simulator writes it, target name, description)
POLICIES = (
    ("housing", "Rent cap", "Cap rent increases at 3% a year."),
    ("transit", "Late-night buses", "Restore late-night bus service."),
    ("climate", "Flood defences", "Build flood defences along the coast."),
)
_PHRASES = {"housing": "rent", "transit": "bus service", "climate": "flooding"}
_STAFF_SHARE = 0.35
_MIN_EXAMPLES = 10
_LABELS = {
    Stance.STRONG_SUPPORT: "favor",
    Stance.SUPPORT: "favor",
    Stance.UNDECIDED: "none",
    Stance.OPPOSE: "against",
    Stance.STRONG_OPPOSITION: "against",
}


@dataclass(frozen=True, slots=True)
class _Seen:
    """A person's message that shows their stance toward a target, and what it is."""

    person_id: int
    message_id: int
    text: str
    at: datetime
    value: Stance


def _value(rng: random.Random, author: DemoAccount, latent: Latent) -> Stance:
    if latent is Latent.SUPPORTIVE:
        return Stance.STRONG_SUPPORT if rng.random() < 0.3 else Stance.SUPPORT
    if latent is Latent.OPPOSED:
        strong = rng.random() < 0.25 + author.temper
        return Stance.STRONG_OPPOSITION if strong else Stance.OPPOSE
    return Stance.UNDECIDED


def _targets(conn: Connection, actor: Actor, campaign: Campaign) -> tuple[str, str]:
    """Name the demo's targets (once); return the party's code and the candidate's name."""
    party = campaign.parties[0]
    leader = next(
        a for a in campaign.accounts if a.role is Role.LEADER and a.party == party.code
    )
    wanted = [(leader.name, TargetKind.CANDIDATE, f"{leader.name}, leader of the {party.name}.")]
    wanted += [(name, TargetKind.POLICY, text) for _, name, text in POLICIES]
    for name, kind, text in wanted:
        if find_target(conn, actor.workspace_id, name) is None:
            add_target(conn, actor, name, kind, text)
    return party.code, leader.name


def _rows(conn: Connection, workspace_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(
                inbox_items.c.person_id,
                inbox_items.c.message_id,
                messages.c.platform,
                messages.c.author_id,
                messages.c.text,
                messages.c.hashtags,
                messages.c.created_at,
                tracked_accounts.c.platform.label("own_platform"),
                tracked_accounts.c.handle_lower.label("own_handle"),
            )
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .outerjoin(tracked_accounts, tracked_accounts.c.id == inbox_items.c.tracked_account_id)
            .where(
                inbox_items.c.workspace_id == workspace_id,
                inbox_items.c.person_id.is_not(None),
            )
            .order_by(messages.c.created_at, messages.c.id)
        )
    )


def _seen(
    rows: list[Any], campaign: Campaign, party: str, candidate: str, rng: random.Random
) -> dict[str, dict[int, _Seen]]:
    """Per target, each person's latest message that shows their stance toward it."""
    authors = {
        (p.value, registry_platform_id(a, p)): a for a in campaign.accounts for p in a.platforms
    }
    own = {(p.value, registry_handle(a, p).lower()): a for a, p in tracked_handles(campaign)}
    index = {p.code: n for n, p in enumerate(campaign.parties)}
    found: dict[str, dict[int, _Seen]] = {candidate: {}, **{n: {} for _, n, _ in POLICIES}}
    for r in rows:
        author = authors.get((r.platform, r.author_id))
        addressed = own.get((r.own_platform, r.own_handle or ""))
        if author is None or author.is_tracked or not author.stances:
            continue
        if addressed is None or addressed.party is None:
            continue
        latent = author.stances[index[addressed.party]]
        value = _value(rng, author, latent)
        seen = _Seen(r.person_id, r.message_id, r.text, r.created_at, value)
        if addressed.party == party:
            found[candidate][r.person_id] = seen
        text, tags = r.text.lower(), {str(t).lower() for t in r.hashtags or ()}
        for tag, name, _ in POLICIES:
            if tag in tags or _PHRASES[tag] in text:
                # Someone undecided about a party who raises rent or flooding mostly wants
                # something done about it: half of them favour the pledge.
                if value is Stance.UNDECIDED and rng.random() < 0.5:
                    seen = _Seen(r.person_id, r.message_id, r.text, r.created_at, Stance.SUPPORT)
                found[name][r.person_id] = seen
    return found


def _model_judgements(
    target: str, staff: list[_Seen], rest: list[_Seen], now: datetime
) -> list[Judgement]:
    """What the stance model, adapted with the staff judgements, reads in ``rest``."""
    from hustings.nlp import StanceClassifier, load  # loaded only when there is work

    labels = [_LABELS[s.value] for s in staff if s.value in _LABELS]
    if len(labels) < _MIN_EXAMPLES or len(set(labels)) < 2 or not rest:
        return []
    shipped = load("stance")
    assert isinstance(shipped, StanceClassifier)
    model = shipped.adapt(target, [s.text for s in staff if s.value in _LABELS], labels)
    read = model.predict([s.text for s in rest], target=target)
    return [
        Judgement(
            s.person_id,
            Stance.SUPPORT if p.label == "favor" else Stance.OPPOSE,
            s.message_id,
            min(now, s.at + timedelta(minutes=5)),
            round(100 * p.score),
        )
        for s, p in zip(rest, read, strict=True)
        if p.label in ("favor", "against")
    ]


def seed_stances(
    store: Store, workspace: str, campaign: Campaign, staff_email: str, seed: int
) -> dict[str, int]:
    """Name the demo's targets and record its staff and model stance entries; return how
    many entries were added, by source."""
    rng = random.Random(f"stance:{seed}")
    added = {StanceSource.STAFF.value: 0, StanceSource.MODEL.value: 0}
    with store.begin() as conn:
        workspace_id = conn.execute(
            select(workspaces.c.id).where(workspaces.c.name == workspace)
        ).scalar()
        user_id = conn.execute(select(users.c.id).where(users.c.email == staff_email)).scalar()
        if workspace_id is None or user_id is None:
            raise ConfigError(f"no workspace {workspace!r} with a user {staff_email!r}")
        staff_actor = Actor(int(workspace_id), int(user_id), WorkspaceRole.OWNER, staff_email)
        party, candidate = _targets(conn, Actor.system(int(workspace_id)), campaign)
        found = _seen(_rows(conn, int(workspace_id)), campaign, party, candidate, rng)
        now = campaign.end
        for target, by_person in found.items():
            seen = list(by_person.values())
            staff = [s for s in seen if rng.random() < _STAFF_SHARE]
            chosen = {s.person_id for s in staff}
            rest = [s for s in seen if s.person_id not in chosen]
            judged = [
                Judgement(
                    s.person_id,
                    s.value,
                    s.message_id,
                    min(now, s.at + timedelta(minutes=rng.randint(20, 600))),
                    rng.choice((70, 80, 90, 100)),
                )
                for s in staff
            ]
            added["staff"] += record_judgements(
                conn, staff_actor, target, StanceSource.STAFF, judged
            )
            model = _model_judgements(target, staff, rest, now)
            added["model"] += record_judgements(
                conn,
                Actor.system(int(workspace_id)),
                target,
                StanceSource.MODEL,
                model,
                examples=len(staff),
            )
    return added
