"""Shared plumbing for benchmarks: machine description, timed child processes, BENCHMARKS.md."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = Path(os.environ.get("HUSTINGS_BENCHMARKS_MD", REPO / "BENCHMARKS.md"))
"""Where sections are written; ``python -m benchmarks --quick`` points it at a scratch file
so a smoke run never overwrites the measured figures."""


def shared_data() -> Path:
    return Path(os.environ.get("HUSTINGS_SHARED_DATA", REPO.parent / "shared" / "data"))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mib: float
    returncode: int


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return found


def _pss_kib(pid: int) -> int:
    """Proportional set size: a forked child's shared pages are counted once, not twice."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, at this moment."""
    found, stack = [], _children(pid)
    while stack:
        current = stack.pop()
        found.append(current)
        stack += _children(current)
    return found


def run_measured(cmd: list[str], **kwargs: object) -> Run:
    """Run ``cmd`` in a fresh child (via a small wrapper) and report wall time and peak memory.

    Peak memory is the larger of the biggest single process's peak RSS (RUSAGE_CHILDREN,
    which the wrapper makes cover that command alone) and the peak, sampled, of all the
    command's processes together (PSS summed): an import that parses in a second process,
    or Spark's JVM, must not look smaller than it is.

    The sampler must not slow what it measures. Reading a process's PSS walks its page
    tables under its memory lock: every 50 ms over DuckDB's 3 GB it cost 11 s of CPU and
    3.5 s of DuckDB's wall time on two cores. So it samples only while the command runs as
    more than one process (for a single process the peak RSS is exact already), and waits
    ten times as long as the last sample took, which holds it to a tenth of one core.
    """
    wrapper = (
        "import json, os, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "try:\n"
        "    code = subprocess.run(sys.argv[1:]).returncode\n"
        "except OSError as error:\n"
        "    print(error, file=sys.stderr)\n"
        "    code = 127\n"
        "e = time.perf_counter() - t\n"
        "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "with open(os.environ['HUSTINGS_BENCH_RESULT'], 'w') as out:\n"
        "    out.write(json.dumps([e, m, code]))\n"
    )
    if kwargs.get("stdout") == subprocess.PIPE or "stderr" in kwargs:
        raise ValueError("run_measured drains the command's output itself; pass no pipes")
    with tempfile.TemporaryDirectory(prefix="hustings-measure-") as tmp:
        # The command's stderr goes to a file, never to a pipe nobody reads while it runs:
        # a command that writes more than a pipe buffer (64 KiB) to stderr would block
        # forever on a full pipe while this loop waits for it to end.
        result, errors = Path(tmp) / "result.json", Path(tmp) / "stderr.txt"
        env = {**(kwargs.pop("env", None) or os.environ), "HUSTINGS_BENCH_RESULT": str(result)}
        with errors.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-c", wrapper, *cmd], stderr=err, env=env, **kwargs
            )  # type: ignore[call-overload]
            peak_tree, pause = 0, 0.05
            while proc.poll() is None:
                below = _descendants(proc.pid)
                if len(below) > 1:
                    start = time.perf_counter()
                    peak_tree = max(peak_tree, sum(_pss_kib(pid) for pid in below))
                    pause = max(0.05, 10 * (time.perf_counter() - start))
                time.sleep(pause)
        if not result.exists():
            raise RuntimeError(f"the measuring wrapper failed: {errors.read_text()[-2000:]}")
        seconds, maxrss_kib, code = json.loads(result.read_text())
        if code != 0:
            sys.stderr.write(errors.read_text(errors="replace")[-20_000:])
    return Run(seconds=seconds, peak_rss_mib=max(maxrss_kib, peak_tree) / 1024, returncode=code)


@dataclass(frozen=True)
class Spread:
    """Several measurements of one figure: the median is reported, min and max beside it,
    because one run on a shared machine drifts by ±10% within an hour."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, fmt: str = "{:,.0f}", unit: str = "") -> str:
        """``median unit (min–max, n runs)``; a single run says so instead of a range."""
        med = fmt.format(self.median) + unit
        if len(self.values) == 1:
            return f"{med} (1 run)"
        low, high = fmt.format(min(self.values)), fmt.format(max(self.values))
        return f"{med} ({low}–{high}, {len(self.values)} runs)"


def interleaved(commands: dict[str, Callable[[], Run]], repeats: int) -> dict[str, list[Run]]:
    """Run each command ``repeats`` times, interleaved (A B A B A B), so drift in the
    machine's speed hits every contender alike; stop at the first failing run."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            run = command()
            if run.returncode != 0:
                raise SystemExit(f"{name} failed with exit code {run.returncode}")
            runs[name].append(run)
    return runs


def seconds(runs: list[Run]) -> Spread:
    return Spread(tuple(r.seconds for r in runs))


def rate(count: int, runs: list[Run]) -> Spread:
    """Items per second of each run (the median of rates, not the rate of the median)."""
    return Spread(tuple(count / r.seconds for r in runs))


def peak_mib(runs: list[Run]) -> float:
    return max(r.peak_rss_mib for r in runs)


def write_section(name: str, body: str) -> None:
    """Replace this benchmark's section of BENCHMARKS.md, leaving the others alone."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"{start}\n{body.rstrip()}\n\n_Measured {stamp} on {machine()}._\n{end}"
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section + "\n"
    )
    BENCHMARKS_MD.write_text(text)


def fresh_database(prefix: str = "hustings_bench") -> str:
    """A new, empty PostgreSQL database on the test server; its URL.

    Benchmarks that measure PostgreSQL need a database of their own so a run never
    reads another run's rows; :func:`drop_database` removes it afterwards.
    """
    from sqlalchemy import create_engine, text

    admin_url = os.environ.get("HUSTINGS_TEST_POSTGRES_URL")
    if not admin_url:
        sys.exit("set HUSTINGS_TEST_POSTGRES_URL (source scripts/postgres.sh)")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    """Drop a database :func:`fresh_database` made (closing its connections)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(os.environ["HUSTINGS_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()
