"""Two campaigns on one store, each with one of everything a workspace owns.

``build_world`` fills a store with the workspaces "Alpha HQ" (A, the victim) and "Bravo HQ"
(B, the attacker). Each has an owner, a manager and a responder; a tracked X account and a
campaign e-mail address; an SLA policy; inbound public replies, a mention, a private DM and
a private e-mail, filed into its inbox; people with identities, tags, notes, staff stance
entries and an active merge; item notes and replies still to post; a canned reply, a saved
view, a live-channel connection and an outbound row. One citizen (``both_sides``) writes a
public message to both candidates, so each workspace holds an item and a person for the same
platform message and account: the shared facts both may see.

Every string only A typed or only A's inbox received carries a marker (``A_MARKERS``) that
must never appear in anything B is shown (``rows.owned_rows`` is A's data as rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select

from hustings import plan
from hustings.inbox import items, replies, sla, sync, views
from hustings.model import Account, Message, MessageKind, TrackedAccount, Visibility
from hustings.model import Role as AccountRole
from hustings.people import core, merge, stance, targets
from hustings.store import Store
from hustings.store.records import write_accounts, write_messages, write_tracked
from hustings.store.schema import (
    connections,
    inbox_items,
    inbox_replies,
    memberships,
    messages,
    outbound,
    plan_nudges,
    workspace_accounts,
)
from hustings.workspace import Actor, Role, add_account, add_user

__all__ = [
    "A_MARKERS",
    "A_PUSHED",
    "A_TARGET",
    "PASSWORD",
    "Side",
    "World",
    "build_world",
]

PASSWORD = "correct horse battery"
A_TARGET = "Amberley relief road"
ALPHA, BRAVO = "Alpha HQ", "Bravo HQ"

# Strings only workspace A typed or received: B must never be shown any of them.
A_MARKERS: dict[str, str] = {
    "Amberley bypass": "a public reply only A's candidate received",
    "Alpha policy release": "A's policy watch item",
    "Quarry Lane footpath": "a public mention only A's candidate received",
    "07700 900123": "a private DM to A's candidate",
    "4 Orchard Row": "a private e-mail to A's office",
    "jo@alpha-voter.example": "the address of a constituent who e-mailed only A",
    "amberley_resident": "the handle of a constituent who wrote only to A",
    "amberley@alpha.social": "an identity A's staff attached to a person",
    "bypass date not public yet": "A's internal note on an item",
    "expect news in the spring": "A's reply to post, on an A-only item",
    "Alpha will be there": "A's reply to post, on the shared citizen's item",
    "re-sent your ballot": "A's private e-mail reply to post",
    "Amberley parish clerk": "A's note on a person",
    "Alpha undecided on rail": "A's note on the person both workspaces hold",
    "amberley-volunteer": "A's tag",
    "Amberley relief road": "A's stance target",
    "Alpha's relief road plan": "A's stance target's description",
    "alpha-debate-list": "A's tag on the person both workspaces hold",
    "Alpha welcome": "A's canned reply's name",
    "thanks for writing to Alpha HQ": "A's canned reply's body",
    "Alpha breached DMs": "A's saved view",
    "Alpha weekday promise": "A's SLA policy",
    "owner@alpha.example": "A's owner",
    "manager@alpha.example": "A's manager",
    "responder@alpha.example": "A's responder",
    "alpha-connector.example": "A's live-channel settings",
    "alpha-outbound-1": "A's outbound row",
    "Alpha rally at the quarry": "A's planned post (a draft the guard judged)",
    "my flat number is 4B": "a private DM A's live connector pushed",
    "orchard_tenant": "the handle of a constituent whose DM only A's connector pushed",
}

# The DM A's live connector pushes (``POST /api/messages``) once A's owner is signed in.
A_PUSHED = {
    "platform": "x",
    "platform_id": "ap1",
    "author_id": "13",
    "author_handle": "orchard_tenant",
    "kind": "dm",
    "visibility": "direct",
    "text": "Pushed privately: my flat number is 4B",
    "conversation_id": "13-100",
}


@dataclass
class Side:
    """One workspace's ids: what an attacker from the other one would try to name."""

    workspace: int
    name: str
    users: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)
    canned: int = 0
    view: int = 0
    policy: int = 0
    merge: int = 0
    connection: int = 0
    planned: int = 0
    nudge: int = 0
    rule: int = 0
    event: int = 0  # a Live Q&A event, with one approved question on screen
    policy_item: int = 0  # a policy watch item, from a source of the workspace
    tag: str = ""

    def actor(self, who: str) -> Actor:
        role = {"owner": Role.OWNER, "manager": Role.MANAGER, "responder": Role.RESPONDER}[who]
        return Actor(self.workspace, self.users[who], role, self.email(who))

    def email(self, who: str) -> str:
        return f"{who}@{self.name.split()[0].lower()}.example"


@dataclass
class World:
    a: Side
    b: Side
    # Platform ids of messages an attacker can name without seeing them (they are public
    # knowledge on the platform, or guessable).
    platform_ids: dict[str, str] = field(default_factory=dict)


# What the platforms delivered: to A only, to B only, and to both. One citizen (x:30)
# writes to both candidates at once; Jo's daughter answers in Jo's e-mail thread, to B's
# office, so B holds her e-mail but never Jo's (nor A's answer to Jo).
# (platform, id, author id, handle, kind, conversation, to account, mentions, text)
_FACTS: list[tuple[str, str, str, str, str, str, str | None, tuple[str, ...], str]] = [
    ("x", "s0", "100", "alphacand", "post", "cs", None, (), "Debate tonight at the town hall"),
    ("x", "s1", "30", "both_sides", "reply", "cs", "100", ("alphacand", "bravocand"),
     "@alphacand @bravocand will you both debate the rail link?"),
    ("x", "s2", "30", "both_sides", "reply", "cs", "77", (),
     "@bystander I agree about the rail link"),
    ("x", "a1", "11", "amberley_resident", "reply", "ca1", "100", (),
     "When will the Amberley bypass open?"),
    ("x", "a2", "12", "quarry_walker", "post", "a2", None, ("alphacand",),
     "@alphacand the Quarry Lane footpath is flooded again"),
    ("x", "a3", "11", "amberley_resident", "dm", "11-100", None, (),
     "Private: my carer's number is 07700 900123"),
    ("email", "<a4@alpha-voter.example>", "jo@alpha-voter.example", "Jo Amberley", "email",
     "<a4@alpha-voter.example>", "office@alpha.example", (),
     "My postal ballot never reached 4 Orchard Row"),
    ("x", "b1", "21", "brookfield_local", "reply", "cb1", "200", (),
     "Is the Brookfield clinic closing?"),
    ("x", "b2", "21", "brookfield_local", "dm", "21-200", None, (),
     "Private: please ring me about the clinic"),
    ("email", "<b3@bravo-voter.example>", "sam@bravo-voter.example", "Sam Brook", "email",
     "<b3@bravo-voter.example>", "office@bravo.example", (), "Where is my polling station?"),
    ("email", "<b4@family.example>", "kim@family.example", "Kim", "email",
     "<a4@alpha-voter.example>", "office@bravo.example", (), "Mum asked me to write to you too"),
]  # fmt: skip


def _platform_facts() -> list[Message]:
    """The facts as messages, an hour and a half to half an hour old, oldest first."""
    start = datetime.now(UTC) - timedelta(minutes=90)
    return [
        Message(
            platform=platform,
            platform_id=pid,
            author_id=author,
            author_handle=handle,
            created_at=start + timedelta(minutes=5 * n),
            text=text,
            kind=MessageKind(kind),
            visibility=Visibility.DIRECT if kind in ("dm", "email") else Visibility.PUBLIC,
            reply_to_id="s0" if kind == "reply" and platform == "x" else None,
            reply_to_account_id=to,
            conversation_id=conversation,
            mentions=mentions,
        )
        for n, (platform, pid, author, handle, kind, conversation, to, mentions, text) in (
            enumerate(_FACTS)
        )
    ]


def _setup_side(store: Store, name: str, cand: str) -> Side:
    side = Side(workspace=0, name=name)
    for who, role in (
        ("owner", Role.OWNER),
        ("manager", Role.MANAGER),
        ("responder", Role.RESPONDER),
    ):
        side.users[who] = add_user(store, side.email(who), PASSWORD, name, role).id
    with store.begin() as conn:
        side.workspace = int(
            conn.execute(
                select(memberships.c.workspace_id).where(
                    memberships.c.user_id == side.users["owner"]
                )
            ).scalar_one()
        )
        owner = side.actor("owner")
        add_account(conn, owner, "x", cand)
        add_account(conn, owner, "email", f"office@{name.split()[0].lower()}.example")
        promise = f"{name.split()[0]} weekday promise"
        side.policy = sla.save_policy(conn, owner, sla.Policy(None, promise, 1440, 2880, 60))
        side.event = _qa_event(conn, side)
        side.policy_item = _policy_item(conn, side)
    return side


def _policy_item(conn: Connection, side: Side) -> int:
    """A policy source and one coded item, written as a fetch would (no network)."""
    from hustings import policy
    from hustings.policy._items import record
    from hustings.policy._sources import get_source

    first = side.name.split()[0]
    now = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    actor = side.actor("owner")
    source = policy.add_source(conn, actor, "feed", f"{first} watch", f"{first} party",
                               f"http://127.0.0.1:9/{first.lower()}.xml")
    entry = policy.Entry(f"{first}-1", f"{first} policy release on rail fares",
                         f"{first} policy release text", None, now, None, "archived")
    (item,) = record(conn, get_source(conn, side.workspace, source), [entry], now).new
    policy.code_pending(conn, side.workspace, now)
    return item


def _qa_event(conn: Connection, side: Side) -> int:
    from datetime import UTC, datetime, timedelta

    from hustings import qa

    start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    first = side.name.split()[0]
    event = qa.create_event(
        conn, side.workspace, f"{first} town hall", start, start + timedelta(hours=2)
    )
    asked = qa.add_question(conn, side.workspace, event.id, f"{first} asks: depot?", "web", first)
    qa.approve(conn, side.workspace, asked.id)
    qa.show(conn, side.workspace, event.id, asked.id)
    return event.id


def _ids(conn: Connection, side: Side) -> None:
    """Name the side's items, people and messages by the platform id they came from."""
    rows = conn.execute(
        select(
            inbox_items.c.id,
            inbox_items.c.person_id,
            messages.c.id.label("message_id"),
            messages.c.platform_id,
        )
        .join(messages, messages.c.id == inbox_items.c.message_id)
        .where(inbox_items.c.workspace_id == side.workspace)
    ).all()
    names = {
        "s1": "shared",
        "a1": "reply",
        "a2": "mention",
        "a3": "dm",
        "b1": "reply",
        "b2": "dm",
        "<a4@alpha-voter.example>": "email",
        "<b3@bravo-voter.example>": "email",
        "<b4@family.example>": "family",
    }
    for r in rows:
        side.items[names[r.platform_id]] = r.id
        side.messages[names[r.platform_id]] = r.message_id
    by_item = {r.id: r.person_id for r in rows}
    side.people["both"] = by_item[side.items["shared"]]
    side.people["fan"] = by_item[side.items["reply"]]
    side.people["writer"] = by_item[side.items["email"]]


def _alpha_work(store: Store, a: Side) -> None:
    """Everything A's staff do: notes, replies, tags, stance, a merge, canned, a view."""
    owner, manager, responder = a.actor("owner"), a.actor("manager"), a.actor("responder")
    with store.begin() as conn:
        _ids(conn, a)
        a.people["walker"] = int(
            conn.execute(
                select(inbox_items.c.person_id).where(inbox_items.c.id == a.items["mention"])
            ).scalar_one()
        )
        items.add_note(conn, responder, a.items["reply"], "Internal: bypass date not public yet")
        replies.reply(
            conn, responder, a.items["reply"], "Thanks for asking: we expect news in the spring"
        )
        replies.reply(
            conn, responder, a.items["shared"], "Alpha will be there: see you at the debate"
        )
        replies.reply(
            conn, responder, a.items["email"], "Alpha office: we have re-sent your ballot"
        )
        items.claim(conn, responder, a.items["mention"])
        items.set_priority(conn, manager, a.items["dm"], 3)
        core.add_identity(conn, responder, a.people["fan"], "mastodon", "amberley@alpha.social")
        core.add_tag(conn, responder, a.people["fan"], "amberley-volunteer")
        core.add_tag(conn, responder, a.people["both"], "alpha-debate-list")
        core.add_note(conn, responder, a.people["fan"], "Knows the Amberley parish clerk")
        core.add_note(conn, responder, a.people["both"], "Alpha undecided on rail")
        stance.record_stance(
            conn,
            responder,
            a.people["fan"],
            core.Stance.SUPPORT,
            evidence_message_id=a.messages["reply"],
            confidence=80,
        )
        stance.record_stance(
            conn,
            responder,
            a.people["both"],
            core.Stance.OPPOSE,
            evidence_message_id=a.messages["shared"],
        )
        targets.add_target(
            conn, manager, A_TARGET, targets.TargetKind.POLICY, "Alpha's relief road plan"
        )
        stance.record_stance(
            conn, responder, a.people["both"], core.Stance.SUPPORT, target=A_TARGET
        )
        a.merge = merge.merge_people(conn, manager, a.people["fan"], a.people["writer"])
        a.canned = replies.save_canned(
            conn, manager, "Alpha welcome", "Hello {name}, thanks for writing to Alpha HQ"
        )
        a.view = views.save_view(
            conn,
            manager,
            "Alpha breached DMs",
            items.Filters(status=None, channel="x", sla="breached"),
        )
        a.tag = "amberley-volunteer"
        a.messages["draft"] = int(
            conn.execute(
                select(inbox_replies.c.message_id).where(
                    inbox_replies.c.item_id == a.items["reply"]
                )
            ).scalar_one()
        )
        _channel(conn, owner, a, "alpha-connector.example", "alpha-outbound-1")
        a.planned = int(plan.draft(conn, responder, "x:alphacand",
                                   "Alpha rally at the quarry on Saturday")["id"])
        # A nudge as the composer shows it (A's account answers more than it broadcasts in
        # this world, so none is due by itself): its waiting item is A's.
        a.nudge = int(conn.execute(plan_nudges.insert().returning(plan_nudges.c.id), {
            "workspace_id": a.workspace, "tracked_account_id": None,
            "planned_post_id": a.planned, "item_ids": [a.items["reply"]], "broadcasts": 3,
            "replies": 1, "shown_at": datetime.now(UTC),
        }).scalar_one())
        a.rule = int(plan.add_rule(conn, a.actor("manager"), "blackout", {"from": "2099-01-01"},
                                   "x:alphacand", "Alpha's secret blackout")["id"])


def _bravo_work(store: Store, b: Side) -> None:
    """B's own data, so that B has something legitimate to act on in every attack."""
    manager, responder = b.actor("manager"), b.actor("responder")
    with store.begin() as conn:
        _ids(conn, b)
        items.add_note(conn, responder, b.items["reply"], "Bravo note: clinic question")
        replies.reply(conn, responder, b.items["reply"], "Bravo: the clinic stays open")
        core.add_tag(conn, responder, b.people["fan"], "brookfield-helper")
        core.add_note(conn, responder, b.people["both"], "Bravo note on the rail asker")
        stance.record_stance(conn, responder, b.people["fan"], core.Stance.UNDECIDED)
        b.merge = merge.merge_people(conn, manager, b.people["fan"], b.people["writer"])
        b.canned = replies.save_canned(conn, manager, "Bravo thanks", "Thanks {name}, Bravo HQ")
        b.view = views.save_view(conn, manager, "Bravo open", items.Filters())
        b.tag = "brookfield-helper"
        _channel(conn, b.actor("owner"), b, "bravo-connector.example", "bravo-outbound-1")


def _channel(conn: Connection, owner: Actor, side: Side, server: str, key: str) -> None:
    """A live-channel connection and one outbound reply (no API writes these yet)."""
    now = datetime.now(UTC)
    account = (
        conn.execute(
            select(workspace_accounts.c.tracked_account_id)
            .where(workspace_accounts.c.workspace_id == side.workspace)
            .order_by(workspace_accounts.c.tracked_account_id)
        )
        .scalars()
        .first()
    )
    (connection_id,) = conn.execute(
        connections.insert().values(
            workspace_id=side.workspace,
            tracked_account_id=account,
            # Mastodon's connector names ``server`` as its server setting, which
            # ``hustings connections`` shows; no credentials, so nothing is ever sent.
            platform="mastodon",
            secret=None,
            settings={"server": server},
            cursor={},
            status="ok",
            created_at=now,
        )
    ).inserted_primary_key or (0,)
    side.connection = int(connection_id)
    conn.execute(
        outbound.insert().values(
            workspace_id=side.workspace,
            connection_id=connection_id,
            item_id=side.items["reply"],
            message_id=None,
            kind="reply",
            idempotency_key=key,
            state="queued",
            attempts=0,
            created_at=now,
            updated_at=now,
        )
    )


def build_world(store: Store) -> World:
    """Fill an empty store with both workspaces (about a second)."""
    with store.begin() as conn:
        write_tracked(conn, TRACKED)
    a = _setup_side(store, ALPHA, "alphacand")
    b = _setup_side(store, BRAVO, "bravocand")
    with store.begin() as conn:
        write_messages(conn, _platform_facts(), None)
        write_accounts(
            conn,
            [
                Account("x", "11", "amberley_resident", description="Amberley born and bred"),
                Account("x", "30", "both_sides", description="Rail link campaigner"),
                Account("x", "100", "alphacand"),
                Account("x", "200", "bravocand"),
            ],
            None,
        )
    sync.sync_inbox(store)
    _alpha_work(store, a)
    _bravo_work(store, b)
    ids = {
        "a_dm": "a3",
        "a_reply": "a1",
        "a_email": "<a4@alpha-voter.example>",
        "shared": "s1",
        "a_candidate_post": "s0",
        "both_sides_aside": "s2",
    }
    return World(a=a, b=b, platform_ids=ids)


TRACKED = [
    TrackedAccount("x", "alphacand", AccountRole.CANDIDATE, platform_id="100"),
    TrackedAccount("email", "office@alpha.example", AccountRole.STAFF),
    TrackedAccount("x", "bravocand", AccountRole.CANDIDATE, platform_id="200"),
    TrackedAccount("email", "office@bravo.example", AccountRole.STAFF),
]
