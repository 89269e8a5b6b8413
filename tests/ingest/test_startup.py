"""Importing a file never waits for the platforms' client libraries to load."""

from __future__ import annotations

import subprocess
import sys


def test_finding_importers_loads_no_platform_client() -> None:
    # atproto alone took 0.8 s of every `hustings import` before connectors loaded lazily
    code = (
        "import sys\n"
        "from hustings.plugins import connectors, importers\n"
        "assert 'x-v2' in importers()\n"
        "heavy = {'atproto_client', 'tweepy', 'imap_tools', 'websockets'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
        "assert 'bluesky' in connectors()\n"
        "print('atproto_client' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["[]", "True"]
