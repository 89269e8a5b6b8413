"""Every e-mail to a tracked address is inbound (issue 16, item 16), not only replies: a
constituent's first mail, imported from an mbox, becomes an inbox item."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hustings.inbox.sync import sync_inbox
from hustings.ingest.runner import import_file
from hustings.model import Role, TrackedAccount
from hustings.store import Store
from hustings.store.records import write_tracked
from hustings.store.schema import inbox_items, messages
from hustings.workspace import Actor, add_account, create_workspace

FIRST_CONTACT = """From jo@voter.example Mon Sep  1 18:42:10 2025
From: Jo Voter <jo@voter.example>
To: "North office" <Office@North.example>
Subject: Bins on Elm Street
Date: Mon, 01 Sep 2025 14:42:10 -0400
Message-ID: <first-1@voter.example>
Content-Type: text/plain; charset=utf-8

Hello, the bins on Elm Street have not been collected for two weeks. Can you help?

From sam@voter.example Tue Sep  2 09:00:00 2025
From: Sam Voter <sam@voter.example>
To: Council clerk <clerk@city.example>
Cc: office@north.example
Subject: Crossing near the school
Date: Tue, 02 Sep 2025 05:00:00 -0400
Message-ID: <first-2@voter.example>
Content-Type: text/plain; charset=utf-8

When will the crossing near the school get a guard?

From news@other.example Tue Sep  2 10:00:00 2025
From: Other campaign <news@other.example>
To: supporters@other.example
Subject: Not for North
Date: Tue, 02 Sep 2025 06:00:00 -0400
Message-ID: <unrelated@other.example>
Content-Type: text/plain; charset=utf-8

A mail to someone else.
"""


def test_first_contact_mails_to_a_tracked_address_become_inbox_items(
    store: Store, tmp_path: Path
) -> None:
    workspace = create_workspace(store, "North HQ")
    with store.begin() as conn:
        write_tracked(conn, [TrackedAccount("email", "office@north.example", Role.STAFF)])
        add_account(conn, Actor.system(workspace.id), "email", "office@north.example")
    mbox = tmp_path / "inbox.mbox"
    mbox.write_text(FIRST_CONTACT)
    summary = import_file(store, mbox)
    created = sync_inbox(store, workspace.id)
    with store.begin() as conn:
        filed = conn.execute(
            select(messages.c.platform_id)
            .join(inbox_items, inbox_items.c.message_id == messages.c.id)
            .order_by(messages.c.platform_id)
        ).scalars()
        assert list(filed) == ["first-1@voter.example", "first-2@voter.example"]
    assert (summary.added, created) == (3, 2)
