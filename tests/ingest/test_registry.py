"""Registry importers: hand-made CSV/YAML, and the real Canadian, UK and US registries."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hustings.ingest.base import Importer, Parsed, Sample
from hustings.ingest.registry import (
    CanadaMpsImporter,
    RegistryCsvImporter,
    RegistryYamlImporter,
    UkMpsImporter,
    UsCongressImporter,
    register_importers,
    unmangle,
)
from hustings.ingest.runner import ImportPlan, detect, import_paths
from hustings.model import Account, Role, TrackedAccount
from hustings.store import Store
from hustings.store.schema import accounts, tracked_accounts

DATA = Path(__file__).resolve().parent.parent / "data" / "registry"
CANADA = "registries/canada-uk-legislators/canadian_mp_twitterhandles.csv"
UK = "registries/canada-uk-legislators/uk_legislators.csv"
US = "registries/us-congress/historical-users-filtered.json"


def parse(importer: Importer, path: Path) -> list[Parsed]:
    with path.open("rb") as handle:
        return list(importer.parse(handle, path.name))


def tracked(units: list[Parsed]) -> dict[str, TrackedAccount]:
    return {t.handle.lower(): t for u in units for t in u.tracked}


def reasons(units: list[Parsed]) -> list[tuple[int, str]]:
    return [(q.position, q.reason) for u in units for q in u.quarantined]


def raw_rows(path: Path, encoding: str) -> list[dict[str, str]]:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_registry_importer_describes_itself() -> None:
    for cls in register_importers():
        assert cls.name.startswith("registry-")
        assert cls.title and cls.description.split()[0] == "Reads"


def test_simple_csv_entries_and_bad_rows() -> None:
    units = parse(RegistryCsvImporter(), DATA / "campaign.csv")
    found = {(t.platform, t.handle) for u in units for t in u.tracked}
    assert found == {
        ("x", "okafor2025"),
        ("x", "MariaOkaforW4"),
        ("mastodon", "okafor2025@mastodon.example"),
        ("x", "PriyaVolunteers"),
    }
    assert reasons(units) == [
        (6, "no handle for No Handle"),
        (7, "unknown role 'journalist'; roles: party, leader, candidate, official, staff, media"),
        (8, "handle @OKAFOR2025 already given to Maria Okafor (line 2)"),
    ]
    staff = tracked(units)["priyavolunteers"]
    assert (staff.role, staff.party, staff.office, staff.registry) == (
        Role.STAFF,
        None,
        None,
        "campaign.csv",
    )


def test_simple_yaml_applies_defaults_and_quarantines_bad_items() -> None:
    units = parse(RegistryYamlImporter(), DATA / "campaign.yaml")
    found = tracked(units)
    assert set(found) == {"okafor2025", "leeforward4", "ottawacitizen"}
    assert found["leeforward4"].district == "Ward 4"
    assert found["ottawacitizen"].district is None
    assert found["okafor2025"].registry == "ward-4-race-2025"
    assert [p for p, _ in reasons(units)] == [4, 5]


def test_simple_formats_are_detected() -> None:
    for path, name in [
        (DATA / "campaign.csv", "registry-csv"),
        (DATA / "campaign.yaml", "registry-yaml"),
    ]:
        assert detect(Sample(name=path.name, head=path.read_bytes())).name == name


def test_unmangle_repairs_double_encoded_accents_only() -> None:
    assert unmangle("Sinn FÃ©in") == "Sinn Féin"
    assert unmangle("Ã“rfhlaith Begley") == "Órfhlaith Begley"
    assert unmangle("Bloc Québécois") == "Bloc Québécois"


@pytest.mark.shared
def test_real_registries_are_detected_by_shape(shared_data: Path) -> None:
    for relative, cls in [
        (CANADA, CanadaMpsImporter),
        (UK, UkMpsImporter),
        (US, UsCongressImporter),
    ]:
        path = shared_data / relative
        assert detect(Sample(name=path.name, head=path.read_bytes()[:65536])) is cls


@pytest.mark.shared
def test_canadian_mps_match_the_raw_file(shared_data: Path) -> None:
    rows = raw_rows(shared_data / CANADA, "utf-8")
    handles = [r["screen_name"].strip() for r in rows if r["screen_name"].strip()]
    units = parse(CanadaMpsImporter(), shared_data / CANADA)
    found = tracked(units)
    assert len(rows) == 337
    assert len(found) == len({h.lower() for h in handles}) == 329
    assert len(reasons(units)) == len(rows) - len(found)
    assert Counter(t.party for t in found.values()) == Counter(
        r["political_affiliation"] for r in rows if r["screen_name"].strip()
    ) - Counter({"Liberal": 1})  # the second holder of @stephanelauzon5 is set aside
    perron = found["yvesperronbq"]
    assert (perron.name, perron.party, perron.district, perron.role, perron.country) == (
        "Yves Perron",
        "Bloc Québécois",
        "Berthier\u2014Maskinongé",
        Role.OFFICIAL,
        "CA",
    )
    assert found["ziad_aboultaif"].district == "Edmonton Manning"


@pytest.mark.shared
def test_uk_mps_match_the_raw_file(shared_data: Path) -> None:
    rows = raw_rows(shared_data / UK, "utf-8-sig")
    with_handle = [r for r in rows if r["screen_name"].strip().lower() not in ("", "none")]
    units = parse(UkMpsImporter(), shared_data / UK)
    found = tracked(units)
    assert len(found) == len(with_handle) == 601
    assert len(reasons(units)) == len(rows) - len(with_handle) == 55
    ids = [a for u in units for a in u.accounts]
    assert len(ids) == sum(1 for r in with_handle if r["user_id"].strip().isdigit())
    begley = found["orfhlaithbegley"]
    assert (begley.name, begley.party, begley.district, begley.platform_id) == (
        "Órfhlaith Begley",
        "Sinn Féin",
        "West Tyrone",
        None,
    )
    blackman = found["kirstysnp"]
    assert (blackman.party, blackman.district, blackman.platform_id, blackman.country) == (
        "Scottish National",
        "Aberdeen North",
        "2616215901",
        "GB",
    )


def expected_role(entity: dict[str, object], account: dict[str, str]) -> Role:
    if entity["type"] == "party":
        return Role.PARTY
    if entity["type"] == "member" and account["account_type"] == "campaign":
        return Role.CANDIDATE
    return Role.OFFICIAL


@pytest.mark.shared
def test_us_congress_accounts_match_the_raw_file(shared_data: Path) -> None:
    entities = json.loads((shared_data / US).read_text())
    raw = {a["screen_name"].lower(): (e, a) for e in entities for a in e["accounts"]}
    units = parse(UsCongressImporter(), shared_data / US)
    found = tracked(units)
    assert len(found) == len(raw) == 1612
    assert reasons(units) == []
    assert {h: t.role for h, t in found.items()} == {
        h: expected_role(e, a) for h, (e, a) in raw.items()
    }
    assert Counter(t.office for t in found.values()) == Counter(
        a["account_type"] for _, a in raw.values()
    )
    assert len([a for u in units for a in u.accounts]) == 1612
    office, campaign = found["repbrianfitz"], found["brianfitzusa"]
    assert (office.role, office.office, office.party, office.district) == (
        Role.OFFICIAL,
        "office",
        "Republican",
        "PA",
    )
    assert (campaign.role, campaign.office, campaign.platform_id) == (
        Role.CANDIDATE,
        "campaign",
        "4905487413",
    )
    assert (found["dccc"].role, found["dccc"].name, found["dccc"].party) == (
        Role.PARTY,
        "DCCC",
        "Democratic",
    )
    assert found["houseaggop"].party == "Republican"  # an account's own party wins


@pytest.mark.shared
def test_registry_import_through_the_runner_is_idempotent(shared_data: Path, store: Store) -> None:
    plan = ImportPlan(allowed=lambda name: name.startswith("registry"))
    paths = [str(shared_data / CANADA), str(shared_data / UK), str(shared_data / US)]
    first = import_paths(store, paths, plan)
    assert [s.tracked_added for s in first] == [329, 601, 1612]
    again = import_paths(store, paths, plan)
    assert [s.tracked_added for s in again] == [0, 0, 0]
    with store.begin() as conn:
        count = conn.execute(select(func.count()).select_from(tracked_accounts)).scalar_one()
        known = conn.execute(select(func.count()).select_from(accounts)).scalar_one()
    assert count == 329 + 601 + 1612
    assert known == len({a.platform_id for p in paths for a in _accounts(Path(p))})


def _accounts(path: Path) -> list[Account]:
    cls = detect(Sample(name=path.name, head=path.read_bytes()[:65536]))
    with path.open("rb") as handle:
        return [a for u in cls().parse(handle, path.name) for a in u.accounts]


def test_message_csv_is_not_taken_for_a_registry() -> None:
    head = b"username,to,text,date,id,mentions,hashtags\n"
    assert detect(Sample(name="tweets.csv", head=head)).name == "csv"
    for cls in register_importers():
        assert cls().sniff(Sample(name="tweets.csv", head=head)) == 0


def test_us_congress_bad_entity_is_quarantined_and_rest_kept() -> None:
    data = json.dumps(
        [
            {"name": "Odd", "type": "lobby", "accounts": []},
            {
                "name": "A B",
                "type": "member",
                "party": "D",
                "state": "VT",
                "accounts": [{"id": "1", "screen_name": "ab", "account_type": "office"}],
            },
        ]
    ).encode()
    units = list(UsCongressImporter().parse(io.BytesIO(data), "us.json"))
    assert reasons(units) == [(1, "unknown entity type 'lobby'")]
    assert tracked(units)["ab"].party == "Democratic"
