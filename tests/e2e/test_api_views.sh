#!/usr/bin/env bash
# test_api_views.sh — the customer, segment and analytics routes of the management API over
# real HTTP (curl) with an API key of each role: every route x role answers as the route table
# says; every document equals the CLI's for the same store (encore customer, cohorts, kpis,
# segments, audience fields|preview); the analyst sees personal data masked; consent changes
# land in the ledger and the audit log; saved segments round-trip; bad parameters and bodies
# get 400 naming the field, expression errors their line and column.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
trap e2e_cleanup EXIT
unset ENCORE_LISTEN

"$ENCORE" demo --customers 300 --out "$T/shop" >/dev/null 2>&1 || not_ok "demo shop"
"$ENCORE" score --as-of 2025-06-30 >/dev/null 2>&1
"$ENCORE" score >/dev/null 2>&1
printf '{"quiet_hours": null, "caps": [{"channel": "all", "max": 10, "window": "1d"}]}' >"$T/policy.json"
"$ENCORE" campaign policy "$T/policy.json" >/dev/null
for c in spring autumn; do
  printf '{"name": "%s", "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0.3,
   "content": {"email": {"subject": "Hello", "text": "Hello"}}}' "$c" >"$T/$c.json"
  "$ENCORE" campaign start "$T/$c.json" >/dev/null 2>&1 || not_ok "campaign $c started"
done
declare -A KEY
for r in owner marketer analyst support; do
  KEY[$r]=$("$ENCORE" apikey create --role $r --name "e2e-$r" 2>/dev/null)
done
check "four API keys" "$(for r in owner marketer analyst support; do [ -n "${KEY[$r]}" ] && echo -n x; done)" xxxx

"$ENCORE" serve --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" & E2E_PIDS="$E2E_PIDS $!"
PORT=$(serve_port "$T/serve.err")
[ -n "$PORT" ] || { not_ok "server started" "$(cat "$T/serve.err")"; e2e_done; exit 1; }
B="http://127.0.0.1:$PORT"
# call ROLE METHOD PATH [BODY]: sets CODE and BODY
call() {
  local role=$1 m=$2 p=$3 d=${4:-}
  local auth=(); [ "$role" != none ] && auth=(-H "Authorization: Bearer ${KEY[$role]}")
  if [ -n "$d" ]; then
    CODE=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$d" "$B$p")
  else
    CODE=$(curl -s -o "$T/body" -w '%{http_code}' -X "$m" "${auth[@]}" "$B$p")
  fi
  BODY=$(cat "$T/body")
}
# same A B: the two JSON documents are equal (keys listed in $3 ignored at the top level)
same() { $PY -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); ig=sys.argv[3].split(',')
for k in ig: a.pop(k, None); b.pop(k, None)
print('same' if a == b else 'differ: %s vs %s' % (json.dumps(a)[:300], json.dumps(b)[:300]))" "$1" "$2" "${3:-}"; }

C1=$(sqlite3 "$ENCORE_DB" "SELECT external_id FROM customers WHERE merged_into IS NULL AND email IS NOT NULL AND phone IS NOT NULL AND id IN (SELECT customer_id FROM orders) ORDER BY id LIMIT 1")

# --- the CLI's segment preview ------------------------------------------------------------------
run_rc "$ENCORE" audience preview 'orders >= 2' --sample 3 --json
check "preview: a sample of 3, every one matching" "$(jget "$OUT" '(len(d["sample"]), all(x["orders"] >= 2 for x in d["sample"]), d["count"] <= d["total"])')" "(3, True, True)"
check "preview: the sample in store id order, spread over the matches" "$(jget "$OUT" '[x["id"] for x in d["sample"]] == sorted(x["id"] for x in d["sample"])')" True
run_rc "$ENCORE" audience preview 'orders >= 2' --sample 3 --mask --json
check "preview --mask: no email shown whole" "$(jget "$OUT" 'all(x["email"] is None or "***@" in x["email"] for x in d["sample"]) and all(x["name"] is None or len(x["name"]) <= 5 for x in d["sample"])')" True
run_rc "$ENCORE" audience preview 'orders >= 2'
check_match "preview: human heading" "$OUT" "^[0-9]+ of [0-9]+ customers \([0-9.]+%\) in [0-9.]+ ms: orders >= 2"
run_rc "$ENCORE" audience preview 'orders >= 2' --sample 101
check_match "preview: --sample 101 refused" "$RC $ERR" "^2 encore: audience: --sample '101': expected 0 to 100"
run_rc "$ENCORE" audience preview 'orders >=' --json
check_match "preview: a syntax error exits 2 with its position" "$RC $ERR" "^2 encore: audience: line 1, column 10"
run_rc "$ENCORE" audience count 'orders >= 2' --sample 3
check_match "count takes no --sample" "$RC $ERR" "^2 encore: audience: count takes no --sample"

# --- route x role ---------------------------------------------------------------------------------
while read -r m p roles body; do
  [ "$body" = "-" ] && body=""
  for r in none owner marketer analyst support; do
    call $r "$m" "$p" "$body"
    if [ $r = none ]; then want=401; elif [[ ",$roles," == *",$r,"* ]]; then want=2xx; else want=403; fi
    got=$CODE; [[ "$CODE" == 2* ]] && got=2xx
    check "$m $p as $r: $want" "$got" "$want"
  done
done <<ROUTES
GET /v1/customers?q=$C1 owner,marketer,analyst,support -
GET /v1/customers/$C1 owner,marketer,analyst,support -
POST /v1/customers/$C1/consents owner,marketer,support {"channel":"sms","purpose":"marketing","granted":true}
GET /v1/segments/fields owner,marketer,analyst -
POST /v1/segments/count owner,marketer,analyst {"expression":"orders >= 1"}
GET /v1/segments owner,marketer,analyst -
GET /v1/analytics/kpis owner,marketer,analyst -
GET /v1/analytics/distribution owner,marketer,analyst -
GET /v1/analytics/migration owner,marketer,analyst -
GET /v1/analytics/cohorts owner,marketer,analyst -
ROUTES
for r in owner marketer analyst support; do
  call $r PUT /v1/segments/e2e-$r '{"expression":"orders >= 2"}'
  if [ $r = owner ] || [ $r = marketer ]; then want=201; else want=403; fi
  check "PUT /v1/segments/{name} as $r: $want" "$CODE" "$want"
  call $r DELETE /v1/segments/e2e-owner
  if [ $r = marketer ]; then want=200; elif [ $r = owner ]; then want=404; else want=403; fi
  [ $r = owner ] && want=200
  check "DELETE /v1/segments/{name} as $r: $want" "$CODE" "$want"
  [ $r = owner ] && { call owner PUT /v1/segments/e2e-owner '{"expression":"orders >= 2"}'; }
done

# --- the same numbers as the CLI ----------------------------------------------------------------
call analyst GET /v1/analytics/cohorts
check "cohorts = encore cohorts --json" "$(same "$BODY" "$("$ENCORE" cohorts --json)")" same
call analyst GET "/v1/analytics/cohorts?period=week"
check "weekly cohorts = encore cohorts --period week --json" "$(same "$BODY" "$("$ENCORE" cohorts --period week --json)")" same
check "cohorts: some customers" "$(jget "$BODY" 'sum(c["size"] for c in d["cohorts"]) > 100')" True
call analyst GET /v1/analytics/kpis
check "kpis = encore kpis --json" "$(same "$BODY" "$("$ENCORE" kpis --json)")" same
call analyst GET "/v1/analytics/kpis?interval=week&from=2025-W10&to=2025-W20"
check "kpis by week over a window = the CLI's" "$(same "$BODY" "$("$ENCORE" kpis --interval week --from 2025-W10 --to 2025-W20 --json)")" same
check "kpis: 11 weeks" "$(jget "$BODY" 'len(d["periods"])')" 11
for by in rfm lifecycle tag; do
  call analyst GET "/v1/analytics/distribution?by=$by"
  check "distribution by $by = encore segments --json" "$(same "$BODY" "$("$ENCORE" segments --by $by --json)")" same
done
call analyst GET "/v1/analytics/migration?by=lifecycle"
check "migration = encore segments --migration --json" "$(same "$BODY" "$("$ENCORE" segments --migration --by lifecycle --json)")" same
check "migration: between runs 1 and 2" "$(jget "$BODY" '(d["from"]["run"], d["to"]["run"])')" "(1, 2)"
call marketer GET /v1/segments/fields
check "fields = encore audience fields --json" "$(same "$BODY" "$("$ENCORE" audience fields --json)")" same
check "fields: every registry row, with help and example" "$(jget "$BODY" 'all(f["help"] and f["example"] for f in d["fields"] + d["functions"]) and len(d["fields"]) > 40')" True
call marketer POST /v1/segments/count '{"expression":"orders >= 2 and lifecycle != \"churned\"","sample":5,"now":"2030-01-01"}'
check "count = encore audience preview --json" "$(same "$BODY" "$("$ENCORE" audience preview 'orders >= 2 and lifecycle != "churned"' --sample 5 --now 2030-01-01 --json)" ms,timing)" same
check "count: five in the sample, timing given" "$(jget "$BODY" '(len(d["sample"]), d["ms"] >= 0, d["count"] == sum(1 for _ in range(d["count"])))')" "(5, True, True)"
check "count: the number is the store's" "$(jget "$BODY" 'd["count"]')" "$("$ENCORE" audience count 'orders >= 2 and lifecycle != "churned"' --now 2030-01-01 --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["count"])')"
call marketer GET "/v1/customers/$C1"
check "customer view = encore customer --json (marketer)" "$(same "$BODY" "$("$ENCORE" customer "$C1" --json --no-recommendations)")" same
call support GET "/v1/customers/$C1?recent=1"
check "support sees personal data" "$(jget "$BODY" '(d["masked"], "***" in (d["email"] or ""), len(d["orders"]["recent"]) <= 1)')" "(False, False, True)"
call analyst GET "/v1/customers/$C1"
check "customer view = encore customer --mask --json (analyst)" "$(same "$BODY" "$("$ENCORE" customer "$C1" --json --mask --no-recommendations)")" same
EMAIL=$(sqlite3 "$ENCORE_DB" "SELECT email FROM customers WHERE external_id = '$C1'")
PHONE=$(sqlite3 "$ENCORE_DB" "SELECT phone FROM customers WHERE external_id = '$C1'")
check "analyst: no email or phone in the view" "$(echo "$BODY" | grep -c -e "$EMAIL" -e "${PHONE#+}")" 0
check_match "analyst: email masked" "$(jget "$BODY" 'd["email"]')" '^.\*\*\*@'
call marketer GET "/v1/customers/$C1?recommendations=true"
check "recommendations on request" "$(jget "$BODY" 'type(d["recommendations"]).__name__')" list
call analyst GET "/v1/customers?q=$EMAIL"
check "search by email = encore customer --search --mask" "$(same "$BODY" "$("$ENCORE" customer --search "$EMAIL" --mask --json)" next_cursor)" same
call marketer GET "/v1/customers?limit=7"
N=$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM customers WHERE merged_into IS NULL"); seen=$(jget "$BODY" 'len(d["items"])'); cur=$(jget "$BODY" 'd["next_cursor"]')
while [ "$cur" != "None" ]; do
  call marketer GET "/v1/customers?limit=7&cursor=$cur"; seen=$((seen + $(jget "$BODY" 'len(d["items"])'))); cur=$(jget "$BODY" 'd["next_cursor"]')
done
check "search pages cover every customer" "$seen" "$N"

call analyst GET "/v1/analytics/campaigns?at=2030-01-01"
check "campaigns: both started campaigns" "$(jget "$BODY" 'sorted(c["name"] for c in d["campaigns"])')" "['autumn', 'spring']"
for c in spring autumn; do
  check "campaigns: $c as encore campaign report" "$(jget "$BODY" "[(x['audience'], x['holdout'], x['incremental_revenue'], x['cost']) for x in d['campaigns'] if x['name'] == '$c'][0]")" \
    "$("$ENCORE" campaign report $c --at 2030-01-01 --json | $PY -c 'import json,sys; d=json.load(sys.stdin); t=[g for g in d["groups"] if g["kind"] == "treated"] or [g for g in d["groups"] if g["kind"] != "holdout"]; h=[g for g in d["groups"] if g["kind"] == "holdout"][0]; u=t[0]["uplift"]; print((t[0]["audience"], h["audience"], u["incremental_revenue"], u["cost"]))')"
done
check "campaigns: ranked by incremental revenue" "$(jget "$BODY" '[c["incremental_revenue"] for c in d["campaigns"]] == sorted([c["incremental_revenue"] for c in d["campaigns"]], reverse=True)')" True
call analyst GET "/v1/analytics/campaigns?at=soon"
check "campaigns: bad at" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.at"
call support GET "/v1/analytics/campaigns"
check "campaigns: support 403" "$CODE" 403

# --- consent changes ---------------------------------------------------------------------------
call support POST "/v1/customers/$C1/consents" '{"channel":"Email","purpose":"marketing","granted":false}'
check "consent: 201" "$CODE" 201
check "consent: canonical channel, revoked" "$(jget "$BODY" '(d["channel"], d["purpose"], d["granted"], d["source"])')" "('email', 'marketing', False, 'api')"
check "consent: in force in the CLI's view" "$("$ENCORE" customer "$C1" --json --no-recommendations | $PY -c 'import json,sys; d=json.load(sys.stdin); print([c["granted"] for c in d["consents"] if c["channel"] == "email" and c["purpose"] == "marketing"])')" "[False]"
check "consent: the audit log has it" "$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM audit WHERE action = 'customer.consent' AND actor LIKE 'key:%e2e-support' AND detail = 'email/marketing revoked'")" 1
check "personal views are audited" "$([ "$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM audit WHERE action = 'personal.view' AND target LIKE '/v1/customers%'")" -ge 8 ] && echo yes)" yes
call support POST "/v1/customers/$C1/consents" '{"channel":"fax","purpose":"marketing","granted":true}'
check "consent: unknown channel 400 naming it" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /channel"
call support POST "/v1/customers/$C1/consents" '{"channel":"sms","purpose":"marketing"}'
check "consent: granted required" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /granted"
call support POST "/v1/customers/$C1/consents" '{"channel":"sms","purpose":"marketing","granted":true,"extra":1}'
check "consent: unknown field refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /extra"
call support POST "/v1/customers/nobody-here/consents" '{"channel":"sms","purpose":"marketing","granted":true}'
check "consent: unknown customer 404" "$CODE" 404

# --- saved segments ------------------------------------------------------------------------------
call marketer POST /v1/segments '{"name":"loyal","expression":"orders >= 3","description":"bought three times"}'
check "segment created" "$CODE $(jget "$BODY" '(d["name"], d["expression"], d["description"])')" "201 ('loyal', 'orders >= 3', 'bought three times')"
check "segment: the CLI sees it" "$("$ENCORE" audience show loyal --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["expr"])')" "orders >= 3"
call marketer POST /v1/segments '{"name":"loyal","expression":"orders >= 4"}'
check "segment: POST of an existing name 409" "$CODE" 409
call marketer PUT /v1/segments/vip '{"expression":"segment(\"loyal\") and clv > 100"}'
check "segment using another: 201" "$CODE" 201
call marketer DELETE /v1/segments/loyal
check_match "segment in use: delete refused naming the user" "$CODE $(jget "$BODY" 'd["detail"]')" "^409 used by 'vip'"
call marketer PUT /v1/segments/loyal '{"expression":"orders >= 4","description":"four"}'
check "segment replaced: 200, description kept as given" "$CODE $(jget "$BODY" '(d["expression"], d["description"])')" "200 ('orders >= 4', 'four')"
call analyst GET /v1/segments/loyal
check "segment read by an analyst" "$CODE $(jget "$BODY" 'd["expression"]')" "200 orders >= 4"
call analyst GET /v1/segments
check "segment list" "$(jget "$BODY" 'sorted(s["name"] for s in d["items"])')" "['e2e-marketer', 'loyal', 'vip']"
call marketer GET /v1/segments/nothing
check "unknown segment 404" "$CODE" 404
call marketer PUT /v1/segments/loop '{"expression":"segment(\"loop\")"}'
check_match "segment referring to itself refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "^400 /expression"
call marketer POST /v1/segments '{"name":"-x","expression":"orders >= 1"}'
check "segment name starting with '-' refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /name"

# --- export as a job ------------------------------------------------------------------------------
call marketer POST /v1/segments/loyal/export
check "export: 202 with a job" "$CODE $(jget "$BODY" '(d["kind"], d["state"], d["params"]["segment"])')" "202 ('export', 'queued', 'loyal')"
JOB=$(jget "$BODY" 'd["id"]')
for _ in $(seq 100); do call marketer GET "/v1/jobs/$JOB"; [ "$(jget "$BODY" 'd["state"]')" = done ] && break; sleep 0.1; done
check "export: the job is done" "$(jget "$BODY" '(d["state"], d["result"]["segment"])')" "('done', 'loyal')"
ROWS=$(jget "$BODY" 'd["result"]["rows"]')
check "export: as many rows as the segment counts" "$ROWS" "$("$ENCORE" audience count 'segment("loyal")' --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["count"])')"
call marketer GET "/v1/segments/loyal/export/$JOB"
check "export: the file is served" "$CODE" 200
check "export: header and rows" "$(printf '%s' "$BODY" | head -1 | tr -d '\r'),$(printf '%s\n' "$BODY" | grep -c .)" \
  "id,customer_id,name,email,phone,orders,revenue,lifecycle,rfm_segment,clv,churn_risk,$((ROWS + 1))"
check "export: every row has 11 fields and at least 4 orders" "$(printf '%s' "$BODY" | $PY -c 'import csv,sys; r=list(csv.reader(sys.stdin)); print(all(len(x) == 11 for x in r) and all(int(x[5]) >= 4 for x in r[1:]))')" True
F=$(ls "$ENCORE_DB".exports/segment-loyal-"$JOB".csv 2>/dev/null)
check "export: the file beside the store is 0600" "$(stat -c %a "$F" 2>/dev/null)" 600
check "export: the audit log has it" "$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM audit WHERE action = 'segment.export' AND target = 'job:$JOB'")" 1
call analyst POST /v1/segments/loyal/export
check "export: analysts may not" "$CODE" 403
call analyst GET "/v1/segments/loyal/export/$JOB"
check "export: nor download" "$CODE" 403
call marketer GET "/v1/segments/vip/export/$JOB"
check "export: another segment's job is not found" "$CODE" 404
call marketer POST /v1/segments/nothing/export
check "export: unknown segment 404" "$CODE" 404
call marketer GET "/v1/segments/loyal/export/x1"
check "export: a bad job id 400" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 path.id"

# --- bad input ------------------------------------------------------------------------------------
call analyst POST /v1/segments/count '{"expression":"orders >= 2 and\n  lifecyle = \"new\""}'
check "count: parse error 400 at line 2, column 3" "$CODE $(jget "$BODY" '(d["errors"][0]["field"], d["errors"][0]["line"], d["errors"][0]["column"])')" "400 ('/expression', 2, 3)"
check_match "count: the message says what is wrong" "$(jget "$BODY" 'd["errors"][0]["message"]')" "unknown field 'lifecyle' \\(did you mean 'lifecycle'\\?\\)"
call analyst POST /v1/segments/count '{"expression":"orders >= "}'
check "count: a syntax error has a position" "$CODE $(jget "$BODY" '(d["errors"][0]["line"], d["errors"][0]["column"] > 1)')" "400 (1, True)"
call analyst POST /v1/segments/count '{"expression":"orders >= 1\u0001"}'
check "count: a control character other than tab or line break refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /expression"
call analyst POST /v1/segments/count '{"expression":"orders >= 1","sample":101}'
check "count: sample above 100 refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /sample"
call analyst POST /v1/segments/count '{"expression":"orders >= 1","now":"yesterday"}'
check "count: bad now refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /now"
call analyst POST /v1/segments/count '{"sample":3}'
check "count: expression required" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 /expression"
call analyst GET "/v1/analytics/kpis?interval=year"
check "kpis: bad interval" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.interval"
call analyst GET "/v1/analytics/kpis?from=2025-13"
check "kpis: bad from" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.from"
call analyst GET "/v1/analytics/kpis?interval=day&from=1900-01-01&to=2100-01-01"
check "kpis: too many periods" "$CODE" 400
call analyst GET "/v1/analytics/kpis?bogus=1"
check "kpis: unknown parameter" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.bogus"
call analyst GET "/v1/analytics/cohorts?period=day"
check "cohorts: period day refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.period"
call analyst GET "/v1/analytics/distribution?by=zodiac"
check "distribution: bad by" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.by"
call analyst GET "/v1/analytics/migration?by=tag"
check "migration: by tag refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.by"
call analyst GET "/v1/customers/$C1?recent=0"
check "customer: recent 0 refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.recent"
call analyst GET "/v1/customers/$C1?recommendations=maybe"
check "customer: recommendations must be true or false" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.recommendations"
call analyst GET "/v1/customers/no-such-customer"
check "customer: unknown 404" "$CODE" 404
call analyst GET "/v1/customers?q=$(head -c 300 /dev/zero | tr '\0' a)"
check "search: q over 256 bytes refused" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.q"
call analyst GET "/v1/customers?cursor=not-a-cursor"
check "search: forged cursor refused" "$CODE" 400
call analyst GET "/v1/customers/%27%3B%20DROP%20TABLE%20customers%3B--"
check "customer: SQL in the path is just an unknown id" "$CODE" 404
check "the store is intact" "$(sqlite3 "$ENCORE_DB" "SELECT count(*) FROM customers WHERE merged_into IS NULL")" "$N"
e2e_done
