#!/usr/bin/env bash
# test_api_idempotent.sh — import jobs through the API are idempotent (issue 13): the same CSV
# uploaded again answers with the earlier job (200, Idempotent-Replayed) and adds no row; an
# Idempotency-Key replays its job for the same content and is refused (409) for other content;
# keys are each caller's own; a bad key is a 400 naming the header. Real HTTP with curl.
. "$(dirname "$0")/lib.sh"
j() { jget "$@"; }
command -v curl >/dev/null || { not_ok "curl installed"; e2e_done; exit 1; }
. "$(dirname "$0")/api_lib.sh"
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL ENCORE_PASSWORD ENCORE_WRITE_KEY

"$ENCORE" gen --out "$E2E_TMP/shop" --customers 120 >/dev/null
for t in customers products; do "$ENCORE" import "$t" "$E2E_TMP/shop/$t.csv" >/dev/null 2>&1; done
declare -A KEY
for r in owner marketer; do KEY[$r]=$("$ENCORE" apikey create --role "$r" --name "t $r" 2>/dev/null); done
# two order files with different orders: the first half of the orders and the rest (an order's
# lines stay together: gen writes them one after another)
O="$E2E_TMP/shop/orders.csv"
n=$(($(wc -l <"$O") / 2))
cut_at=$(awk -F, -v n="$n" 'NR > n && $1 != prev && NR > 1 { print NR; exit } { prev = $1 }' "$O")
head -n $((cut_at - 1)) "$O" >"$E2E_TMP/a.csv"
{ head -n 1 "$O"; tail -n +"$cut_at" "$O"; } >"$E2E_TMP/b.csv"
head -n 3 "$E2E_TMP/a.csv" >"$E2E_TMP/c.csv"

api_serve --no-jobs
upload() { as "$1" POST "/v1/jobs?kind=import&table=orders" -H 'Content-Type: text/csv' --data-binary "@$E2E_TMP/$2" "${@:3}"; }
jobs() { sql 'SELECT count(*) FROM jobs'; }
orders() { sql 'SELECT count(*) FROM orders'; }

# --- by content ------------------------------------------------------------------------------
upload marketer a.csv
check "a first upload is a new job (202)" "$CODE" 202
A=$(j "$BODY" 'd["id"]')
wait_job "$A"
check "it is imported" "$(j "$BODY" 'd["state"]')" done
N=$(orders)
check_match "its orders are in the store" "$N" '^[1-9][0-9]*$'
check "the import's source is the upload's content (its SHA-256)" "$(j "$BODY" 'd["result"]["source"]')" \
  "api-orders-$(sha256sum "$E2E_TMP/a.csv" | cut -c1-16)"
JOBS=$(jobs)
upload marketer a.csv
check "the same file again answers with the earlier job (200)" "$CODE $(j "$BODY" 'd["id"], d["state"]')" "200 $A done"
check "... says it is a replay" "$(grep -i '^idempotent-replayed' <<<"$HDRS")" "Idempotent-Replayed: true"
check "... and its Location" "$(grep -i '^location' <<<"$HDRS")" "Location: /v1/jobs/$A"
check "... no new job" "$(jobs)" "$JOBS"
check "... no order twice" "$(orders)" "$N"
upload owner a.csv
check "the same file from another caller: the earlier job too" "$CODE $(j "$BODY" 'd["id"]')" "200 $A"
as marketer POST "/v1/jobs?kind=import&table=customers" -H 'Content-Type: text/csv' --data-binary "@$E2E_TMP/a.csv"
check "the same bytes as another table are another job" "$CODE" 202
wait_job "$(j "$BODY" 'd["id"]')"
upload marketer b.csv
check "other content is a new job" "$CODE" 202
Bj=$(j "$BODY" 'd["id"]')
wait_job "$Bj"
NB=$(orders)
check_match "the second file brought orders" "$((NB - N))" '^[1-9][0-9]*$'
# the same content through the CLI's importer under the same source adds nothing either
"$ENCORE" import orders "$E2E_TMP/b.csv" --source "api-orders-$(sha256sum "$E2E_TMP/b.csv" | cut -c1-16)" >/dev/null 2>&1
check "rows are keyed by that source: importing it again adds nothing" "$(orders)" "$NB"

# --- by Idempotency-Key ----------------------------------------------------------------------
upload marketer c.csv -H 'Idempotency-Key: "k-1"'
check "a keyed upload of new content: a new job" "$CODE" 202
C=$(j "$BODY" 'd["id"]')
wait_job "$C"
upload marketer c.csv -H 'Idempotency-Key: "k-1"'
check "the same key and content: the earlier job" "$CODE $(j "$BODY" 'd["id"]')" "200 $C"
JOBS=$(jobs)
upload marketer b.csv -H 'Idempotency-Key: k-1'
check "the same key with other content: 409 naming the header" "$CODE $(field)" "409 header.Idempotency-Key"
check_match "... and the earlier job" "$(j "$BODY" 'd["detail"]')" "job $C"
check "... nothing started" "$(jobs)" "$JOBS"
tail -n 1 "$E2E_TMP/b.csv" | cut -d, -f1-2 >/dev/null
upload owner b.csv -H 'Idempotency-Key: k-1'
check "keys are each caller's own: another caller's k-1 is not refused" "$CODE $(j "$BODY" 'd["id"]')" "200 $Bj"
as marketer POST "/v1/jobs?kind=score" -H 'Idempotency-Key: s-1'
check "a keyed score job" "$CODE" 202
S=$(j "$BODY" 'd["id"]')
wait_job "$S"
as marketer POST "/v1/jobs?kind=score" -H 'Idempotency-Key: s-1'
check "the same key again: the earlier score job, not a second run" "$CODE $(j "$BODY" 'd["id"]')" "200 $S"
check "one score run" "$(sql 'SELECT count(*) FROM score_runs')" 1
as marketer POST "/v1/jobs?kind=score"
check "a score job without a key is a new run each time" "$CODE" 202
wait_job "$(j "$BODY" 'd["id"]')"
check "two score runs" "$(sql 'SELECT count(*) FROM score_runs')" 2

# --- bad keys --------------------------------------------------------------------------------
upload marketer c.csv -H 'Idempotency-Key: ""'
check "an empty key: 400 naming the header" "$CODE $(field)" "400 header.Idempotency-Key"
upload marketer c.csv -H "Idempotency-Key: $(printf 'x%.0s' $(seq 256))"
check "a key of 256 bytes: 400" "$CODE $(field)" "400 header.Idempotency-Key"
upload marketer c.csv -H "Idempotency-Key: $(printf 'x%.0s' $(seq 255))"
check "a key of 255 bytes is fine (the content is known: the earlier job)" "$CODE $(j "$BODY" 'd["id"]')" "200 $C"
check "the replays were not audited as imports" "$(sql "SELECT count(*) FROM audit WHERE action = 'job.import'")" \
  "$(sql "SELECT count(*) FROM jobs WHERE kind = 'import'")"
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
e2e_done
