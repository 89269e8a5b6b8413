# Start a throwaway PostgreSQL server on 127.0.0.1 for the tests; source this file.
# Sets HUSTINGS_TEST_POSTGRES_URL and stops the server when the calling shell exits.
# Installs Debian's postgresql package when no server binaries are present.

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  source scripts/apt.sh
  apt_install postgresql
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

pg_dir=$(mktemp -d /tmp/hustings-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: run the server as the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --home "$pg_dir" postgres
  chown postgres "$pg_dir"
  as_pg() { runuser -u postgres -- "$@"; }
fi
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U hustings --auth=trust -E UTF8 >/dev/null
# autovacuum_naptime=1: every database here is brand new, and without statistics the planner
# guesses from column widths that a table of thousands of messages holds a handful of rows
# and picks whichever index is smallest. A long-running server has statistics; checking each
# second (instead of each minute) gives a one-minute benchmark the same.
# random_page_cost=1.1: the data lives in memory, where a random page read costs about what
# a sequential one does (the usual setting for SSDs); at 4 the planner hash-joins whole
# tables of a few thousand rows to read the fifty an inbox page shows.
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-h 127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c max_connections=200 -c autovacuum_naptime=1 -c random_page_cost=1.1" start >/dev/null
export HUSTINGS_TEST_POSTGRES_URL="postgresql+psycopg://hustings@127.0.0.1:$pg_port/postgres"
stop_postgres() { as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_postgres EXIT
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
