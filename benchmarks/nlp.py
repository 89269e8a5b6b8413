"""Benchmark the shipped classifiers: load time, single-core throughput, file sizes, accuracy.

Run ``python benchmarks/nlp.py``; it prints the results and rewrites the ``nlp`` section of
BENCHMARKS.md. Threads are pinned to one before numpy loads, and throughput is counted in this
process's CPU time, so it is one core's even when other work shares the machine.
Accuracy rows need ../shared/data (or $HUSTINGS_SHARED_DATA) and are skipped without it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Spread, shared_data, write_section  # noqa: E402

from hustings import nlp  # noqa: E402
from hustings.nlp._classifier import MODELS_DIR  # noqa: E402

_MESSAGES = [
    "@user when is your next surgery in Eastfield?",
    "Vote Green on Thursday! #ForTheMany",
    "The bins on Elm Street haven't been collected for 3 weeks. Disgraceful",
    "Great speech tonight, thank you for standing up for the hospital",
    "WHY did you vote to close the A&E?? Answer the question!!",
    "RT @user: Polls close at 10pm, make sure you've voted! https://t.co/x1",
    "Rents in this city are impossible for young people",
    "Hillary is the only candidate with real experience #SemST",
]
_BATCH = 1000
_TOTAL = 20_000


def _load_seconds() -> float:
    nlp.load.cache_clear()
    started = time.perf_counter()
    for task in nlp.TASKS:
        nlp.load(task)
    return time.perf_counter() - started


def _throughput(task: str) -> float:
    classifier = nlp.load(task)
    target = "hillary" if task == "stance" else None
    batch = (_MESSAGES * (_BATCH // len(_MESSAGES) + 1))[:_BATCH]
    classifier.predict(batch[:10], target=target)
    started = time.process_time()
    for _ in range(_TOTAL // _BATCH):
        classifier.predict(batch, target=target)
    return _TOTAL / (time.process_time() - started)


def _accuracy_table() -> str:
    if not shared_data().is_dir():
        return "_Accuracy not measured: shared data absent._\n"
    lines = [
        "| task | metric | ours | goal | published / baseline | n |",
        "|---|---|---:|---:|---|---:|",
    ]
    for task in nlp.TASKS:
        for s in nlp.evaluate(task, shared_data()).scores:
            others = ", ".join(f"{k} {v:.1f}" for k, v in s.baselines.items())
            goal = "" if s.goal is None else f"{s.goal:.1f}"
            lines.append(
                f"| {s.name} | {s.metric} | {s.value:.1f} | {goal} | {others} | {s.examples} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    global _TOTAL
    quick = "--quick" in sys.argv[1:]
    if quick:
        _TOTAL = 2_000
    load = Spread(tuple(_load_seconds() * 1000 for _ in range(3)))
    sizes = {task: (MODELS_DIR / f"{task}.npz").stat().st_size for task in nlp.TASKS}
    rates = {task: Spread(tuple(_throughput(task) for _ in range(3))) for task in nlp.TASKS}
    rows = [
        "## nlp: offline classifiers",
        "",
        f"Loading all {len(nlp.TASKS)} models: {load.show(unit=' ms')} (cold cache "
        f"of parsed models, files in the OS cache). All model files: "
        f"{sum(sizes.values()) / 2**20:.1f} MiB. Load average while measuring: "
        f"{os.getloadavg()[0]:.1f} (other work may share the machine; load time is wall time).",
        "",
        "| task | model file | messages/s, one core (CPU time), with explanations |",
        "|---|---:|---:|",
        *(f"| {t} | {sizes[t] / 2**20:.2f} MiB | {rates[t].show()} |" for t in nlp.TASKS),
        "",
        "Official test splits (scores in %):",
        "",
        "_Accuracy not measured in a --quick run._\n" if quick else _accuracy_table(),
    ]
    body = "\n".join(rows)
    print(body)
    write_section("nlp", body)


if __name__ == "__main__":
    main()
