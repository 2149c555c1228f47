#!/usr/bin/env bash
# test_privacy.sh — erasure and the data-subject export (issue 16, docs/privacy.md), through the
# CLI and the management API over HTTP: after `encore customer erase`, the store, its WAL, every
# cache file beside it and the exports hold none of the customer's email, phone, id or name
# bytes, while the shop's revenue and order counts stay; a later import of the same files does
# not bring the customer back and says so; the audit entry has who, when and why and no
# personal data; bad input gets a clear error and erases nothing; DELETE /v1/customers/{id} is
# for owners only; the export names everything the customer view shows.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
trap e2e_cleanup EXIT
unset ENCORE_LISTEN ENCORE_MASTER_KEY
DB=$ENCORE_DB

demo_shop "$DB" "$T/shop" --customers 600
check "demo shop" "$RC" 0
"$ENCORE" score >/dev/null 2>&1 || not_ok "score"
"$ENCORE" cache build >/dev/null 2>&1 || not_ok "cache build"

# the target: a survivor with a merged registration, orders, events and feedback, and a name no
# other customer has (the scan must not find a namesake); a second and third one for the API
pick() {
  sql "SELECT c.id FROM customers c WHERE c.merged_into IS NULL AND c.erased_at IS NULL
       AND c.email IS NOT NULL AND c.phone IS NOT NULL
       AND NOT EXISTS(SELECT 1 FROM customers d WHERE d.name = c.name AND d.id != c.id
                      AND d.merged_into IS NOT c.id)
       AND EXISTS(SELECT 1 FROM orders o WHERE o.customer_id = c.id)
       AND EXISTS(SELECT 1 FROM events e WHERE e.customer_id = c.id)
       $1 ORDER BY c.id LIMIT 1"
}
ID=$(pick "AND EXISTS(SELECT 1 FROM customers m WHERE m.merged_into = c.id)
           AND EXISTS(SELECT 1 FROM feedback f WHERE f.customer_id = c.id AND f.text IS NOT NULL)")
[ -n "$ID" ] || ID=$(pick "")
check_match "a target customer" "$ID" '^[0-9]+$'

# --- the export, before -----------------------------------------------------------------------
run_rc "$ENCORE" customer export "#$ID" --out "$T/export.json"
check "export exits 0" "$RC" 0
check "export file is 0600" "$(stat -c %a "$T/export.json")" 600
EXP=$(cat "$T/export.json")
run_rc "$ENCORE" customer "#$ID" --json --no-recommendations --recent 500
VIEW=$OUT
check "export: one document with the format and the customer" \
  "$(jget "$EXP" '(d["format"], d["customer"])')" "('encore-subject-export/1', '#$ID')"
check "export: every order the view counts (paid, returned, cancelled)" \
  "$(jget "$EXP" 'len(d["orders"])')" \
  "$(jget "$VIEW" 'd["orders"]["count"] + d["orders"]["returns"] + d["orders"]["cancelled"]')"
check "export: the orders carry their lines" \
  "$(jget "$EXP" 'all(len(o["lines"]) > 0 for o in d["orders"] if o["has_lines"])')" True
check "export: every event and feedback the view counts" \
  "$(jget "$EXP" '(len(d["events"]), len(d["feedback"]))')" "$(jget "$VIEW" '(d["events"], d["feedback"])')"
check "export: identities as the view lists them" \
  "$(jget "$EXP" 'sorted((i["kind"], i["value"]) for i in d["identities"])')" \
  "$(jget "$VIEW" 'sorted((i["kind"], i["value"]) for i in d["identities"])')"
check "export: the merged registration is in it" \
  "$(jget "$EXP" 'len(d["merged_registrations"]) >= 1 and len(d["records"]) == 1 + len(d["merged_registrations"])')" True
check "export: consents = the ledger, and the profile has its reasons" \
  "$($PY -c 'import json,sys; e=json.load(open(sys.argv[1])); v=json.loads(sys.argv[2]); print(len(e["consents"]) == len(v["consent_history"]), "churn_reasons" in e["profile"][0])' "$T/export.json" "$VIEW")" \
  "True True"
check "export is audited, without personal data" \
  "$(sql "SELECT action, target, client FROM audit WHERE action = 'customer.export'")" "customer.export|#$ID|cli"

# the values that must disappear: every identity of the customer and its merged registrations,
# the emails and phones of their records, and the name (unique in this shop)
VALS="$T/values"
$PY - "$T/export.json" >"$VALS" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
vals = set()
for i in d["identities"]:
    vals.add(i["value"])
for r in d["records"] + d["merged_registrations"]:
    for k in ("email", "phone", "external_id", "name"):
        if r.get(k): vals.add(r[k])
for v in sorted(vals):
    if len(v) >= 4: print(v)
PY
NV=$(grep -c . "$VALS")
check_match "values to look for: the customer's id, email, phone, name" "$NV" '^([4-9]|[1-9][0-9])$'
# scan FILE...: the values found in the files (none expected)
scan() {
  $PY - "$VALS" "$@" <<'PY'
import sys
vals = [v.encode() for v in open(sys.argv[1]).read().split("\n") if v]
hits = []
for f in sys.argv[2:]:
    try: data = open(f, "rb").read()
    except OSError: continue
    hits += ["%s in %s" % (v.decode(), f.rsplit("/", 1)[-1]) for v in vals if v in data]
print("; ".join(hits) if hits else "none")
PY
}
check_match "the scan finds them before the erasure (it can fail)" "$(scan "$DB" "$DB".columns "$T/export.json")" ' in '

# a segment export file beside the store, holding the customer
"$ENCORE" audience save everyone 'orders >= 0' >/dev/null 2>&1 || not_ok "segment saved"
mkdir -p "$DB.exports"
"$ENCORE" audience export 'orders >= 0' --fields customer_id,email,phone,name --out "$DB.exports/everyone.csv" >/dev/null 2>&1
check_match "an export file beside the store holds the customer" "$(scan "$DB.exports/everyone.csv")" ' in '

run_rc "$ENCORE" stats --json
BEFORE=$(jget "$OUT" '(d["orders"], d["order_lines"], d["sales"]["revenue"], d["sales"]["orders"])')
NCUST=$(jget "$OUT" 'd["customers"]')

# --- bad input: a clear error, nothing erased ---------------------------------------------------
EMAIL=$(jget "$EXP" '[i["value"] for i in d["identities"] if i["kind"] == "email"][0]')
run_rc "$ENCORE" customer erase "#$ID" --reason "asked by $EMAIL"
check "a reason with the customer's email: exit 2" "$RC" 2
check_match "and says why" "$ERR" "^encore: customer erase: the reason holds the customer's personal data"
check "and the message does not repeat it" "$(grep -c -F "$EMAIL" <<<"$ERR")" 0
run_rc "$ENCORE" customer erase nobody@example.com
check "an unknown customer: exit 1" "$RC" 1
check "and says so without repeating the id" "$ERR" "encore: customer erase: no such customer"
run_rc "$ENCORE" customer erase
check "no ID: exit 2" "$RC" 2
run_rc "$ENCORE" customer erase "#$ID" --force
check "an unknown option: exit 2" "$RC" 2
run_rc "$ENCORE" customer erase "#$ID" "#1"
check "two customers: exit 2" "$RC" 2
check "nothing was erased" "$(sql "SELECT count(*) FROM customers WHERE erased_at IS NOT NULL")" 0
check "the scan still finds them" "$(scan "$DB" | grep -c ' in ')" 1

# --- the erasure ----------------------------------------------------------------------------------
# named by the merged registration's own customer id: the customer it belongs to is erased
WHO=$(jget "$EXP" '([r["external_id"] for r in d["merged_registrations"] if r["external_id"]] + ["#$ID"])[0]')
run_rc "$ENCORE" customer erase "$WHO" --reason "GDPR Art. 17 request, ticket 4711" --json
check "erase exits 0" "$RC" 0
check "erase: the records, identities on the suppression list, orders kept" \
  "$(jget "$OUT" '(d["customer"], d["records"] >= 2, d["identities"] >= 3, d["suppressed"] >= 3, d["orders_kept"] > 0, d["events"] > 0)')" \
  "('#$ID', True, True, True, True, True)"
check "erase: both column caches rebuilt, the export file removed" \
  "$(jget "$OUT" '(d["caches_rebuilt"], d["exports_removed"])')" "(2, 1)"
FILES=("$DB" "$DB-wal" "$DB-shm" "$DB".columns "$DB".profiles.columns "$DB".exports/*)
check "no trace in the store, its WAL, the caches and the exports" "$(scan "${FILES[@]}")" none
check "the WAL is empty" "$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)" 0
run_rc "$ENCORE" stats --json
check "the shop's orders, lines and revenue are unchanged" \
  "$(jget "$OUT" '(d["orders"], d["order_lines"], d["sales"]["revenue"], d["sales"]["orders"])')" "$BEFORE"
check "the customer stays counted as a pseudonym" "$(jget "$OUT" 'd["customers"]')" "$NCUST"
"$ENCORE" export profiles --output "$T/profiles.csv" >/dev/null 2>&1
"$ENCORE" audience export 'orders >= 0' --fields customer_id,email,phone,name --out "$T/aud.csv" >/dev/null 2>&1
"$ENCORE" score >/dev/null 2>&1 || not_ok "score after erasure"
"$ENCORE" report --html "$T/report.html" >/dev/null 2>&1
check "exports and reports made after hold none of it" \
  "$(scan "$T/profiles.csv" "$T/aud.csv" "$T/report.html" "$DB" "$DB".columns "$DB".profiles.columns)" none
check "exports after are not empty (the scan read something)" "$(($(wc -l <"$T/aud.csv") > 100))" 1
run_rc "$ENCORE" customer "$EMAIL"
check "the customer is not found by email" "$RC" 1
run_rc "$ENCORE" customer "#$ID" --json --no-recommendations
check "the pseudonym: no personal field, its orders" \
  "$(jget "$OUT" '(d["name"], d["email"], d["phone"], d["customer_id"], d["identities"], d["orders"]["count"] > 0, d["events"], d["feedback"])')" \
  "(None, None, None, None, [], True, 0, 0)"
check "audit: who, when, why, the pseudonym; no personal data" \
  "$(sql "SELECT action, target, detail, client, at > 0 FROM audit WHERE action = 'customer.erase'")" \
  "customer.erase|#$ID|GDPR Art. 17 request, ticket 4711|cli|1"
check "the audit log holds none of it" "$(sql "SELECT target || ' ' || coalesce(detail, '') FROM audit" >"$T/audit.txt"; scan "$T/audit.txt")" none
run_rc "$ENCORE" customer erase "#$ID" --json
check "erasing again: exit 0, says so, changes nothing (the compaction is done again)" \
  "$RC $(jget "$OUT" '(d["already_erased"], d["identities"], d["caches_rebuilt"])')" "0 (True, 0, 2)"
check "and adds no second audit entry" "$(sql "SELECT count(*) FROM audit WHERE action = 'customer.erase'")" 1
run_rc "$ENCORE" check --json
check "the store is sound after the erasure" "$RC" 0
MREC=$(sql "SELECT id FROM customers WHERE merged_into = $ID LIMIT 1")
if [ -n "$MREC" ]; then
  run_rc "$ENCORE" customer unmerge "#$MREC"
  check "an erased record cannot be unmerged" "$RC $ERR" "1 encore: customer unmerge: customer #$MREC is erased"
else not_ok "the target had a merged registration"; fi

# --- a later import does not bring the customer back, and says so ---------------------------------
declare -A S
for k in customers orders events feedback consents; do
  run_rc "$ENCORE" import $k "$T/shop/$k.csv" --json
  check "re-import $k: exit 0" "$RC" 0
  S[$k]=$(jget "$OUT" '[d["suppressed"], d["imported"]]')
done
check "re-import customers: the customer and its registration suppressed, nothing imported" \
  "$(jget "${S[customers]}" 'd[0] >= 2 and d[1] == 0')" True
check "re-import orders and events: suppressed rows counted, nothing imported" \
  "$(jget "${S[orders]}" 'd[0] > 0 and d[1] == 0') $(jget "${S[events]}" 'd[0] > 0 and d[1] == 0')" "True True"
run_rc "$ENCORE" import customers "$T/shop/customers.csv"
check_match "the import summary says so" "$OUT" "suppressed +[0-9]+ \(rows of erased customers"
check "after re-imports: no trace" "$(scan "$DB" "$DB"-wal)" none
run_rc "$ENCORE" stats --json
check "after re-imports: totals unchanged" \
  "$(jget "$OUT" '(d["orders"], d["order_lines"], d["sales"]["revenue"], d["sales"]["orders"])')" "$BEFORE"
# a bad row beside the erased customer's: reported with line and field, the good ones kept
{ head -1 "$T/shop/customers.csv"; grep -F "$EMAIL" "$T/shop/customers.csv" | head -1
  echo "NEW0001,New Person,new.person@example.com,,,,,,,,,,,"
  echo "NEW0002,Bad Mail,not-an-email,,,1990-13-45,,,,,,,,"; } >"$T/mixed.csv"
run_rc "$ENCORE" import customers "$T/mixed.csv" --json
check "mixed file: one suppressed, the good one imported" "$(jget "$OUT" '(d["suppressed"], d["imported"] >= 1)')" "(1, True)"
run_rc "$ENCORE" customer new.person@example.com --json --no-recommendations
check "the good row is there" "$(jget "$OUT" 'd["customer_id"]')" NEW0001

# --- the management API ---------------------------------------------------------------------------
declare -A KEY
for r in owner marketer analyst support; do KEY[$r]=$("$ENCORE" apikey create --role $r --name "p-$r" 2>/dev/null); done
"$ENCORE" serve --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" & E2E_PIDS="$E2E_PIDS $!"
PORT=$(serve_port "$T/serve.err")
[ -n "$PORT" ] || { not_ok "server started" "$(cat "$T/serve.err")"; e2e_done; exit 1; }
B="http://127.0.0.1:$PORT"
call() { CODE=$(curl -s -o "$T/body" -w '%{http_code}' -X "$2" -H "Authorization: Bearer ${KEY[$1]}" "$B$3"); BODY=$(cat "$T/body"); }
ID2=$(pick "")
call owner GET "/v1/customers/%23$ID2/export"
check "API export: owner 200" "$CODE" 200
"$ENCORE" customer export "#$ID2" >"$T/cli2.json"
check "API export = CLI export (but the time)" \
  "$($PY -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.load(open(sys.argv[2])); a.pop("exported_at"); b.pop("exported_at"); print(a == b)' "$BODY" "$T/cli2.json")" True
call support GET "/v1/customers/%23$ID2/export"
check "API export: support may (customer requests)" "$CODE" 200
for r in marketer analyst; do call $r GET "/v1/customers/%23$ID2/export"; check "API export: $r may not" "$CODE" 403; done
for r in marketer analyst support; do call $r DELETE "/v1/customers/%23$ID2"; check "API erase: $r may not" "$CODE" 403; done
check "nothing erased by them" "$(sql "SELECT erased_at IS NULL FROM customers WHERE id = $ID2")" 1
call owner DELETE "/v1/customers/%23$ID2?reason=$(printf 'x%.0s' $(seq 501))"
check "API erase: a reason too long is 400 naming it" "$CODE $(grep -c query.reason "$T/body")" "400 1"
E2=$(sql "SELECT email FROM customers WHERE id = $ID2")
call owner DELETE "/v1/customers/%23$ID2?reason=asked%20by%20${E2/@/%40}"
check "API erase: a reason with the customer's email is 400 naming it" "$CODE $(grep -c query.reason "$T/body")" "400 1"
call owner DELETE "/v1/customers/nobody@example.com"
check "API erase: unknown customer 404" "$CODE" 404
call support GET "/v1/customers/${E2/@/%40}"
check "a view by email" "$CODE" 200
check "is audited as the store id, not the email" \
  "$(sql "SELECT target FROM audit WHERE action = 'personal.view' ORDER BY id DESC LIMIT 1")" "/v1/customers/#$ID2"
call owner DELETE "/v1/customers/%23$ID2?reason=customer%20request"
check "API erase: owner 200" "$CODE $(jget "$BODY" '(d["customer"], d["orders_kept"] > 0)')" "200 ('#$ID2', True)"
call owner DELETE "/v1/customers/%23$ID2"
check "API erase again: 200, already erased (DELETE is idempotent)" "$CODE $(jget "$BODY" 'd["already_erased"]')" "200 True"
check "API erase audited with the key, the reason, the pseudonym" \
  "$(sql "SELECT actor LIKE 'key:%', role, target, detail, status FROM audit WHERE action = 'customer.erase' ORDER BY id DESC LIMIT 1")" \
  "1|owner|#$ID2|customer request|200"
check "the audit log holds not a byte of the second customer's email" \
  "$(sql "SELECT count(*) FROM audit WHERE instr(coalesce(target, '') || coalesce(detail, ''), '$E2') > 0")" 0
e2e_done
