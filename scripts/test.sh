#!/usr/bin/env bash
# Install everything the tests need (Debian packages, Python packages, a PostgreSQL server,
# the live-channel tests' servers)
# and run them all: ruff, mypy, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/apt.sh
# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
command -v chromium >/dev/null || apt_install chromium
# Spark (the distributed engine the audit also runs on) needs a Java runtime.
command -v java >/dev/null || apt_install openjdk-17-jre-headless
# The Q&A overlay's optional speech (13 MB with its voices); its test skips without it.
command -v espeak-ng >/dev/null || apt_install espeak-ng
export SPARK_LOCAL_IP=127.0.0.1

source scripts/venv.sh
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]' 2> >(grep -v "is ignored: it is neither" >&2)

source scripts/postgres.sh
# The live-channel tests' real servers: Redis, Dovecot, Node 22 with @atproto/dev-env.
source scripts/servers.sh

.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
.venv/bin/pytest -n 2 --dist loadgroup "$@"
