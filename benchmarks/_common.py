"""Shared plumbing for benchmarks: machine description, timed child processes, BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
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
    return (f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mib: float
    returncode: int


def run_measured(cmd: list[str], **kwargs: object) -> Run:
    """Run ``cmd`` in a fresh child (via a small wrapper) and report wall time and peak RSS.

    The wrapper makes each measurement's RUSAGE_CHILDREN cover that command alone.
    """
    wrapper = ("import resource,subprocess,sys,time,json;t=time.perf_counter();"
               "r=subprocess.run(sys.argv[1:]);e=time.perf_counter()-t;"
               "m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
               "print(json.dumps([e,m,r.returncode]),file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], stderr=subprocess.PIPE,
                          text=True, **kwargs)  # type: ignore[call-overload]
    import json

    last = proc.stderr.strip().splitlines()[-1]
    seconds, maxrss_kib, code = json.loads(last)
    if code != 0:
        sys.stderr.write(proc.stderr)
    return Run(seconds=seconds, peak_rss_mib=maxrss_kib / 1024, returncode=code)


def write_section(name: str, body: str) -> None:
    """Replace this benchmark's section of BENCHMARKS.md, leaving the others alone."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"{start}\n{body.rstrip()}\n\n_Measured {stamp} on {machine()}._\n{end}"
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else \
        text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text)

