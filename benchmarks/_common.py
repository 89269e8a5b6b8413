"""Shared plumbing for benchmarks: machine description, timed child processes, BENCHMARKS.md."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = REPO / "BENCHMARKS.md"


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
        "import resource,subprocess,sys,time,json;t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:]);e=time.perf_counter()-t;"
        "m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print(json.dumps([e,m,r.returncode]),file=sys.stderr)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", wrapper, *cmd], stderr=subprocess.PIPE, text=True, **kwargs
    )  # type: ignore[call-overload]
    peak_tree, pause = 0, 0.05
    while proc.poll() is None:
        below = _descendants(proc.pid)
        if len(below) > 1:
            start = time.perf_counter()
            peak_tree = max(peak_tree, sum(_pss_kib(pid) for pid in below))
            pause = max(0.05, 10 * (time.perf_counter() - start))
        time.sleep(pause)
    stderr = proc.stderr.read() if proc.stderr else ""
    last = stderr.strip().splitlines()[-1]
    seconds, maxrss_kib, code = json.loads(last)
    if code != 0:
        sys.stderr.write(stderr)
    return Run(seconds=seconds, peak_rss_mib=max(maxrss_kib, peak_tree) / 1024, returncode=code)


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
