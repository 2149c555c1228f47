#!/usr/bin/env bash
# test_loyalty_api.sh — the loyalty API over real HTTP (curl) for POS and apps
# (/v1/members/{id}/points ...): the same figures as the CLI, roles (a support key writes, an
# analyst reads, nobody without a key), idempotency keys (a replay answers 200 with the first
# result; another request under the same key is 409), refusals as problem details naming the
# field, and parallel requests for one member: 20 redemptions racing for a balance that covers 3,
# and one key sent 10 times at once, never more than the balance and never twice.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { not_ok "curl installed"; e2e_done; exit 1; }
DATA="$(cd "$(dirname "$0")/../data/loyalty" && pwd)"
SRV_PID=""
cleanup() { [ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null; rm -rf "$E2E_TMP"; }
trap cleanup EXIT
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL ENCORE_PASSWORD ENCORE_WRITE_KEY

cat >"$E2E_TMP/orders.csv" <<'CSV'
order_id,customer_id,time,status,sku,category,qty,unit_price,discount
O1,C1,2026-01-05 10:00,paid,MUG,home,1,100.00,0
O1,C1,2026-01-05 10:00,paid,LIP,beauty/lips,2,250.00,0
O2,C1,2026-02-08 10:00,paid,TEE,apparel,1,1200.00,100.00
CSV
printf 'customer_id,name\nC1,Ann\nC2,Bob\n' >"$E2E_TMP/cust.csv"
"$ENCORE" import customers "$E2E_TMP/cust.csv" >/dev/null
"$ENCORE" import orders "$E2E_TMP/orders.csv" >/dev/null
"$ENCORE" loyalty programme "$DATA/programme.json" >/dev/null
declare -A KEY
for r in owner marketer analyst support; do KEY[$r]=$("$ENCORE" apikey create --role "$r" --name "t $r" 2>/dev/null); done
"$ENCORE" serve --listen 127.0.0.1:0 --no-jobs >"$E2E_TMP/serve.out" 2>"$E2E_TMP/serve.err" &
SRV_PID=$!
PORT=$(serve_port "$E2E_TMP/serve.err")
[ -n "$PORT" ] || { not_ok "server started" "$(cat "$E2E_TMP/serve.err")"; e2e_done; exit 1; }
B="http://127.0.0.1:$PORT"
as() { # ROLE METHOD PATH [JSON BODY]: sets CODE, BODY
  local r=$1 m=$2 p=$3 d=${4:-}
  if [ -n "$d" ]; then
    CODE=$(curl -s -o "$E2E_TMP/body" -w '%{http_code}' -X "$m" -H "Authorization: Bearer ${KEY[$r]}" \
      -H 'Content-Type: application/json' --data "$d" "$B$p")
  else
    CODE=$(curl -s -o "$E2E_TMP/body" -w '%{http_code}' -X "$m" -H "Authorization: Bearer ${KEY[$r]}" "$B$p")
  fi
  BODY=$(cat "$E2E_TMP/body")
}

as support POST /v1/members/C1/points/earn '{"order": "O1"}'
check "a POS (support key) earns an order's points: 201" "$CODE $(jget "$BODY" '(d["points"], d["bonus"], d["balance"])')" \
  "201 (1300, 50, 1350)"
as support POST /v1/members/C1/points/earn '{"order": "O1"}'
check "the same order again: 200, replayed, nothing added" "$CODE $(jget "$BODY" '(d["replayed"], d["balance"])')" \
  "200 (True, 1350)"
as support POST /v1/members/C1/points/earn '{"order": "O2"}'
check "O2 upgrades C1 to silver" "$CODE $(jget "$BODY" '(d["tier"], d["upgraded"])')" "201 ('silver', True)"
as analyst GET /v1/members/C1/points
check "an analyst reads the balance" "$CODE $(jget "$BODY" '(d["balance"], d["tier"], len(d["lots"]), d["next_tier_gap"])')" \
  "200 (3550, 'silver', 3, 330000)"
cli=$("$ENCORE" points balance C1 --json)
check "the same figures as the CLI" "$(jget "$BODY" '(d["balance"], d["expiring_30d"], d["tier_metric"], [(l["points"], l["remaining"]) for l in d["lots"]])')" \
  "$(jget "$cli" '(d["balance"], d["expiring_30d"], d["tier_metric"], [(l["points"], l["remaining"]) for l in d["lots"]])')"
check_match "times in RFC 3339" "$(jget "$BODY" 'd["lots"][0]["earned_at"]')" '^2026-01-05T10:00:00Z$'
as analyst POST /v1/members/C1/points/redeem '{"points": 10, "key": "a1"}'
check "an analyst may not write: 403" "$CODE" 403
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$B/v1/members/C1/points")
check "no key: 401" "$CODE" 401
as support POST /v1/members/C1/points/redeem '{"points": 99999, "key": "big"}'
check "over the balance: 409 naming /points" "$CODE $(jget "$BODY" '(d["errors"][0]["field"], d["detail"])')" \
  "409 ('/points', 'redeeming 99999 points is over the balance of 3550')"
as support POST /v1/members/C1/points/redeem '{"reward": "coupon-10", "key": "r1"}'
check "redeem a reward: 201" "$CODE $(jget "$BODY" 'd["balance"]')" "201 2550"
R1=$(jget "$BODY" 'd["entry"]')
as support POST /v1/members/C1/points/redeem '{"reward": "coupon-10", "key": "r1"}'
check "the same key and request: 200 replayed" "$CODE $(jget "$BODY" '(d["entry"], d["replayed"], d["balance"])')" \
  "200 ($R1, True, 2550)"
as support POST /v1/members/C1/points/redeem '{"reward": "mug", "key": "r1"}'
check "the same key, other content: 409 naming /key" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "409 /key"
as support POST /v1/members/C1/points/redeem '{"reward": "yacht", "key": "r2"}'
check "an unknown reward: 400" "$CODE $(jget "$BODY" 'd["detail"]')" "400 no reward 'yacht' in the catalogue"
as support POST /v1/members/C1/points/redeem '{"points": 5}'
check "no key: 400 naming /key" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /key"
as support POST /v1/members/C1/points/redeem '{"points": 5, "key": "x", "extra": 1}'
check "an unknown field: 400" "$CODE" 400
as support POST /v1/members/C1/points/reverse "{\"entry\": $R1, \"key\": \"rv1\"}"
check "reverse the redemption: 201, points back" "$CODE $(jget "$BODY" 'd["balance"]')" "201 3550"
as support POST /v1/members/C1/points/reverse "{\"entry\": $R1, \"key\": \"rv2\"}"
check "reverse it again: 409" "$CODE" 409
as support POST /v1/members/C1/points/return '{"order": "NOPE"}'
check "a return of an unknown order: 404" "$CODE" 404
as support POST /v1/members/C1/points/adjust '{"points": -20, "reason": "service", "key": "adj1"}'
check "an adjustment records who made it" "$CODE $(jget "$("$ENCORE" points history C1 --json)" 'd[-1]["by"]')" \
  "201 key:4:t support"
as support GET /v1/members/NOBODY/points
check "an unknown member: 404" "$CODE" 404
as owner GET /v1/members/C1/tiers
check "tier history" "$CODE $(jget "$BODY" '[c["to"] for c in d["changes"]]')" "200 ['member', 'silver']"
as owner GET /v1/members/C1/points/history
check "history through the API: the same entries as the CLI" \
  "$(jget "$BODY" '[(e["kind"], e["points"], e["balance"]) for e in d["entries"]]')" \
  "$(jget "$("$ENCORE" points history C1 --json)" '[(e["kind"], e["points"], e["balance"]) for e in d]')"
check "writes are audited" "$("$ENCORE" audit --action points.redeem --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')" 2

# ---- concurrency: one member, many requests at once ----------------------------------------
as support POST /v1/members/C2/points/adjust '{"points": 1000, "reason": "opening", "key": "c2"}'
pids=""
for i in $(seq 20); do
  curl -s -o "$E2E_TMP/p$i.body" -w '%{http_code}\n' -X POST -H "Authorization: Bearer ${KEY[support]}" \
    -H 'Content-Type: application/json' --data "{\"points\": 300, \"key\": \"p$i\"}" \
    "$B/v1/members/C2/points/redeem" >"$E2E_TMP/p$i.code" &
  pids="$pids $!"
done
for i in $(seq 10); do
  curl -s -o "$E2E_TMP/s$i.body" -w '%{http_code}\n' -X POST -H "Authorization: Bearer ${KEY[support]}" \
    -H 'Content-Type: application/json' --data '{"points": 100, "key": "same"}' \
    "$B/v1/members/C2/points/redeem" >"$E2E_TMP/s$i.code" &
  pids="$pids $!"
done
wait $pids # not the server
codes=$(cat "$E2E_TMP"/p*.code | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
check "20 parallel redemptions of 300 (with one of 100 sent 10 times) from 1000: 3 accepted, 17 refused" \
  "$codes" "201x3 409x17 "
check "  the key sent 10 times: one 201, nine 200 replays" \
  "$(cat "$E2E_TMP"/s*.code | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')" "200x9 201x1 "
as owner GET /v1/members/C2/points
check "  the balance is 0, never negative; balance = sum of lots" \
  "$(jget "$BODY" '(d["balance"], sum(l["remaining"] for l in d["lots"]))')" "(0, 0)"
check "  one entry for the repeated key" \
  "$(jget "$("$ENCORE" points history C2 --json)" 'sum(1 for e in d if e["points"] == -100)')" 1
e2e_done
