"""The CLI commands that take or make a workspace, run on the shared store naming B (or a new
workspace) with A's people and data: A's rows and A's users' view stay as they were, and the
other workspace is shown nothing of A's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hustings.cli.main import app as cli
from hustings.nlp.enrich import EnrichTask
from hustings.store.schema import message_scores, messages, stance_entries
from hustings.web.demo import create_demo_workspace
from tests.connectors.replay import QuietServer
from tests.tenancy.harness import Copy, api_view, assert_same, b_looks_around, leaks
from tests.tenancy.world import A_TARGET, PASSWORD, World


def _run(copy: Copy, *args: str, stdin: str | None = None, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["--db", _url(copy), *args], input=stdin)
    assert result.exit_code == code, result.output
    return result.output


def _a_unchanged(copy: Copy, rows: dict[str, list[object]], view: dict[str, object]) -> None:
    assert_same(rows, copy.a_rows(), "the command")
    after = api_view(copy.web("a:owner"))
    assert after == view, sorted(k for k in after if after[k] != view[k])


def test_users_add_of_as_owner_to_b_changes_nothing_of_a(fresh: Copy) -> None:
    """Adding A's owner to B (``--workspace`` B) keeps their password and their place in A."""
    email = fresh.world.a.email("owner")
    _run(fresh, "users", "add", email, "--workspace", fresh.world.b.name, "--role", "owner",
         "--password-stdin", stdin="chosen by bravo\n")  # fmt: skip
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)
    web = fresh.web()
    assert web.login(email, "chosen by bravo").status_code == 401
    assert web.login(email, PASSWORD).json()["workspace"] == fresh.world.a.name


def _score_everything(copy: Copy, task: EnrichTask) -> None:
    """Every message already read as favouring the target by the current model, so that the
    run only records model stances (and the test need not wait for scoring)."""
    now = datetime.now(UTC)
    with copy.store.begin() as conn:
        ids = conn.execute(select(messages.c.id)).scalars().all()
        conn.execute(
            message_scores.insert(),
            [
                {"message_id": i, "task": task.key, "label": "favor", "score": 0.9,
                 "model": task.model, "model_version": task.version, "scored_at": now}
                for i in ids
            ],
        )  # fmt: skip


def _model_entries(copy: Copy, workspace_id: int) -> int:
    with copy.store.begin() as conn:
        found = conn.execute(
            select(stance_entries.c.id).where(
                stance_entries.c.workspace_id == workspace_id, stance_entries.c.source == "model"
            )
        )
        return len(found.all())


def test_nlp_enrich_for_b_records_no_stance_in_a(fresh: Copy) -> None:
    world: World = fresh.world
    task = EnrichTask.of("stance", "climate")
    _score_everything(fresh, task)
    rows = fresh.a_rows()
    view = api_view(fresh.web("a:owner"))
    _run(fresh, "nlp", "enrich", "--tasks", "stance", "--target", "climate",
         "--workspace", world.b.name, "--json")  # fmt: skip
    assert _model_entries(fresh, world.b.workspace) > 0  # the run did record stances
    _a_unchanged(fresh, rows, view)


def test_the_demo_workspace_sees_nothing_of_a(fresh: Copy) -> None:
    """``hustings demo`` makes its workspace with ``create_demo_workspace`` on whatever store
    it is given (the default store, the one a campaign uses too): that workspace must not be
    handed A's accounts, and so A's inbox. (The demo's simulation, about a minute of
    work, only adds synthetic platform messages; this is the step that makes a workspace.)"""
    _, email, password = create_demo_workspace(fresh.store)
    demo = fresh.web()
    assert demo.login(email, password).status_code == 200
    found = b_looks_around(demo)
    assert not found, f"the demo workspace sees A's data: {sorted(found)}"
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_accounts_attach_to_b_of_as_account_gives_b_nothing_of_a(fresh: Copy) -> None:
    """B's owner attaching A's candidate's account (no credentials needed) must not make
    A's inbox, private DMs included, B's too: it is refused, saying why."""
    for platform, handle in (("x", "alphacand"), ("email", "office@alpha.example")):
        output = _run(fresh, "accounts", "attach", "--workspace", fresh.world.b.name,
                      "--platform", platform, handle, code=1)  # fmt: skip
        assert "belongs to another workspace" in output
    b = fresh.web("b:owner")
    assert b.post("/api/sync").status_code == 200
    new = b_looks_around(b) - fresh.template.b_leaks
    assert not new, f"B's inbox shows A's data once B attached A's accounts: {sorted(new)}"
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_accounts_detach_from_b_of_as_account_is_refused(fresh: Copy) -> None:
    output = _run(fresh, "accounts", "detach", "--workspace", fresh.world.b.name,
                  "--platform", "x", "alphacand", code=1)  # fmt: skip
    assert "not attached to this workspace" in output
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


@pytest.mark.parametrize("command", [("audit", "--min-posts", "1"), ("listen", "#debate")])
def test_audit_and_listen_scoped_to_b_show_nothing_of_as(
    fresh: Copy, command: tuple[str, ...]
) -> None:
    """``--workspace B`` scopes the audit's headline to B's accounts and merges only B's
    people in listen's camps: nothing A typed, pushed or decided comes out, and A's rows
    stay as they were."""
    output = _run(fresh, *command, "--workspace", fresh.world.b.name, "--json")
    assert not leaks(output), leaks(output)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_connections_of_b_list_nothing_of_as(fresh: Copy) -> None:
    output = _run(fresh, "connections", "--workspace", fresh.world.b.name, "--json")
    assert "bravo-connector.example" in output and not leaks(output)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_sync_of_b_leaves_as_connection_and_outbound_alone(fresh: Copy) -> None:
    """B's (credential-less) connection fails to sync: B's business. A's connection, its
    health and A's queued reply are not touched."""
    result = CliRunner().invoke(cli, ["--db", _url(fresh), "sync", "--workspace",
                                      fresh.world.b.name, "--once", "--json"])  # fmt: skip
    assert result.exit_code in (0, 1) and not leaks(result.output), result.output
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


class _Refusing(BaseHTTPRequestHandler):
    """A platform that refuses every credential (the network edge, faked)."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_server() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_connect_for_b_changes_nothing_of_a(
    fresh: Copy, tmp_path: Path, refusing_server: str
) -> None:
    """Connecting needs the account's own credentials, checked with the platform first:
    credentials the platform refuses leave no trace, in B or in A."""
    token = tmp_path / "token.txt"
    token.write_text("A's token, guessed")
    output = _run(fresh, "connect", "mastodon", "--workspace", fresh.world.b.name,
                  "--server", refusing_server, "--token-file", str(token), code=1)  # fmt: skip
    assert not leaks(output)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def _url(copy: Copy) -> str:
    return copy.store.engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("platform_id", ["a1", "a3", "s1"])
def test_thread_as_b_shows_nothing_of_as_drafts(fresh: Copy, platform_id: str) -> None:
    """``hustings thread --workspace B`` on A's public reply, A's DM and the message both
    hold: B's own rows may show, A's drafts and pushes never (nor without ``--workspace``).
    The command is the store operator's: platform facts, private ones too, are the store's
    to print; rows a workspace typed are not."""
    for extra in (["--workspace", fresh.world.b.name], []):
        result = CliRunner().invoke(
            cli, ["--db", _url(fresh), "thread", "x", platform_id, "--json", *extra]
        )
        assert result.exit_code in (0, 1), result.output
        typed = [m for m in leaks(result.output) if "to post" in m or "pushed" in m]
        assert not typed, f"thread {platform_id} {extra} shows rows A typed: {typed}"
    shown = CliRunner().invoke(cli, ["--db", _url(fresh), "thread", "x", "a1", "--json"])
    assert "Amberley bypass" in shown.output  # the platform fact itself is printed
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)



def test_plan_list_of_b_shows_nothing_of_as_planned_posts(fresh: Copy) -> None:
    output = _run(fresh, "plan", "list", "--workspace", fresh.world.b.name, "--json")
    assert not leaks(output), output
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


@pytest.mark.parametrize(
    "act", [("queue",), ("post",), ("cancel",), ("override", "--reason", "B says so"),
            ("edit", "--text", "B rewrites A's post")]
)
def test_plan_commands_of_b_on_as_planned_post_are_refused(
    fresh: Copy, act: tuple[str, ...]
) -> None:
    output = _run(fresh, "plan", act[0], "--workspace", fresh.world.b.name,
                  str(fresh.world.a.planned), *act[1:], code=1)
    assert "no planned post" in output and not leaks(output)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_plan_draft_of_b_on_as_account_is_refused(fresh: Copy) -> None:
    output = _run(fresh, "plan", "draft", "--workspace", fresh.world.b.name,
                  "--account", "x:alphacand", "Bravo posting as Alpha", code=1)
    assert "no such account in this workspace" in output and not leaks(output)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_plan_best_time_and_rules_of_b_show_and_touch_nothing_of_as(fresh: Copy) -> None:
    b = fresh.world.b.name
    output = _run(fresh, "plan", "best-time", "--workspace", b, "--account", "x:alphacand",
                  code=1)
    assert "no such account in this workspace" in output and not leaks(output)
    replied = _run(fresh, "plan", "response", "--workspace", b, "--account", "x:alphacand",
                   code=1)
    assert "no such account in this workspace" in replied and not leaks(replied)
    listed = _run(fresh, "plan", "rules", "list", "--workspace", b, "--json")
    assert "Alpha's secret blackout" not in listed and not leaks(listed)
    added = _run(fresh, "plan", "rules", "add", "--workspace", b, "max-per-day", "--posts", "1",
                 "--account", "x:alphacand", code=1)
    assert "no such account in this workspace" in added
    removed = _run(fresh, "plan", "rules", "remove", "--workspace", b, str(fresh.world.a.rule),
                   code=1)
    assert "no plan rule" in removed and not leaks(removed)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_qa_commands_as_b_show_nothing_of_as_event(fresh: Copy) -> None:
    """B naming A's event id lists nothing, logs nothing and exports nothing of it."""
    from datetime import timedelta

    from hustings import qa

    start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    a = fresh.world.a
    with fresh.store.begin() as conn:
        event = qa.create_event(conn, a.workspace, "A town hall", start, start + timedelta(hours=1))
        qa.add_question(conn, a.workspace, event.id, "Alpha secret question?", "web", "Ana")
    rows, view = fresh.a_rows(), api_view(fresh.web("a:owner"))
    b = ["--workspace", fresh.world.b.name]
    assert "A town hall" not in _run(fresh, "qa", "events", *b, "--json")
    for command in (["questions"], ["log"]):
        out = _run(fresh, "qa", *command, *b, "--event", str(event.id), code=1)
        assert "no event" in out and "Alpha" not in out
    out = _run(fresh, "qa", "export", str(event.id), *b, code=1)
    assert "no event" in out and "Alpha" not in out
    out = _run(fresh, "qa", "ask", str(event.id), "Bravo question?", *b, code=1)
    assert "no event" in out
    out = _run(fresh, "qa", "follow-up", str(event.id), *b, code=1)
    assert "no event" in out and "Alpha" not in out
    out = _run(fresh, "qa", "role", str(event.id), "x@example.org", *b, "--role", "host", code=1)
    assert "no event" in out
    made = _run(fresh, "qa", "create", "B meeting", *b, "--starts", "2026-12-07T19:00+00:00",
                "--ends", "2026-12-07T20:00+00:00").strip()  # fmt: skip
    assert int(made) != event.id
    _a_unchanged(fresh, rows, view)


# --- people and stance targets ----------------------------------------------------------


def test_people_list_for_b_shows_nothing_of_a(fresh: Copy) -> None:
    """B's people with their stance per target: none of A's people, targets or stances, and
    A's target's name is not one B can filter by (the refusal names B's targets only)."""
    b = fresh.world.b.name
    output = _run(fresh, "people", "list", "--workspace", b, "--json")
    assert output.strip() and not leaks(output)
    refused = _run(fresh, "people", "list", "--workspace", b, "--target", A_TARGET, code=1)
    assert "no stance target" in refused and not leaks(refused, A_TARGET)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_people_stance_for_b_on_as_person_or_target_is_refused(fresh: Copy) -> None:
    world = fresh.world
    b = world.b.name
    for person in (world.a.people["fan"], world.a.people["both"]):
        out = _run(fresh, "people", "stance", str(person), "-w", b, "--value", "oppose", code=1)
        assert f"no person {person}" in out
    toward = _run(fresh, "people", "stance", str(world.b.people["both"]), "-w", b,
                  "--value", "oppose", "--target", A_TARGET, code=1)  # fmt: skip
    assert "no stance target" in toward and not leaks(toward, A_TARGET)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_people_history_for_b_of_as_person_is_refused(fresh: Copy) -> None:
    person = fresh.world.a.people["both"]
    out = _run(fresh, "people", "history", str(person), "-w", fresh.world.b.name, code=1)
    assert f"no person {person}" in out and not leaks(out)
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_people_targets_for_b_list_and_add_nothing_of_a(fresh: Copy) -> None:
    """B lists its own targets only, and may name one as A named its own: A's is untouched."""
    b = fresh.world.b.name
    listed = _run(fresh, "people", "targets", "list", "-w", b, "--json")
    assert not leaks(listed)
    added = _run(fresh, "people", "targets", "add", A_TARGET, "-w", b, "--kind", "policy",
                 "--json")  # fmt: skip
    assert '"kind":"policy"' in added
    _a_unchanged(fresh, fresh.template.a_rows, fresh.template.a_view)


def test_policy_commands_as_b_reach_nothing_of_as_items(fresh: Copy, tmp_path: Path) -> None:
    """B naming A's policy source, item or connection is refused; B's listings, matrix and
    report show none of A's items; A's rows are unchanged."""
    from hustings import policy
    from hustings.policy._items import record
    from hustings.policy._sources import get_source
    from hustings.workspace import Actor

    a = fresh.world.a
    now = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    with fresh.store.begin() as conn:
        actor = Actor.system(a.workspace)
        source = policy.add_source(conn, actor, "feed", "Alpha watch", "Alpha party",
                                   "http://127.0.0.1:9/alpha.xml")
        entry = policy.Entry("alpha-1", "Alpha secret release", "Alpha secret text", None,
                             now, None, "Alpha secret text")
        (item,) = record(conn, get_source(conn, a.workspace, source), [entry], now).new
        policy.correct(conn, actor, item, 9)
        policy.add_rule(conn, actor, "any_party", topics_=[9])
    rows, view = fresh.a_rows(), api_view(fresh.web("a:owner"))
    b = ["--workspace", fresh.world.b.name]
    for listing in ("sources", "items", "review", "corrections", "matrix", "alerts", "fetch"):
        out = _run(fresh, "policy", listing, *b, "--json")
        assert "Alpha secret" not in out and "Alpha watch" not in out, listing
    for act in (["show", str(item)], ["correct", str(item), "3"]):
        out = _run(fresh, "policy", *act, *b, code=1)
        assert "no policy item" in out and "Alpha" not in out
    out = _run(fresh, "policy", "fetch", *b, "--source", str(source), code=1)
    assert "no policy source" in out
    out = _run(fresh, "policy", "add-source", "email", "B letters", *b, "--party", "B",
               "--setting", f"connection_id={a.connection}", code=1)
    assert "no e-mail connection" in out
    out = _run(fresh, "policy", "add-alert", "first", *b, "--email", "b@b.test",
               "--connection", str(a.connection), code=1)
    assert "no e-mail connection" in out
    report = tmp_path / "b.html"
    _run(fresh, "policy", "report", *b, "--out", str(report))
    assert "Alpha secret" not in report.read_text()
    _a_unchanged(fresh, rows, view)
