#!/usr/bin/env bash
# bench/dispatch.sh — delivery throughput: messages dispatched per second by `encore dispatch
# --once` to the local webhook sink (tests/peers/webhook_sink.py, deduplicating, signature
# checked) and to the file channel (no network: the outbox's own ceiling), the enqueue rate,
# and side by side what a user would otherwise write (bench/dispatch_baseline.py: Python
# http.client threads POSTing the same messages with no outbox). Appends a section to
# bench/RESULTS.md. Usage: bench/dispatch.sh [MESSAGES]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
E=build/encore
PY=/usr/bin/python3
tmp=$(mktemp -d)
SINK=""
trap '[ -n "$SINK" ] && kill $SINK 2>/dev/null; rm -rf "$tmp"' EXIT
[ -x "$E" ] || { echo "bench/dispatch.sh: build first (make)" >&2; exit 1; }

start_sink() {
  rm -f "$tmp/port"
  $PY tests/peers/webhook_sink.py --port-file "$tmp/port" --secret bench-secret & SINK=$!
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  PORT=$(cat "$tmp/port")
}
stop_sink() { kill $SINK; wait $SINK 2>/dev/null || true; SINK=""; }
gen() { # FILE CHANNEL
  $PY - "$N" "$2" >"$1" <<'PYEOF'
import json, sys
n, ch = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print(json.dumps({"campaign": "bench", "customer_id": i + 1, "channel": ch,
                      "address": "+8613%09d" % i, "body_text": "Spring offer %d: 10%% off" % i,
                      "idempotency_key": "bench:%d:%s:1" % (i + 1, ch)}))
PYEOF
}
now() { date +%s.%N; }
cpu() { # command... -> prints "wall user+sys"
  local t0 t1; t0=$(now)
  local out; out=$( { /usr/bin/time -f "%U %S" "$@" >/dev/null; } 2>&1 | tail -1)
  t1=$(now)
  echo "$(echo "$t1 - $t0" | bc | xargs printf '%.2f') $(echo "$out" | awk '{print $1 + $2}')"
}

gen "$tmp/hook.jsonl" hook
gen "$tmp/file.jsonl" export

# enqueue
read -r enq_wall enq_cpu < <(cpu $E --db "$tmp/a.db" outbox enqueue "$tmp/hook.jsonl")
# encore -> webhook sink
start_sink
read -r hook_wall hook_cpu < <(cpu $E --db "$tmp/a.db" dispatch --once --batch 500 \
  --set hook.kind=webhook --set "hook.url=http://127.0.0.1:$PORT/hook" \
  --set hook.secret=bench-secret --set hook.shape=sms --set hook.concurrency=8)
unique=$(curl -s "http://127.0.0.1:$PORT/stats" | $PY -c 'import json,sys; print(json.load(sys.stdin)["unique"])')
stop_sink
[ "$unique" = "$N" ] || { echo "bench: sink got $unique of $N" >&2; exit 1; }
# python baseline -> a fresh sink
start_sink
read -r n base_wall < <($PY bench/dispatch_baseline.py "$tmp/hook.jsonl" "http://127.0.0.1:$PORT/hook" bench-secret 8)
stop_sink
# encore -> file channel
$E --db "$tmp/b.db" outbox enqueue "$tmp/file.jsonl" >/dev/null
read -r file_wall file_cpu < <(cpu $E --db "$tmp/b.db" dispatch --once --batch 500 \
  --set export.kind=file --set "export.path=$tmp/out.jsonl")
[ "$(wc -l <"$tmp/out.jsonl")" = "$N" ] || { echo "bench: file has the wrong count" >&2; exit 1; }

rate() { echo "scale=0; $N / $1" | bc; }
base_wall=$(printf '%.2f' "$base_wall")
ratio=$(echo "scale=3; $base_wall / $hook_wall" | bc | xargs printf '%.2f')
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
{
  echo
  echo "## Delivery: dispatch throughput ($(date -u +%Y-%m-%d))"
  echo
  echo "\`bench/dispatch.sh $N\` on $machine (shared with other work). $N messages; webhook sink ="
  echo "tests/peers/webhook_sink.py (Python ThreadingHTTPServer, HMAC check and key dedup per request)."
  echo
  echo "| step | wall s | messages/s | CPU s (encore) | note |"
  echo "|---|---:|---:|---:|---|"
  echo "| \`encore outbox enqueue\` (JSON lines -> outbox) | $enq_wall | $(rate "$enq_wall") | $enq_cpu | batches of 5,000 per transaction |"
  echo "| \`encore dispatch --once\` -> webhook sink | $hook_wall | $(rate "$hook_wall") | $hook_cpu | claim+commit, signed POST, record; 8 connections |"
  echo "| Python http.client, 8 threads -> same sink | $base_wall | $(rate "$base_wall") | | no outbox, no retries, no record (baseline) |"
  echo "| \`encore dispatch --once\` -> file channel | $file_wall | $(rate "$file_wall") | $file_cpu | no network: the outbox's own ceiling, fsync per batch |"
  echo
  echo "Encore / baseline wall-time ratio to the same sink: ${ratio}x (above 1 = Encore faster)."
  echo "Both webhook runs are bound by the single-process Python sink; the encore process itself"
  echo "used $hook_cpu s of CPU for $N messages."
} | tee -a bench/RESULTS.md
