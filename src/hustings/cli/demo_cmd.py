"""``hustings demo``: a synthetic campaign, written as real platform files and imported."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

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


def _now(value: str | None) -> datetime | None:
    """``--now`` as an aware time; a usage error (exit 2) names the expected form."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise typer.BadParameter(
            f"{value!r} is not an ISO time with a zone, e.g. 2026-10-05T12:00:00+00:00",
            param_hint="--now",
        )
    return parsed


def _town_hall(store: Store, workspace: str, now: datetime, seed: int) -> dict[str, Any]:
    """Seed yesterday's simulated town hall; its id, public log counts and log page."""
    from hustings import qa
    from hustings.demo._townhall import seed_town_hall

    with store.begin() as conn:
        ws = qa.workspace_named(conn, workspace)
    event_id = seed_town_hall(store, ws, now, seed)
    with store.begin() as conn:
        event = qa.get_event(conn, ws, event_id)
        log = qa.moderation_log(conn, ws, event_id)
    return {"event_id": event_id, "log": log, "public_log": f"/ask/{event.form_token}/log"}


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option(help="Where to write the synthetic files.")] = Path(
            "demo-output"
        ),
        seed: Annotated[int, typer.Option(help="Same seed, same campaign.")] = 2019,
        scale: Annotated[float, typer.Option(min=0.01, help="1.0 ≈ 3,000 citizens.")] = 1.0,
        now: Annotated[
            str | None,
            typer.Option(
                envvar="HUSTINGS_DEMO_NOW",
                help="End the campaign at this ISO time instead of now (same day, same campaign).",
            ),
        ] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Simulate a synthetic election campaign, write it as real platform files, import it.

        Five parties with central accounts, leaders and candidates, thousands of citizens who
        mention, reply, DM and e-mail them, a quiet account that floods, all labelled
        synthetic, written as X API v2 pages, Mastodon JSON and an mbox, then imported through
        the same importers as real exports. The campaign's 35 days end now: the inbox has
        messages due within the hour as well as ones long past due.

        Example:

            hustings demo --out demo-output --seed 2019
        """
        from hustings.demo import record_platform_answers, run_demo, seed_stances
        from hustings.web.demo import DEMO_EMAIL, DEMO_WORKSPACE, create_demo_workspace

        when = _now(now)
        store = open_store(ctx)
        if progress_enabled(as_json):
            with err.status("Simulating the Northland campaign and importing it…"):
                run = run_demo(store, out, seed=seed, scale=scale, now=when)
        else:
            run = run_demo(store, out, seed=seed, scale=scale, now=when)
        login_path, email, password = create_demo_workspace(store, accounts=run.accounts())
        answered = record_platform_answers(store, DEMO_WORKSPACE)
        stances = seed_stances(store, DEMO_WORKSPACE, run.campaign, DEMO_EMAIL, seed)
        town_hall = _town_hall(store, DEMO_WORKSPACE, run.campaign.end, seed)
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
                    "answered_on_platform": answered,
                    "stance_entries": stances,
                    "town_hall": town_hall,
                    "store": counts,
                    "web": {"path": login_path, "email": email, "password": password},
                    "report": str(report),
                }
            )
            return
        start, end = run.campaign.start, run.campaign.end
        err.print(
            Panel.fit(
                f"[bold]{stats['election']}[/] — [yellow]synthetic data[/], seed {seed}\n"
                f"{start:%d %b} to now ({end:%d %b %H:%M} UTC): {stats['accounts']:,} people "
                f"with {counts['accounts']:,} platform accounts, {stats['messages']:,} "
                f"messages, written to [bold]{out}/[/]",
                title="Hustings demo",
            )
        )
        by_role = stats["accounts_by_role"]
        assert isinstance(by_role, dict)
        print_rows(
            [
                *({"role": k, "people": v} for k, v in sorted(by_role.items())),
                {"role": "total", "people": stats["accounts"]},
            ],
            ["role", "people"],
            as_json=False,
            title="People (synthetic)",
        )
        columns = ["file", "read", "added", "updated", "unchanged", "quarantined", "format"]
        rows = [
            {"file": _relative(s.source, out), "format": s.format}
            | {k: getattr(s, k) for k in columns[1:-1]}
            for s in run.imports
        ]
        rows.append({"file": "total", **imported})
        print_rows(rows, columns, as_json=False, title="Imported through the real importers")
        err.print(
            f"Store: [bold]{store.url}[/] — {counts['messages']:,} messages; "
            f"{counts['accounts']:,} platform accounts (one person may have one on X, one on "
            f"Mastodon and an e-mail address); {counts['tracked_accounts']:,} of them tracked.",
            highlight=False,
        )
        err.print(f"Audit report: [bold]{report}[/]")
        err.print(
            f"Stance: {stances['staff']:,} staff and {stances['model']:,} model entries toward "
            "the demo's candidate and three policies ([bold]hustings people targets list -w "
            f"\"{DEMO_WORKSPACE}\"[/]).",
            highlight=False,
        )
        err.print(
            f"Town hall (simulated, yesterday): {town_hall['log']['received']} questions, "
            f"{town_hall['log']['answered']} answered; public log at "
            f"[bold]{town_hall['public_log']}[/]",
            highlight=False,
        )
        err.print(
            Panel.fit(
                f"[bold]hustings serve[/], then open http://127.0.0.1:8000{login_path}\n"
                f"e-mail [bold]{email}[/]   password [bold]{password}[/]",
                title="Inbox: the demo workspace",
            )
        )
        err.print(
            "Also: [bold]hustings status[/], [bold]hustings accounts list --role leader[/], "
            "[bold]hustings messages --to <handle>[/] (then [bold]hustings thread x <id>[/]).",
            highlight=False,
        )


def _relative(source: str, out: Path) -> str:
    """A written file's path inside ``out``: short enough for a table at 80 columns."""
    path = Path(source)
    return path.relative_to(out).as_posix() if path.is_relative_to(out) else source
