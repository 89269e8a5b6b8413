"""Entry point: the ``hustings`` command and the one place errors become exit codes.

Exit codes: 0 ok; 1 a ``HustingsError`` (one red line, no traceback); 2 a usage error;
3 an import that finished but quarantined records; 130 an import interrupted (resumable).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from hustings.cli import (
    accounts_cmd,
    audit_cmd,
    connectors_cmd,
    demo_cmd,
    export_cmd,
    imports_cmd,
    listen_cmd,
    nlp_cmd,
    people_cmd,
    plan_cmd,
    policy_cmd,
    qa_cmd,
    quarantine_cmd,
    store_cmd,
    web_cmd,
)
from hustings.cli.output import err, fit_to_terminal
from hustings.errors import HustingsError

__all__ = ["app", "main"]


class _Group(TyperGroup):
    """Turns any ``HustingsError`` raised by a command into one red line and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except HustingsError as exc:
            err.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    name="hustings",
    help="Use social media as a conversation, not a megaphone.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="HUSTINGS_DATABASE_URL",
            help="Database URL (default: a SQLite file in the data folder).",
        ),
    ] = None,
) -> None:
    fit_to_terminal()
    ctx.obj = {"db": db}


imports_cmd.register(app)
store_cmd.register(app)
app.add_typer(accounts_cmd.app, name="accounts")
app.add_typer(export_cmd.app, name="export")
app.add_typer(nlp_cmd.app, name="nlp")
app.add_typer(quarantine_cmd.app, name="quarantine")
app.add_typer(plan_cmd.app, name="plan")
app.add_typer(qa_cmd.app, name="qa")
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(people_cmd.app, name="people")


audit_cmd.register(app)
demo_cmd.register(app)
listen_cmd.register(app)
web_cmd.register(app)
connectors_cmd.register(app)
connectors_cmd.register_accounts(accounts_cmd.app)


def main() -> None:
    app()
