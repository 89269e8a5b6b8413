"""Enrichment: stored scores, written once per model version, read by audit, inbox and CRM."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Connection, func, select
from typer.testing import CliRunner, Result

from hustings.cli.main import app as main_app
from hustings.errors import NlpError
from hustings.inbox import items as inbox
from hustings.inbox.sync import sync_inbox
from hustings.metrics import AuditParams
from hustings.metrics._store import audit_store
from hustings.model import MessageKind
from hustings.nlp.enrich import DEFAULT_TASKS, EnrichTask, enrich, stance_task
from hustings.people.core import Stance
from hustings.people.stance import record_model_stances, record_stance, stance_history
from hustings.store import Store
from hustings.store.records import write_accounts, write_messages, write_tracked
from hustings.store.schema import message_scores, messages, person_stances
from tests.metrics import handmade
from tests.web.conftest import NORTH, Campaign, any_campaign, msg
from tests.xpages import write_pages

__all__ = ["any_campaign"]  # the fixture, shared with the inbox and web tests


def _message_id(conn: Connection, platform_id: str) -> int:
    return int(
        conn.execute(
            select(messages.c.id).where(messages.c.platform_id == platform_id)
        ).scalar_one()
    )


def _score(store: Store, platform_id: str, task: str, label: str, score: float) -> int:
    """Store a score as enrichment would, for a message chosen by its platform id."""
    with store.begin() as conn:
        message_id = _message_id(conn, platform_id)
        conn.execute(
            message_scores.insert().values(
                message_id=message_id,
                task=task,
                label=label,
                score=score,
                model="test-model",
                model_version="1",
                scored_at=datetime.now(UTC),
            )
        )
    return message_id


def _versions(store: Store) -> list[str]:
    with store.begin() as conn:
        return sorted(conn.execute(select(message_scores.c.model_version)).scalars())


def test_enrich_scores_every_message_once(any_campaign: Campaign) -> None:
    store = any_campaign.store
    task = EnrichTask.of("needs_reply")
    first = enrich(store, [task], batch_size=3)
    with store.begin() as conn:
        total = conn.execute(select(func.count()).select_from(messages)).scalar_one()
        stored = conn.execute(select(func.count()).select_from(message_scores)).scalar_one()
    assert first == {"needs_reply": total} and stored == total
    assert enrich(store, [task]) == {"needs_reply": 0}


def test_enrich_rescores_after_a_model_version_change(any_campaign: Campaign) -> None:
    store = any_campaign.store
    task = EnrichTask.of("needs_reply")
    enrich(store, [task])
    newer = dataclasses.replace(task, version=task.version + ".1")
    scored = enrich(store, [newer])
    assert scored["needs_reply"] == len(_versions(store))
    assert set(_versions(store)) == {newer.version}


def test_rescore_redoes_current_scores_too(any_campaign: Campaign) -> None:
    store = any_campaign.store
    task = EnrichTask.of("sentiment")
    done = enrich(store, [task])["sentiment"]
    assert enrich(store, [task], rescore=True) == {"sentiment": done}


def test_reposts_are_not_scored(store: Store) -> None:
    with store.begin() as conn:
        write_messages(
            conn,
            [msg("r", "1", "RT great speech", kind=MessageKind.REPOST), msg("q", "1", "Why?")],
            None,
        )
    assert enrich(store, [EnrichTask.of("needs_reply")]) == {"needs_reply": 1}


def test_stance_enrichment_needs_a_target() -> None:
    with pytest.raises(NlpError, match="stance needs a target"):
        EnrichTask.of("stance")


def test_a_target_without_a_head_is_scored_zero_shot() -> None:
    task = EnrichTask.of("stance", "northcand")
    assert (task.key, task.examples) == ("stance:northcand", 0)


def test_stored_needs_reply_score_changes_the_audit_denominator(any_store: Store) -> None:
    with any_store.begin() as conn:
        write_accounts(conn, handmade.ACCOUNTS, None)
        write_messages(conn, handmade.MESSAGES, None)
        write_tracked(conn, handmade.TRACKED)
    params = AuditParams(since=handmade.SINCE, until=handmade.UNTIL)
    assert audit_store(any_store, params).waiting_total == 4
    # "Can you do something about my bins" asks, by the heuristic; the model says it does not.
    _score(any_store, "r4", "needs_reply", "no_reply", 0.9)
    card = audit_store(any_store, params)
    assert sorted(card.waiting["platform_id"]) == ["e3", "m1", "r7"]


def _item(c: Campaign, text: str) -> dict[str, object]:
    with c.store.begin() as conn:
        found = inbox.list_items(conn, c.actor("manager"), inbox.Filters(status=None))
    return next(i for i in found if i["text"] == text)


def test_inbox_priority_follows_the_stored_score(any_campaign: Campaign) -> None:
    store = any_campaign.store
    with store.begin() as conn:
        write_messages(
            conn,
            [
                msg("n1", "5", "Lovely weather at the fair", minutes_ago=5),
                msg("n2", "6", "When do the polls open?", minutes_ago=5),
            ],
            None,
        )
    _score(store, "n1", "needs_reply", "needs_reply", 0.95)
    _score(store, "n2", "needs_reply", "no_reply", 0.97)
    sync_inbox(store)
    urgent, ignored = (
        _item(any_campaign, "Lovely weather at the fair"),
        _item(any_campaign, "When do the polls open?"),
    )
    assert (urgent["needs_reply"], urgent["priority_name"]) == (True, "high")
    assert (ignored["needs_reply"], ignored["priority_name"]) == (False, "low")


def _current(conn: Connection, person: int) -> list[tuple[str, str]]:
    """The person's current stance per target, as lists and filters read it."""
    found = conn.execute(
        select(person_stances.c.target, person_stances.c.value).where(
            person_stances.c.person_id == person
        )
    )
    return [(r.target, r.value) for r in found]


def test_model_stance_enters_the_history_but_staff_still_wins(any_campaign: Campaign) -> None:
    store = any_campaign.store
    task = stance_task("Northcand")
    evidence = _score(store, "m1", task, "favor", 0.83)
    with store.begin() as conn:
        assert record_model_stances(conn, task) == 1
        assert record_model_stances(conn, task) == 0  # not repeated
        person = int(_item(any_campaign, "When is your next town hall in Northville?")["person_id"])  # type: ignore[call-overload]
        history = stance_history(conn, person)
        assert [
            (e["source"], e["value"], e["evidence_message_id"], e["confidence"]) for e in history
        ] == [("model", "support", evidence, 83)]
        assert _current(conn, person) == [("northcand", "support")]
        record_stance(conn, any_campaign.actor("responder"), person, Stance.OPPOSE)
    _score(store, "m4", task, "favor", 0.9)  # the same person's DM, read later
    with store.begin() as conn:
        assert record_model_stances(conn, task) == 1
        assert _current(conn, person) == [("northcand", "oppose")]


def test_stance_enrichment_records_model_entries_in_its_workspace(any_campaign: Campaign) -> None:
    examples = (
        [
            "When is your next town hall in Northville?",
            "I back northcand all the way",
            "northcand is a disgrace",
            "Rain again",
        ],
        ["favor", "favor", "against", "none"],
    )
    task = EnrichTask.of("stance", "northcand", examples)
    assert task.key == "stance:northcand" and "+" in task.version
    enrich(any_campaign.store, [task], workspace=NORTH)
    with any_campaign.store.begin() as conn:
        north = _item(any_campaign, "When is your next town hall in Northville?")
        south = inbox.list_items(conn, any_campaign.actor("south"), inbox.Filters(status=None))
        entries = stance_history(conn, int(north["person_id"]))  # type: ignore[call-overload]
        assert stance_history(conn, int(south[0]["person_id"])) == []
    # Each model entry says toward what the model judged and how many examples it had.
    assert {(e["source"], e["target"], e["examples"]) for e in entries} == {
        ("model", "northcand", len(examples[0]))
    }


def test_zero_shot_stance_entries_say_the_model_had_no_examples(any_campaign: Campaign) -> None:
    task = EnrichTask.of("stance", "northcand", description="The Northville candidate")
    enrich(any_campaign.store, [task], workspace=NORTH)
    with any_campaign.store.begin() as conn:
        north = inbox.list_items(conn, any_campaign.actor("manager"), inbox.Filters(status=None))
        entries = [e for i in north for e in stance_history(conn, int(i["person_id"]))]
    assert entries  # the shared head read a side in some of them
    assert {(e["source"], e["target"], e["examples"]) for e in entries} == {
        ("model", "northcand", 0)
    }


def test_enrich_names_an_unknown_workspace(store: Store) -> None:
    with pytest.raises(NlpError, match="no workspace named 'Nowhere'"):
        enrich(store, [EnrichTask.of("sentiment")], workspace="Nowhere")


def _invoke(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main_app, ["--db", f"sqlite:///{db}", *args])


def test_import_enrich_scores_and_a_second_enrich_has_nothing_to_do(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 12)
    imported = _invoke(tmp_path / "h.db", "import", "--enrich", "--json", str(path))
    assert imported.exit_code == 0, imported.output
    lines = [orjson.loads(line) for line in imported.stdout.splitlines()]
    scored = {row["task"]: row["scored"] for row in lines[:-1]}
    assert scored == dict.fromkeys(DEFAULT_TASKS, 12) and lines[-1]["added"] == 12
    again = _invoke(tmp_path / "h.db", "nlp", "enrich", "--json")
    assert [orjson.loads(line)["scored"] for line in again.stdout.splitlines()] == [0] * 4


def test_enrich_target_without_stance_exits_1(tmp_path: Path) -> None:
    result = _invoke(tmp_path / "h.db", "nlp", "enrich", "--tasks", "sentiment", "--target", "x")
    assert result.exit_code == 1
    assert "--target, --describe and --examples only apply to the stance task" in result.output
