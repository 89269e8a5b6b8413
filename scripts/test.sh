#!/usr/bin/env bash
# Install everything the tests need (Python packages, a PostgreSQL server) and run them all.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]' 2> >(grep -v "is ignored: it is neither" >&2)

source scripts/postgres.sh

.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
.venv/bin/pytest -n 2 --dist loadgroup "$@"
