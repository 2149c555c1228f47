#!/usr/bin/env bash
# test_scores_trust.sh — scores that mean what they say (issue 12, section 4), through the real
# binary: a run as of D is visible to audiences at any time on D; `score` without --as-of never
# takes a time later than today; monetary, m, spend tier and big_spender are net of returns;
# rfm.k other than 5 keeps named segments; churn reasons only argue for churn, with units.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
j() { jget "$@"; }
sqlw() { $PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.executescript(sys.argv[2]); db.commit()" "$ENCORE_DB" "$1"; }

# 60 customers with 1..6 orders over 2025; R1 buys the most and returns all of it
$PY - "$T/orders.csv" "$T/returns.csv" <<'PY'
import sys, random
random.seed(7)
rows = ["order_id,customer_id,time,sku,qty,unit_price,status"]
n = 0
for c in range(60):
    for k in range(1 + c % 6):
        n += 1
        day = 1 + (c * 7 + k * 29) % 330
        rows.append(f"O{n},C{c:02d},2025-01-01 10:00:00,S{k},1,{20 + c},paid".replace("2025-01-01", f"2025-{1 + day // 31 % 12:02d}-{1 + day % 28:02d}"))
for k in range(6):
    rows.append(f"R1-{k},RET,2025-0{1 + k}-10 10:00:00,S9,1,12863.93,paid")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
ret = ["order_id,customer_id,time,sku,qty,unit_price,status"]
for k in range(6):
    ret.append(f"X1-{k},RET,2025-0{1 + k}-20 10:00:00,S9,1,12863.93,returned")
open(sys.argv[2], "w").write("\n".join(ret) + "\n")
PY
"$ENCORE" import orders "$T/orders.csv" >/dev/null
"$ENCORE" import orders "$T/returns.csv" >/dev/null

run_rc "$ENCORE" score --as-of 2025-12-31 --json
check "score as of 2025-12-31" "$(j "$OUT" 'd["as_of"]')" 2025-12-31

# --- net of returns -------------------------------------------------------------------------
run_rc "$ENCORE" profile RET --json
# before: a customer who returned all of 77,183.58 was m = 5 and big_spender
check "returned everything: monetary 0" "$(j "$OUT" 'd["monetary"]')" 0.0
check "returned everything: returns kept apart" "$(j "$OUT" 'd["returns_amount"]')" 77183.58
check "returned everything: m = 1, not 5" "$(j "$OUT" 'd["m"]')" 1
check "returned everything: not big_spender" "$(j "$OUT" '"big_spender" in d["tags"]')" False
check "returned everything: spend tier low" "$(j "$OUT" 'd["spend_tier"]')" low

# --- one as-of convention -------------------------------------------------------------------
for now in "2025-12-31 00:00:00" "2025-12-31 12:00:00" "2025-12-31 23:59:59"; do
  run_rc "$ENCORE" audience count 'known(m)' --now "$now" --json
  check "audience at $now sees the run as of 2025-12-31" "$(j "$OUT" 'd["count"] > 0')" True
done
run_rc "$ENCORE" audience count 'known(m)' --now "2025-12-30 23:59:59" --json
check "a day before, the run is not there yet" "$(j "$OUT" 'd["count"]')" 0

# --- score without --as-of never later than today --------------------------------------------
sqlw "UPDATE orders SET ts = strftime('%s', '2099-01-01') WHERE order_key = 'O1'"
run_rc "$ENCORE" score --json
check "score without --as-of: exit 0" "$RC" 0
check "score without --as-of: not later than today" "$(j "$OUT" 'd["as_of"] <= __import__("datetime").date.today().isoformat()')" True
sqlw "UPDATE orders SET ts = strftime('%s', '2025-01-02') WHERE order_key = 'O1'"

# --- rfm.k other than 5 keeps named segments ---------------------------------------------------
for k in 3 10; do
  printf '{"rfm": {"k": %d}}\n' "$k" > "$T/k$k.json"
  run_rc "$ENCORE" score --as-of 2025-12-31 --config "$T/k$k.json" --json
  check "rfm.k=$k: score exits 0" "$RC" 0
  if [ "$k" = 3 ]; then check_match "rfm.k=3: a clear warning of the segments that cannot occur" "$ERR" "warning: rfm.k = 3: .*cannot occur"; fi
  if [ "$k" = 10 ]; then check "rfm.k=10: no warning" "$ERR" ""; fi
  run_rc "$ENCORE" segments --by rfm --json
  check "rfm.k=$k: named segments hold the buyers (before: every one empty)" \
    "$(j "$OUT" 'len([s for s in d["segments"] if s.get("customers", 0) > 0 and s.get("segment") not in (None, "")]) >= 3')" True
  run_rc "$ENCORE" audience count 'rfm_segment = "Champions"' --now "2025-12-31" --json
  check "rfm.k=$k: Champions exist" "$(j "$OUT" 'd["count"] > 0')" True
done

# --- churn reasons only raise risk, with units --------------------------------------------------
"$ENCORE" score --as-of 2025-12-31 >/dev/null
"$ENCORE" export profiles --format jsonl --output "$T/p.jsonl"
check "no reason argues against churn" "$($PY -c "
import json,sys
bad = [r for l in open(sys.argv[1]) for r in (json.loads(l)['churn_reasons'] or [])
       if r.startswith(('bought often lately', 'spends a lot', 'bought recently', 'buys often', 'on rhythm', 'engaged', 'many purchases'))]
print(len(bad))" "$T/p.jsonl")" 0
check "every 'usually every' names its unit" "$($PY -c "
import json,re,sys
rs = [r for l in open(sys.argv[1]) for r in (json.loads(l)['churn_reasons'] or []) if 'usually every' in r]
print(all(re.search(r'usually every [0-9.]+ days', r) for r in rs))" "$T/p.jsonl")" True
e2e_done
