"""A hand-made fortnight of conversations whose scorecard was worked out on paper.

Time ``h(n)`` is ``n`` hours after Monday 2 March 2026 00:00 UTC; the audit period is the two
weeks to Sunday 15 March 23:59:59, and the data runs on to ``h(400)`` (the end of the data,
against which "seen within the window" is judged).

Cast: Alice (X ``A``, candidate, Red) and her e-mail address; her staffer (X ``S``, office
``alice``); Bob (X ``B``, leader, Blue); the Red party account (``R``); a newspaper (``N``);
citizens ``C1``..``C4``.

Edge cases, by message: a self-thread (``a5``), a reply to a reply (``r2``), a message
answered twice (``r2`` by Alice then her staffer), a reply after the 72 h window (``r5``,
answered after 100 h), a reply to a deleted parent (``r5``, parent ``gone``), an answer after
the period's end (``r6``), a DM thread (``d1``/``d2``), an e-mail thread with an
auto-responder (``e1``..``e4``), a mention (``m1``), an ask after a 10-day silence (``b4``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hustings.model import (
    Account,
    Message,
    MessageKind,
    ReplyLink,
    Role,
    TrackedAccount,
    Visibility,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)
SINCE = T0
UNTIL = T0 + timedelta(days=14) - timedelta(seconds=1)
HANDLES = {
    "A": "alice",
    "S": "alicestaff",
    "B": "bob",
    "R": "redparty",
    "N": "news",
    "C1": "c1",
    "C2": "c2",
    "C3": "c3",
    "C4": "c4",
}


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _x(
    pid: str,
    author: str,
    at: float,
    text: str,
    kind: MessageKind = MessageKind.POST,
    parent: tuple[str, str] | None = None,
    conv: str | None = None,
    **kw: object,
) -> Message:
    reply = {}
    if parent is not None:
        reply = {
            "reply_to_id": parent[0],
            "reply_to_account_id": parent[1],
            "reply_link": ReplyLink.MESSAGE,
        }
    return Message(
        platform="x",
        platform_id=pid,
        author_id=author,
        created_at=h(at),
        text=text,
        kind=kind,
        author_handle=HANDLES[author],
        conversation_id=conv or pid,
        **reply,
        **kw,
    )  # type: ignore[arg-type]


def _mail(
    pid: str,
    author: str,
    at: float,
    text: str,
    parent: str | None = None,
    to: str | None = None,
    **kw: object,
) -> Message:
    return Message(
        platform="email",
        platform_id=pid,
        author_id=author,
        created_at=h(at),
        text=text,
        kind=MessageKind.EMAIL,
        visibility=Visibility.DIRECT,
        author_handle=author,
        reply_to_id=parent,
        reply_to_account_id=to,
        reply_link=ReplyLink.MESSAGE if parent else None,
        conversation_id="e1",
        **kw,
    )  # type: ignore[arg-type]


R, Q, RP = MessageKind.REPLY, MessageKind.QUOTE, MessageKind.REPOST
ALICE_MAIL, C3_MAIL = "alice@red.example", "c3@example.org"

MESSAGES = [
    _x("a1", "A", 10, "Vote for me on polling day"),
    _x("a5", "A", 10 + 5 / 60, "And a second thought on that", R, ("a1", "A"), "a1"),
    _x("r1", "C1", 11, "When is the next surgery", R, ("a1", "A"), "a1"),
    _x("a2", "A", 12, "Friday at the library", R, ("r1", "C1"), "a1"),
    _x("r2", "C1", 13, "Thanks, and where is it?", R, ("a2", "A"), "a1"),
    _x("a3", "A", 13.5, "On Mill Road", R, ("r2", "C1"), "a1"),
    _x("s1", "S", 14, "The library on Mill Road, 6pm", R, ("r2", "C1"), "a1"),
    _x("r3", "C2", 20, "Great post", R, ("a1", "A"), "a1"),
    _x("r4", "C3", 30, "Can you do something about my bins", R, ("a1", "A"), "a1"),
    _x("b1", "B", 40, "Our plan for the economy"),
    _x("r7", "C1", 41, "Why?", R, ("b1", "B"), "b1"),
    _x("p1", "R", 45, "Red team on the doorstep today"),
    _x("n1", "N", 46, "Election coverage tonight"),
    _x("a6", "A", 50, "Your numbers are wrong.", R, ("b1", "B"), "b1"),
    _x("a7", "A", 51, "Proud to stand with the team", R, ("p1", "R"), "p1"),
    _x("a8", "A", 52, "Thanks for the coverage", R, ("n1", "N"), "n1"),
    _x("b2", "B", 60, "Out in the rain"),
    _x("b3", "B", 61, "", RP, repost_of_id="n1"),
    _x("a4", "A", 68, "Glad you liked it", R, ("r3", "C2"), "a1"),
    _x("a9", "A", 100, "Our housing plan, costed"),
    _x("a10", "A", 101, "", RP, repost_of_id="n1"),
    _x("r5", "C4", 120, "Why did you delete this", R, ("gone", "A"), "gone"),
    Message(
        platform="x",
        platform_id="d1",
        author_id="C2",
        created_at=h(150),
        text="Hello, please send me the manifesto",
        kind=MessageKind.DM,
        visibility=Visibility.DIRECT,
        author_handle="c2",
        conversation_id="dmconv1",
    ),
    Message(
        platform="x",
        platform_id="d2",
        author_id="A",
        created_at=h(152),
        text="Here it is",
        kind=MessageKind.DM,
        visibility=Visibility.DIRECT,
        author_handle="alice",
        conversation_id="dmconv1",
        reply_to_account_id="C2",
    ),
    _mail("e1", C3_MAIL, 170, "Could you explain the housing plan?"),
    _mail("e2", ALICE_MAIL, 171, "Of course: here is the plan.", "e1", C3_MAIL),
    _mail("e3", C3_MAIL, 172, "Thanks! And the budget?", "e2", ALICE_MAIL),
    _mail(
        "e4",
        ALICE_MAIL,
        172 + 1 / 60,
        "Automatic reply: I am out of office",
        "e3",
        C3_MAIL,
        client="Autoresponder",
    ),
    _x("m1", "C4", 200, "@alice and the buses?", mentions=("alice",)),
    _x("a11", "A", 220, "I did not delete anything", R, ("r5", "C4"), "gone"),
    _x("b4", "B", 300, "Please donate to our campaign"),
    _x("r6", "C1", 330, "Is this still true?", R, ("a9", "A"), "a9"),
    _x("a12", "A", 340, "Yes", R, ("r6", "C1"), "a9"),
    _x("z1", "C2", 400, "Unrelated"),
]

TRACKED = [
    TrackedAccount(
        platform="x",
        handle="alice",
        role=Role.CANDIDATE,
        party="Red",
        district="North",
        name="Alice",
    ),
    TrackedAccount(
        platform="email",
        handle=ALICE_MAIL,
        role=Role.CANDIDATE,
        party="Red",
        district="North",
        name="Alice (mail)",
        platform_id=ALICE_MAIL,
    ),
    TrackedAccount(platform="x", handle="alicestaff", role=Role.STAFF, party="Red", office="alice"),
    TrackedAccount(platform="x", handle="bob", role=Role.LEADER, party="Blue", name="Bob"),
    TrackedAccount(platform="x", handle="redparty", role=Role.PARTY, party="Red"),
    TrackedAccount(platform="x", handle="news", role=Role.MEDIA),
]
ACCOUNTS = [
    Account(platform="x", platform_id=pid, handle=handle)
    for pid, handle in HANDLES.items()
    if pid != "S"
]

# Worked out by hand (see the module docstring and docs/metrics.md).
EXPECTED: dict[str, dict[str, float | None]] = {
    "x:A": {
        "messages": 11,
        "posts_per_week": 1.0,
        "replies_per_week": 4.0,
        "reposts_per_week": 0.5,
        "quotes_per_week": 0.0,
        "broadcast_share": 0.2,
        "reply_share": 0.8,
        "reply_share_citizens": 0.4,
        "reply_share_self": 0.1,
        "reply_share_other_parties": 0.1,
        "reply_share_own_party": 0.1,
        "reply_share_media": 0.1,
        "inbound": 8,
        "inbound_reply": 6,
        "inbound_dm": 1,
        "inbound_mention": 1,
        "inbound_comment": 0,
        "inbound_email": 0,
        "response_rate_24h": 4 / 7,
        "response_rate_72h": 0.5,
        "response_rate_7d": 4 / 6,
        "response_rate_24h_all": 0.5,
        "response_rate_24h_needs_reply": 4 / 7,
        "response_rate_24h_facebook": 3 / 7,
        "median_first_response_min": 120.0,
        "p90_first_response_min": 3840.0,
        "median_first_response_business_min": 30.0,
        "p90_first_response_business_min": 600.0,
        "waiting": 2,
        "conversation_depth": 2.0,
        "people_who_wrote": 4,
        "reciprocity": 0.75,
        "repeat_dialogue": 0.25,
        "active_day_share": 4 / 14,
        "on_off_switches": 7,
        "longest_silence_days": 119 / 24,
        "asks_after_silence": 0,
    },
    "email:alice@red.example": {
        "messages": 0,
        "inbound": 2,
        "inbound_email": 2,
        "response_rate_24h": 0.5,
        "response_rate_7d": 0.5,
        "median_first_response_min": 60.0,
        "median_first_response_business_min": 0.0,
        "waiting": 1,
        "conversation_depth": 3.0,
        "people_who_wrote": 1,
        "reciprocity": 1.0,
        "repeat_dialogue": 0.0,
    },
    "x:B": {
        "messages": 4,
        "broadcast_share": 1.0,
        "reply_share": 0.0,
        "inbound": 2,
        "inbound_reply": 2,
        "response_rate_24h": 0.0,
        "median_first_response_min": None,
        "waiting": 1,
        "conversation_depth": 1.0,
        "people_who_wrote": 2,
        "reciprocity": 0.0,
        "asks_after_silence": 1,
        "active_day_share": 3 / 14,
        "on_off_switches": 4,
        "longest_silence_days": 239 / 24,
    },
}
