"""The CLI commands that take or make a workspace, run on the shared store naming B (or a new
workspace) with A's people and data: A's rows and A's users' view stay as they were, and the
other workspace is shown nothing of A's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from typer.testing import CliRunner

from hustings.cli.main import app as cli
from hustings.nlp.enrich import EnrichTask
from hustings.store.schema import message_scores, messages, stance_entries
from hustings.web.demo import create_demo_workspace
from tests.tenancy.harness import Copy, api_view, assert_same, b_looks_around
from tests.tenancy.world import PASSWORD, World


def _run(copy: Copy, *args: str, stdin: str | None = None) -> str:
    url = copy.store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, *args], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def _a_unchanged(copy: Copy, rows: dict[str, list[object]], view: dict[str, object]) -> None:
    assert_same(rows, copy.a_rows(), "the command")
    after = api_view(copy.web("a:owner"), copy.web("a:manager"))
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
    view = api_view(fresh.web("a:owner"), fresh.web("a:manager"))
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
