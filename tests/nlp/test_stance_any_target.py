"""Stance toward any named target: zero-shot from its name and description, then few-shot."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from hustings import nlp
from hustings.cli.nlp_cmd import app
from hustings.nlp import StanceClassifier
from hustings.nlp._anytarget import relation_block, target_terms
from hustings.nlp.enrich import EnrichTask
from tests.nlp.examples import examples_csv

runner = CliRunner()
MESSAGES = [
    "I love the bike lanes, they make cycling safe",
    "Scrap the awful bike lanes now, they are a waste of money",
    "The town hall is open on Saturday morning",
]
DESCRIBE = "Protected cycle lanes on Park Road, built by the council"


def _stance() -> StanceClassifier:
    stance = nlp.load("stance")
    assert isinstance(stance, StanceClassifier)
    return stance


def test_a_target_with_no_examples_is_read_by_the_shared_model() -> None:
    stance = _stance().describe("bike lanes", DESCRIBE)
    predictions = stance.predict(MESSAGES, target="bike lanes")
    assert [p.label in {"favor", "against", "none"} for p in predictions] == [True] * 3
    assert "bike lanes" not in stance.targets  # no head of its own: zero-shot


def test_relation_features_see_the_target_named_in_a_hashtag() -> None:
    terms = target_terms("Hillary Clinton", "Democratic candidate for president")
    block = relation_block(
        ["#HillaryForPresident", "vote for the democratic candidate", "rain"], terms
    )
    assert [sorted(block[i].indices.tolist()) != [] for i in range(3)] == [True, True, False]


@pytest.mark.parametrize("count", [0, 10, 50])
def test_classify_stance_with_0_10_and_50_examples(tmp_path: Path, count: int) -> None:
    args = ["classify", "stance", "--target", "bike lanes"]
    if not count:  # a description is what a first day has instead of examples
        args += ["--describe", DESCRIBE]
    else:
        examples = tmp_path / "lanes.csv"
        examples.write_text(examples_csv(count), encoding="utf-8")
        args += ["--examples", str(examples)]
    result = runner.invoke(app, args, input="\n".join(MESSAGES) + "\n")
    assert result.exit_code == 0, result.output
    labels = [orjson.loads(line)["label"] for line in result.stdout.splitlines()]
    assert len(labels) == 3
    if count:  # staff's examples teach it the obvious cases
        assert labels == ["favor", "against", "none"]


def test_describe_without_target_exits_1() -> None:
    result = runner.invoke(app, ["classify", "stance", "--describe", "x"], input="hi\n")
    assert result.exit_code == 1
    assert "--describe needs --target" in str(result.exception)


def test_enrich_task_says_how_many_examples_the_model_had() -> None:
    texts, labels = nlp.read_examples(examples_csv(10))
    assert EnrichTask.of("stance", "bike lanes", description=DESCRIBE).examples == 0
    assert EnrichTask.of("stance", "bike lanes", (texts, labels)).examples == 10
    assert EnrichTask.of("stance", "hillary").examples is None  # a shipped head of its own


def test_a_new_description_rescores() -> None:
    one = EnrichTask.of("stance", "bike lanes", description=DESCRIBE)
    other = EnrichTask.of("stance", "bike lanes", description="Painted lanes on Mill Road")
    assert one.version != other.version
