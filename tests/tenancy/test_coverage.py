"""The attack suite keeps up with the product: a new route, CLI command or table that could
hold or reach a workspace's data fails here until the suite attacks (or snapshots) it."""

from __future__ import annotations

import inspect
import re
from typing import Any

from typer.main import get_command

from hustings.cli.main import app as cli
from hustings.store.schema import metadata
from tests.tenancy import test_cli
from tests.tenancy.routes import ATTACKS, BODIES, PARAMS, PUBLIC, app_routes
from tests.tenancy.rows import CHILD_TABLES, NOT_WORKSPACE_DATA

# Commands that take or make a workspace, and the test that attacks each.
CLI_WALKED = {
    "users add": "test_users_add_of_as_owner_to_b_changes_nothing_of_a",
    "nlp enrich": "test_nlp_enrich_for_b_records_no_stance_in_a",
    "demo": "test_the_demo_workspace_sees_nothing_of_a",
    "accounts attach": "test_accounts_attach_to_b_of_as_account_gives_b_nothing_of_a",
    "accounts detach": "test_accounts_detach_from_b_of_as_account_is_refused",
    "connections": "test_connections_of_b_list_nothing_of_as",
    "sync": "test_sync_of_b_leaves_as_connection_and_outbound_alone",
    "connect": "test_connect_for_b_changes_nothing_of_a",
    "thread": "test_thread_as_b_shows_nothing_of_as_drafts",
    "plan list": "test_plan_list_of_b_shows_nothing_of_as_planned_posts",
    "plan queue": "test_plan_commands_of_b_on_as_planned_post_are_refused",
    "plan post": "test_plan_commands_of_b_on_as_planned_post_are_refused",
    "plan cancel": "test_plan_commands_of_b_on_as_planned_post_are_refused",
    "plan override": "test_plan_commands_of_b_on_as_planned_post_are_refused",
    "plan edit": "test_plan_commands_of_b_on_as_planned_post_are_refused",
    "plan draft": "test_plan_draft_of_b_on_as_account_is_refused",
    "plan best-time": "test_plan_best_time_and_rules_of_b_show_and_touch_nothing_of_as",
    "plan rules list": "test_plan_best_time_and_rules_of_b_show_and_touch_nothing_of_as",
    "plan response": "test_plan_best_time_and_rules_of_b_show_and_touch_nothing_of_as",
    "plan rules add": "test_plan_best_time_and_rules_of_b_show_and_touch_nothing_of_as",
    "plan rules remove": "test_plan_best_time_and_rules_of_b_show_and_touch_nothing_of_as",
    "qa events": "test_qa_commands_as_b_show_nothing_of_as_event",
    "qa questions": "test_qa_commands_as_b_show_nothing_of_as_event",
    "qa log": "test_qa_commands_as_b_show_nothing_of_as_event",
    "qa export": "test_qa_commands_as_b_show_nothing_of_as_event",
    "qa create": "test_qa_commands_as_b_show_nothing_of_as_event",
    "qa ask": "test_qa_commands_as_b_show_nothing_of_as_event",
    **{f"policy {c}": "test_policy_commands_as_b_reach_nothing_of_as_items" for c in (
        "sources", "add-source", "fetch", "items", "show", "review", "correct", "corrections",
        "matrix", "alerts", "add-alert", "report")},
    "qa role": "test_qa_commands_as_b_show_nothing_of_as_event",
    "qa follow-up": "test_qa_commands_as_b_show_nothing_of_as_event",
    "people list": "test_people_list_for_b_shows_nothing_of_a",
    "people stance": "test_people_stance_for_b_on_as_person_or_target_is_refused",
    "people history": "test_people_history_for_b_of_as_person_is_refused",
    "people targets list": "test_people_targets_for_b_list_and_add_nothing_of_a",
    "people targets add": "test_people_targets_for_b_list_and_add_nothing_of_a",
    "audit": "test_audit_and_listen_scoped_to_b_show_nothing_of_as",
    "listen": "test_audit_and_listen_scoped_to_b_show_nothing_of_as",
}
# Commands that act on the shared platform store or on files, never as a workspace.
CLI_NO_WORKSPACE = {
    "import": "reads platform files into the shared store: facts no workspace owns",
    "formats": "lists the importers",
    "status": "counts rows per table for the operator",
    "batches": "lists file imports",
    "quarantine list": "lists records an import could not read",
    "quarantine retry": "re-reads records an import could not read into the shared store",
    "quarantine clear": "forgets records an import could not read",
    "messages": "searches platform facts only, never a workspace's own rows",
    "serve": "starts the web app, whose every route test_routes walks",
    "accounts import": "reads a registry of tracked accounts",
    "accounts list": "lists the registry of tracked accounts",
    "export parquet": "writes the analytical snapshot of platform facts",
    "nlp train": "fits a model from labelled files",
    "nlp eval": "scores a model on labelled files",
    "nlp classify": "classifies standard input",
    "nlp suggest": "ranks standard input for labelling",
    "policy topics": "lists CAP's topics, the same for everyone",
}
_TAKES_WORKSPACE = ("workspace", "item", "person", "user", "email")


def _commands(command: Any, prefix: str = "") -> dict[str, Any]:
    subs = getattr(command, "commands", None)
    if not subs:
        return {prefix: command}
    found: dict[str, Any] = {}
    for name, sub in subs.items():
        found |= _commands(sub, f"{prefix} {name}".strip())
    return found


def test_every_route_is_attacked_or_public() -> None:
    served = app_routes()
    attacked = {(a.method, a.route) for a in ATTACKS}
    assert not attacked - served, f"attacks on routes the app lost: {attacked - served}"
    assert not served - attacked - PUBLIC, f"routes nobody attacks: {served - attacked - PUBLIC}"
    assert not PUBLIC & attacked, "a public route needs no attack"


def test_every_path_parameter_names_one_of_as_objects() -> None:
    """A new kind of id in a path needs an A object to name (``routes.PARAMS``)."""
    params = {p for _, route in app_routes() for p in re.findall(r"{(\w+)}", route)}
    assert params <= set(PARAMS), f"give these an A object in routes.PARAMS: {params - set(PARAMS)}"


def test_every_body_belongs_to_a_route() -> None:
    assert not set(BODIES) - app_routes()


def test_every_cli_command_is_walked_or_takes_no_workspace() -> None:
    commands = _commands(get_command(cli))
    assert not set(CLI_WALKED) & set(CLI_NO_WORKSPACE)
    unknown = set(commands) - set(CLI_WALKED) - set(CLI_NO_WORKSPACE)
    assert not unknown, f"classify these commands (walk them if they take a workspace): {unknown}"
    assert not (set(CLI_WALKED) | set(CLI_NO_WORKSPACE)) - set(commands), "commands gone"
    for name, command in commands.items():
        params = {p.name or "" for p in command.params}
        takes = {p for p in params if any(word in p for word in _TAKES_WORKSPACE)}
        assert not takes or name in CLI_WALKED, f"{name} takes {takes}: attack it in test_cli"
    tests = dict(inspect.getmembers(test_cli, inspect.isfunction))
    assert all(test in tests for test in CLI_WALKED.values())


def test_every_table_is_snapshotted_or_holds_no_workspace_data() -> None:
    """``owned_rows`` takes every table with a ``workspace_id`` and the child tables it
    knows; any other table must say why it holds nothing of a workspace's."""
    for name, table in metadata.tables.items():
        owned = "workspace_id" in table.c or name in CHILD_TABLES or name == "workspaces"
        assert owned or name in NOT_WORKSPACE_DATA, f"table {name}: snapshot it or say why not"
