"""The layers of ARCHITECTURE.md hold: ``inbox`` and ``people`` build on ``workspace`` and
never import each other; ``workspace`` imports neither; ``model`` imports nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "hustings"


def _imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in (SRC / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return {m for m in found if m.startswith("hustings")}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("inbox", "hustings.people"),
        ("people", "hustings.inbox"),
        ("workspace", "hustings.inbox"),
        ("workspace", "hustings.people"),
    ],
)
def test_layer_does_not_import(package: str, forbidden: str) -> None:
    wrong = sorted(m for m in _imports(package) if m == forbidden or m.startswith(forbidden + "."))
    assert not wrong, f"hustings.{package} imports {wrong}"


def test_model_imports_nothing_of_hustings() -> None:
    found: set[str] = set()
    for node in ast.walk(ast.parse((SRC / "model.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    assert not {m for m in found if m.startswith("hustings")}
