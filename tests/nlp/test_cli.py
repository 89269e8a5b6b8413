"""``hustings nlp`` through Typer's test runner."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from hustings.cli.nlp_cmd import app
from hustings.nlp import NlpError
from tests.nlp.examples import examples_csv

runner = CliRunner()


def test_classify_round_trip() -> None:
    result = runner.invoke(
        app, ["classify", "needs_reply"], input="When is your next surgery?\nVote Green!\n"
    )
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["needs_reply", "no_reply"]
    assert {"label", "score", "why", "scores", "text"} <= set(rows[0])


def test_classify_stance_with_examples(tmp_path: Path) -> None:
    examples = tmp_path / "lanes.csv"
    examples.write_text(examples_csv(), encoding="utf-8")
    result = runner.invoke(
        app,
        ["classify", "stance", "--target", "bike lanes", "--examples", str(examples)],
        input="Scrap the bike lanes, total waste of money\n",
    )
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["label"] == "against"


def test_bad_examples_file_exits_1_with_message(tmp_path: Path) -> None:
    examples = tmp_path / "bad.csv"
    examples.write_text("text,label\nlove it,yes please\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["classify", "stance", "--target", "bike lanes", "--examples", str(examples)],
        input="hello\n",
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, NlpError)
    assert str(result.exception) == (
        f"{examples}, line 2: label 'yes please' is not favor, against or none"
    )


def test_unknown_task_exits_1() -> None:
    result = runner.invoke(app, ["classify", "sarcasm"], input="hi\n")
    assert result.exit_code == 1
    assert "unknown task 'sarcasm'" in str(result.exception)


def test_suggest_lists_lines_to_label(tmp_path: Path) -> None:
    examples = tmp_path / "lanes.csv"
    examples.write_text(examples_csv(), encoding="utf-8")
    result = runner.invoke(
        app,
        ["suggest", "--target", "bike lanes", "--examples", str(examples), "--count", "2"],
        input="I love the bike lanes\nhmm, the lanes, not sure\nScrap them\n",
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2


def test_commands_have_examples_in_help() -> None:
    for command in ("train", "eval", "classify", "suggest"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.stdout


def test_classify_writes_one_line_per_message_in_order_across_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hustings.cli import nlp_cmd

    texts = ["When is your next surgery?", "Vote Green!", "", "Thanks, great speech", "Why?"]
    alone = [
        runner.invoke(app, ["classify", "needs_reply"], input=f"{t}\n").stdout for t in texts if t
    ]
    monkeypatch.setattr(nlp_cmd, "CLASSIFY_BATCH", 2)
    result = runner.invoke(app, ["classify", "needs_reply"], input="\n".join(texts))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [line.rstrip("\n") for line in alone]
    first = orjson.loads(result.stdout.splitlines()[0])
    assert list(first) == ["text", "label", "score", "scores", "why"]


def test_eval_says_which_held_out_sources_it_skipped_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hustings import nlp

    # The official split needs the shared data too; this test is about the proxy's rows.
    monkeypatch.setattr(nlp, "evaluate", lambda task, data_dir: nlp.EvalResult(task, "4", []))
    result = runner.invoke(app, ["eval", "needs_reply", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Skipped held-out source political: missing data file" in result.stderr


def test_scoring_commands_keep_freed_memory_for_the_next_batch() -> None:
    from hustings.nlp._memory import reuse_freed_memory

    # On this project's Linux (glibc) the allocator accepts the setting; elsewhere it is a no-op.
    assert reuse_freed_memory() is sys.platform.startswith("linux")
