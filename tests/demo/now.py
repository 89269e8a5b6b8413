"""The moment the demo tests pretend to run at: the campaign is dated relative to it."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 10, 5, 22, 30, tzinfo=UTC)
