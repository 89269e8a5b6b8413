"""``scripts/demo.sh`` keeps talking while pip installs: a line a package, dots while quiet."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "demo.sh"

# pip's output as it arrives, with a pause like a wheel being built.
PIP = (
    "printf 'Collecting typer>=0.12\\n  Downloading typer-0.12.5-py3-none-any.whl (47 kB)\\n'; "
    "sleep 2.5; "
    "printf 'Installing collected packages: typer\\nSuccessfully installed typer-0.12.5\\n'"
)


def _filtered() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f"source {SCRIPT}; ({PIP}) | pip_progress"],
        capture_output=True,
        text=True,
        env={"HUSTINGS_PROGRESS_EVERY": "1", "PATH": "/usr/bin:/bin"},
        timeout=30,
        check=True,
    )


def test_each_package_gets_a_line_and_a_quiet_pip_gets_dots() -> None:
    shown = _filtered().stderr.splitlines()
    assert shown[1].startswith("  Collecting typer>=0.12 .")
    assert shown[1].count(".") >= 3, "no dots while pip was quiet for 2.5 s"
    assert "  Installing collected packages: typer" in [s.rstrip() for s in shown]
    assert shown[-1].strip() == "Successfully installed typer-0.12.5"


def test_the_filter_ends_when_pip_does() -> None:
    assert _filtered().returncode == 0


def test_every_step_is_announced_and_numbered() -> None:
    steps = [line for line in SCRIPT.read_text().splitlines() if line.strip().startswith("step ")]
    assert [s.split('"')[1].split()[0] for s in steps] == ["1/3", "2/3", "3/3"]
