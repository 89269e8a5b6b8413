"""Turn the IBM customer-care threads (raw JSON, not a platform format) into canonical records.

Test-only: the data set is a stand-in for "citizen writes, official account answers". Each
two-message conversation becomes a customer's post mentioning the brand and the brand's
reply to it. The reply has no timestamp in the data; as PROVENANCE.md says, it is
``conversationDateTime + duration``. Some durations lost their day part and came out
negative; such a "reply" precedes the question and so counts as unanswered.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hustings.model import Message, MessageKind, ReplyLink, Role, TrackedAccount

FILES = ("dev.json", "test.json")
_DURATION = re.compile(r"^(?:(\d+)-)?(-?)(\d+):(\d+):(\d+)(?:\.\d*)?$")


def duration_seconds(text: str) -> int:
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"unreadable duration {text!r}")
    days, negative, h, m, s = match.groups()
    seconds = int(days or 0) * 86400 + int(h) * 3600 + int(m) * 60 + int(s)
    return -seconds if negative else seconds


def conversations(folder: Path) -> list[dict[str, Any]]:
    return [c for name in FILES for c in json.loads((folder / name).read_text())]


def two_message(folder: Path) -> list[dict[str, Any]]:
    return [c for c in conversations(folder) if c["dialogHeader"]["messageCount"] == "2"]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_records(convs: list[dict[str, Any]]) -> tuple[list[Message], list[TrackedAccount]]:
    messages, brands = [], set()
    for conv in convs:
        head, turn = conv["dialogHeader"], conv["dialogContent"][0]
        brand = head["company"]
        brands.add(brand)
        customer = turn.get("client") or turn.get("client1")
        question = Message(
            platform="x",
            platform_id=turn["tweet_ID"],
            author_id=customer,
            author_handle=customer,
            created_at=_when(turn["datetime"]),
            text=turn["message"],
            kind=MessageKind.POST,
            conversation_id=turn["tweet_ID"],
            mentions=(brand,),
        )
        answer = conv["agentURL"]
        messages += [
            question,
            Message(
                platform="x",
                platform_id=answer["tweet_ID"],
                author_id=brand,
                author_handle=brand,
                created_at=_when(head["conversationDateTime"])
                + timedelta(seconds=duration_seconds(head["duration"])),
                text=answer["url_utterance"],
                kind=MessageKind.REPLY,
                reply_to_id=question.platform_id,
                reply_to_account_id=customer,
                reply_link=ReplyLink.MESSAGE,
                conversation_id=question.platform_id,
            ),
        ]
    tracked = [
        TrackedAccount(platform="x", handle=b, role=Role.OFFICIAL, platform_id=b)
        for b in sorted(brands)
    ]
    return messages, tracked
