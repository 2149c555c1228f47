#!/usr/bin/env bash
# test_identity.sh — one merge rule for every path (issue 12, section 1): a second registration
# sharing a phone never overwrites the customer it joins (oldest survives, non-empty fields kept,
# empty ones filled, points summed, the higher tier kept); re-imports change nothing and say
# `skipped`; `stats` and the import count merges the same way; every merge names both ids, its
# rule and source; `encore customer unmerge` gives a registration back with its rows.
. "$(dirname "$0")/lib.sh"
D="$(cd "$(dirname "$0")/../data/trust" && pwd)"
j() { jget "$@"; }

run_rc "$ENCORE" import customers "$D/members_a.csv" --json
check "M001 imported" "$(j "$OUT" '(d["imported"], d["merged"])')" "(1, 0)"
run_rc "$ENCORE" import customers "$D/members_b.csv" --json
check "M002 (same phone, other format) imported and merged" "$(j "$OUT" '(d["imported"], d["merged"])')" "(1, 1)"
run_rc "$ENCORE" customer M001 --json
# before: M001 became 银卡 / 300 points / 2024-06-01 and took M002's name
check "survivor keeps its name" "$(j "$OUT" 'd["name"]')" "王芳"
check "higher tier kept" "$(j "$OUT" 'd["tier"]')" "金卡"
check "points summed" "$(j "$OUT" 'd["points"]')" 1500
check "earlier registration kept" "$(j "$OUT" 'd["registered_at"][:10]')" "2023-01-02"
check "empty field filled (email)" "$(j "$OUT" 'd["email"]')" "wf@example.com"
check "merge names both ids, rule and source" \
  "$(j "$OUT" '[(m["id"] is not None, m["customer_id"], m["rule"], m["source"]) for m in d["merged_from"]]')" \
  "[(True, 'M002', 'shared_phone', 'members_b.csv')]"
run_rc "$ENCORE" customer M002 --json
check "M002 resolves to the survivor" "$(j "$OUT" 'd["customer_id"]')" "M001"

# re-importing both files, in either order, changes nothing and says so
for f in members_a members_b members_a; do
  run_rc "$ENCORE" import customers "$D/$f.csv" --json
  check "re-import $f: skipped" "$(j "$OUT" '(d["imported"], d["updated"], d["skipped"], d["merged"])')" "(0, 0, 1, 0)"
done
run_rc "$ENCORE" customer M001 --json
check "after re-imports: nothing flipped" "$(j "$OUT" '(d["name"], d["tier"], d["points"])')" "('王芳', '金卡', 1500)"

# stats counts merges as the import did
run_rc "$ENCORE" stats --json
check "stats: merged customers = merges reported by import" "$(j "$OUT" '(d["customers"], d["merged_customers"])')" "(1, 1)"

# orders of both registrations belong to the survivor; unmerge gives M002's back
run_rc "$ENCORE" import orders "$D/member_orders.csv" --json
check "orders imported" "$(j "$OUT" 'd["imported"]')" 2
run_rc "$ENCORE" customer M001 --json
check "survivor has both orders" "$(j "$OUT" 'd["orders"]["count"]')" 2
run_rc "$ENCORE" customer unmerge M002 --json
check "unmerge exits 0" "$RC" 0
check "unmerge names the survivor" "$(j "$OUT" 'd["rows_restored"]')" 1
run_rc "$ENCORE" customer M001 --json
check "survivor restored" "$(j "$OUT" '(d["name"], d["tier"], d["points"], d["email"], d["orders"]["count"], d["merged_from"])')" "('王芳', '金卡', 1200, None, 1, [])"
run_rc "$ENCORE" customer M002 --json
check "M002 is its own customer again" "$(j "$OUT" '(d["customer_id"], d["name"], d["tier"], d["points"], d["email"], d["orders"]["count"])')" "('M002', '王芳芳', '银卡', 300, 'wf@example.com', 1)"
run_rc "$ENCORE" stats --json
check "stats after unmerge" "$(j "$OUT" '(d["customers"], d["merged_customers"])')" "(2, 0)"

# bad input to unmerge: a clear error
run_rc "$ENCORE" customer unmerge M002
check "unmerge of a customer not merged exits 1" "$RC" 1
check_match "and says why" "$ERR" "^encore: customer unmerge: customer #[0-9]+ is not merged"
run_rc "$ENCORE" customer unmerge NOBODY
check "unmerge of an unknown id exits 1" "$RC" 1
check_match "and names it" "$ERR" "no customer 'NOBODY'"
run_rc "$ENCORE" customer unmerge
check "unmerge without an id exits 2" "$RC" 2
run_rc "$ENCORE" customer unmerge M002 --bogus
check "unmerge with a stray option exits 2" "$RC" 2
run_rc "$ENCORE" customer unmerge '#x'
check "unmerge of a bad internal id exits 1" "$RC" 1

# the identity policy's merge_on (API identify without verified traits)
run_rc "$ENCORE" customer merge-on;                 check "merge-on: default none" "$OUT" "merge_on: none"
run_rc "$ENCORE" customer merge-on phone,email;     check "merge-on: set" "$OUT" "merge_on: email,phone"
run_rc "$ENCORE" customer merge-on;                 check "merge-on: kept" "$OUT" "merge_on: email,phone"
run_rc "$ENCORE" customer merge-on address;         check "merge-on: unknown identity exits 2" "$RC" 2
check_match "merge-on: says which" "$ERR" "'address' is not email, phone or none"
run_rc "$ENCORE" customer merge-on none;            check "merge-on: none" "$OUT" "merge_on: none"
e2e_done
