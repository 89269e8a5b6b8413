"""B, signed in as its owner, calls every route with A's ids and data: each answer is a refusal
(or B's own data), never a 500, never anything of A's, never cacheable, and A's rows stay
exactly as they were.

One copy of the world per backend serves the whole walk: each write compares A's rows just
before and just after itself (before being what the previous write left: only the walk
touches this copy), so a hole is reported by the attack that made it. Reads are checked
for what they show; reading A's rows is most of an attack's cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.tenancy.harness import Client, Copy, Template, assert_same, leaks
from tests.tenancy.routes import ATTACKS, Attack, fill


@dataclass
class Walk:
    copy: Copy
    b: Client
    rows: dict[str, list[Any]]

    def send(self, attack: Attack) -> tuple[httpx.Response, str]:
        """B's answer, and what B sent (its query and body, as text)."""
        world = self.copy.world
        web = self.b
        if attack.own_session:
            web = self.copy.web("b:manager")
        url = fill(attack.route, attack.target, world)
        params = attack.query(world) if attack.query else None
        kwargs: dict[str, object] = {"params": params}
        if attack.body is not None:
            body = attack.body(world)
            if attack.csv:
                kwargs.update(content=body, headers={"content-type": "text/csv"})
            elif url.startswith("/api/"):
                kwargs["json"] = body
            else:
                kwargs["data"] = {**body, "csrf_token": web.csrf}
        elif attack.method != "GET" and not url.startswith("/api/"):
            kwargs["data"] = {"csrf_token": web.csrf}
        return web.request(attack.method, url, **kwargs), repr(kwargs)


@pytest.fixture(scope="module")
def walk(template: Template) -> Iterator[Walk]:
    copy = template.private_copy()
    walked = Walk(copy, copy.web("b:owner"), template.a_rows)
    yield walked
    copy.close()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_b_gets_nothing_of_a_from(walk: Walk, attack: Attack) -> None:
    before = walk.rows
    response, sent = walk.send(attack)
    if attack.method != "GET":
        walk.rows = walk.copy.a_rows()
    assert response.status_code in attack.expect, (
        f"{attack} answered {response.status_code}, expected one of {attack.expect}: "
        f"{response.text[:300]}"
    )
    shown = leaks(response.text, sent)
    assert not shown, f"{attack} showed B: {shown}"
    # No cache between B and the app may keep an answer and hand it to someone else.
    assert "no-store" in response.headers.get("cache-control", ""), str(attack)
    assert_same(before, walk.rows, str(attack))
