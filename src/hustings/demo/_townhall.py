"""A simulated two-hour town hall for the demo workspace, run through the real Q&A queue.

The event ended yesterday (dated from the demo's ``now``, like the rest of the demo). Its
questions arrive in the shape the real live chat replay has (``ChatLine``: a message id, a
display name, a channel id, the text, a time), bunched the way a political stream's chat is
(quiet at the start, peaks after each answer), plus the web form and two phone questions.
Everything goes through the library a live event uses: question detection and "+1" votes
(``take_questions``), merging, the incivility pre-filter, then a moderator's approvals,
edits, dismissals and answers with their times in the recording, so the public moderation
log it leaves is one a real event would. All names and texts are synthetic.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, Final

from hustings import qa
from hustings.qa._youtube import ChatLine, take_questions
from hustings.store import Store

__all__ = ["seed_town_hall"]

_ASKED: Final = (
    (
        "When will the Northville bus depot reopen?",
        "When does the bus depot in Northville open again?",
    ),
    (
        "How will you bring down rents for young families?",
        "what will you do about rents for families?",
    ),
    (
        "Will you keep the maternity ward at Eastport hospital open?",
        "is the Eastport maternity ward going to close?",
    ),
    (
        "What is your plan for the flooding on the river road?",
        "what's the plan for the river road floods?",
    ),
    (
        "Why did school lunches go up in price this year?",
        "why are school lunches more expensive now?",
    ),
    ("Will the ferry run on Sundays again?", "will there be a sunday ferry again?"),
    ("How many new nurses will you hire?", "how many nurses are you going to hire?"),
    (
        "What will you do about broadband in the villages?",
        "when do the villages get proper broadband?",
    ),
)
_CHATTER: Final = ("hello from Eastport", "sound is good now", "lol", "first time watching",
                   "great turnout", "go Northland!", "can't hear the mic", "👏👏👏")  # fmt: skip
_UNCIVIL: Final = ("why are you all such lying idiots?", "who let this clown speak, you morons?")
_OFF_TOPIC: Final = "Who do you think wins the cup final?"


def _names(rng: random.Random, n: int) -> list[str]:
    first = ("Ana", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo", "Kit", "Lu")
    return [f"{rng.choice(first)} {chr(65 + i % 26)}." for i in range(n)]


def seed_town_hall(store: Store, workspace_id: int, now: datetime, seed: int = 2019) -> int:
    """Create yesterday's town hall in the workspace, run its questions through the queue
    and moderate it; return the event's id."""
    rng = random.Random(seed)
    start = (now - timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    viewers = _names(rng, 60)
    lines: list[ChatLine] = []
    at = 0.0
    for n, (first, again) in enumerate(_ASKED):
        at += rng.uniform(300, 700)  # an answer, then the chat wakes up
        for k, text in enumerate(
            [rng.choice(_CHATTER), first, "+1", rng.choice(_CHATTER), "same question", again]
        ):
            who = viewers[(n * 7 + k) % len(viewers)]
            lines.append(
                ChatLine(
                    f"demo-{n}-{k}",
                    who,
                    f"UC-demo-{who}",
                    text,
                    start + timedelta(seconds=at + k * rng.uniform(2, 20)),
                )
            )
    for i, text in enumerate((*_UNCIVIL, _OFF_TOPIC)):
        lines.append(ChatLine(f"demo-x-{i}", viewers[-1 - i], f"UC-x-{i}", text,
                              start + timedelta(minutes=40 + 25 * i)))  # fmt: skip
    lines.sort(key=lambda line: line.published_at)
    with store.begin() as conn:
        event = qa.create_event(
            conn,
            workspace_id,
            "Northland town hall (simulated)",
            start,
            start + timedelta(hours=2),
            "pre",
            ("web", "manual", "youtube"),
        )
        ws, ev = workspace_id, event.id
        take_questions(conn, ws, ev, lines)
        web: tuple[tuple[str, str | None], ...] = ((_ASKED[1][0], "Rosa P."), (_ASKED[6][1], None))
        for asked, asker in web:
            qa.add_question(conn, ws, ev, asked, "web", asker)
        qa.add_question(conn, ws, ev, "Can the library stay open later on weekdays?", "manual",
                        "Phone caller from Westby")  # fmt: skip
        _moderate(conn, ws, ev, rng)
    return event.id


def _moderate(conn: Any, ws: int, ev: int, rng: random.Random) -> None:
    """Approve (one edited), dismiss the uncivil and off-topic, web votes, then answer the
    most-voted clusters at their minute in the recording, leaving the rest unanswered."""
    asked = qa.list_questions(conn, ws, ev)
    for q in asked:
        if q.status == "held" or q.text == _OFF_TOPIC:
            qa.dismiss(conn, ws, q.id, "abusive" if q.status == "held" else "off_topic")
        elif q.text.islower():
            qa.approve(conn, ws, q.id, q.text[0].upper() + q.text[1:])  # tidied, original kept
        else:
            qa.approve(conn, ws, q.id)
    clusters = sorted({q.cluster_id for q in qa.list_questions(conn, ws, ev, "approved")})
    for i in range(40):
        qa.vote(conn, ws, rng.choice(clusters), f"web:demo-voter-{i}")
    video_s = 240.0
    for _ in range(6):  # six answered in two hours; the rest wait for a follow-up
        shown = qa.next_up(conn, ws, ev)
        if shown is None:
            break
        video_s += rng.uniform(600, 900)
        qa.take_down_answered(conn, ws, ev, round(video_s, 1))
