"""People as CSV in the shape a NationBuilder (or CiviCRM) user already knows.

Columns follow NationBuilder's people export: ``nationbuilder_id`` (our id on export),
``first_name``, ``last_name``, ``email``, ``twitter_login``, ``mastodon_login``,
``bluesky_login``, ``support_level`` (1 strong support … 5 strong opposition, empty when
unknown), ``tag_list`` (comma-separated, as NationBuilder writes it) and ``note``.

Import matches each row to an existing person by any of its identities. A row whose
identities belong to two different people is skipped with a reason, never merged: merging
is a human decision (see ``merge``). A support level on import becomes a staff stance entry
authored by the importing user.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, select

from hustings.errors import InvalidInputError
from hustings.escape import csv_value, write_csv_rows
from hustings.people.core import Stance, add_note, add_tag, create_person
from hustings.people.stance import StanceSource, record_stance
from hustings.store.schema import people, person_identities, person_notes, person_tags
from hustings.workspace import Actor, Role, audit

__all__ = ["COLUMNS", "ImportResult", "export_csv", "import_csv"]

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
    level = (row.get("support_level") or "").strip()
    stance = Stance.from_level(int(level)) if level.isdigit() else None
    if level and stance is None:
        raise InvalidInputError(f"support_level {level!r} is not 1-5")
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
    if stance is not None:
        record_stance(conn, actor, person_id, stance, StanceSource.STAFF)


def import_csv(conn: Connection, actor: Actor, text: str) -> ImportResult:
    """Create or update people from CSV text; bad rows are skipped with line and reason."""
    actor.require(Role.MANAGER)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames
        if not fieldnames or not set(fieldnames) & set(COLUMNS):
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
            except InvalidInputError as exc:
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


def _rows(conn: Connection, actor: Actor) -> Iterator[dict[str, Any]]:
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
        level = Stance(person.stance).level
        row["support_level"] = "" if level is None else level
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
    write_csv_rows(buffer, COLUMNS, _rows(conn, actor))
    audit(conn, actor, "people.export_csv")
    return buffer.getvalue().splitlines(keepends=True)
