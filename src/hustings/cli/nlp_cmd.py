"""``hustings nlp``: train, evaluate and run the offline message classifiers.

A thin shell over ``hustings.nlp``: it parses arguments, calls the library and prints. Errors
are ``NlpError`` (a ``HustingsError``), which the main CLI prints as one line with exit code 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeRemainingColumn

from hustings import nlp
from hustings.cli.context import open_store
from hustings.cli.output import JsonOption, err, print_json, print_rows, progress_enabled
from hustings.nlp import Classifier, NlpError, StanceClassifier
from hustings.nlp.enrich import DEFAULT_TASKS, ENRICH_BATCH, EnrichTask, enrich

if TYPE_CHECKING:
    from hustings.nlp import EvalResult

__all__ = ["CLASSIFY_BATCH", "app", "run_enrich"]

CLASSIFY_BATCH = 2000
"""Messages ``classify`` scores at once: big enough for numpy to pay, small enough for cache."""

app = typer.Typer(
    help="Classify messages offline: needs a reply, stance, incivility, sentiment, topic."
)

TaskArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(nlp.TASKS)}.")]
DataDir = Annotated[
    Path | None,
    typer.Option(help="Shared data folder (default: $HUSTINGS_SHARED_DATA or ../shared/data)."),
]
TargetOpt = Annotated[str | None, typer.Option(help="Stance target, e.g. hillary or 'bike lanes'.")]
# A filter's output is data for the next command: JSON lines always; --json is accepted so
# that every listing command takes it.
FilterJson = Annotated[
    bool, typer.Option("--json", help="Print JSON (one object a line); always on here.")
]
ExamplesOpt = Annotated[
    Path | None, typer.Option(help="CSV text,label of staff-confirmed stance examples.")
]
DescribeOpt = Annotated[
    str | None,
    typer.Option(help="What the stance target is, in a sentence (a target with no examples)."),
]


def _stdin_messages() -> list[str]:
    """Every non-blank line of stdin, read in one go (a line at a time cost more than scoring)."""
    return [line for line in sys.stdin.read().split("\n") if line.strip()]


def _write_predictions(classifier: Classifier, messages: list[str], target: str | None) -> None:
    """Score ``messages`` a batch at a time and write one JSON line each, a batch per write.

    Batches keep memory flat (a whole file's features at once took gigabytes) and one write
    per batch, rather than a write and a flush per message, keeps the output cheap.
    """
    from hustings.nlp._memory import reuse_freed_memory

    reuse_freed_memory()
    out = sys.stdout.buffer
    for start in range(0, len(messages), CLASSIFY_BATCH):
        batch = messages[start : start + CLASSIFY_BATCH]
        predictions = classifier.predict(batch, target=target)
        lines = [
            orjson.dumps(
                {
                    "text": text,
                    "label": p.label,
                    "score": p.score,
                    "scores": p.scores,
                    "why": p.why,
                }
            )
            for text, p in zip(batch, predictions, strict=True)
        ]
        lines.append(b"")
        out.write(b"\n".join(lines))
        out.flush()


def _read_examples(target: str | None, examples: Path) -> tuple[list[str], list[str]]:
    if target is None:
        raise NlpError("--examples needs --target: the target the examples are about")
    try:
        text = examples.read_text(encoding="utf-8")
    except OSError as exc:
        raise NlpError(f"cannot read examples file {examples}: {exc.strerror}") from exc
    return nlp.read_examples(text, source=str(examples))


def _stance(
    target: str | None, examples: Path | None, describe: str | None = None
) -> StanceClassifier:
    """The stance model toward ``target``: described, then adapted to the examples."""
    stance = nlp.load("stance")
    assert isinstance(stance, StanceClassifier)
    if describe is not None:
        if target is None:
            raise NlpError("--describe needs --target: the target it describes")
        stance = stance.describe(target, describe)
    if examples is not None:
        texts, labels = _read_examples(target, examples)
        assert target is not None  # checked by _read_examples
        stance = stance.adapt(target, texts, labels)
    return stance


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


def _stance_proxies(data_dir: Path | None) -> EvalResult:
    """Stance toward new targets (leave one target out; manifesto), beside the official rows."""
    from hustings.nlp._evaluate import EvalResult

    return EvalResult("stance", nlp.load("stance").model_version, nlp.stance_proxies(data_dir))


@app.command("eval")
def eval_(
    task: Annotated[str, typer.Argument(help=f"One of: {', '.join(nlp.TASKS)}, or all.")],
    data_dir: DataDir = None,
    json: JsonOption = False,
) -> None:
    """Score TASK (or all) with its official metric beside published results.

    Stance also prints its new-target proxies: each TweetEval target left out of training
    and given 0, 10 or 50 examples, and the manifesto stance set as a second domain.

    Example:
        hustings nlp eval all
        hustings nlp eval stance --json
    """
    tasks = nlp.TASKS if task == "all" else (task,)
    results = [nlp.evaluate(name, data_dir) for name in tasks]
    if task in ("all", "stance"):
        results.append(_stance_proxies(data_dir))
    rows = _rows(results)
    if "needs_reply" in tasks:
        rows += _reply_source_rows(data_dir)
    columns = ("task", "metric", "ours", "goal", "published_or_baseline", "examples")
    print_rows(rows, columns, json, title="hustings.nlp on official test splits and proxies")


def _reply_source_rows(data_dir: Path | None) -> list[dict[str, object]]:
    """needs-reply on each source held out from training, beside the official splits.

    A source whose data is absent is left out, and the reason goes to stderr.
    """
    scores, skipped = nlp.evaluate_reply_sources(data_dir)
    for reason in skipped:
        err.print(f"[yellow]Skipped held-out source[/] {reason}", highlight=False)
    version = nlp.load("needs_reply").model_version
    return _rows([nlp.EvalResult("needs_reply", f"{version} (refitted)", scores)])


@app.command()
def classify(
    task: TaskArg,
    target: TargetOpt = None,
    describe: DescribeOpt = None,
    examples: ExamplesOpt = None,
    as_json: FilterJson = True,
) -> None:
    """Label each message read from stdin (one per line); print one JSON object per line.

    Each line has label, score (its probability), scores (every label) and why (the words that
    drove it). Stance needs --target: any target, read from its name and --describe with no
    examples, and improved by each staff-confirmed example in --examples.

    Example:
        echo "When is your next surgery?" | hustings nlp classify needs_reply
        hustings nlp classify stance --target "bike lanes" --describe "cycle lanes" < inbox.txt
        hustings nlp classify stance --target "bike lanes" --examples lanes.csv < inbox.txt
    """
    if (examples is not None or describe is not None) and task != "stance":
        raise NlpError("--examples and --describe only apply to the stance task")
    classifier = _stance(target, examples, describe) if task == "stance" else nlp.load(task)
    _write_predictions(classifier, _stdin_messages(), target)


@app.command()
def suggest(
    target: Annotated[str, typer.Option(help="The stance target being labelled.")],
    examples: Annotated[Path, typer.Option(help="CSV text,label of examples labelled so far.")],
    count: Annotated[int, typer.Option(min=1, help="How many messages to suggest.")] = 10,
    as_json: FilterJson = True,
) -> None:
    """Pick the stdin messages staff should label next for a stance target (least certain first).

    Example:
        hustings nlp suggest --target "bike lanes" --examples lanes.csv < inbox.txt
    """
    classifier = _stance(target, examples)
    messages = _stdin_messages()
    for index in classifier.suggest(messages, target, count):
        print_json({"line": index + 1, "text": messages[index]})


def run_enrich(
    ctx: typer.Context,
    tasks: list[EnrichTask],
    rescore: bool,
    as_json: bool,
    batch_size: int = ENRICH_BATCH,
    workspace: str | None = None,
) -> None:
    """Enrich the store with a progress bar per task for people; print what was scored."""
    store = open_store(ctx)
    try:
        if not progress_enabled(as_json):
            scored = enrich(
                store, tasks, rescore=rescore, batch_size=batch_size, workspace=workspace
            )
        else:
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            ) as bar:
                bars: dict[str, TaskID] = {}

                def update(key: str, done: int, total: int) -> None:
                    if key not in bars:
                        bars[key] = bar.add_task(key, total=total)
                    bar.update(bars[key], completed=done)

                scored = enrich(
                    store,
                    tasks,
                    rescore=rescore,
                    batch_size=batch_size,
                    workspace=workspace,
                    progress=update,
                )
    finally:
        store.close()
    rows = [
        {"task": t.key, "scored": scored[t.key], "model": t.model, "model_version": t.version}
        for t in tasks
    ]
    print_rows(rows, ("task", "scored", "model", "model_version"), as_json, title="Enrichment")


def parse_tasks(
    tasks: str,
    target: str | None = None,
    examples: Path | None = None,
    describe: str | None = None,
) -> list[EnrichTask]:
    """``needs_reply,sentiment`` into enrichment tasks; ``stance`` needs ``target``."""
    names = [name.strip() for name in tasks.split(",") if name.strip()]
    if not names:
        raise NlpError("no tasks given: name at least one of " + ", ".join(nlp.TASKS))
    if (examples is not None or target is not None or describe is not None) and (
        "stance" not in names
    ):
        raise NlpError("--target, --describe and --examples only apply to the stance task")
    confirmed = _read_examples(target, examples) if examples is not None else None
    return [
        EnrichTask.of(name, target, confirmed, describe)
        if name == "stance"
        else EnrichTask.of(name)
        for name in dict.fromkeys(names)
    ]


TasksOpt = Annotated[
    str,
    typer.Option(help="Comma-separated tasks to score; stance needs --target."),
]


@app.command("enrich")
def enrich_(
    ctx: typer.Context,
    tasks: TasksOpt = ",".join(DEFAULT_TASKS),
    target: TargetOpt = None,
    describe: DescribeOpt = None,
    examples: ExamplesOpt = None,
    rescore: Annotated[
        bool, typer.Option(help="Score every message again, not only new or outdated ones.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Messages per transaction.")] = (
        ENRICH_BATCH
    ),
    workspace: Annotated[
        str | None,
        typer.Option(help="Record model stances only in this workspace (whose candidate it is)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Score the stored messages and keep the scores with model name and version.

    Only messages without a score from the current model version are scored, so re-running
    is cheap. Stance scores toward --target also become the model's stance entries for the
    people who wrote them (staff entries still win). The audit's Parquet export, the inbox
    order and the CRM read these scores.

    Example:
        hustings nlp enrich
        hustings nlp enrich --tasks stance --target "Jane Doe" --examples jane.csv \\
            --workspace "Doe campaign" --json
    """
    from hustings.nlp._memory import reuse_freed_memory

    tasks_ = parse_tasks(tasks, target, examples, describe)
    reuse_freed_memory()
    run_enrich(ctx, tasks_, rescore, as_json, batch_size, workspace)
