"""``hustings audit --party/--account/--workspace``: the headline and the table are theirs."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.errors import NotFoundError
from hustings.metrics import Scope
from hustings.model import Role, TrackedAccount
from hustings.store import Store
from hustings.store.records import write_tracked
from hustings.store.schema import tracked_accounts
from hustings.workspace import Actor, claim_account, create_workspace, find_workspace, owned_handles
from tests.xpages import write_pages

runner = CliRunner()


def _audit(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", f"sqlite:///{db}", "audit", *args])


def test_audit_for_one_account_lists_only_it(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 70)
    result = _audit(
        tmp_path / "h.db", str(path), "--min-posts", "10", "--account", "@User3", "--json"
    )
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["handle"] for r in rows] == ["user3"]


def test_audit_for_an_account_nobody_has_says_so_in_one_line(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 70)
    result = _audit(
        tmp_path / "h.db", str(path), "--min-posts", "10", "--account", "nobody", "--json"
    )
    assert result.exit_code == 1
    assert "@nobody matches none of the 7 audited accounts" in result.output


def _tracked(store: Store, handle: str, party: str) -> int:
    with store.begin() as conn:
        write_tracked(conn, [TrackedAccount("x", handle, Role.CANDIDATE, party=party)])
        return int(
            conn.execute(
                select(tracked_accounts.c.id).where(tracked_accounts.c.handle_lower == handle)
            ).scalar_one()
        )


def test_a_workspace_scope_holds_its_accounts_not_anothers(any_store: Store) -> None:
    north, south = create_workspace(any_store, "North"), create_workspace(any_store, "South")
    alice, bob = _tracked(any_store, "alice", "Red"), _tracked(any_store, "bob", "Blue")
    with any_store.begin() as conn:
        claim_account(conn, Actor.system(north.id), alice)
        claim_account(conn, Actor.system(south.id), bob)
        owned = owned_handles(conn, find_workspace(conn, "North").id)
    scope = Scope.of(accounts=owned, workspace="North")
    assert scope is not None and scope.label == "workspace North"
    audited = [
        {"akey": "x:1", "platform": "x", "handle": "Alice", "party": "Red"},
        {"akey": "x:2", "platform": "x", "handle": "bob", "party": "Blue"},
    ]
    assert scope.select(audited) == {"x:1"}


def test_an_unknown_workspace_names_the_workspaces(any_store: Store) -> None:
    create_workspace(any_store, "North")
    with any_store.begin() as conn, pytest.raises(NotFoundError, match=r"workspaces: North"):
        find_workspace(conn, "Nowhere")
