#!/usr/bin/env bash
# bench/ingest_http.sh — events ingested per second over HTTP by `encore serve`: wrk against
# POST /v1/track (one event a request) and POST /v1/batch (100 events a request) on 127.0.0.1,
# 10 s each, every event with its own messageId; once with the writer thread (the default) and
# once with --direct-writes (each HTTP thread writes its own transaction). Events per second
# are counted from the store afterwards, not from wrk. The reference is `encore import events`
# of a JSON-lines file with as many events as the batch run stored: what a merchant would
# otherwise do (export a file, import it).
# Usage: bench/ingest_http.sh [SECONDS] [CONNECTIONS]   (needs build/encore and wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq wrk >/dev/null
fi
E="$PWD/build/encore"
[ -x "$E" ] || { echo "bench/ingest_http.sh: build/encore missing (make)" >&2; exit 1; }
tmp=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null; rm -rf "$tmp"' EXIT
KEY=bench-key
AUTH=$(printf '%s:' "$KEY" | base64)

cat >"$tmp/track.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $AUTH"
local n = 0
local id = 0
function setup(thread) thread:set("tid", id); id = id + 1 end
function request()
  n = n + 1
  local body = string.format('{"userId":"u%d","event":"Product Viewed","messageId":"t%d-%d",'
    .. '"timestamp":"2025-01-01T00:00:00Z","properties":{"sku":"SKU-%d","price":19.99}}',
    n % 5000, tid, n, n % 500)
  return wrk.format(nil, "/v1/track", nil, body)
end
EOF
cat >"$tmp/batch.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic $AUTH"
local n = 0
local id = 0
function setup(thread) thread:set("tid", id); id = id + 1 end
function request()
  local items = {}
  for i = 1, 100 do
    n = n + 1
    items[i] = string.format('{"type":"track","userId":"u%d","event":"Product Viewed",'
      .. '"messageId":"b%d-%d","timestamp":"2025-01-01T00:00:00Z",'
      .. '"properties":{"sku":"SKU-%d","price":19.99}}', n % 5000, tid, n, n % 500)
  end
  return wrk.format(nil, "/v1/batch", nil, '{"batch":[' .. table.concat(items, ",") .. ']}')
end
EOF

# run NAME LUA [serve flags]: prints "NAME events requests non2xx cpu-seconds p50 p99" (the
# server's user + system CPU time over the run, read from /proc before it is stopped; request
# latency percentiles from wrk --latency, e.g. "1.23ms")
run() {
  local name=$1 lua=$2; shift 2
  local db="$tmp/$name.db"
  rm -f "$db"*
  ENCORE_WRITE_KEY=$KEY "$E" --db "$db" serve --listen 127.0.0.1:0 "$@" 2>"$tmp/$name.err" &
  PID=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$tmp/$name.err")
    [ -n "$port" ] && break; sleep 0.1
  done
  [ -n "$port" ] || { cat "$tmp/$name.err" >&2; exit 1; }
  wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$lua" "http://127.0.0.1:$port" >"$tmp/$name.wrk"
  local ticks
  ticks=$(awk '{print $14 + $15}' /proc/$PID/stat)
  kill -TERM $PID; wait $PID; PID=""
  local events reqs non2xx
  events=$(sqlite3 "$db" "SELECT count(*) FROM events")
  reqs=$(sed -nE 's/^ *([0-9]+) requests in.*/\1/p' "$tmp/$name.wrk")
  non2xx=$(sed -nE 's/^ *Non-2xx or 3xx responses: ([0-9]+).*/\1/p' "$tmp/$name.wrk")
  local p50 p99
  p50=$(sed -nE 's/^ +50% +([0-9.]+[a-z]+).*/\1/p' "$tmp/$name.wrk")
  p99=$(sed -nE 's/^ +99% +([0-9.]+[a-z]+).*/\1/p' "$tmp/$name.wrk")
  echo "$name ${events} ${reqs} ${non2xx:-0} $(echo "$ticks / $(getconf CLK_TCK)" | bc -l) ${p50:-?} ${p99:-?}"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; ${secs} s a run, wrk -t2 -c$conns"
printf '%-22s %10s %10s %8s %12s %14s %10s %10s\n' run events requests non-2xx events/s "CPU us/event" p50 p99
results=()
for spec in "track-writer track.lua" "batch-writer batch.lua" \
            "track-direct track.lua --direct-writes" "batch-direct batch.lua --direct-writes"; do
  set -- $spec
  name=$1 lua=$2; shift 2
  read -r n ev rq bad cpu p50 p99 < <(run "$name" "$tmp/$lua" "$@")
  printf '%-22s %10d %10d %8d %12.0f %14.1f %10s %10s\n' "$n" "$ev" "$rq" "$bad" "$(echo "$ev / $secs" | bc -l)" \
    "$(echo "$cpu * 1000000 / $ev" | bc -l)" "$p50" "$p99"
  results+=("$n:$ev")
done

# the reference: the same number of events as the batch run stored, imported from a file
batch_events=${results[1]#*:}
python3 - "$batch_events" >"$tmp/events.jsonl" <<'EOF'
import sys
n = int(sys.argv[1])
for i in range(n):
    print('{"event_id":"i%d","customer_id":"u%d","time":"2025-01-01T00:00:00Z","type":"Product Viewed",'
          '"sku":"SKU-%d","properties":{"sku":"SKU-%d","price":19.99}}' % (i, i % 5000, i % 500, i % 500))
EOF
rm -f "$tmp/imp.db"*
TIMEFORMAT='%R %U %S'
{ time "$E" --db "$tmp/imp.db" import events "$tmp/events.jsonl" >/dev/null; } 2>"$tmp/imp.time"
read -r wall usr sys <"$tmp/imp.time"
imported=$(sqlite3 "$tmp/imp.db" "SELECT count(*) FROM events")
printf '%-22s %10d %10s %8s %12.0f %14.1f   (%.2f s)\n' "import-events-file" "$imported" - - \
  "$(echo "$imported / $wall" | bc -l)" "$(echo "($usr + $sys) * 1000000 / $imported" | bc -l)" "$wall"
