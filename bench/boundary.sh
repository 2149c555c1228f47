#!/usr/bin/env bash
# bench/boundary.sh BEFORE AFTER [N] [RUNS] — the two hot paths the store boundary (issue 17
# item 1) moved, timed with two builds of encore side by side: `dispatch --once` of N queued
# messages (default 100,000) on the file channel (claim, mark, record: the outbox's own
# ceiling, no network), and `campaign start` of a one-off campaign with coupons on a generated
# shop of N/5 customers (members, coupons and messages written through the campaign and outbox
# tables). Prints wall and CPU seconds of each run; add a section to bench/RESULTS.md by hand.
# Build the BEFORE binary from an older commit, e.g.
#   git archive REV | tar -x -C /tmp/base && make -C /tmp/base build/encore
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/boundary.sh BEFORE AFTER [N] [RUNS]" >&2; exit 2; }
B=$(realpath "$1"); A=$(realpath "$2"); N=${3:-100000}; R=${4:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
python3 - "$N" >"$t/m.jsonl" <<'P'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"campaign": "bench", "customer_id": i + 1, "channel": "export",
                      "address": "+8613%09d" % i, "body_text": "Spring offer %d" % i,
                      "idempotency_key": "bench:%d:export:1" % (i + 1)}))
P
timed() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "wall %5.2f s  cpu %5.2f s\n", $1, $2 + $3}'; }
echo "dispatch --once, $N messages, file channel"
for r in $(seq "$R"); do
  for which in before after; do
    E=$B; [ $which = after ] && E=$A
    rm -f "$t"/d.db* "$t/out.jsonl"
    "$E" --db "$t/d.db" outbox enqueue "$t/m.jsonl" >/dev/null
    printf '  %-6s ' $which
    timed "$E" --db "$t/d.db" dispatch --once --batch 500 --set export.kind=file --set "export.path=$t/out.jsonl"
    [ "$(wc -l <"$t/out.jsonl")" = "$N" ] || { echo "bench: $which wrote the wrong count" >&2; exit 1; }
  done
done
C=$((N / 5))
"$B" gen --customers "$C" --seed 1 --out "$t/shop" >/dev/null
for k in products customers orders events feedback consents; do
  "$B" --db "$t/shop.db" import "$k" "$t/shop/$k.csv" >/dev/null
done
sed -n '/^cat > "\$f" <<.EOF.$/,/^EOF$/p' "$root/bench/campaign.sh" | sed '1d;$d' >"$t/once.json"
echo "campaign start (one-off, coupons, two channels), $C customers"
for r in $(seq "$R"); do
  for which in before after; do
    E=$B; [ $which = after ] && E=$A
    rm -f "$t"/w.db*; cp "$t/shop.db" "$t/w.db"
    printf '  %-6s ' $which
    timed "$E" --db "$t/w.db" campaign start "$t/once.json" --at "2026-01-05 12:00" --json
  done
done
