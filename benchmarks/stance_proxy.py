"""Benchmark stance toward a new target: the leave-one-target-out and manifesto proxies.

Run ``python benchmarks/stance_proxy.py``; it prints the table and rewrites the
``stance_proxy`` section of BENCHMARKS.md (``hustings.nlp._stance_proxy`` says how each row
is measured). It needs ../shared/data (or $HUSTINGS_SHARED_DATA); ``--quick`` only checks
that the section can be written, since the proxies fit a model per target and take minutes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import shared_data, write_section

from hustings import nlp


def _table() -> str:
    lines = [
        "| target | metric | ours | goal | worst draw; top label % (gold's) | n |",
        "|---|---|---:|---:|---|---:|",
    ]
    for s in nlp.stance_proxies(shared_data()):
        goal = "" if s.goal is None else f"{s.goal:.1f}"
        others = "; ".join(f"{k} {v:.1f}" for k, v in s.baselines.items())
        name = s.name.removeprefix("stance, new target ")
        lines.append(f"| {name} | {s.metric} | {s.value:.1f} | {goal} | {others} | {s.examples} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    rows = [
        "## nlp: stance toward a new target (proxies for issue #23)",
        "",
        "Each TweetEval stance target left out of the shared head's training in turn, then "
        "given 0, 10 or 50 of its training tweets as staff-confirmed examples (3 random draws; "
        "the mean, the worst draw, and the largest share one label took of the predictions), "
        "scored on its test split. The manifesto rows: the shipped shared head (TweetEval only) "
        "on Laurer et al.'s morality and protectionism test splits, examples from their train "
        "splits. Default install (numpy and scikit-learn, no torch). Scores in %. Load average "
        f"at the start: {os.getloadavg()[0]:.1f}.",
        "",
    ]
    if quick:
        rows.append("_Not measured in a --quick run._\n")
    elif not shared_data().is_dir():
        rows.append("_Not measured: shared data absent._\n")
    else:
        rows.append(_table())
    body = "\n".join(rows)
    print(body)
    write_section("stance_proxy", body)


if __name__ == "__main__":
    main()
