#!/usr/bin/env bash
# test_api_viewload.sh — the customer view under concurrent clients (issue 13's latency work):
# every view is still audited (who, when, from where) although the entries go through the
# writer's queue — GET /v1/audit reads them at once, and a server stopped right after a burst
# has written them all before it exits; the recommendation model is built once and shared
# (the /metrics counter), equals the CLI's, and is rebuilt after a score run. Real HTTP, curl.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { not_ok "curl installed"; e2e_done; exit 1; }
. "$(dirname "$0")/api_lib.sh"
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL ENCORE_PASSWORD ENCORE_WRITE_KEY

"$ENCORE" gen --out "$E2E_TMP/shop" --customers 150 >/dev/null
for t in products customers orders events consents; do "$ENCORE" import "$t" "$E2E_TMP/shop/$t.csv" >/dev/null 2>&1; done
"$ENCORE" score >/dev/null
declare -A KEY
for r in owner marketer analyst; do KEY[$r]=$("$ENCORE" apikey create --role "$r" --name "t $r" 2>/dev/null); done
sql "SELECT external_id FROM customers WHERE merged_into IS NULL AND external_id IS NOT NULL ORDER BY id LIMIT 40" >"$E2E_TMP/ids"
C1=$(head -1 "$E2E_TMP/ids")
api_serve --no-jobs
metric() { curl -s -H "Authorization: Bearer ${KEY[owner]}" "$B/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
burst() { # ROLE COPIES: every id in ids COPIES times, 16 clients at once; prints the statuses
  for _ in $(seq "$2"); do cat "$E2E_TMP/ids"; done | xargs -P 16 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
    -H "Authorization: Bearer ${KEY[$1]}" "$B/v1/customers/{}?recommendations=true" | sort | uniq -c | awk '{ print $2 "x" $1 }'
}
views() { sql "SELECT count(*) FROM audit WHERE action = 'personal.view' AND target LIKE '/v1/customers/%'"; }

check "before any view: no model built" "$(metric encore_recommendation_model_builds_total)" 0
check "120 views by 16 concurrent clients all answer 200" "$(burst analyst 3)" "200x120"
check "one recommendation model for all of them" "$(metric encore_recommendation_model_builds_total)" 1
as owner GET "/v1/audit?action=personal.view&limit=500"
check "GET /v1/audit shows every view at once (the queue is written first)" \
  "$(jget "$BODY" 'len([e for e in d["items"] if e["target"].startswith("/v1/customers/")])')" 120
check "... each with who, when, from where and the status" \
  "$(jget "$BODY" 'sorted({(e["actor"], e["role"], e["client"], e["status"], e["at"] is not None) for e in d["items"]})')" \
  "[('key:3:t analyst', 'analyst', '127.0.0.1', 200, True)]"
check "the store holds them" "$(views)" 120
as marketer GET "/v1/customers/$C1?recommendations=true"
check "the shared model recommends what the CLI's does" \
  "$(jget "$BODY" '[r["sku"] for r in d["recommendations"]]')" \
  "$(jget "$("$ENCORE" customer "$C1" --json)" '[r["sku"] for r in d["recommendations"]]')"
check_match "... which are some" "$(jget "$BODY" 'len(d["recommendations"])')" '^[1-9]'
check "a view without recommendations builds nothing" \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${KEY[analyst]}" "$B/v1/customers/$C1"; metric encore_recommendation_model_builds_total)" "2001"
as marketer POST "/v1/jobs?kind=score"
wait_job "$(jget "$BODY" 'd["id"]')"
check "a score run" "$(jget "$BODY" 'd["state"]')" done
as marketer GET "/v1/customers/$C1?recommendations=true"
check "after the score run the model is rebuilt" "$CODE $(metric encore_recommendation_model_builds_total)" "200 2"
as marketer GET "/v1/customers/$C1?recommendations=true"
check "... once" "$(metric encore_recommendation_model_builds_total)" 2
check "the metrics count the audit entries queued and written" \
  "$(metric 'encore_audit_entries_total{state="queued"}') $(metric 'encore_audit_entries_total{state="written"}')" "$(
  a=$(metric 'encore_audit_entries_total{state="written"}'); echo "$a $a")"
BEFORE=$(views)
burst analyst 2 >"$E2E_TMP/statuses"
kill -TERM "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
check "80 more views answered" "$(cat "$E2E_TMP/statuses")" "200x80"
check "a server stopped right after a burst has written every view before it exits" "$(views)" "$((BEFORE + 80))"
check "no audit failure logged" "$(grep -c 'audit' "$E2E_TMP/serve.err")" 0
e2e_done
