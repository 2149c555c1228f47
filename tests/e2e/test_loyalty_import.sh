#!/usr/bin/env bash
# test_loyalty_import.sh — `encore points import FILE`: opening balances and tiers from a CSV.
# Good rows are kept beside bad ones; every bad row is named by file, line and field (unknown
# customer, points not a whole number, negative, too large, a tier the programme lacks, a
# malformed quoted field); a header without a required column is refused whole; importing the
# same file again changes nothing; the balances and tiers match what the file said.
. "$(dirname "$0")/lib.sh"
DATA="$(cd "$(dirname "$0")/../data/loyalty" && pwd)"
F="$E2E_TMP/open.csv"

printf 'customer_id,name,email\nC1,Ann,ann@example.com\nC2,Bob,bob@example.com\nC3,Cy,cy@example.com\nC4,Di,di@example.com\n' >"$E2E_TMP/cust.csv"
"$ENCORE" import customers "$E2E_TMP/cust.csv" >/dev/null
"$ENCORE" loyalty programme "$DATA/programme.json" >/dev/null

# ---- a header without a required column: refused, nothing imported --------------------------------
printf 'customer_id,balance\nC1,100\n' >"$F"
run_rc "$ENCORE" points import "$F"
check "no points column: exit 1 naming the column" "$RC $ERR" \
  "1 encore: points: $F:1: no points column (needs customer_id, points[, tier])"
run_rc "$ENCORE" points import "$E2E_TMP/missing.csv"
check "a missing file: exit 1" "$RC" 1
printf '' >"$F"
run_rc "$ENCORE" points import "$F"
check "an empty file: exit 1, needs a header" "$RC $ERR" "1 encore: points: $F: empty (needs a header)"

# ---- good and bad rows --------------------------------------------------------------------------
cat >"$F" <<'CSV'
points,customer_id,tier,note
1200,C1,gold,from the old card
300,C9,,unknown customer
12.5,C2,,not whole
-40,C2,,negative
99999999999999,C2,,too large
500,C3,platinum,unknown tier
0,bob@example.com,silver,an email finds the customer
,C4,,empty points
750,C4,,"an unterminated quote
CSV
run_rc "$ENCORE" points import "$F" --json
check "good and bad rows: exit 0 (not every row was bad)" "$RC" 0
check "the counts" "$OUT" '{"read":9,"imported":2,"skipped":0,"rejected":7}'
check "each bad row named by file, line and field" "$ERR" "encore: points: $F:3: customer_id: no such customer
encore: points: $F:4: points: not a whole number from 0 to 2^40
encore: points: $F:5: points: not a whole number from 0 to 2^40
encore: points: $F:6: points: not a whole number from 0 to 2^40
encore: points: $F:7: tier: not a tier of the programme
encore: points: $F:9: points: not a whole number from 0 to 2^40
encore: points: $F:10: row: line 10: unterminated quoted field: the quote opened here is never closed, so the 0 lines after it are not read as rows"
B1=$("$ENCORE" points balance C1 --json)
check "C1: 1200 points in gold, as the file said" "$(jget "$B1" '(d["balance"], d["tier"])')" "(1200, 'gold')"
B2=$("$ENCORE" points balance C2 --json)
check "C2 (found by email): 0 points in silver" "$(jget "$B2" '(d["balance"], d["tier"])')" "(0, 'silver')"
check "C1's history holds one import entry" \
  "$(jget "$("$ENCORE" points history C1 --json)" '[e["kind"] for e in d]')" "['import']"

# ---- again: nothing changes -------------------------------------------------------------------------
printf 'customer_id,points,tier\nC1,1200,gold\nC3,400,\n' >"$F"
run_rc "$ENCORE" points import "$F"
check "a re-import skips C1 and imports C3" "$RC $OUT" "0 2 rows: 1 imported, 1 already imported, 0 rejected"
check "a re-import: C1 imported once" "$(sql "SELECT count(*) FROM points_entries WHERE kind = 'import'")" 2
run_rc "$ENCORE" points import "$F" --json
check "the same file a third time changes nothing" "$OUT" '{"read":2,"imported":0,"skipped":2,"rejected":0}'
check "C1 still 1200" "$(jget "$("$ENCORE" points balance C1 --json)" 'd["balance"]')" 1200

# ---- every row bad: exit 1 --------------------------------------------------------------------------
printf 'customer_id,points\nC9,10\n' >"$F"
run_rc "$ENCORE" points import "$F"
check "every row rejected: exit 1" "$RC" 1
run_rc "$ENCORE" points import "$F" --tier gold
check "--tier with a file is a usage error" "$RC" 2
e2e_done
