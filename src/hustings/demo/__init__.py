"""A seeded simulator of a fictional election campaign that writes real platform files.

``simulate`` builds the "Northland general election 2026" in memory (parties, leaders,
candidates, staff, media and thousands of citizens talking to them) and ``write_files``
writes it as twarc2 X API v2 pages, Mastodon API statuses, an mbox and the account
registry, so the demo, the docs and tests exercise the real importers on realistic data
with a known ground truth. Everything it produces is labelled synthetic.
"""

from __future__ import annotations

from hustings.demo._files import DemoFiles, write_files
from hustings.demo._inbox import record_platform_answers
from hustings.demo._model import (
    Campaign,
    DemoAccount,
    DemoMessage,
    GroundTruth,
    Kind,
    Party,
    Platform,
    Role,
    Stance,
    campaign_start,
    demo_now,
)
from hustings.demo._run import DemoRun, run_demo
from hustings.demo._simulate import iter_messages, simulate
from hustings.demo._stance import seed_stances

__all__ = [
    "Campaign",
    "DemoAccount",
    "DemoFiles",
    "DemoMessage",
    "DemoRun",
    "GroundTruth",
    "Kind",
    "Party",
    "Platform",
    "Role",
    "Stance",
    "campaign_start",
    "demo_now",
    "iter_messages",
    "record_platform_answers",
    "run_demo",
    "seed_stances",
    "simulate",
    "write_files",
]
