"""The generated parts of the docs (metric tables, definitions) match the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_generated_docs_match_the_registry() -> None:
    docs = [str(p) for p in (ROOT / "docs").glob("*.md")] + [str(ROOT / "README.md")]
    run = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", *docs],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout + run.stderr + "\nregenerate with: cog -r docs/*.md"


def test_every_relative_link_and_picture_in_the_docs_exists() -> None:
    """A reader following README or docs/ never meets a missing page or screenshot."""
    import re

    root = ROOT
    missing = []
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                missing.append(f"{page.relative_to(root)} → {target}")
    assert not missing, missing
