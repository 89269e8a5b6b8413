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
from hustings.nlp._cap_data import CAP_SETS, cap_set  # noqa: E402
from hustings.nlp._classifier import MODELS_DIR  # noqa: E402
from hustings.nlp._evaluate import CAP_SET_NAMES, CAP_TOPIC_METRIC  # noqa: E402
from hustings.nlp.cap import CAP_MAJORS, LOW_CONFIDENCE, classify_cap  # noqa: E402

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


def _cap_texts() -> list[str]:
    """The CAP test items of every set (headlines, speech sentences, tweets), or our messages."""
    if not shared_data().is_dir():
        return _MESSAGES
    return [text for name in CAP_SETS for text in cap_set(shared_data(), name, "test").texts]


def _cap_throughput(texts: list[str]) -> float:
    """``classify_cap`` (scores only, no explanations), as Policy watch calls it."""
    classify_cap(texts[:10])
    started = time.process_time()
    done = 0
    while done < _TOTAL:
        for start in range(0, len(texts), _BATCH):
            classify_cap(texts[start : start + _BATCH])
        done += len(texts)
    return done / (time.process_time() - started)


def _cap_topic_table() -> str:
    """F1 per CAP topic, one column per set (blank where a set has no such item)."""
    if not shared_data().is_dir():
        return ""
    scores = nlp.evaluate("cap", shared_data()).scores
    f1 = {s.name: s for s in scores if s.metric == CAP_TOPIC_METRIC}
    titles = [CAP_SET_NAMES[name] for name in CAP_SETS]
    lines = [
        "CAP topic model, F1 per topic in % (test items in brackets):",
        "",
        "| code | topic | " + " | ".join(t.removeprefix("cap: ") for t in titles) + " |",
        "|---:|---|" + "---:|" * len(titles),
    ]
    for code, label in CAP_MAJORS.items():
        cells = [f1.get(f"{title}: {label}") for title in titles]
        shown = ["" if c is None else f"{c.value:.1f} ({c.examples})" for c in cells]
        lines.append(f"| {code} | {label} | " + " | ".join(shown) + " |")
    return "\n".join(lines) + "\n\n" + _cap_queue_table()


def _cap_queue_table() -> str:
    """Per set: the share of items below ``LOW_CONFIDENCE`` and accuracy on each side of it."""
    lines = [
        f"CAP human queue (confidence below LOW_CONFIDENCE = {LOW_CONFIDENCE}):",
        "",
        "| set | queued | accuracy, coded by the model | accuracy, queued |",
        "|---|---:|---:|---:|",
    ]
    for name in CAP_SETS:
        test = cap_set(shared_data(), name, "test")
        topics = classify_cap(test.texts)
        right = [str(t.code) == g for t, g in zip(topics, test.labels, strict=True)]
        low = [t.confidence < LOW_CONFIDENCE for t in topics]
        kept = [r for r, q in zip(right, low, strict=True) if not q]
        queued = [r for r, q in zip(right, low, strict=True) if q]
        lines.append(
            f"| {CAP_SET_NAMES[name].removeprefix('cap: ')} | {100 * len(queued) / len(low):.1f}% "
            f"| {100 * sum(kept) / max(len(kept), 1):.1f} "
            f"| {100 * sum(queued) / max(len(queued), 1):.1f} |"
        )
    return "\n".join(lines) + "\n"


def _accuracy_table() -> str:
    if not shared_data().is_dir():
        return "_Accuracy not measured: shared data absent._\n"
    lines = [
        "| task | metric | ours | goal | published / baseline | n |",
        "|---|---|---:|---:|---|---:|",
    ]
    for task in nlp.TASKS:
        for s in nlp.evaluate(task, shared_data()).scores:
            if s.metric == CAP_TOPIC_METRIC:
                continue  # in the per-topic table
            others = ", ".join(f"{k} {v:.1f}" for k, v in s.baselines.items())
            goal = "" if s.goal is None else f"{s.goal:.1f}"
            lines.append(
                f"| {s.name} | {s.metric} | {s.value:.1f} | {goal} | {others} | {s.examples} |"
            )
    return "\n".join(lines) + "\n"


_CAP_NOTE = """CAP rows: macro-F1 over the CAP majors in each test split ("CAP majors"; the
issue's targets are 70 on NYT 2005-06 and 65 on SOTU) and with "no policy content" as one
more class ("majors + no policy", how the tweets' authors averaged). The tweets' test split
is a fifth of the authors' CNN-coded sample, so our figures there measure agreement with
their model (silver labels), not accuracy against people: the published 72.8 accuracy and
57.3 macro-F1 are the CNN's on 930 hand-coded tweets that are held back from us, a
different test.
"""


def main() -> None:
    global _TOTAL
    quick = "--quick" in sys.argv[1:]
    if quick:
        _TOTAL = 2_000
    load = Spread(tuple(_load_seconds() * 1000 for _ in range(3)))
    sizes = {task: (MODELS_DIR / f"{task}.npz").stat().st_size for task in nlp.TASKS}
    rates = {task: Spread(tuple(_throughput(task) for _ in range(3))) for task in nlp.TASKS}
    cap_texts = _cap_texts()
    cap_kind = "messages" if cap_texts is _MESSAGES else "CAP test items (all three sets)"
    cap_rate = Spread(tuple(_cap_throughput(cap_texts) for _ in range(3)))
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
        f"`classify_cap` (CAP topics, scores without explanations) on {len(cap_texts):,} "
        f"{cap_kind}: "
        f"{cap_rate.show()} items/s, one core (CPU time); the issue asks for 2,000.",
        "",
        "Official test splits (scores in %):",
        "",
        "_Accuracy not measured in a --quick run._\n" if quick else _accuracy_table(),
        "" if quick else _cap_topic_table(),
        "" if quick else _CAP_NOTE,
    ]
    body = "\n".join(rows)
    print(body)
    write_section("nlp", body)


if __name__ == "__main__":
    main()
