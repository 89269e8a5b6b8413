"""The benchmarks themselves: they must run from a fresh clone, and never hang.

A benchmark that cannot be reproduced cannot be trusted: ``run_measured`` once deadlocked
on a command that wrote more than a pipe buffer to stderr, and a benchmark nobody runs rots.
The smoke run asserts only that each benchmark completes and writes its section, never a
time (speed is a benchmark, not a timed test).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from benchmarks import __main__ as runner
from benchmarks._common import Run, Spread, run_measured

REPO = Path(__file__).resolve().parents[2]


def test_a_command_that_floods_stderr_is_measured_not_deadlocked() -> None:
    flood = "import sys\nfor _ in range(200):\n    sys.stderr.write('x' * 50_000 + '\\n')\n"
    result: list[Run] = []
    worker = threading.Thread(
        target=lambda: result.append(run_measured([sys.executable, "-c", flood])), daemon=True
    )
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "run_measured hung on 10 MB of stderr"
    assert result[0].returncode == 0
    assert result[0].seconds > 0


def test_a_failing_command_reports_its_exit_code() -> None:
    run = run_measured([sys.executable, "-c", "raise SystemExit(3)"])
    assert run.returncode == 3
    missing = run_measured(["/nonexistent/hustings-benchmark-command"])
    assert missing.returncode == 127


def test_a_spread_reports_the_median_with_min_and_max() -> None:
    spread = Spread((12.0, 10.0, 30.0))
    assert spread.median == 12.0
    assert spread.show("{:.0f}", " s") == "12 s (10–30, 3 runs)"
    assert Spread((5.0,)).show("{:.0f}") == "5 (1 run)"


def test_every_benchmark_runs_quick_and_writes_its_section(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = out.read_text()
    for name in runner.BENCHMARKS:
        assert f"<!-- {name}:start -->" in text, f"{name} wrote no section"
        section = text.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0]
        assert "_Measured " in section, f"{name}'s section has no machine and date"
    assert (REPO / "BENCHMARKS.md").read_text() != text, "a quick run overwrote BENCHMARKS.md"
