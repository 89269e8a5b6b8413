"""stance toward named targets: stance_targets, stance_entries.target, person_stances (18)

A stance was a bare value ("support": of what?). Each workspace now names what it tracks
stance toward (its candidate, a policy, a party), every entry says which target it judges,
and ``people.stance`` (one value per person) gives way to ``person_stances``: the current
stance per person and target.

Existing entries are moved to one target per workspace, named after the workspace's own
candidate when its accounts say who that is (a candidate's, else a leader's, an official's,
a party's account: its registry name, else its handle), else "our campaign": those entries
were made about the workspace's own side, and that is the best the data says.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 20:00:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)

# Frozen copies of what the code knew at this revision: a migration must not change when
# the code moves on.
_FALLBACK = "our campaign"
_ROLES = {
    "candidate": "candidate",
    "leader": "candidate",
    "official": "candidate",
    "party": "party",
}
_PRECEDENCE = ("staff", "model", "self_declared")


def _default_target(conn: sa.Connection, workspace_id: int) -> tuple[str, str]:
    """The workspace's own candidate (name, kind) from its accounts, else our campaign."""
    rows = conn.execute(
        sa.text(
            "SELECT t.role, t.name, t.handle FROM tracked_accounts t "
            "JOIN workspace_accounts w ON w.tracked_account_id = t.id "
            "WHERE w.workspace_id = :w ORDER BY t.id"
        ),
        {"w": workspace_id},
    ).all()
    for role in _ROLES:
        for r in rows:
            if r.role == role:
                return str(r.name or r.handle)[:128], _ROLES[role]
    return _FALLBACK, "other"


def _current(entries: list[Any]) -> Any:
    for source in _PRECEDENCE:
        of_source = [e for e in entries if e.source == source]
        if of_source:
            return max(of_source, key=lambda e: (e.created_at, e.id))
    return None


def upgrade() -> None:
    op.create_table(
        "stance_targets",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name", name="uq_stance_targets_name"),
    )
    op.create_table(
        "person_stances",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("since", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "target", name="uq_person_stances"),
    )
    with op.batch_alter_table("person_stances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_stances_filter", ["workspace_id", "target", "value"], unique=False
        )
    with op.batch_alter_table("stance_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("examples", sa.Integer(), nullable=True))

    conn = op.get_bind()
    now = datetime.now(UTC)
    entries = sa.table(
        "stance_entries",
        sa.column("id"),
        sa.column("workspace_id"),
        sa.column("person_id"),
        sa.column("target"),
        sa.column("value"),
        sa.column("source"),
        sa.column("created_at", _TS),
    )
    targets = sa.table(
        "stance_targets",
        sa.column("workspace_id"),
        sa.column("name"),
        sa.column("kind"),
        sa.column("description"),
        sa.column("created_at", _TS),
    )
    current = sa.table(
        "person_stances",
        sa.column("workspace_id"),
        sa.column("person_id"),
        sa.column("target"),
        sa.column("value"),
        sa.column("source"),
        sa.column("since", _TS),
    )
    workspace_ids = conn.execute(sa.select(entries.c.workspace_id).distinct()).scalars().all()
    for workspace_id in sorted(workspace_ids):
        name, kind = _default_target(conn, workspace_id)
        conn.execute(
            targets.insert().values(
                workspace_id=workspace_id,
                name=name,
                kind=kind,
                description="Stance recorded before targets were named (migration 0007).",
                created_at=now,
            )
        )
        conn.execute(
            entries.update().where(entries.c.workspace_id == workspace_id).values(target=name)
        )
        by_person: dict[int, list[Any]] = {}
        for e in conn.execute(
            sa.select(entries).where(entries.c.workspace_id == workspace_id)
        ).all():
            by_person.setdefault(e.person_id, []).append(e)
        rows = []
        for person_id, found in sorted(by_person.items()):
            latest = _current(found)
            if latest is not None:
                rows.append(
                    {
                        "workspace_id": workspace_id,
                        "person_id": person_id,
                        "target": name,
                        "value": latest.value,
                        "source": latest.source,
                        "since": latest.created_at,
                    }
                )
        if rows:
            conn.execute(current.insert(), rows)

    with op.batch_alter_table("stance_entries", schema=None) as batch_op:
        batch_op.alter_column("target", existing_type=sa.String(length=128), nullable=False)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("stance")


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stance", sa.String(length=32), nullable=False, server_default="unknown")
        )
    # One value per person again: the stance toward the target judged most recently.
    conn = op.get_bind()
    current = sa.table(
        "person_stances", sa.column("person_id"), sa.column("value"), sa.column("since", _TS)
    )
    people = sa.table("people", sa.column("id"), sa.column("stance"))
    latest: dict[int, Any] = {}
    for r in conn.execute(sa.select(current).order_by(current.c.since)).all():
        latest[r.person_id] = r.value
    for person_id, value in latest.items():
        conn.execute(people.update().where(people.c.id == person_id).values(stance=value))
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column(
            "stance", existing_type=sa.String(length=32), server_default=None
        )
    with op.batch_alter_table("stance_entries", schema=None) as batch_op:
        batch_op.drop_column("examples")
        batch_op.drop_column("target")
    with op.batch_alter_table("person_stances", schema=None) as batch_op:
        batch_op.drop_index("ix_person_stances_filter")
    op.drop_table("person_stances")
    op.drop_table("stance_targets")
