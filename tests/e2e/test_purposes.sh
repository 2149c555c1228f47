#!/usr/bin/env bash
# test_purposes.sh — consent per channel and purpose (issue 16, docs/privacy.md): the ledger takes
# marketing, service and analytics; a campaign declares its purpose ("marketing" by default,
# "service" for transactional mail) and only customers whose consent for that purpose is in force
# on a channel are sent on it; a bad purpose is refused naming the field; the export lists the
# ledger with its purposes.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
cat >"$T/customers.csv" <<'CSV'
customer_id,name,email
A1,Ann,ann@example.com
B1,Bob,bob@example.com
C1,Cid,cid@example.com
D1,Dee,dee@example.com
E1,Eve,eve@example.com
CSV
# A1 service; B1 marketing; C1 service granted then revoked; D1 service on every channel and
# marketing by email; E1 analytics only
cat >"$T/consents.csv" <<'CSV'
consent_id,customer_id,channel,purpose,status,time
K1,A1,email,service,granted,2025-01-01
K2,B1,email,marketing,granted,2025-01-01
K3,C1,email,service,granted,2025-01-01
K4,C1,email,service,revoked,2025-02-01
K5,D1,all,service,granted,2025-01-01
K6,D1,email,marketing,granted,2025-01-01
K7,E1,email,analytics,granted,2025-01-01
K8,A1,email,lottery,granted,2025-01-01
CSV
"$ENCORE" import customers "$T/customers.csv" >/dev/null 2>&1 || not_ok "customers imported"
run_rc "$ENCORE" import consents "$T/consents.csv" --json
check "consents: seven kept, the unknown purpose rejected" "$(jget "$OUT" '(d["imported"], d["rejected"])')" "(7, 1)"
check "the rejected row names its line and field" \
  "$(jget "$OUT" '[(e["line"], e["field"]) for e in d["errors"]]')" "[(9, 'purpose')]"
check_match "and says which purposes there are" "$(jget "$OUT" 'd["errors"][0]["reason"]')" "marketing, service, analytics"

printf '{"quiet_hours": null, "caps": []}' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null
camp() { # camp NAME EXTRA-JSON: plans a one-off email campaign; OUT = who gets it
  printf '{"name": "%s", "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0, %s
   "content": {"email": {"subject": "Hi", "text": "Hi"}}}' "$1" "$2" >"$T/$1.json"
  run_rc "$ENCORE" campaign plan "$T/$1.json" --json
}
who() { jget "$OUT" '(sorted(s["address"].split("@")[0] for s in d["sample"]), d["excluded"]["no_consent"])'; }
camp promo ''
check "marketing (the default): only marketing consent" "$(who)" "(['bob', 'dee'], 3)"
camp promo2 '"purpose": "marketing",'
check "marketing, declared" "$(who)" "(['bob', 'dee'], 3)"
camp receipt '"transactional": true,'
check "transactional: service consent (the 'all' entry counts; the revoked one does not)" "$(who)" "(['ann', 'dee'], 3)"
camp notice '"purpose": "service",'
check "service, declared" "$(who)" "(['ann', 'dee'], 3)"
run_rc "$ENCORE" campaign start "$T/receipt.json"
check "a transactional campaign starts" "$RC" 0
check "its messages go to the service consents only" \
  "$(sql "SELECT group_concat(address, ' ') FROM (SELECT address FROM messages WHERE campaign = 'receipt' ORDER BY address)")" \
  "ann@example.com dee@example.com"

# bad purposes: refused, naming the field
camp bad1 '"purpose": "analytics",'
check "purpose analytics for a campaign: exit 1 (a bad campaign file)" "$RC" 1
check_match "names the field and the choices" "$ERR" 'purpose: "marketing" or "service"'
camp bad2 '"purpose": 3,'
check "a purpose that is not a string: exit 1" "$RC" 1
camp bad3 '"transactional": true, "purpose": "marketing",'
check "transactional mail for marketing: exit 1" "$RC" 1
check_match "and says why" "$ERR" "a transactional campaign's purpose is \"service\""

run_rc "$ENCORE" customer export E1
check "the export lists the ledger with its purposes" \
  "$(jget "$OUT" '[(c["channel"], c["purpose"], c["granted"]) for c in d["consents"]]')" "[('email', 'analytics', 1)]"
run_rc "$ENCORE" customer E1 --json --no-recommendations
check "the customer view shows the analytics consent" \
  "$(jget "$OUT" '[(c["channel"], c["purpose"], c["granted"]) for c in d["consents"]]')" "[('email', 'analytics', True)]"
e2e_done
