"""``hustings demo``: a synthetic campaign, written as real platform files and imported."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    pass
