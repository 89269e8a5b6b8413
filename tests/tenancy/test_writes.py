"""The writes the tenancy issue names, each on a private copy of the world: push, identity,
merge, erase, reply and stance, by B with A's ids and data.

Each test checks the three things a victim would notice: A's rows (every table) are as they
were, A's owner sees exactly what they saw through the API, and nothing B was
shown (its answers, then its own inbox and records) carries any of A's markers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.tenancy.harness import Copy, api_view, assert_same, b_looks_around, leaks
from tests.tenancy.world import World

Push = Callable[[World], dict[str, Any]]


class Scene:
    """B's owner signed in on a private copy, and everything B was shown there."""

    def __init__(self, copy: Copy) -> None:
        self.copy, self.world, self.template = copy, copy.world, copy.template
        self.b = copy.web("b:owner")
        self.shown: list[tuple[str, str, str]] = []
        self.typed = ""  # what B typed itself: B seeing that again is no leak

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """B's request; form posts get B's CSRF token."""
        if "data" in kwargs:
            kwargs["data"] = {**kwargs["data"], "csrf_token": self.b.csrf}
        response = self.b.request(method, url, **kwargs)
        self.shown.append((f"{method} {url}", response.text, repr(kwargs)))
        assert response.status_code < 500, (method, url, response.text)
        return response

    def assert_a_untouched(self, what: str) -> None:
        """A's rows and A's users' view are as built, and B was shown nothing of A's: not
        in its answers, and nothing new in its own inbox and records (what those show of A
        before any attack is ``test_b_sees_nothing_of_a_in_its_own_inbox``'s business)."""
        shown = [(where, leaks(body, sent + self.typed)) for where, body, sent in self.shown]
        assert not [s for s in shown if s[1]], f"{what}: B was shown A's data: {shown}"
        new = b_looks_around(self.b, typed=self.typed) - self.template.b_leaks
        assert not new, f"{what}: B's inbox and records now show A's data: {sorted(new)}"
        assert_same(self.template.a_rows, self.copy.a_rows(), what)
        after = api_view(self.copy.web("a:owner"))
        changed = sorted(k for k in after if after[k] != self.template.a_view[k])
        assert not changed, f"{what}: A's users now see different {changed}"


@pytest.fixture
def scene(fresh: Copy) -> Iterator[Scene]:
    yield Scene(fresh)


def _now() -> str:
    return datetime.now(UTC).isoformat()


# --- push -------------------------------------------------------------------------------

PUSHES: dict[str, Push] = {
    "a reply to A's account": lambda w: {
        "platform": "x", "platform_id": "push-1", "author_id": "55", "kind": "reply",
        "text": "Bravo pushed this", "reply_to_account_id": "100",
        "reply_to_handle": "alphacand", "conversation_id": "push-1"},
    "a mention of A's account": lambda w: {
        "platform": "x", "platform_id": "push-2", "author_id": "55", "kind": "post",
        "text": "@alphacand Bravo pushed this", "mentions": ["alphacand"]},
    "a DM to A's account": lambda w: {
        "platform": "x", "platform_id": "push-3", "author_id": "55", "kind": "dm",
        "visibility": "direct", "text": "Bravo pushed this", "conversation_id": "55-100"},
    "an e-mail to A's office": lambda w: {
        "platform": "email", "platform_id": "<push-4@bravo.example>", "author_id": "x@y.example",
        "kind": "email", "visibility": "direct", "text": "Bravo pushed this",
        "reply_to_account_id": "office@alpha.example"},
    "a DM to B in A's DM conversation": lambda w: {
        "platform": "x", "platform_id": "push-5", "author_id": "11", "kind": "dm",
        "visibility": "direct", "text": "Bravo pushed this", "conversation_id": "11-100",
        "reply_to_account_id": "200"},
    "a reply to B in A's public conversation": lambda w: {
        "platform": "x", "platform_id": "push-6", "author_id": "55", "kind": "reply",
        "text": "Bravo pushed this", "reply_to_id": "a1", "reply_to_account_id": "200",
        "conversation_id": "ca1"},
    "A's DM's platform id": lambda w: {
        "platform": "x", "platform_id": w.platform_ids["a_dm"], "author_id": "11", "kind": "dm",
        "visibility": "direct", "text": "Bravo overwrote this", "conversation_id": "11-200",
        "reply_to_account_id": "200"},
    "A's e-mail's platform id": lambda w: {
        "platform": "email", "platform_id": w.platform_ids["a_email"],
        "author_id": "jo@alpha-voter.example", "kind": "email", "visibility": "direct",
        "text": "Bravo overwrote this", "reply_to_account_id": "office@bravo.example"},
    "the platform id of a DM A pushed": lambda w: {
        "platform": "x", "platform_id": "ap1", "author_id": "13", "kind": "dm",
        "visibility": "direct", "text": "Bravo overwrote this", "conversation_id": "13-200"},
    "a DM to B in the conversation of a DM A pushed": lambda w: {
        "platform": "x", "platform_id": "push-8", "author_id": "13", "kind": "dm",
        "visibility": "direct", "text": "Bravo pushed this", "conversation_id": "13-100",
        "reply_to_account_id": "200"},
    "a message in the name of A's candidate": lambda w: {
        "platform": "x", "platform_id": "push-7", "author_id": "100", "kind": "reply",
        "author_handle": "alphacand", "text": "Bravo speaking as Alpha's candidate",
        "reply_to_account_id": "200", "conversation_id": "cb1"},
    "the shared message's platform id": lambda w: {
        "platform": "x", "platform_id": w.platform_ids["shared"], "author_id": "30",
        "kind": "reply", "text": "Bravo overwrote this", "reply_to_account_id": "200",
        "conversation_id": "cs"},
}  # fmt: skip

# A public message in a conversation B's own item joins is a platform fact B may see.
PUBLIC_IN_THREAD = {"a reply to B in A's public conversation": "Amberley bypass amberley_resident"}


@pytest.mark.parametrize("what", PUSHES)
def test_push_by_b_leaves_a_alone(scene: Scene, what: str) -> None:
    message = {"created_at": _now(), **PUSHES[what](scene.world)}
    scene.typed = f"{message} {PUBLIC_IN_THREAD.get(what, '')}"
    scene.send("POST", "/api/messages", json=[message])
    scene.assert_a_untouched(f"B pushing {what}")


# --- identities -------------------------------------------------------------------------

A_ACCOUNTS = {
    "A's candidate's X account": ("x", "100"),
    "A's candidate's X handle": ("x", "alphacand"),
    "A's office address": ("email", "office@alpha.example"),
}
A_CONSTITUENTS = {
    "an X account only A's inbox knows": ("x", "11"),
    "an address only A's inbox knows": ("email", "jo@alpha-voter.example"),
    "the account both inboxes know": ("x", "30"),
}


@pytest.mark.parametrize("what", {**A_ACCOUNTS, **A_CONSTITUENTS})
def test_b_attaching_then_erasing_leaves_a_alone(scene: Scene, what: str) -> None:
    """B may record that its person uses an account A's inbox also knows (a citizen writes
    to both), never one of A's own accounts (test_routes: refused); erasing that person
    then takes nothing of A's with it: not A's replies to them, nor A's candidate's posts."""
    platform, account = {**A_ACCOUNTS, **A_CONSTITUENTS}[what]
    person = scene.world.b.people["fan"]
    scene.typed = account
    scene.send(
        "POST",
        f"/api/people/{person}/identities",
        json={"platform": platform, "account_id": account},
    )
    assert scene.send("DELETE", f"/api/people/{person}").status_code == 200
    scene.assert_a_untouched(f"B attaching {what} to a person, then erasing them")


# --- merge ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [False, True], ids=["api", "form"])
@pytest.mark.parametrize("direction", ["A's into B's", "B's into A's"])
def test_b_cannot_merge_across_workspaces(scene: Scene, direction: str, form: bool) -> None:
    """Both directions, on the API and the form (test_routes merges A's people too)."""
    a, b = scene.world.a.people["both"], scene.world.b.people["both"]
    keep, merged = (b, a) if direction == "A's into B's" else (a, b)
    body = {"keep_id": keep, "merge_id": merged}
    if form:
        response = scene.send("POST", "/people/merge", data={k: str(v) for k, v in body.items()})
    else:
        response = scene.send("POST", "/api/people/merge", json=body)
    assert response.status_code == 404
    scene.assert_a_untouched(f"B merging {direction}")


# --- erase ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [False, True], ids=["api", "form"])
def test_b_erasing_the_person_both_hold_leaves_as_record(scene: Scene, form: bool) -> None:
    person = scene.world.b.people["both"]
    if form:
        response = scene.send("POST", f"/people/{person}/erase", data={"confirm": "ERASE"})
    else:
        response = scene.send("DELETE", f"/api/people/{person}")
    assert response.status_code == 200
    scene.assert_a_untouched("B erasing its record of the person both workspaces hold")


def test_b_erasing_after_its_merge_leaves_a_alone(scene: Scene) -> None:
    person = scene.world.b.people["fan"]  # B merged its e-mail writer into this one
    assert scene.send("DELETE", f"/api/people/{person}").status_code == 200
    scene.assert_a_untouched("B erasing a person it had merged another into")


# --- reply ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [False, True], ids=["api", "form"])
def test_b_replying_on_the_shared_message_stays_in_b(scene: Scene, form: bool) -> None:
    item = scene.world.b.items["shared"]
    text = "Bravo will be there too"
    if form:
        response = scene.send("POST", f"/inbox/{item}/reply", data={"text": text})
    else:
        response = scene.send("POST", f"/api/items/{item}/replies", json={"text": text})
    assert response.status_code in (200, 303)
    scene.assert_a_untouched("B replying to the message both inboxes hold")


@pytest.mark.parametrize("form", [False, True], ids=["api", "form"])
@pytest.mark.parametrize("kind", ["pushed"])  # test_routes replies to the DM and shared ones
def test_b_cannot_reply_to_as_item(scene: Scene, kind: str, form: bool) -> None:
    item = scene.world.a.items[kind]
    if form:
        response = scene.send("POST", f"/inbox/{item}/reply", data={"text": "Bravo answers"})
    else:
        response = scene.send("POST", f"/api/items/{item}/replies", json={"text": "Hi"})
    assert response.status_code == 404
    scene.assert_a_untouched(f"B replying to A's {kind} item")


def test_b_cannot_reply_to_as_item_with_as_canned_reply(scene: Scene) -> None:
    item, canned = scene.world.a.items["reply"], scene.world.a.canned
    body = {"canned_id": canned, "fields": {"name": "Jo"}}
    assert scene.send("POST", f"/api/items/{item}/replies", json=body).status_code == 404
    scene.assert_a_untouched("B replying to A's item with A's canned reply")


# --- stance -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dm", "pushed"])  # test_routes cites the others too
def test_b_cannot_cite_as_messages_as_stance_evidence(scene: Scene, kind: str) -> None:
    person = scene.world.b.people["both"]
    body = {"value": "oppose", "evidence_message_id": scene.world.a.messages[kind]}
    assert scene.send("POST", f"/api/people/{person}/stance", json=body).status_code == 404
    scene.assert_a_untouched(f"B citing A's {kind} as stance evidence")


@pytest.mark.parametrize("form", [False, True], ids=["api", "form"])
@pytest.mark.parametrize("kind", ["pushed"])  # test_routes tries the others
def test_b_cannot_record_stance_on_as_person(scene: Scene, kind: str, form: bool) -> None:
    person, evidence = scene.world.a.people[kind], scene.world.a.messages["shared"]
    body = {"value": "strong_support", "evidence_message_id": evidence}
    if form:
        form_body = {"value": "support", "evidence_message_id": str(evidence)}
        response = scene.send("POST", f"/people/{person}/stance", data=form_body)
    else:
        response = scene.send("POST", f"/api/people/{person}/stance", json=body)
    assert response.status_code == 404
    scene.assert_a_untouched(f"B recording a stance on A's {kind} person")


def test_b_may_cite_the_message_both_hold(scene: Scene) -> None:
    person = scene.world.b.people["both"]
    body = {"value": "support", "evidence_message_id": scene.world.b.messages["shared"]}
    response = scene.send("POST", f"/api/people/{person}/stance", json=body)
    assert response.status_code == 200
    assert response.json() == {"target": "bravocand", "stance": "support"}
    scene.assert_a_untouched("B citing the shared message as its person's stance evidence")


def test_staff_cannot_pass_a_stance_off_as_the_models(scene: Scene) -> None:
    """A model entry outranks nothing staff say, but it claims a classifier read the
    person's words: staff must not be able to forge one (issue item 8)."""
    person = scene.world.b.people["both"]
    body = {"value": "strong_support", "source": "model", "confidence": 99}
    response = scene.send("POST", f"/api/people/{person}/stance", json=body)
    assert response.status_code == 422, response.text
    scene.assert_a_untouched("B recording a model stance by hand")


# --- A's names as B's data --------------------------------------------------------------


def test_b_reusing_as_names_makes_bs_own(scene: Scene) -> None:
    """Canned replies, views and SLA policies are found by name inside a workspace: B
    saving ones named like A's creates B's own and leaves A's as they were."""
    names = ("Alpha welcome", "Alpha breached DMs", "Alpha weekday promise")
    scene.typed = " ".join(names)
    scene.send("POST", "/api/canned", json={"name": names[0], "body": "Hi {name}"})
    scene.send("POST", "/api/views", json={"name": names[1], "filters": {}})
    policy = {"name": names[2], "first_response_minutes": 5, "next_response_minutes": 5}
    scene.send("PUT", "/api/sla", json=policy)
    scene.assert_a_untouched("B saving canned replies, views and policies named like A's")


def test_b_importing_as_people_makes_bs_own(scene: Scene) -> None:
    a = scene.world.a
    csv = (
        "nationbuilder_id,first_name,email,twitter_login,support_level,tag_list,note\n"
        f"{a.people['fan']},Jo,jo@alpha-voter.example,amberley_resident,4,spy,from B\n"
        f"{a.people['both']},Both,,both_sides,1,,\n"
    )
    scene.typed = csv
    response = scene.send(
        "POST", "/api/people/import", content=csv, headers={"content-type": "text/csv"}
    )
    counts = response.json()
    assert response.status_code == 200 and counts["created"] + counts["updated"] == 2, counts
    scene.assert_a_untouched("B importing a CSV naming A's people")


def test_b_sees_nothing_of_a_in_its_own_inbox(fresh: Copy) -> None:
    """B's staff read every item, person, export, page and CSV of their own workspace: none
    shows anything only A typed or received (A's drafts in a shared thread, say)."""
    found = b_looks_around(fresh.web("b:owner"), pages=True)
    assert not found, f"B's own inbox and records show A's data: {sorted(found)}"
