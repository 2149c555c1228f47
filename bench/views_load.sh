#!/usr/bin/env bash
# bench/views_load.sh — the customer 360 view under load (issue 13's p99 < 50 ms at 32 clients),
# the part of bench/views.sh that the audit queue and the shared recommendation model change:
# GET /v1/customers/{id} one after another and from 32 concurrent clients (curl's time_total,
# as views.sh measures it), without and with ?recommendations=true (the console asks for them),
# and what the server did meanwhile (audit entries written, models built: /metrics).
# Usage: DB=path/shop.db [ENCORE=build/encore] [N=1000] [RECS=1] bench/views_load.sh
#   (a store scored at least once; RECS=0 leaves out the recommendations runs)
set -euo pipefail
cd "$(dirname "$0")/.."
E=${ENCORE:-$PWD/build/encore}
db=${DB:?DB=path/shop.db}
n=${N:-1000}
dir=$(mktemp -d /tmp/encore-viewload.XXXXXX)
stats() { /usr/bin/python3 -c 'import sys; v=sorted(float(x)*1000 for x in sys.stdin if x.strip()); n=len(v); print("    %d requests: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms" % (n, v[n//2], v[int(n*0.9)], v[min(n-1,int(n*0.99))], v[-1]))'; }
key=$("$E" --db "$db" apikey create --role analyst --name "bench-$$")
owner=$("$E" --db "$db" apikey create --role owner --name "bench-owner-$$")
"$E" --db "$db" serve --listen 127.0.0.1:0 --no-jobs >"$dir/serve.out" 2>"$dir/serve.err" & srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null || true; rm -rf "$dir"' EXIT
port=""
for _ in $(seq 300); do port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$dir/serve.err"); [ -n "$port" ] && break; sleep 0.1; done
B="http://127.0.0.1:$port"
sqlite3 "$db" "SELECT external_id FROM customers WHERE merged_into IS NULL AND external_id IS NOT NULL ORDER BY random() LIMIT 200" >"$dir/ids"
reps=$(( (n + 199) / 200 ))
echo "encore: $("$E" --version 2>/dev/null || echo "$E"); store: $(sqlite3 "$db" 'SELECT count(*) FROM customers') customers; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  GET /v1/customers/{id}, 200 customers one after another:"
while read -r id; do curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$B/v1/customers/$id"; done <"$dir/ids" | stats
echo "  GET /v1/customers/{id}, 32 concurrent clients, $((reps * 200)) requests:"
for _ in $(seq "$reps"); do cat "$dir/ids"; done | xargs -P 32 -I{} curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$B/v1/customers/{}" | stats
if [ "${RECS:-1}" = 1 ]; then
  echo "  GET /v1/customers/{id}?recommendations=true, the first (builds the model when it is shared):"
  curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$B/v1/customers/$(head -1 "$dir/ids")?recommendations=true" | stats
  echo "  GET /v1/customers/{id}?recommendations=true, 32 concurrent clients, $((reps * 200)) requests:"
  for _ in $(seq "$reps"); do cat "$dir/ids"; done | xargs -P 32 -I{} curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $key" "$B/v1/customers/{}?recommendations=true" | stats
fi
curl -s -H "Authorization: Bearer $owner" "$B/metrics" | grep -E '^encore_(audit_entries_total|recommendation_model_builds_total|write_commits_total)' | sed 's/^/  /' || true
