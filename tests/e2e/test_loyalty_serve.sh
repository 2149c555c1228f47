#!/usr/bin/env bash
# test_loyalty_serve.sh — the loyalty job of `encore serve` (points expire, then tiers review):
# named among the jobs and on /healthz with its runs; a lot whose time comes while the server
# runs is expired by the job (an `expire` entry, the balance down); a member whose spend now
# qualifies is upgraded by the job's review; --loyalty-every's bad values are usage errors;
# without a programme the job runs and changes nothing, without failing.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { not_ok "curl installed"; e2e_done; exit 1; }
DATA="$(cd "$(dirname "$0")/../data/loyalty" && pwd)"
T=$E2E_TMP
trap e2e_cleanup EXIT
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_WRITE_KEY ENCORE_DELIVERY_CONFIG

run_rc "$ENCORE" serve --loyalty-every 0.01
check "serve: --loyalty-every below 0.05 s is a usage error" "$RC" 2
check_match "  and says why" "$ERR" "^encore: serve: --loyalty-every: '0.01' is not 0 or 0.05 to 86400 seconds"
run_rc "$ENCORE" serve --loyalty-every nightly
check "serve: --loyalty-every must be a number" "$RC" 2
run_rc "$ENCORE" serve --help
check_match "serve --help documents --loyalty-every" "$OUT" "--loyalty-every SECS"

start() { # start LOG ARGS...: the server in the background; sets SRV and B
  local log=$1; shift
  "$ENCORE" serve --listen 127.0.0.1:0 --tick-every 0 --dispatch-every 0 "$@" >/dev/null 2>"$log" &
  SRV=$!; E2E_PIDS="$E2E_PIDS $SRV"
  local port; port=$(serve_port "$log")
  [ -n "$port" ] || { not_ok "server started" "$(cat "$log")"; e2e_done; exit 1; }
  B="http://127.0.0.1:$port"
}
stop() { kill -TERM "$SRV"; wait "$SRV" 2>/dev/null; }
job() { # job FIELD: the loyalty job's FIELD on /healthz
  jget "$(curl -s "$B/healthz")" "[j.get('$1') for j in d['jobs'] if j['name'] == 'loyalty']"
}

# ---- no programme: the job runs, does nothing, does not fail -------------------------------------
printf 'customer_id,name\nC1,Ann\nC2,Bob\n' >"$T/cust.csv"
"$ENCORE" import customers "$T/cust.csv" >/dev/null
start "$T/s0.err" --loyalty-every 0.2
sleep 1
check "without a programme the loyalty job runs without failures" \
  "$(jget "$(curl -s "$B/healthz")" "[(j['runs'] >= 2, j['failures']) for j in d['jobs'] if j['name'] == 'loyalty']")" \
  "[(True, 0)]"
stop

# ---- a lot that expires while the server runs; a member who qualifies for silver ----------------
"$ENCORE" loyalty programme "$DATA/programme.json" >/dev/null
# the lot of an opening balance expires 12 months after it was imported: imported 12 months
# before now + 3 s, it expires 3 s from now
THEN=$($PY -c 'import datetime as d; n = d.datetime.now(d.timezone.utc).replace(microsecond=0) + d.timedelta(seconds=3)
print(n.replace(year=n.year - 1).strftime("%Y-%m-%d %H:%M:%S"))')
run_rc "$ENCORE" points import C1 --points 700 --now "$THEN"
check "opening balance imported" "$RC" 0
# C2 joins (a signup bonus) before the order: nothing but the review moves their tier
"$ENCORE" points earn C2 --bonus signup --key join-c2 >/dev/null
YDAY=$($PY -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) - d.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))')
printf 'order_id,customer_id,time,status,sku,category,qty,unit_price,discount\nO9,C2,%s,paid,TEE,apparel,1,1500.00,0\n' \
  "$YDAY" >"$T/orders.csv"
"$ENCORE" import orders "$T/orders.csv" >/dev/null
run_rc "$ENCORE" points balance C2 --json
check "before the server: C2 is a member of the first tier" "$(jget "$OUT" 'd.get("tier")')" "member"
check "before the server: C1 holds 700 points" \
  "$(jget "$("$ENCORE" points balance C1 --json)" 'd["balance"]')" 700

start "$T/s1.err" --loyalty-every 0.5
check_match "the server names the loyalty job" "$(cat "$T/s1.err")" "jobs:.* loyalty"
if wait_for "SELECT count(*) FROM points_entries WHERE kind = 'expire'" 1 100; then ok "the job expired the lot while the server ran"
else not_ok "the job expired the lot while the server ran" "$(tail -5 "$T/s1.err")"; fi
check "after the expiry C1 holds 0 points" \
  "$(jget "$("$ENCORE" points balance C1 --json)" 'd["balance"]')" 0
check "the tier review upgraded C2 to silver" \
  "$(jget "$("$ENCORE" points balance C2 --json)" 'd["tier"]')" "silver"
check_match "the expiry is logged as counts" "$(cat "$T/s1.err")" "loyalty: 1 lot expired \\(700 points\\)"
check "the log names no member" "$(grep -c 'C1\|C2\|Ann\|Bob' "$T/s1.err")" 0
sleep 1.2
check "healthz: the loyalty job ran again and never failed" \
  "$(jget "$(curl -s "$B/healthz")" "[(j['runs'] >= 2, j['failures']) for j in d['jobs'] if j['name'] == 'loyalty']")" \
  "[(True, 0)]"
check "a second run expires nothing twice" "$(sql "SELECT count(*) FROM points_entries WHERE kind = 'expire'")" 1
stop

# ---- --no-jobs and --loyalty-every 0 leave it out ----------------------------------------------
start "$T/s2.err" --loyalty-every 0
check "--loyalty-every 0: no loyalty job on /healthz" "$(job runs)" "[]"
stop
e2e_done
