"""People as CSV in the shape a NationBuilder (or CiviCRM) user already knows.

Columns follow NationBuilder's people export: ``nationbuilder_id`` (our id on export),
``first_name``, ``last_name``, ``email``, ``twitter_login``, ``mastodon_login``,
``bluesky_login``, ``support_level`` (1 strong support … 5 strong opposition, empty when
unknown), ``tag_list`` (comma-separated, as NationBuilder writes it) and ``note``.
NationBuilder's support level has no object; here it is the stance toward the workspace's
default target (its candidate, see ``targets.default_target``). After those columns comes
one ``stance: <target>`` column per target the workspace names, holding the level too, so
that no target's stance is lost on the way out.

Import matches each row to an existing person by any of its identities. A row whose
identities belong to two different people is skipped with a reason, never merged: merging
is a human decision (see ``merge``). A support level on import becomes a staff stance entry
toward the default target, authored by the importing user; a ``stance: <target>`` column
one toward that target (which the workspace must have named).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, select

from hustings.errors import InvalidInputError, NotFoundError
from hustings.escape import csv_value, write_csv_rows
from hustings.people.core import Stance, add_note, add_tag, create_person, stances_of
from hustings.people.stance import StanceSource, record_stance
from hustings.people.targets import TargetKind, list_targets, resolve_target
from hustings.store.schema import people, person_identities, person_notes, person_tags
from hustings.workspace import Actor, Role, audit

__all__ = ["COLUMNS", "TARGET_PREFIX", "ImportResult", "export_csv", "import_csv"]

COLUMNS = (
    "nationbuilder_id",
    "first_name",
    "last_name",
    "email",
    "twitter_login",
    "mastodon_login",
    "bluesky_login",
    "support_level",
    "tag_list",
    "note",
)
_IDENTITY_COLUMNS = {
    "email": "email",
    "twitter_login": "x",
    "mastodon_login": "mastodon",
    "bluesky_login": "bluesky",
}
_MAX_ROWS = 100_000
TARGET_PREFIX = "stance: "
"""Columns named ``stance: <target>`` hold the support level toward that target."""


@dataclass(slots=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _identities(row: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for column, platform in _IDENTITY_COLUMNS.items():
        value = (row.get(column) or "").strip().lstrip("@").lower()
        if value:
            found.append((platform, value))
    return found


def _owners(conn: Connection, actor: Actor, keys: list[tuple[str, str]]) -> set[int]:
    owners: set[int] = set()
    for platform, value in keys:
        found = conn.execute(
            select(person_identities.c.person_id)
            .join(people, people.c.id == person_identities.c.person_id)
            .where(
                person_identities.c.workspace_id == actor.workspace_id,
                person_identities.c.platform == platform,
                people.c.merged_into_id.is_(None),
                (person_identities.c.account_id == value) | (person_identities.c.handle == value),
            )
        ).scalars()
        owners.update(int(p) for p in found)
    return owners


def _import_row(conn: Connection, actor: Actor, row: dict[str, str], result: ImportResult) -> None:
    keys = _identities(row)
    owners = _owners(conn, actor, keys)
    if len(owners) > 1:
        raise InvalidInputError(f"identities belong to different people {sorted(owners)}")
    levels: dict[str, Stance] = {}  # an exported file repeats the default target's level
    for column, cell in row.items():
        if column != "support_level" and not (column or "").startswith(TARGET_PREFIX):
            continue
        level = (cell or "").strip()
        if not level:
            continue
        if not level.isdigit():
            raise InvalidInputError(f"{column} {level!r} is not 1-5")
        named = None if column == "support_level" else column[len(TARGET_PREFIX) :]
        levels[resolve_target(conn, actor.workspace_id, named)] = Stance.from_level(int(level))
    name = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p and p.strip())
    if owners:
        person_id = owners.pop()
        result.updated += 1
    else:
        if not keys and not name:
            raise InvalidInputError("no name and no identity")
        person_id = create_person(conn, actor.workspace_id, name or None)
        result.created += 1
    for platform, value in keys:
        exists = conn.execute(
            select(person_identities.c.id).where(
                person_identities.c.workspace_id == actor.workspace_id,
                person_identities.c.platform == platform,
                person_identities.c.account_id == value,
            )
        ).first()
        if exists is None:
            conn.execute(
                person_identities.insert().values(
                    workspace_id=actor.workspace_id,
                    person_id=person_id,
                    platform=platform,
                    account_id=value,
                    handle=value,
                    verified=False,
                    linked=[],
                )
            )
    for tag in (row.get("tag_list") or "").split(","):
        if tag.strip():
            add_tag(conn, actor, person_id, tag)
    if (row.get("note") or "").strip():
        add_note(conn, actor, person_id, row["note"])
    for target, stance in levels.items():
        record_stance(conn, actor, person_id, stance, StanceSource.STAFF, target=target)


def import_csv(conn: Connection, actor: Actor, text: str) -> ImportResult:
    """Create or update people from CSV text; bad rows are skipped with line and reason."""
    actor.require(Role.MANAGER)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames
        known = [f for f in fieldnames or () if f in COLUMNS or f.startswith(TARGET_PREFIX)]
        if not known:
            raise InvalidInputError(f"no known columns: expected some of {', '.join(COLUMNS)}")
        result = ImportResult()
        for line, raw in enumerate(reader, start=2):
            if line > _MAX_ROWS:
                raise InvalidInputError(f"at most {_MAX_ROWS} rows per import")
            # Undo the quote export puts before formula-leading cells, so a round trip
            # through people.csv changes nothing.
            row = {k: csv_value(v) if isinstance(v, str) else v for k, v in raw.items()}
            try:
                with conn.begin_nested():
                    _import_row(conn, actor, row, result)
            except (InvalidInputError, NotFoundError) as exc:  # e.g. a target never named
                result.skipped.append((line, str(exc)))
    except csv.Error as exc:
        raise InvalidInputError(f"not readable as CSV (line {reader.line_num}): {exc}") from exc
    audit(
        conn,
        actor,
        "people.import",
        None,
        None,
        {"created": result.created, "updated": result.updated, "skipped": len(result.skipped)},
    )
    return result


def _login(identity: Row[Any, Any, Any]) -> str:
    """What goes in an identity's column: the address for e-mail, where the handle is the
    sender's display name ("Jo Voter"), else the handle (NationBuilder's ``twitter_login``).

    Import matches a row by account id or handle, so the address makes a re-import find the
    same person instead of creating a duplicate.
    """
    if identity.platform == "email":
        return str(identity.account_id)
    return str(identity.handle or identity.account_id)


def _primary(targets: list[dict[str, Any]]) -> str | None:
    """The target NationBuilder's one support level stands for: the first candidate, else
    the first target (read only: exporting names no target)."""
    for t in targets:
        if t["kind"] == TargetKind.CANDIDATE.value:
            return str(t["name"])
    return str(targets[0]["name"]) if targets else None


def _rows(
    conn: Connection, actor: Actor, targets: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    primary = _primary(targets)
    live = conn.execute(
        select(people)
        .where(people.c.workspace_id == actor.workspace_id, people.c.merged_into_id.is_(None))
        .order_by(people.c.id)
    ).all()
    for person in live:
        idents = conn.execute(
            select(
                person_identities.c.platform,
                person_identities.c.account_id,
                person_identities.c.handle,
            )
            .where(person_identities.c.person_id == person.id)
            .order_by(person_identities.c.id)
        ).all()
        first, _, last = (person.name or "").partition(" ")
        row: dict[str, Any] = {
            "nationbuilder_id": person.id,
            "first_name": first,
            "last_name": last,
        }
        for column, platform in _IDENTITY_COLUMNS.items():
            row[column] = next((_login(i) for i in idents if i.platform == platform), "")
        current = {
            st["target"]: Stance(st["value"]).level
            for st in stances_of(conn, actor.workspace_id, [person.id])[person.id]
        }
        row["support_level"] = current.get(primary) if primary else None
        for t in targets:
            row[TARGET_PREFIX + t["name"]] = current.get(t["name"])
        row["tag_list"] = ",".join(
            conn.execute(
                select(person_tags.c.tag)
                .where(person_tags.c.person_id == person.id)
                .order_by(person_tags.c.tag)
            ).scalars()
        )
        row["note"] = "\n".join(
            conn.execute(
                select(person_notes.c.text)
                .where(person_notes.c.person_id == person.id)
                .order_by(person_notes.c.id)
            ).scalars()
        )
        yield row


def export_csv(conn: Connection, actor: Actor) -> Iterable[str]:
    """The workspace's people as CSV lines, header first; formula-leading cells escaped."""
    actor.require(Role.MANAGER)
    buffer = io.StringIO()
    targets = list_targets(conn, actor.workspace_id)
    columns = (*COLUMNS, *(TARGET_PREFIX + t["name"] for t in targets))
    write_csv_rows(buffer, columns, _rows(conn, actor, targets))
    audit(conn, actor, "people.export_csv")
    return buffer.getvalue().splitlines(keepends=True)
