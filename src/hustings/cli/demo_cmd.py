"""``hustings demo``: a synthetic campaign, written as real platform files and imported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel

from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows, progress_enabled
from hustings.store import Store

__all__ = ["register"]


def _audit_report(store: Store, out: Path) -> Path:
    """The dialogic scorecard of the demo's tracked accounts, as the audit report."""
    from hustings.metrics import AuditParams, audit_store
    from hustings.report import write_report

    label = "Synthetic data: the simulated Northland campaign made by `hustings demo`."
    return write_report(audit_store(store, AuditParams()), out, label=label)["report"]


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option(help="Where to write the synthetic files.")] = Path(
            "demo-output"
        ),
        seed: Annotated[int, typer.Option(help="Same seed, same campaign.")] = 2019,
        scale: Annotated[float, typer.Option(min=0.01, help="1.0 ≈ 3,000 citizens.")] = 1.0,
        as_json: JsonOption = False,
    ) -> None:
        """Simulate a synthetic election campaign, write it as real platform files, import it.

        Five parties with central accounts, leaders and candidates, thousands of citizens who
        mention, reply, DM and e-mail them, a quiet account that floods, all labelled
        synthetic, written as X API v2 pages, Mastodon JSON and an mbox, then imported through
        the same importers as real exports.

        Example:

            hustings demo --out demo-output --seed 2019
        """
        from hustings.demo import run_demo
        from hustings.web.demo import create_demo_workspace

        store = open_store(ctx)
        if progress_enabled(as_json):
            with err.status("Simulating the Northland campaign and importing it…"):
                run = run_demo(store, out, seed=seed, scale=scale)
        else:
            run = run_demo(store, out, seed=seed, scale=scale)
        login_path, email, password = create_demo_workspace(store)
        report = _audit_report(store, out / "audit")
        counts = store.counts()
        store.close()
        stats = run.campaign.stats()
        imported = {
            key: sum(getattr(s, key) for s in run.imports)
            for key in ("read", "added", "updated", "unchanged", "quarantined")
        }
        if as_json:
            print_json(
                {
                    "synthetic": True,
                    "out": str(out),
                    "database": store.url,
                    "campaign": stats,
                    "imported": imported,
                    "store": counts,
                    "web": {"path": login_path, "email": email, "password": password},
                    "report": str(report),
                }
            )
            return
        err.print(
            Panel.fit(
                f"[bold]{stats['election']}[/] — [yellow]synthetic data[/], seed {seed}\n"
                f"{stats['accounts']:,} accounts, {stats['messages']:,} messages written to "
                f"[bold]{out}/[/]",
                title="Hustings demo",
            )
        )
        by_role = stats["accounts_by_role"]
        assert isinstance(by_role, dict)
        print_rows(
            [{"role": k, "accounts": v} for k, v in sorted(by_role.items())],
            ["role", "accounts"],
            as_json=False,
            title="Accounts (synthetic)",
        )
        print_rows(
            [
                {
                    "file": s.source,
                    "format": s.format,
                    "read": s.read,
                    "added": s.added,
                    "quarantined": s.quarantined,
                }
                for s in run.imports
            ],
            ["file", "format", "read", "added", "quarantined"],
            as_json=False,
            title="Imported through the real importers",
        )
        err.print(
            f"Store: [bold]{store.url}[/] — {counts['messages']:,} messages, "
            f"{counts['accounts']:,} accounts, {counts['tracked_accounts']:,} tracked."
        )
        err.print(f"Audit report: [bold]{report}[/]")
        err.print(
            Panel.fit(
                f"[bold]hustings serve[/], then open http://127.0.0.1:8000{login_path}\n"
                f"e-mail [bold]{email}[/]   password [bold]{password}[/]",
                title="Inbox: the demo workspace",
            )
        )
        err.print(
            "Also: [bold]hustings status[/], [bold]hustings accounts list --role leader"
            "[/], [bold]hustings thread x <id>[/]."
        )
