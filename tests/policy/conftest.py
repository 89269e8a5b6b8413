"""One press server per session (reset per test), and a workspace per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hustings.connectors.connections import connect
from hustings.connectors.http import Http
from hustings.connectors.secrets import Secret
from hustings.policy import http_client
from hustings.store import Store
from hustings.workspace import Actor, create_workspace
from tests.policy.replay import PressServer, load_releases
from tests.servers.fixtures import ImapServer, MailUser, SmtpServer

MONTH = "2022-10.jsonl"


@pytest.fixture(scope="session")
def press_server(shared_data: Path) -> Iterator[PressServer]:
    folder = shared_data / "announcements"
    server = PressServer(folder / "press-release-rss-feeds",
                         load_releases(folder / "us-congress-press-releases" / MONTH))
    yield server
    server.close()


@pytest.fixture
def press(press_server: PressServer, monkeypatch: pytest.MonkeyPatch) -> PressServer:
    press_server.state.reset()
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    return press_server


@pytest.fixture
def http() -> Iterator[Http]:
    """The HTTP seam with fast retries (no sleeping between them)."""
    client = http_client(tries=2, timeout=5.0, sleep=lambda _: None)
    yield client
    client.close()


def workspace(store: Store, name: str = "Government relations") -> Actor:
    """A new workspace (a unique name) and its system actor."""
    return Actor.system(create_workspace(store, f"{name} {uuid.uuid4().hex[:6]}").id)


def mail_settings(imap: ImapServer, smtp: SmtpServer, user: MailUser) -> dict[str, Any]:
    return {"imap_host": imap.host, "imap_port": imap.port, "imap_tls": False,
            "smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_starttls": False,
            "smtp_username": smtp.username, "address": user.name, "timeout": 5.0,
            "page_size": 20}


def mailbox(store: Store, actor: Actor, imap: ImapServer, smtp: SmtpServer) -> tuple[MailUser,
                                                                                   int]:
    """The workspace's own mailbox, connected (its password is also the SMTP relay's)."""
    user = imap.add_user(password=smtp.password)
    health = connect(store, actor, "email", mail_settings(imap, smtp, user),
                     Secret(user.password))
    return user, health.id
