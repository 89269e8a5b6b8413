"""The CLI's contract, walked from the Typer app so that no command can escape it.

Every command answers ``--help``; every command that lists something takes ``--json`` and
prints JSON objects, one a line, that parse. They run on one small demo store built once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from typer.testing import CliRunner

from hustings.cli.main import app
from tests.nlp.examples import examples_csv
from tests.xpages import page, tweet

NOW = "2026-10-05T22:30:00+00:00"  # the demo is dated relative to its "now": pin it

# Commands that act rather than list, and so need no --json.
NOT_LISTING = {
    "serve": "runs the web app",
    "users add": "adds a user",
    "nlp train": "fits",
    "accounts attach": "attaches an account",
    "accounts detach": "detaches an account",
    "quarantine clear": "forgets a batch's quarantined records",
    "plan queue": "schedules a planned post",
    "plan post": "posts a planned post",
    "plan cancel": "cancels a planned post",
    "plan override": "lets a held post go",
    "plan edit": "changes a planned post",
    "plan rules add": "sets a posting rule",
    "plan rules remove": "removes a posting rule",
    "qa export": "writes an event's questions to stdout as CSV or JSON lines (--format)",
    "qa create": "creates an event",
    "qa ask": "enters a question",
    "policy add-source": "adds a policy source",
    "policy show": "prints one item with its versions as one JSON object",
    "policy correct": "corrects an item's topic",
    "policy add-alert": "adds an alert rule",
    "policy report": "writes the offline matrix report",
    "qa role": "gives a member a part at an event",
    "qa follow-up": "files an event's unanswered questions into the inbox",
}


def _commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf command under ``group``, by its path ("accounts list")."""
    ctx = typer.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        path = f"{prefix}{name}"
        if hasattr(command, "list_commands"):
            yield from _commands(command, f"{path} ")
        else:
            yield path, command


COMMANDS = dict(_commands(typer.main.get_command(app)))


@dataclass(frozen=True)
class Demo:
    db: Path
    out: Path
    tmp: Path
    mastodon: str = ""  # the recorded Mastodon server, for the connection commands

    def args(self, *rest: str) -> list[str]:
        return ["--db", f"sqlite:///{self.db}", *rest]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """A small demo campaign in its own store, made once for every contract test."""
    tmp = tmp_path_factory.mktemp("contract")
    made = Demo(tmp / "h.db", tmp / "out", tmp)
    result = CliRunner().invoke(
        app, made.args("demo", "--out", str(made.out), "--scale", "0.02", "--now", NOW, "--json")
    )
    assert result.exit_code == 0, result.output
    return made


def _first_x_id(demo: Demo) -> str:
    found = CliRunner().invoke(app, demo.args("messages", "--platform", "x", "--json"))
    return str(orjson.loads(found.stdout.splitlines()[0])["id"])


def _examples(demo: Demo) -> str:
    path = demo.tmp / "lanes.csv"
    path.write_text(examples_csv(), encoding="utf-8")
    return str(path)


def _quarantined(demo: Demo) -> list[str]:
    """Give the quarantine something to list: a file with one unreadable line."""
    bad = demo.tmp / "bad.jsonl"
    bad.write_bytes(page([tweet(1)]) + b"\n{not json\n")
    CliRunner().invoke(app, demo.args("import", str(bad)))
    return []


@pytest.fixture(scope="module")
def mastodon_server() -> Iterator[Any]:
    """The recorded Mastodon server (tests/connectors/replay.py) for the connection commands."""
    from tests.conftest import shared_data_dir
    from tests.connectors.replay import ReplayServer

    folder = shared_data_dir() / "fixtures" / "mastodon"
    if not folder.is_dir():
        pytest.skip(f"recorded Mastodon responses absent: {folder}")
    server = ReplayServer(folder)
    yield server
    server.close()


def _connect_args(d: Demo) -> list[str]:
    token = d.tmp / "token.txt"
    token.write_text("good-token\n", encoding="utf-8")
    return ["mastodon", "--workspace", _workspace_name(d), "--server", d.mastodon,
            "--token-file", str(token)]


def _workspace_name(d: Demo) -> str:
    from sqlalchemy import select

    from hustings.store import Store
    from hustings.store.schema import workspaces

    store = Store.open(f"sqlite:///{d.db}")
    try:
        with store.begin() as conn:
            return str(conn.execute(select(workspaces.c.name).order_by(workspaces.c.id)).first()[0])
    finally:
        store.close()


def _connected(d: Demo) -> list[str]:
    """Connect the demo workspace's Mastodon account once, so its connection lists."""
    CliRunner().invoke(app, d.args("connect", *_connect_args(d)), env=SECRET)
    return ["--workspace", _workspace_name(d)]


SECRET = {"HUSTINGS_SECRET_KEY": "contract-test-secret"}
DEMO = "Demo campaign"


def _demo_person(d: Demo) -> str:
    """A person of the demo workspace with a stance toward the rent cap."""
    found = CliRunner().invoke(
        app, d.args("people", "list", "-w", DEMO, "--target", "Rent cap", "--json")
    )
    return str(orjson.loads(found.stdout.splitlines()[0])["id"])

# How to run each listing command on the demo store: (arguments, standard input).
Call = Callable[[Demo], tuple[list[str], str | None]]
LISTING: dict[str, Call] = {
    "status": lambda d: ([], None),
    "batches": lambda d: ([], None),
    "quarantine list": lambda d: (_quarantined(d), None),
    "quarantine retry": lambda d: (_quarantined(d), None),
    "formats": lambda d: ([], None),
    "messages": lambda d: (["--to", "BeaHartnell", "--limit", "3"], None),
    "thread": lambda d: (["x", _first_x_id(d)], None),
    "import": lambda d: ([str(d.out / "email" / "campaign.mbox")], None),
    "accounts import": lambda d: ([str(d.out / "registry.csv")], None),
    "accounts list": lambda d: (["--role", "Leader"], None),
    "export parquet": lambda d: ([str(d.tmp / "parquet")], None),
    "audit": lambda d: ([], None),
    "listen": lambda d: (["#nlpoli", "--no-classify"], None),
    "demo": lambda d: (["--out", str(d.out), "--scale", "0.02", "--now", NOW], None),
    "nlp classify": lambda d: (["needs_reply"], "When is the next town hall?\nVote Green!\n"),
    "nlp suggest": lambda d: (
        ["--target", "bike lanes", "--examples", _examples(d), "--count", "1"],
        "bike lanes now\nno more bike lanes\n",
    ),
    "nlp enrich": lambda d: (["--tasks", "needs_reply"], None),
    "nlp eval": lambda d: (["needs_reply"], None),
    "connect": lambda d: (_connect_args(d), None),
    "connections": lambda d: (_connected(d), None),
    "sync": lambda d: ([*_connected(d), "--once"], None),
    "plan draft": lambda d: (["--workspace", _workspace_name(d), "--account", _own_account(d),
                              "Town hall tonight at 7"], None),
    "plan list": lambda d: (["--workspace", _workspace_name(d)], None),
    "plan best-time": lambda d: (["--workspace", _workspace_name(d), "--account",
                                  _own_account(d)], None),
    "plan rules list": lambda d: (_with_rule(d), None),
    "plan response": lambda d: (["--workspace", _workspace_name(d), "--account",
                                 _own_account(d)], None),
    "qa events": lambda d: (_qa_event(d)[:2], None),
    "qa questions": lambda d: (_qa_event(d), None),
    "qa log": lambda d: (_qa_event(d), None),
    "policy topics": lambda d: ([], None),
    "policy sources": lambda d: (_policy(d), None),
    "policy fetch": lambda d: (_policy(d), None),
    "policy items": lambda d: (_policy(d), None),
    "policy review": lambda d: (_policy(d), None),
    "policy corrections": lambda d: (_policy(d), None),
    "policy matrix": lambda d: (_policy(d), None),
    "policy alerts": lambda d: (_policy(d), None),
    "people list": lambda d: (["-w", DEMO, "--limit", "5"], None),
    "people stance": lambda d: (
        [_demo_person(d), "-w", DEMO, "--target", "Rent cap", "--value", "support"], None
    ),
    "people history": lambda d: ([_demo_person(d), "-w", DEMO], None),
    "people targets list": lambda d: (["-w", DEMO], None),
    "people targets add": lambda d: (["Carbon tax", "-w", DEMO, "--kind", "policy"], None),
}


def _own_account(d: Demo) -> str:
    """One of the demo workspace's own accounts, as platform:handle."""
    from sqlalchemy import select

    from hustings.store import Store
    from hustings.store.schema import tracked_accounts, workspace_accounts

    store = Store.open(f"sqlite:///{d.db}")
    try:
        with store.begin() as conn:
            row = conn.execute(
                select(tracked_accounts.c.platform, tracked_accounts.c.handle)
                .join(workspace_accounts,
                      workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
                .order_by(workspace_accounts.c.id)
            ).first()
            return f"{row.platform}:{row.handle}"
    finally:
        store.close()



def _policy(d: Demo) -> list[str]:
    """The demo workspace watching its own account's posts as a policy source, with a
    "first item on a topic" alert, fetched once, and one item corrected by hand."""
    from hustings import policy
    from hustings.store import Store
    from hustings.workspace import Actor
    from hustings.workspace.core import find_workspace

    name = _workspace_name(d)
    platform, handle = _own_account(d).split(":", 1)
    store = Store.open(f"sqlite:///{d.db}")
    try:
        with store.begin() as conn:
            actor = Actor.system(find_workspace(conn, name).id)
            if policy.list_sources(conn, actor):
                return ["--workspace", name]
            policy.add_source(conn, actor, "account", "Own posts", "Harbour Party",
                              settings={"platform": platform, "handle": handle})
            policy.add_rule(conn, actor, "first")
        policy.fetch_all(store, actor)
        with store.begin() as conn:
            items = policy.list_items(conn, actor)
            policy.correct(conn, actor, int(items[-1]["id"]), 0)
    finally:
        store.close()
    return ["--workspace", name]
def _with_rule(d: Demo) -> list[str]:
    """The demo workspace with one posting rule set, so that the rules list."""
    CliRunner().invoke(app, d.args("plan", "rules", "add", "-w", _workspace_name(d),
                                   "max-per-day", "--posts", "12"))
    return ["--workspace", _workspace_name(d)]


def _qa_event(d: Demo) -> list[str]:
    """A Live Q&A event with one question in the demo workspace, made through hustings.qa."""
    from datetime import UTC, datetime, timedelta

    from hustings import qa
    from hustings.store import Store

    name = _workspace_name(d)
    store = Store.open(f"sqlite:///{d.db}")
    try:
        with store.begin() as conn:
            own = qa.workspace_named(conn, name)
            start = datetime(2026, 10, 5, 19, 0, tzinfo=UTC)
            event = qa.create_event(conn, own, "Town hall", start, start + timedelta(hours=2))
            qa.add_question(conn, own, event.id, "When will the depot reopen?", "web")
    finally:
        store.close()
    return ["--workspace", name, "--event", str(event.id)]


def _has_json(command: Any) -> bool:
    return any("--json" in getattr(p, "opts", ()) for p in command.params)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(path: str) -> None:
    result = CliRunner().invoke(app, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_every_command_is_listing_with_json_or_says_why_not() -> None:
    listing = {p for p, c in COMMANDS.items() if _has_json(c)}
    assert listing | set(NOT_LISTING) == set(COMMANDS)
    assert listing == set(LISTING), "add the new command to LISTING with its arguments"


@pytest.mark.parametrize("path", sorted(LISTING))
def test_listing_command_prints_json_lines(
    path: str, demo: Demo, request: pytest.FixtureRequest
) -> None:
    if path == "nlp eval" and not (Path(__file__).parents[3] / "shared" / "data").is_dir():
        pytest.skip("nlp eval scores on the shared data, which is absent here")
    if path in ("connect", "connections", "sync"):
        demo = Demo(demo.db, demo.out, demo.tmp, request.getfixturevalue("mastodon_server").url)
    args, stdin = LISTING[path](demo)
    result = CliRunner().invoke(
        app, demo.args(*path.split(), *args, "--json"), input=stdin, env=SECRET
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines, f"{path} --json printed nothing"
    assert all(isinstance(orjson.loads(line), dict) for line in lines)


def test_role_is_matched_in_any_case(demo: Demo) -> None:
    result = CliRunner().invoke(app, demo.args("accounts", "list", "--role", "Leader", "--json"))
    roles = {orjson.loads(line)["role"] for line in result.stdout.splitlines()}
    assert roles == {"leader"}


def test_unknown_role_is_a_usage_error_naming_the_roles(demo: Demo) -> None:
    result = CliRunner().invoke(app, demo.args("accounts", "list", "--role", "mayor"))
    assert result.exit_code == 2
    assert "'leader'" in result.stderr and "'candidate'" in result.stderr


def test_unknown_party_is_a_usage_error_naming_the_parties(demo: Demo) -> None:
    result = CliRunner().invoke(app, demo.args("accounts", "list", "--party", "Whigs"))
    assert result.exit_code == 2
    assert "Harbour Party" in " ".join(result.stderr.split())


def test_messages_finds_a_conversation_to_open_as_a_thread(demo: Demo) -> None:
    found = CliRunner().invoke(
        app, demo.args("messages", "--to", "@beahartnell", "--platform", "x", "--json")
    )
    rows = [orjson.loads(line) for line in found.stdout.splitlines()]
    assert rows and all(r["reply_to"] == "BeaHartnell" or "@BeaHartnell" in r["text"] for r in rows)
    assert [r["created_at"] for r in rows] == sorted((r["created_at"] for r in rows), reverse=True)
    thread = CliRunner().invoke(app, demo.args("thread", "x", rows[0]["id"], "--json"))
    assert thread.exit_code == 0, thread.output


def test_messages_text_and_since_narrow_the_list(demo: Demo) -> None:
    found = CliRunner().invoke(
        app, demo.args("messages", "--text", "RENT", "--since", "2026-10-01", "--json")
    )
    rows = [orjson.loads(line) for line in found.stdout.splitlines()]
    assert rows and all("rent" in r["text"].lower() for r in rows)
    assert all(r["created_at"] >= "2026-10-01" for r in rows)


def test_tables_fit_80_columns_without_cutting_values(demo: Demo) -> None:
    result = CliRunner().invoke(app, demo.args("batches"), env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stderr
    assert "registry.csv" in result.stderr


def test_users_add_without_a_terminal_says_to_use_password_stdin(demo: Demo) -> None:
    result = CliRunner().invoke(
        app, demo.args("users", "add", "ana@campaign.example", "--workspace", "HQ")
    )
    assert result.exit_code == 2
    assert "--password-stdin" in result.stderr
    assert "GetPassWarning" not in result.output


def test_demo_campaign_is_current_with_items_due_soon_and_breached(demo: Demo) -> None:
    from sqlalchemy import select

    from hustings.inbox.dashboard import dashboard
    from hustings.store import Store
    from hustings.store.schema import inbox_items, workspaces
    from hustings.workspace import Actor

    now = datetime.fromisoformat(NOW)
    store = Store.open(f"sqlite:///{demo.db}")
    with store.begin() as conn:
        workspace = conn.execute(select(workspaces.c.id)).scalar_one()
        figures = dashboard(conn, Actor.system(workspace), now=now)
        open_due = (
            conn.execute(
                select(inbox_items.c.due_at).where(inbox_items.c.status.in_(("new", "assigned")))
            )
            .scalars()
            .all()
        )
    store.close()
    assert any(due and now < due <= now + timedelta(hours=4) for due in open_due), "none due soon"
    assert figures["past_sla"] > 0 and figures["open_items"] > figures["past_sla"]
    assert figures["median_first_response_minutes"] is not None
    assert 0 < figures["reply_rate_30d"] < 1
    days = figures["daily"]
    assert days[-1]["day"] == "2026-10-05" and days[-1]["received"] > 0
    assert sum(d["answered_24h"] for d in days) > 0


def test_demo_screen_counts_add_up(demo: Demo) -> None:
    again = demo.args("demo", "--out", str(demo.out), "--scale", "0.02", "--now", NOW)
    result = CliRunner().invoke(app, again, env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    status = orjson.loads(CliRunner().invoke(app, demo.args("status", "--json")).stdout)
    text = " ".join(result.stderr.split())
    accounts = f"{status['counts']['accounts']:,} platform accounts"
    banner = " ".join(result.stderr.split("People (synthetic)")[0].split())
    assert accounts in banner, "the banner's account count is not the store's"
    assert f"{accounts} (one person may have" in text
    assert "people" in text and "updated" in text and "unchanged" in text
    assert "…" not in result.stderr


def test_audit_table_prints_counts_as_integers_under_the_scored_window(demo: Demo) -> None:
    result = CliRunner().invoke(app, demo.args("audit"), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stderr.splitlines() if "handle" in line)
    assert "response rate 72h" in header and "24h" not in header
    assert not re.search(r"│ *\d+\.0 *│", result.stderr)


def test_demo_people_have_stance_toward_named_targets(demo: Demo) -> None:
    """The demo names its candidate and three policies, and its people carry staff and model
    stances toward them, with the messages that show them: not "unknown" everywhere."""
    def rows(*args: str) -> list[dict[str, Any]]:
        found = CliRunner().invoke(app, demo.args(*args, "--json"))
        assert found.exit_code == 0, found.output
        return [orjson.loads(line) for line in found.stdout.splitlines()]

    targets = rows("people", "targets", "list", "-w", DEMO)
    assert [t["kind"] for t in targets][:4] == ["candidate", "policy", "policy", "policy"]
    assert [t["name"] for t in targets][1:4] == ["Rent cap", "Late-night buses", "Flood defences"]
    people = rows("people", "list", "-w", DEMO, "--limit", "1000")
    judged = [p for p in people if p["stances"]]
    assert len(judged) > len(people) / 4
    shown = {s["target"] for p in judged for s in p["stances"]}
    assert {t["name"] for t in targets[:4]} <= shown
    assert len({s["value"] for p in judged for s in p["stances"]}) >= 3  # a spread, not one
    entries = [e for p in judged[:40] for e in rows("people", "history", str(p["id"]), "-w", DEMO)]
    # (Other contract tests may add a staff entry of their own: the demo's are its user's.)
    staff = [e for e in entries if e["author"] == "demo@hustings.example"]
    assert len(staff) >= 5 and all(e["evidence_message_id"] for e in staff)
    assert {e["source"] for e in staff} == {"staff"}
    model = [e for e in entries if e["source"] == "model"]
    assert all(e["examples"] >= 10 and e["evidence_message_id"] for e in model)
