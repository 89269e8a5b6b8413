#!/usr/bin/env bash
# Install everything the tests need (Python packages, a PostgreSQL server) and run them all.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

# Spark (the distributed engine the audit also runs on) needs a Java runtime.
if ! command -v java >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
export SPARK_LOCAL_IP=127.0.0.1

python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[dev]' 2> >(grep -v "is ignored: it is neither" >&2)

source scripts/postgres.sh

.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
.venv/bin/pytest -n 2 --dist loadgroup "$@"
