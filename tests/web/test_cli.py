"""``hustings users add`` through Typer's runner, on a root app wired as ``cli.main`` will."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from hustings.cli import web_cmd
from hustings.store import Store
from hustings.workspace import check_password


def _app(db: str) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = {"db": db}

    web_cmd.register(app)
    return app


def test_users_add_reads_the_password_from_stdin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    result = CliRunner().invoke(
        _app(url),
        [
            "users",
            "add",
            "Sam@Campaign.example",
            "--workspace",
            "HQ",
            "--role",
            "manager",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    store = Store.open(url)
    with store.begin() as conn:
        assert check_password(conn, "sam@campaign.example", "a long enough password")
    store.close()


def test_users_add_rejects_an_unknown_role(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(f"sqlite:///{tmp_path / 'h.db'}"),
        ["users", "add", "a@b.example", "--workspace", "HQ", "--role", "king"],
    )
    assert result.exit_code == 2
