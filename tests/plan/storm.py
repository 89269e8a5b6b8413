"""The 2011 tweetstorm as a workspace would hold it: @BarackObama tracked by North, its six
quiet weeks and the 110-post storm (``hustings.plan._replay``) as platform facts, a reply to
every baseline post and to one storm post in five, and the replayed daily follower counts
as snapshots (the last count of each day, at 23:59 UTC)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

from hustings.model import FollowerSnapshot, TrackedAccount
from hustings.model import Role as AccountRole
from hustings.plan._replay import STORM_START, quiet_baseline, tweetstorm, tweetstorm_followers
from hustings.store import Store
from hustings.store.records import write_snapshots, write_tracked
from hustings.store.schema import messages
from hustings.workspace import Actor, add_account

OBAMA_ID = "813286"


def _row(
    pid: str, author: str, handle: str, at: int, text: str, to: str | None
) -> dict[str, object]:
    return {"platform": "x", "platform_id": pid, "author_id": author, "author_handle": handle,
            "created_at": datetime.fromtimestamp(at, UTC), "text": text,
            "kind": "reply" if to else "post", "visibility": "public", "reply_to_id": to,
            "mentions": [], "hashtags": [], "urls": [], "partial": False,
            "content_hash": uuid.uuid4().hex}


def load_storm(store: Store, workspace_id: int) -> None:
    posts = [(t, "Out on the road today.") for t in quiet_baseline(STORM_START)] + tweetstorm()
    rows = []
    for n, (at, text) in enumerate(posts):
        pid = f"storm-{n}"
        rows.append(_row(pid, OBAMA_ID, "BarackObama", at, text, None))
        if at < STORM_START or n % 5 == 0:
            rows.append(_row(f"storm-reply-{n}", "77", "voter77", at + 600, "Agreed", pid))
    with store.begin() as conn:
        write_tracked(conn, [TrackedAccount("x", "BarackObama", AccountRole.LEADER,
                                            platform_id=OBAMA_ID)])
        add_account(conn, Actor.system(workspace_id), "x", "BarackObama")
        conn.execute(messages.insert(), rows)
        write_snapshots(conn, [
            FollowerSnapshot("x", OBAMA_ID, datetime.combine(day, time(23, 59), UTC), n)
            for day, n in tweetstorm_followers()])
