"""Stance is always toward a named target: the workspace names its targets (its candidate, a
policy), every entry says which, and lists, filters, the API, the pages, the CSV and the CLI
show the latest stance per target instead of one subject-less value."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from hustings.cli.main import app as cli
from hustings.errors import ConflictError, InvalidInputError, NotFoundError
from hustings.inbox import items as inbox
from hustings.people import Stance
from hustings.people.core import list_people, page_people
from hustings.people.csv_io import export_csv, import_csv
from hustings.people.merge import merge_people, undo_merge
from hustings.people.privacy import person_detail
from hustings.people.stance import record_stance
from hustings.people.targets import TargetKind, add_target, list_targets
from hustings.store.schema import person_stances
from tests.web.conftest import NORTH, Campaign

BUS = "Bus lanes"


def _person(c: Campaign, handle: str) -> int:
    with c.store.begin() as conn:
        found = list_people(conn, c.actor("manager"), q=handle)
    assert len(found) == 1, found
    return int(found[0]["id"])


def _name_targets(c: Campaign) -> None:
    with c.store.begin() as conn:
        m = c.actor("manager")
        add_target(conn, m, "Northcand", TargetKind.CANDIDATE, "Our candidate for North")
        add_target(conn, m, BUS, TargetKind.POLICY, "Painted bus lanes on the high street")


def _toward(stances: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["target"], s["value"]) for s in stances]


def test_the_list_shows_the_latest_stance_per_target(any_campaign: Campaign) -> None:
    c = any_campaign
    _name_targets(c)
    alice, r = _person(c, "user1"), c.actor("responder")
    with c.store.begin() as conn:
        record_stance(conn, r, alice, Stance.SUPPORT, target="northcand")
        record_stance(conn, r, alice, Stance.OPPOSE, target="bus LANES")
        record_stance(conn, r, alice, Stance.STRONG_SUPPORT, target="Northcand")
        listed = next(p for p in list_people(conn, r) if p["id"] == alice)
        history = person_detail(conn, r, alice)["stance_history"]
    # In the order the workspace named its targets, spelled as it named them.
    assert _toward(listed["stances"]) == [("Northcand", "strong_support"), (BUS, "oppose")]
    assert [(e["target"], e["value"]) for e in history] == [
        ("Northcand", "support"),
        (BUS, "oppose"),
        ("Northcand", "strong_support"),
    ]


def test_a_stance_without_a_target_is_toward_the_workspaces_candidate(
    any_campaign: Campaign,
) -> None:
    """A workspace that named nothing yet gets its candidate's account as the target, so
    an entry is never "support" of nothing."""
    c = any_campaign
    alice = _person(c, "user1")
    with c.store.begin() as conn:
        now = record_stance(conn, c.actor("responder"), alice, Stance.UNDECIDED)
        named = list_targets(conn, c.north_id)
    assert (now.target, now.value) == ("northcand", Stance.UNDECIDED)
    assert [(t["name"], t["kind"]) for t in named] == [("northcand", "candidate")]


def test_an_unknown_target_is_refused_with_the_workspaces_targets(campaign: Campaign) -> None:
    _name_targets(campaign)
    alice = _person(campaign, "user1")
    with campaign.store.begin() as conn, pytest.raises(NotFoundError) as refused:
        record_stance(conn, campaign.actor("responder"), alice, Stance.SUPPORT, target="Tolls")
    assert str(refused.value) == (
        "no stance target 'Tolls' in this workspace (it has 'Northcand', 'Bus lanes')"
    )


def test_target_names_are_unique_in_a_workspace_in_any_case(any_campaign: Campaign) -> None:
    c = any_campaign
    _name_targets(c)
    with c.store.begin() as conn, pytest.raises(ConflictError):
        add_target(conn, c.actor("manager"), "  bus   lanes ", TargetKind.POLICY)
    with c.store.begin() as conn:  # another workspace may name its own the same
        add_target(conn, c.actor("south"), BUS, TargetKind.POLICY)
        assert [t["name"] for t in list_targets(conn, c.south_id)] == [BUS]


def test_target_names_match_in_any_case_in_any_script(any_campaign: Campaign) -> None:
    """SQLite lowers ASCII only: "École" and "école" must still be one target there."""
    c = any_campaign
    alice = _person(c, "user1")
    with c.store.begin() as conn:
        add_target(conn, c.actor("manager"), "École Saint-Roch", TargetKind.POLICY)
        with pytest.raises(ConflictError):
            add_target(conn, c.actor("manager"), "école saint-roch")
    with c.store.begin() as conn:
        r = c.actor("responder")
        now = record_stance(conn, r, alice, Stance.SUPPORT, target="ÉCOLE SAINT-ROCH")
    assert now.target == "École Saint-Roch"


@pytest.mark.parametrize("name", ["", "   ", "x" * 129, "bus\x00lanes", "bus\x1blanes"])
def test_a_target_needs_a_short_printable_name(campaign: Campaign, name: str) -> None:
    with campaign.store.begin() as conn, pytest.raises(InvalidInputError):
        add_target(conn, campaign.actor("manager"), name)


def test_people_and_inbox_filter_by_target_and_value(any_campaign: Campaign) -> None:
    c = any_campaign
    _name_targets(c)
    alice, jo = _person(c, "user1"), _person(c, "jo@voter.example")
    r = c.actor("responder")
    with c.store.begin() as conn:
        record_stance(conn, r, alice, Stance.OPPOSE, target=BUS)
        record_stance(conn, r, jo, Stance.OPPOSE, target="Northcand")
        record_stance(conn, r, jo, Stance.SUPPORT, target=BUS)

        def people(stance: Stance | None, target: str | None) -> set[int]:
            page = page_people(conn, r, stance=stance, target=target, limit=100)
            return {p["id"] for p in page.rows} & {alice, jo}

        def items(stance: str | None, target: str | None) -> set[int]:
            f = inbox.Filters(status=None, stance=stance, stance_target=target)
            return {i["person_id"] for i in inbox.list_items(conn, r, f, limit=500)}

        assert people(Stance.OPPOSE, BUS) == {alice}
        assert people(Stance.OPPOSE, None) == {alice, jo}  # toward any target
        assert people(Stance.UNKNOWN, "Northcand") == {alice}
        assert people(None, "Northcand") == {jo}  # any known stance toward it
        assert items("oppose", BUS) == {alice}
        assert items("support", BUS) == {jo}
        assert items("oppose", None) == {alice, jo}
        shown = inbox.list_items(conn, r, inbox.Filters(status=None, person_id=jo))[0]
    assert _toward(shown["stances"]) == [("Northcand", "oppose"), (BUS, "support")]


def test_merge_keeps_each_targets_stance_and_undo_restores_both(campaign: Campaign) -> None:
    c = campaign
    _name_targets(c)
    alice, jo = _person(c, "user1"), _person(c, "jo@voter.example")
    m = c.actor("manager")
    with c.store.begin() as conn:
        record_stance(conn, m, alice, Stance.SUPPORT, target="Northcand")
        record_stance(conn, m, jo, Stance.OPPOSE, target=BUS)
        merged = merge_people(conn, m, alice, jo)
        assert _toward(person_detail(conn, m, alice)["stances"]) == [
            ("Northcand", "support"),
            (BUS, "oppose"),
        ]
        left = conn.execute(person_stances.select().where(person_stances.c.person_id == jo))
        assert left.all() == []  # the merged-away person keeps no current stance
        undo_merge(conn, m, merged)
        assert _toward(person_detail(conn, m, jo)["stances"]) == [(BUS, "oppose")]
        assert _toward(person_detail(conn, m, alice)["stances"]) == [("Northcand", "support")]


def test_csv_export_has_a_column_per_target_and_reads_it_back(campaign: Campaign) -> None:
    c = campaign
    _name_targets(c)
    alice = _person(c, "user1")
    m = c.actor("manager")
    with c.store.begin() as conn:
        record_stance(conn, m, alice, Stance.SUPPORT, target="Northcand")
        record_stance(conn, m, alice, Stance.STRONG_OPPOSITION, target=BUS)
        lines = export_csv(conn, m)
        header = lines[0].strip().split(",")
        cells = next(x for x in lines if "user1" in x).strip().split(",")
        row = dict(zip(header, cells, strict=True))
        result = import_csv(
            conn,
            m,
            "first_name,email,stance: Bus lanes,stance: Tolls\n"
            "Ana,ana@voter.example,2,\n"
            "Bo,bo@voter.example,,1\n",
        )
        ana = next(p for p in list_people(conn, m, q="Ana"))
    assert header[-2:] == ["stance: Northcand", "stance: Bus lanes"]
    # NationBuilder's one support level is the stance toward the candidate.
    assert (row["support_level"], row["stance: Northcand"], row["stance: Bus lanes"]) == (
        "2",
        "2",
        "5",
    )
    assert (result.created, result.skipped) == (
        1,
        [(3, "no stance target 'Tolls' in this workspace (it has 'Northcand', 'Bus lanes')")],
    )
    assert _toward(ana["stances"]) == [(BUS, "support")]


def test_api_names_targets_and_records_stance_toward_one(
    any_campaign: Campaign, web_factory: Any
) -> None:
    c = any_campaign
    web = web_factory(c.store, "manager@example.org")
    alice = _person(c, "user1")
    added = web.post("/api/stance-targets", json={"name": BUS, "kind": "policy"})
    assert added.status_code == 200 and added.json()["name"] == BUS
    again = web.post("/api/stance-targets", json={"name": "bus lanes"})
    assert again.status_code == 409 and "already has a stance target" in again.json()["detail"]
    assert web.post("/api/stance-targets", json={"name": ""}).status_code == 422
    assert [t["name"] for t in web.get("/api/stance-targets").json()] == [BUS]
    said = {"value": "oppose", "target": "bus lanes", "source": "self_declared"}
    recorded = web.post(f"/api/people/{alice}/stance", json=said)
    assert recorded.json() == {"target": BUS, "stance": "oppose"}
    unknown = web.post(f"/api/people/{alice}/stance", json={"value": "oppose", "target": "Tolls"})
    assert unknown.status_code == 404 and "'Tolls'" in unknown.json()["detail"]
    found = web.get("/api/people", params={"target": BUS, "stance": "oppose"}).json()
    assert [(p["id"], _toward(p["stances"])) for p in found] == [(alice, [(BUS, "oppose")])]


def test_a_responder_cannot_name_targets(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    assert web.post("/api/stance-targets", json={"name": BUS}).status_code == 403


def test_pages_show_stance_per_target_and_record_toward_one(
    campaign: Campaign, web_factory: Any
) -> None:
    c = campaign
    _name_targets(c)
    alice = _person(c, "user1")
    web = web_factory(c.store, "responder@example.org")
    form = {"value": "oppose", "target": BUS, "csrf_token": web.csrf}
    assert web.post(f"/people/{alice}/stance", data=form).status_code == 303
    person = web.get(f"/people/{alice}").text
    assert f'<tr data-target="{BUS}"><td>{BUS}</td><td><strong>oppose</strong>' in person
    assert f'<option value="{BUS}">{BUS} (policy)</option>' in person
    listed = web.get("/people", params={"target": BUS, "stance": "oppose"}).text
    assert f"{BUS}: <strong>oppose</strong>" in listed and f"/people/{alice}" in listed
    inbox_page = web.get("/inbox", params={"status": "any", "stance_target": BUS}).text
    assert f"{BUS}: oppose" in inbox_page


def test_cli_names_targets_records_and_lists_stance_per_target(campaign: Campaign) -> None:
    c = campaign
    db = ["--db", c.store.url]
    alice = _person(c, "user1")

    def run(*args: str, code: int = 0) -> list[dict[str, Any]]:
        result = CliRunner().invoke(cli, [*db, *args])
        assert result.exit_code == code, result.output
        return [orjson.loads(line) for line in result.stdout.splitlines()]

    run("people", "targets", "add", BUS, "-w", NORTH, "--kind", "policy", "--description",
        "Painted bus lanes", "--json")  # fmt: skip
    assert [(t["name"], t["kind"]) for t in run("people", "targets", "list", "-w", NORTH,
                                               "--json")] == [(BUS, "policy")]  # fmt: skip
    recorded = run("people", "stance", str(alice), "-w", NORTH, "--target", "bus lanes",
                   "--value", "support", "--json")  # fmt: skip
    assert recorded == [{"person_id": alice, "target": BUS, "stance": "support"}]
    listed = run("people", "list", "-w", NORTH, "--target", BUS, "--stance", "support", "--json")
    assert [(p["id"], _toward(p["stances"])) for p in listed] == [(alice, [(BUS, "support")])]
    history = run("people", "history", str(alice), "-w", NORTH, "--json")
    assert [(e["target"], e["value"], e["source"]) for e in history] == [
        (BUS, "support", "staff")
    ]
    run("people", "stance", str(alice), "-w", NORTH, "--target", "Tolls", "--value", "oppose",
        code=1)  # fmt: skip
