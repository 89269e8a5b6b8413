"""The CAP policy-topic model as Policy watch and its users meet it."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from hustings import nlp
from hustings.cli.nlp_cmd import app
from hustings.nlp import NlpError
from hustings.nlp.cap import (
    CAP_DEFINITIONS,
    CAP_MAJORS,
    LOW_CONFIDENCE,
    CapTopic,
    classify_cap,
)

runner = CliRunner()


def test_every_cap_major_has_a_name_and_a_definition() -> None:
    assert set(CAP_MAJORS) == {0, *range(1, 11), *range(12, 22), 23}
    assert CAP_MAJORS[3] == "Health" and CAP_MAJORS[0] == "No policy content"
    assert set(CAP_DEFINITIONS) == set(CAP_MAJORS)
    assert all(text and "\n" not in text for text in CAP_DEFINITIONS.values())


def test_one_topic_per_text_in_order() -> None:
    texts = ["Hospital waiting lists are growing", "", "Tariffs on steel imports rise"]
    topics = classify_cap(texts)
    assert len(topics) == len(texts)
    assert all(isinstance(t, CapTopic) for t in topics)
    assert all(CAP_MAJORS[t.code] == t.label for t in topics)
    assert all(0.0 < t.confidence <= 1.0 for t in topics)
    assert classify_cap([]) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Governor signs bill to expand Medicaid and cut prescription drug costs", 3),
        ("Senate votes to raise the minimum wage and protect union workers", 5),
        ("New funding for public schools and teachers in the state budget", 6),
        ("Border patrol detains asylum seekers; immigration reform stalls", 9),
        ("Police arrest suspect in downtown shooting; murder charges filed", 12),
        ("Pentagon sends more troops and warships to the Gulf", 16),
        ("Tariffs on Chinese imports threaten a trade war", 18),
        ("Happy Thanksgiving to everyone and your families!", 0),
    ],
)
def test_obvious_sentences_get_their_topic(text: str, code: int) -> None:
    topic = classify_cap([text])[0]
    assert (topic.code, topic.label) == (code, CAP_MAJORS[code])


def test_a_clear_sentence_is_confident_and_a_vague_one_goes_to_the_queue() -> None:
    clear, vague = classify_cap(
        [
            "Medicare and Medicaid: the health insurance bill passes the Senate",
            "We will keep working on it",
        ]
    )
    assert clear.confidence >= LOW_CONFIDENCE
    assert vague.confidence < clear.confidence
    assert 0.0 < LOW_CONFIDENCE < 1.0


def test_cap_is_a_task_with_readable_labels_and_reasons() -> None:
    prediction = nlp.load("cap").predict(["Hospitals struggle with nurse shortages"])[0]
    assert prediction.label == "Health"
    assert set(prediction.scores) == set(CAP_MAJORS.values())
    assert any("hospital" in why.lower() or "nurse" in why.lower() for why in prediction.why)


def test_classify_cap_from_the_command_line() -> None:
    result = runner.invoke(app, ["classify", "cap"], input="Tax cuts and the federal deficit\n")
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["label"] == "Macroeconomics"


def test_eval_without_the_shared_data_says_where_it_looked(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(app, ["eval", "cap", "--data-dir", str(missing)])
    assert result.exit_code == 1
    assert isinstance(result.exception, NlpError)
    assert str(missing) in str(result.exception)
    assert "HUSTINGS_SHARED_DATA" in str(result.exception)


def test_eval_without_the_policy_topic_sets_names_the_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "cap", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "missing data file" in str(result.exception)
    assert "policy-topics" in str(result.exception)


@pytest.mark.shared
def test_eval_reports_every_set_per_topic(shared_data: Path) -> None:
    result = runner.invoke(app, ["eval", "cap", "--data-dir", str(shared_data), "--json"])
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    by_metric = {(r["task"], r["metric"]): r for r in rows}
    for name in ("NYT", "SOTU", "tweets"):
        titles = {task for task, _ in by_metric if name in task and ":" not in task[5:]}
        assert len(titles) == 1, titles
        (title,) = titles
        assert {"macro-F1 (CAP majors)", "accuracy"} <= {m for t, m in by_metric if t == title}
        assert any(t.startswith(f"{title}: ") for t, _ in by_metric), "no per-topic F1"
    health = by_metric[("cap: NYT 2005-06: Health", "F1 per topic")]
    assert health["ours"] > 50


@pytest.mark.shared
def test_items_left_to_the_model_are_coded_better_than_those_queued(shared_data: Path) -> None:
    from hustings.nlp._cap_data import cap_set

    test = cap_set(shared_data, "nyt", "test")
    topics = classify_cap(test.texts)
    right = [str(t.code) == gold for t, gold in zip(topics, test.labels, strict=True)]
    kept = [r for r, t in zip(right, topics, strict=True) if t.confidence >= LOW_CONFIDENCE]
    queued = [r for r, t in zip(right, topics, strict=True) if t.confidence < LOW_CONFIDENCE]
    assert queued and kept
    assert sum(kept) / len(kept) > sum(queued) / len(queued) + 0.2
