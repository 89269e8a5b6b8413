"""``hustings nlp``: train, evaluate and run the offline message classifiers.

A thin shell over ``hustings.nlp``: it parses arguments, calls the library and prints. Errors
are ``NlpError`` (a ``HustingsError``), which the main CLI prints as one line with exit code 1.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hustings import nlp
from hustings.cli.output import JsonOption, print_json, print_rows
from hustings.nlp import NlpError, StanceClassifier

if TYPE_CHECKING:
    from hustings.nlp import EvalResult

__all__ = ["app"]

app = typer.Typer(
    help="Classify messages offline: needs a reply, stance, incivility, sentiment, topic."
)

TaskArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(nlp.TASKS)}.")]
DataDir = Annotated[
    Path | None,
    typer.Option(help="Shared data folder (default: $HUSTINGS_SHARED_DATA or ../shared/data)."),
]
TargetOpt = Annotated[str | None, typer.Option(help="Stance target, e.g. hillary or 'bike lanes'.")]
ExamplesOpt = Annotated[
    Path | None, typer.Option(help="CSV text,label of staff-confirmed stance examples.")
]


def _stdin_messages() -> list[str]:
    return [line.rstrip("\n") for line in sys.stdin if line.strip()]


def _stance_with_examples(target: str | None, examples: Path) -> StanceClassifier:
    if target is None:
        raise NlpError("--examples needs --target: the target the examples are about")
    try:
        text = examples.read_text(encoding="utf-8")
    except OSError as exc:
        raise NlpError(f"cannot read examples file {examples}: {exc.strerror}") from exc
    texts, labels = nlp.read_examples(text, source=str(examples))
    stance = nlp.load("stance")
    assert isinstance(stance, StanceClassifier)
    return stance.adapt(target, texts, labels)


@app.command()
def train(task: TaskArg, data_dir: DataDir = None) -> None:
    """Fit TASK's model on the shared data and write it into the package.

    Example:
        hustings nlp train sentiment
    """
    tasks = nlp.TASKS if task == "all" else (task,)
    for name in tasks:
        result = nlp.train(name, data_dir)
        print_json(result)


def _rows(results: list[EvalResult]) -> list[dict[str, object]]:
    return [
        {
            "task": score.name,
            "metric": score.metric,
            "ours": score.value,
            "goal": score.goal,
            "published_or_baseline": ", ".join(f"{k} {v:.1f}" for k, v in score.baselines.items()),
            "baselines": score.baselines,
            "examples": score.examples,
            "model_version": result.model_version,
        }
        for result in results
        for score in result.scores
    ]


@app.command("eval")
def eval_(
    task: Annotated[str, typer.Argument(help=f"One of: {', '.join(nlp.TASKS)}, or all.")],
    data_dir: DataDir = None,
    json: JsonOption = False,
) -> None:
    """Score TASK (or all) with its official metric beside published results.

    Example:
        hustings nlp eval all
        hustings nlp eval stance --json
    """
    tasks = nlp.TASKS if task == "all" else (task,)
    results = [nlp.evaluate(name, data_dir) for name in tasks]
    columns = ("task", "metric", "ours", "goal", "published_or_baseline", "examples")
    print_rows(_rows(results), columns, json, title="hustings.nlp on official test splits")


@app.command()
def classify(
    task: TaskArg,
    target: TargetOpt = None,
    examples: ExamplesOpt = None,
) -> None:
    """Label each message read from stdin (one per line); print one JSON object per line.

    Each line has label, score (its probability), scores (every label) and why (the words that
    drove it). Stance needs --target; a target without a shipped model needs --examples.

    Example:
        echo "When is your next surgery?" | hustings nlp classify needs_reply
        hustings nlp classify stance --target "bike lanes" --examples lanes.csv < inbox.txt
    """
    if examples is not None and task != "stance":
        raise NlpError("--examples only applies to the stance task")
    classifier = _stance_with_examples(target, examples) if examples is not None else nlp.load(task)
    messages = _stdin_messages()
    for message, prediction in zip(
        messages, classifier.predict(messages, target=target), strict=True
    ):
        print_json({"text": message, **dataclasses.asdict(prediction)})


@app.command()
def suggest(
    target: Annotated[str, typer.Option(help="The stance target being labelled.")],
    examples: Annotated[Path, typer.Option(help="CSV text,label of examples labelled so far.")],
    count: Annotated[int, typer.Option(min=1, help="How many messages to suggest.")] = 10,
) -> None:
    """Pick the stdin messages staff should label next for a stance target (least certain first).

    Example:
        hustings nlp suggest --target "bike lanes" --examples lanes.csv < inbox.txt
    """
    classifier = _stance_with_examples(target, examples)
    messages = _stdin_messages()
    for index in classifier.suggest(messages, target, count):
        print_json({"line": index + 1, "text": messages[index]})
