"""Write small X API v2 pages (the twarc2 raw shape) for runner and CLI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson


def tweet(n: int, reply_to: int | None = None, text: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(1000 + n), "author_id": str(n % 7 + 1), "conversation_id": "1000",
        "created_at": f"2026-10-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z",
        "text": text or f"message number {n} #nlpoli", "lang": "en",
    }
    if reply_to is not None:
        data["referenced_tweets"] = [{"type": "replied_to", "id": str(1000 + reply_to)}]
        data["in_reply_to_user_id"] = str(reply_to % 7 + 1)
    return data


def page(tweets: list[dict[str, Any]]) -> bytes:
    users = [{"id": str(i), "username": f"user{i}", "name": f"User {i}"} for i in range(1, 8)]
    return orjson.dumps({"data": tweets, "includes": {"users": users},
                         "meta": {"result_count": len(tweets)}})


def write_pages(path: Path, count: int, per_page: int = 10) -> Path:
    """``count`` tweets, each replying to the one before (one long conversation)."""
    lines = []
    for start in range(0, count, per_page):
        lines.append(page([tweet(n, n - 1 if n else None)
                           for n in range(start, min(start + per_page, count))]))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path
