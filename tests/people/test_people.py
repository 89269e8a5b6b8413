"""People: merge suggestions, merge and undo, stance precedence, export, erasure, CSV."""

from __future__ import annotations

from typing import Any

import pytest

from hustings.inbox import InvalidInputError, NotFoundError
from hustings.nlp.enrich import stance_task
from hustings.people import Stance
from hustings.people.core import add_identity, add_tag, list_people
from hustings.people.csv_io import export_csv, import_csv
from hustings.people.merge import merge_people, suggest_merges, undo_merge
from hustings.people.privacy import erase_person, export_person, person_detail
from hustings.people.stance import (
    TargetStance,
    current_stances,
    record_model_stances,
    record_stance,
)
from tests.people.helpers import score_message, tables_containing
from tests.web.conftest import Campaign


def _person(c: Campaign, handle: str) -> int:
    with c.store.begin() as conn:
        found = list_people(conn, c.actor("manager"), q=handle)
    assert len(found) == 1, found
    return int(found[0]["id"])


def test_verified_email_link_suggests_a_merge(campaign: Campaign) -> None:
    alice, jo = _person(campaign, "user1"), _person(campaign, "jo@voter.example")
    with campaign.store.begin() as conn:
        assert suggest_merges(conn, campaign.actor("manager")) == []
        add_identity(
            conn, campaign.actor("manager"), alice, "email", "other@voter.example", verified=True
        )
        add_identity(conn, campaign.actor("manager"), jo, "x", "99")
        assert suggest_merges(conn, campaign.actor("manager")) == []


def test_profile_link_suggests_merge_only_when_unique(campaign: Campaign) -> None:
    from hustings.store.schema import person_identities

    alice, jo = _person(campaign, "user1"), _person(campaign, "jo@voter.example")
    with campaign.store.begin() as conn:
        conn.execute(
            person_identities.update()
            .where(person_identities.c.person_id == alice)
            .values(linked=[["email", "jo@voter.example"]])
        )
        found = suggest_merges(conn, campaign.actor("viewer"))
    assert [(s["keep_id"], s["merge_id"]) for s in found] == [tuple(sorted((alice, jo)))]
    assert "links to email:jo@voter.example" in found[0]["reason"]


def test_merge_moves_everything_and_undo_restores_it(campaign: Campaign) -> None:
    alice, jo = _person(campaign, "user1"), _person(campaign, "jo@voter.example")
    m = campaign.actor("manager")
    with campaign.store.begin() as conn:
        add_tag(conn, m, jo, "volunteer")
        merged = merge_people(conn, m, alice, jo)
        after = person_detail(conn, m, alice)
        with pytest.raises(NotFoundError):
            person_detail(conn, m, jo)
    assert {i["platform"] for i in after["identities"]} == {"x", "email"}
    assert after["tags"] == ["volunteer"] and len(after["items"]) == 3
    with campaign.store.begin() as conn:
        undo_merge(conn, m, merged)
        assert len(person_detail(conn, m, alice)["items"]) == 2
        assert person_detail(conn, m, jo)["tags"] == ["volunteer"]


def test_responder_cannot_merge(campaign: Campaign) -> None:
    from hustings.inbox import PermissionDeniedError

    with pytest.raises(PermissionDeniedError), campaign.store.begin() as conn:
        merge_people(conn, campaign.actor("responder"), 1, 2)


def _now_toward(detail: dict[str, Any]) -> dict[str, str]:
    return {st["target"]: st["value"] for st in detail["stances"]}


def test_current_stance_is_latest_staff_else_model(campaign: Campaign) -> None:
    alice = _person(campaign, "user1")
    r = campaign.actor("responder")
    task = stance_task("Northcand")
    score_message(campaign.store, "m1", task, "against", 0.7)
    with campaign.store.begin() as conn:
        assert record_model_stances(conn, task, target="northcand", examples=50) == 1
        assert _now_toward(person_detail(conn, r, alice)) == {"northcand": "oppose"}
        assert record_stance(conn, r, alice, Stance.SUPPORT) == TargetStance(
            "northcand", Stance.SUPPORT
        )
    score_message(campaign.store, "m4", task, "against", 0.9)
    with campaign.store.begin() as conn:
        assert record_model_stances(conn, task, target="northcand", examples=50) == 1
        detail = person_detail(conn, r, alice)
    assert _now_toward(detail) == {"northcand": "support"}
    history = detail["stance_history"]
    assert [(e["target"], e["source"]) for e in history] == [
        ("northcand", "model"),
        ("northcand", "model"),
        ("northcand", "staff"),
    ]
    assert [e["examples"] for e in history] == [50, 50, None]
    assert history[-1]["author"] == "responder@example.org"
    assert current_stances([]) == {}


def test_stance_evidence_must_be_the_persons_message(campaign: Campaign) -> None:
    alice, jo = _person(campaign, "user1"), _person(campaign, "jo@voter.example")
    m = campaign.actor("manager")
    with campaign.store.begin() as conn:
        jo_message = person_detail(conn, m, jo)["items"][0]["message_id"]
        with pytest.raises(NotFoundError):
            record_stance(conn, m, alice, Stance.SUPPORT, evidence_message_id=jo_message)


def test_export_holds_the_persons_messages(campaign: Campaign) -> None:
    alice = _person(campaign, "user1")
    with campaign.store.begin() as conn:
        data = export_person(conn, campaign.actor("manager"), alice)
    assert {m["text"] for m in data["messages"]} == {
        "When is your next town hall in Northville?",
        "Can you call me back?",
    }


def test_erasure_removes_the_person_everywhere(any_campaign: Campaign) -> None:
    c = any_campaign
    alice = _person(c, "user1")
    m = c.actor("manager")
    with c.store.begin() as conn:
        add_tag(conn, m, alice, "donor")
        record_stance(conn, m, alice, Stance.SUPPORT)
        item = person_detail(conn, m, alice)["items"][0]["id"]
        from hustings.inbox.replies import reply

        reply(conn, m, item, "See you Thursday, user1!")
    assert "messages" in tables_containing(c.store, "town hall in Northville")
    with c.store.begin() as conn:
        counts = erase_person(conn, m, alice)
    assert counts["people"] == 1 and counts["inbox_items"] == 2 and counts["messages"] >= 3
    for needle in ("town hall in Northville", "Can you call me back", "Thursday, user1", "donor"):
        assert tables_containing(c.store, needle) == [], needle
    with c.store.begin() as conn, pytest.raises(NotFoundError):
        person_detail(conn, m, alice)


def test_csv_round_trip_in_nationbuilder_shape(campaign: Campaign) -> None:
    m = campaign.actor("manager")
    text = (
        "first_name,last_name,email,twitter_login,support_level,tag_list,note\n"
        'Ana,Lopez,ana@voter.example,analopez,2,"volunteer,donor",met at rally\n'
        "Bad,Row,,,9,,\n"
    )
    with campaign.store.begin() as conn:
        result = import_csv(conn, m, text)
        lines = export_csv(conn, m)
    assert (result.created, result.updated) == (1, 0)
    assert result.skipped == [(3, "support level 9 is not between 1 and 5")]
    header = lines[0].strip().split(",")
    assert header[:4] == ["nationbuilder_id", "first_name", "last_name", "email"]
    ana = next(line for line in lines if "Ana" in line)
    assert "analopez" in ana and ",2," in ana and '"donor,volunteer"' in ana


def test_csv_without_known_columns_is_refused(campaign: Campaign) -> None:
    with pytest.raises(InvalidInputError), campaign.store.begin() as conn:
        import_csv(conn, campaign.actor("manager"), "foo,bar\n1,2\n")


def test_people_api_records_stance_and_exports(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "manager@example.org")
    alice = _person(campaign, "user1")
    response = web.post(f"/api/people/{alice}/stance", json={"value": "strong_support"})
    assert response.json() == {"target": "northcand", "stance": "strong_support"}
    exported = web.get(f"/api/people/{alice}/export").json()
    assert _now_toward(exported) == {"northcand": "strong_support"}
    bad = web.post(f"/api/people/{alice}/stance", json={"value": "maybe"})
    assert bad.status_code == 422 and "value" in bad.json()["detail"]


def test_strong_opposition_is_recorded_on_both_stores(any_campaign: Campaign) -> None:
    """The longest stance name (17 characters) once fit SQLite's column but not PostgreSQL's."""
    alice = _person(any_campaign, "user1")
    r = any_campaign.actor("responder")
    with any_campaign.store.begin() as conn:
        assert record_stance(conn, r, alice, Stance.STRONG_OPPOSITION).value is (
            Stance.STRONG_OPPOSITION
        )
        assert _now_toward(person_detail(conn, r, alice)) == {"northcand": "strong_opposition"}
