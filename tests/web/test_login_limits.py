"""The login rate limit holds when attempts arrive all at once, on SQLite and PostgreSQL, and
forwarded addresses are believed only from proxies the operator lists."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from hustings.cli.web_cmd import server_config
from hustings.errors import ConfigError
from hustings.web import create_app
from tests.web.conftest import PASSWORD, Campaign

_LIMIT = 5  # failed logins per address within the window (web/auth.py)


async def _burst(app: Any, email: str, password: str, n: int) -> Counter[int]:
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://hustings.test") as client:
        body = {"email": email, "password": password}
        answers = await asyncio.gather(*(client.post("/api/login", json=body) for _ in range(n)))
    return Counter(r.status_code for r in answers)


def test_parallel_wrong_passwords_evaluate_at_most_the_limit(any_campaign: Campaign) -> None:
    app = create_app(any_campaign.store, secret="test-secret")
    codes = asyncio.run(_burst(app, "owner@example.org", "wrong guess", 60))
    # 401: the password was checked and was wrong; 429: refused before any check.
    assert codes[401] <= _LIMIT, codes
    assert codes[401] + codes[429] == 60, codes
    # Refused attempts may have crowded out a few checks; more guesses, one at a time, still
    # get no more than the limit checked in all before the lock.
    checked = codes[401]
    while (one := asyncio.run(_burst(app, "owner@example.org", "wrong guess", 1)))[401]:
        checked += 1
    assert one == Counter({429: 1}) and checked == _LIMIT
    locked = asyncio.run(_burst(app, "owner@example.org", PASSWORD, 1))
    assert locked == Counter({429: 1})


def _login_from(app: Any, email: str, headers: dict[str, str]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://h.test") as client:
            body = {"email": email, "password": "wrong guess"}
            return await client.post("/api/login", json=body, headers=headers)

    return asyncio.run(go())


def _spoofed_guesses(app: Any) -> list[int]:
    """31 wrong guesses at different addresses, each claiming a new X-Forwarded-For."""
    return [
        _login_from(app, f"nobody{i}@example.org", {"X-Forwarded-For": f"192.0.2.{i}"}).status_code
        for i in range(31)
    ]


def test_forwarded_for_from_an_unlisted_peer_is_ignored(campaign: Campaign) -> None:
    app = create_app(campaign.store, secret="test-secret")
    codes = _spoofed_guesses(app)
    assert codes[:30] == [401] * 30 and codes[30] == 429  # all counted against 10.0.0.1


def test_forwarded_for_from_a_listed_proxy_names_the_client(campaign: Campaign) -> None:
    app = create_app(campaign.store, secret="test-secret", trusted_proxies=["10.0.0.0/24"])
    assert _spoofed_guesses(app) == [401] * 31  # 31 different clients, none over its limit


def test_trusted_proxies_come_from_the_environment(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUSTINGS_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.1")
    app = create_app(campaign.store, secret="test-secret")
    assert _spoofed_guesses(app) == [401] * 31


def test_forwarded_proto_from_a_listed_proxy_makes_cookies_secure(campaign: Campaign) -> None:
    headers = {"X-Forwarded-Proto": "https"}
    for proxies, secure in (([], False), (["10.0.0.1"], True)):
        app = create_app(campaign.store, secret="test-secret", trusted_proxies=proxies)

        async def go(app: Any = app) -> httpx.Response:
            transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://h.test") as c:
                body = {"email": "owner@example.org", "password": PASSWORD}
                return await c.post("/api/login", json=body, headers=headers)

        cookie = asyncio.run(go()).headers["set-cookie"].lower()
        assert ("; secure" in cookie) is secure, proxies


def test_a_malformed_trusted_proxy_is_a_config_error(campaign: Campaign) -> None:
    with pytest.raises(ConfigError, match="not an IP address"):
        create_app(campaign.store, secret="test-secret", trusted_proxies=["proxy.local"])


def test_serve_ignores_forwarded_for_from_a_local_client(campaign: Campaign) -> None:
    """Under uvicorn as ``hustings serve`` configures it, a local process cannot pick its
    address by sending X-Forwarded-For (uvicorn trusts 127.0.0.1 by default)."""
    import uvicorn

    app = create_app(campaign.store, secret="test-secret")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(server_config(app, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            codes = [
                client.post(
                    "/api/login",
                    json={"email": f"nobody{i}@example.org", "password": "wrong guess"},
                    headers={"X-Forwarded-For": f"192.0.2.{i}"},
                ).status_code
                for i in range(31)
            ]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert codes[:30] == [401] * 30 and codes[30] == 429
