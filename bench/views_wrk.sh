#!/usr/bin/env bash
# bench/views_wrk.sh — the customer 360 view under 32 concurrent clients with wrk (Debian's wrk:
# one process, keep-alive connections, so the client's own start-up is not in the figures as it
# is with one curl per request in bench/views_load.sh). Every view is audited; the script checks
# that the audit log holds at least as many entries of its key as wrk completed requests.
# Usage: DB=path/shop.db [ENCORE=build/encore] [SECS=30] [CONNS=32] bench/views_wrk.sh
set -euo pipefail
cd "$(dirname "$0")/.."
E=${ENCORE:-$PWD/build/encore}
db=${DB:?DB=path/shop.db}
secs=${SECS:-30}
conns=${CONNS:-32}
dir=$(mktemp -d /tmp/encore-viewwrk.XXXXXX)
name="wrk-$$"
key=$("$E" --db "$db" apikey create --role analyst --name "$name" 2>/dev/null)
"$E" --db "$db" serve --listen 127.0.0.1:0 --no-jobs >"$dir/serve.out" 2>"$dir/serve.err" & srv=$!
trap 'kill $srv 2>/dev/null || true; wait $srv 2>/dev/null || true; rm -rf "$dir"' EXIT
port=""
for _ in $(seq 600); do port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$dir/serve.err"); [ -n "$port" ] && break; sleep 0.1; done
sqlite3 "$db" "SELECT external_id FROM customers WHERE merged_into IS NULL AND external_id IS NOT NULL ORDER BY random() LIMIT 200" >"$dir/ids"
echo "store: $(sqlite3 "$db" 'SELECT count(*) FROM customers') customers; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "GET /v1/customers/{id}, $conns connections, ${secs}s (wrk -t2):"
out=$(IDS="$dir/ids" KEY="$key" wrk -t2 -c"$conns" -d"${secs}s" -s bench/views_wrk.lua "http://127.0.0.1:$port")
echo "$out" | grep -E 'Requests/sec|^  [0-9p]'
kill $srv
wait $srv 2>/dev/null || true
done_n=$(echo "$out" | sed -nE 's/^  ([0-9]+) requests, errors.*/\1/p')
audited=$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE actor LIKE 'key:%:$name'")
echo "audited views: $audited (wrk completed $done_n; requests in flight at the end are served too)"
if [ "$audited" -lt "$done_n" ]; then echo "views_wrk: fewer audit entries than views" >&2; exit 1; fi
