#!/usr/bin/env bash
# test_serve.sh — end-to-end tests of `encore serve` and `encore token`: the real server on a
# free 127.0.0.1 port driven with curl. Every route and every 4xx with its reason; messageId
# deduplication; identify creating and merging customers; Order Completed as an order; click,
# open and unsubscribe tokens (tampered, wrong secret, expired, open-redirect attempts);
# unsubscribe revoking consent (seen with `encore customer --json`); a clean stop on SIGTERM.
# The server is always killed on exit.
. "$(dirname "$0")/lib.sh"
j() { jget "$@"; }
command -v curl >/dev/null || { not_ok "curl installed (scripts/install-deps --test)"; e2e_done; exit 1; }

SRV_PID=""
cleanup() { [ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null; rm -rf "$E2E_TMP"; }
trap cleanup EXIT

export ENCORE_WRITE_KEY="e2e-write-key-0123456789"
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL

# --- usage ---------------------------------------------------------------------------------
run_rc "$ENCORE" serve --help;                       check "serve --help exits 0" "$RC" 0
check_match "serve --help names the routes" "$OUT" "/v1/track"
run_rc "$ENCORE" token --help;                       check "token --help exits 0" "$RC" 0
run_rc "$ENCORE" serve --bogus;                      check "serve: unknown option exits 2" "$RC" 2
run_rc "$ENCORE" serve --listen 127.0.0.1;           check "serve: --listen without port exits 2" "$RC" 2
check_match "serve: bad --listen says why" "$ERR" "^encore: serve: --listen '127.0.0.1': expected ADDRESS:PORT"
run_rc "$ENCORE" serve --threads 0;                  check "serve: --threads 0 exits 2" "$RC" 2
run_rc "$ENCORE" token fly;                          check "token: unknown kind exits 2" "$RC" 2

# --- tokens from the command line ------------------------------------------------------------
run_rc "$ENCORE" token click --message 1 --customer 1 --url 'javascript:alert(1)'
check "token: javascript: target refused" "$RC" 2
check_match "token: javascript: refusal says why" "$ERR" "url must start with http:// or https://"
run_rc "$ENCORE" token click --message 1 --customer 1 --url 'https://shop.example@evil.example/'
check "token: user-info target refused" "$RC" 2
run_rc "$ENCORE" token click --message 1 --customer 1
check_match "token: click needs a url" "$ERR" "a click token needs a url"
run_rc "$ENCORE" token unsubscribe --message 1 --customer 1
check_match "token: unsubscribe needs a channel" "$ERR" "an unsubscribe token needs a channel"
check "token: the secret file was created next to the store, mode 600" "$(stat -c %a "$ENCORE_DB.secret")" 600
run_rc "$ENCORE" token open --message 7 --customer 2 --campaign c1 --base-url https://t.example/ --json
check "token: --json exits 0" "$RC" 0
check_match "token: --base-url gives the open URL" "$(j "$OUT" 'd["url"]')" "^https://t.example/t/o/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$"
run_rc "$ENCORE" token check "$(j "$OUT" 'd["token"]')" --json
check "token check: valid" "$(j "$OUT" 'd["valid"], d["kind"], d["message_id"], d["customer_id"], d["campaign"]')" "True open 7 2 c1"
run_rc "$ENCORE" token check "AQEBAA.AAAAAAAAAAAAAAAAAAAAAA"
check "token check: forged exits 1" "$RC" 1
check_match "token check: forged says why" "$ERR" "not valid: bad signature"

# --- start the server ------------------------------------------------------------------------
"$ENCORE" serve --listen 127.0.0.1:0 --json >"$E2E_TMP/serve.out" 2>"$E2E_TMP/serve.err" &
SRV_PID=$!
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$E2E_TMP/serve.err")
  [ -n "$PORT" ] && break
  kill -0 "$SRV_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$PORT" ]; then
  not_ok "server started" "$(cat "$E2E_TMP/serve.err")"
  e2e_done; exit 1
fi
ok "server started on 127.0.0.1:$PORT"
B="http://127.0.0.1:$PORT"
# req METHOD PATH [curl args]: sets CODE, BODY, HDRS
req() {
  local m=$1 p=$2; shift 2
  CODE=$(curl -s -o "$E2E_TMP/body" -D "$E2E_TMP/hdrs" -w '%{http_code}' -X "$m" "$@" "$B$p")
  BODY=$(tr -d '\0' <"$E2E_TMP/body"); HDRS=$(tr -d '\r' <"$E2E_TMP/hdrs")
}
api() { local p=$1 d=$2; shift 2; req POST "$p" -u "$ENCORE_WRITE_KEY:" -H 'Content-Type: application/json' --data-binary "$d" "$@"; }
err_is() { # NAME STATUS ERROR-REGEX FIELD
  check "$1: status" "$CODE" "$2"
  check_match "$1: reason" "$(j "$BODY" 'd["error"]')" "$3"
  [ -n "${4:-}" ] && check "$1: field" "$(j "$BODY" 'd["field"]')" "$4"
}

req GET /healthz
check "healthz: 200" "$CODE" 200
# no channels yet: the dispatcher job waits for the console's Settings -> Channels (it takes
# no lock and sends nothing until the delivery configuration has channels); retention is hourly;
# the loyalty job expires points and reviews tiers (it does nothing without a programme)
check "healthz: ok, schema, jobs (the scheduler, retention, loyalty; the dispatcher waiting for channels)" \
  "$(j "$BODY" 'd["ok"], d["schema"] > 0, [x["name"] for x in d["jobs"]]')" "True True ['tick', 'retention', 'loyalty', 'dispatch']"

# --- routing, methods, authentication, limits ----------------------------------------------------
req GET /nowhere
check "unknown path: status" "$CODE" 404
check "unknown path: a problem (RFC 9457)" "$(j "$BODY" 'd["title"], d["status"], d["detail"], d["errors"][0]["field"]')" "Not Found 404 no such route path"
req GET /v1/track;                         err_is "GET on /v1/track" 405 "^method not allowed$" method
check_match "405 names the allowed method" "$HDRS" "Allow: POST"
req DELETE /u/x;                           err_is "DELETE on /u/" 405 "^method not allowed$" method
req POST /v1/track --data-binary '{}';     err_is "no write key" 401 "missing or wrong write key" authorization
check_match "401 asks for Basic" "$HDRS" 'WWW-Authenticate: Basic realm="encore"'
req POST /v1/track -u wrong-key: --data-binary '{}'; err_is "wrong write key" 401 "missing or wrong write key" authorization
head -c 40000 /dev/zero | tr '\0' ' ' >"$E2E_TMP/big.json"
req POST /v1/track -u "$ENCORE_WRITE_KEY:" --data-binary "@$E2E_TMP/big.json"
err_is "track body over 32 KiB" 413 "^body larger than 32768 bytes$" body
head -c 1100000 /dev/zero | tr '\0' ' ' >"$E2E_TMP/huge.json"
req POST /v1/batch -u "$ENCORE_WRITE_KEY:" --data-binary "@$E2E_TMP/huge.json"
err_is "batch body over 1 MiB" 413 "^body larger than 1048576 bytes$" body
head -c 40000 /dev/zero | tr '\0' ' ' | curl -s -o "$E2E_TMP/body" -w '%{http_code}' -u "$ENCORE_WRITE_KEY:" \
  -H 'Transfer-Encoding: chunked' --data-binary @- "$B/v1/identify" >"$E2E_TMP/code"
CODE=$(cat "$E2E_TMP/code"); BODY=$(cat "$E2E_TMP/body")
err_is "chunked body over 32 KiB" 413 "^body larger than 32768 bytes$" body

# --- track, dedup, the reasons of bad bodies -------------------------------------------------------
api /v1/track '{"userId":"'"u1"'"'
err_is "not JSON" 400 "^body is not JSON" body
api /v1/track '[]';                          err_is "array body" 400 "^body must be a JSON object$" body
api /v1/track '{"userId":"u1"}';             err_is "no event" 400 "^missing$" event
api /v1/track '{"event":"Product Viewed"}';  err_is "no user" 400 "^missing \(userId or anonymousId\)$" userId
api /v1/track '{"userId":"u1","event":"x","timestamp":"13/45/2024"}'; err_is "bad timestamp" 400 "." timestamp
api /v1/track '{"userId":"u1","event":"x","properties":{"price":"free"}}'; err_is "bad price" 400 "." properties.price
api /v1/track '{"userId":"u1","event":"Product Viewed","messageId":"m-1","timestamp":"2025-03-01T10:00:00Z","properties":{"sku":"SKU-1","price":12.5}}'
check "track: 200" "$CODE" 200
check "track: ok" "$BODY" '{"ok":true}'
api /v1/track '{"userId":"u1","event":"Product Viewed","messageId":"m-1","timestamp":"2025-03-02T10:00:00Z"}'
check "track again with the same messageId: 200" "$CODE" 200
check "track again: reported as a duplicate" "$BODY" '{"ok":true,"duplicate":true}'
run_rc "$ENCORE" customer u1 --json
check "track: customer created from userId, one event (dedup)" "$(j "$OUT" 'd["customer_id"], d["events"]')" "u1 1"

api /v1/batch '{"batch":[
  {"type":"track","userId":"u1","event":"Product Added","messageId":"b-1"},
  {"type":"track","userId":"u1","event":"Product Added","messageId":"m-1"},
  {"type":"track","userId":"u1","messageId":"b-2"},
  {"type":"alias","userId":"u1","previousId":"x"},
  {"type":"page","userId":"u1","name":"Home","messageId":"b-3"},
  {"type":"identify","userId":"u1","traits":{"email":"nope"}}]}'
check "batch: 200 with some bad items" "$CODE" 200
check "batch: counts" "$(j "$BODY" 'd["received"], d["stored"], d["duplicates"], d["rejected"]')" "6 2 1 3"
check "batch: bad items by index and field" "$(j "$BODY" '[(e["index"], e["field"]) for e in d["errors"]]')" "[(2, 'event'), (3, 'type'), (5, 'traits.email')]"
check_match "batch: the reason of an unsupported type" "$(j "$BODY" 'd["errors"][1]["error"]')" "'alias' is not supported"
api /v1/batch '{"batch":[{"type":"track"}]}'; err_is "batch of only bad items" 400 "^every item was rejected$" batch
api /v1/batch '{"batch":[]}';                 err_is "empty batch" 400 "^empty$" batch
api /v1/batch '{"events":[]}';                err_is "batch without batch" 400 "^missing$" batch
run_rc "$ENCORE" customer u1 --json
check "batch: events stored once each" "$(j "$OUT" 'd["events"]')" 3

# --- identify: create and merge ------------------------------------------------------------------
api /v1/identify '{"userId":"u1","traits":{"email":"Ann@Example.com","name":"Ann Lee","address":{"city":"Hangzhou"}}}'
check "identify: 200" "$CODE" 200
api /v1/identify '{"userId":"u2","traits":{"phone":"+86 138 0013 8000","firstName":"Ann","lastName":"L."}}'
check "identify second person: 200" "$CODE" 200
api /v1/identify '{"userId":"u2","traits":{"email":"x"}}'; err_is "identify: bad email" 400 "." traits.email
api /v1/identify '{"traits":{"name":"nobody"}}'; err_is "identify: nobody to identify" 400 "identify needs userId" userId
run_rc "$ENCORE" stats --json
check "identify: two customers" "$(j "$OUT" 'd["customers"]')" 2
# issue 12: an unverified email of another customer does not merge two userIds (inbox takeover)
api /v1/identify '{"userId":"ATTACKER-1","traits":{"email":"ann@example.com"}}'
check "identify with someone else's unverified email: 200" "$CODE" 200
run_rc "$ENCORE" stats --json
check "identify: no merge on an unverified email" "$(j "$OUT" 'd["customers"], d["merged_customers"]')" "3 0"
ANN=$(sql "SELECT id FROM customers WHERE external_id = 'u1'")
sqlw() { $PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.commit()" "$ENCORE_DB" "$1"; }
sqlw "INSERT INTO inbox(customer_id, title, body, created_at) VALUES($ANN, 'Your coupon', 'ANN-SECRET-CODE', 1)"
req GET "/v1/inbox?customer=ATTACKER-1" -u "$ENCORE_WRITE_KEY:"
check "inbox of the attacker's id: none of the victim's messages" "$(jget "$BODY" 'd["messages"]')" "[]"
req GET "/v1/inbox?customer=u1" -u "$ENCORE_WRITE_KEY:"
check "inbox of the victim: text and HTML apart" \
  "$(jget "$BODY" '[(m["body_text"], m["body_html"]) for m in d["messages"]]')" "[('ANN-SECRET-CODE', None)]"
sqlw "DELETE FROM inbox"
# verified, the same call merges
api /v1/identify '{"userId":"u2","traits":{"email":"ann@example.com","email_verified":true}}'
check "identify linking the two (verified email): 200" "$CODE" 200
run_rc "$ENCORE" stats --json
check "identify: merged into one customer (and the attacker's own)" "$(j "$OUT" 'd["customers"], d["merged_customers"]')" "2 1"
run_rc "$ENCORE" customer ann@example.com --json
check "identify: the survivor has both ids, email, phone, city" \
  "$(j "$OUT" 'd["customer_id"], d["email"], d["phone"], d["city"], sorted(i["value"] for i in d["identities"] if i["kind"]=="ext")')" \
  "u1 ann@example.com +8613800138000 Hangzhou ['u1', 'u2']"
check "identify: the merge is recorded" "$(j "$OUT" 'len(d["merged_from"]) >= 1')" "True"
CUST=$(j "$OUT" 'd["id"]')

# --- Order Completed ----------------------------------------------------------------------------
api /v1/track '{"userId":"u2","event":"Order Completed","messageId":"o-1","properties":{"order_id":"A-100","currency":"CNY","products":[{"sku":"SKU-1","price":12.5,"quantity":2},{"product_id":"SKU-2","price":"3.00"}]}}'
check "order completed: 200" "$CODE" 200
run_rc "$ENCORE" customer u1 --json
check "order completed: an order of 28.00 on the merged customer" "$(j "$OUT" 'd["orders"]["count"], d["orders"]["revenue"]')" "1 28.0"

# --- tracking links ---------------------------------------------------------------------------------
URL='https://shop.example/p/sku-1?utm_source=encore&utm_campaign=spring'
CT=$("$ENCORE" token click --message 11 --customer "$CUST" --campaign spring --channel email --url "$URL")
req GET "/t/c/$CT"
check "click: 302" "$CODE" 302
check "click: to the signed target" "$(echo "$HDRS" | sed -n 's/^Location: //p')" "$URL"
req GET "/t/c/$CT?url=https://evil.example/"
check "click: a url in the query is ignored" "$(echo "$HDRS" | sed -n 's/^Location: //p')" "$URL"
BAD="${CT%?}A"; [ "$BAD" = "$CT" ] && BAD="${CT%?}B"
req GET "/t/c/$BAD";                       err_is "click: tampered token" 400 "^token: (bad signature|malformed token signature)$" token
req GET "/t/c/${CT/./}";                   err_is "click: no dot" 400 "^token: malformed token \(expected PAYLOAD.MAC\)$" token
req GET "/t/c/$(head -c 2000 /dev/zero | tr '\0' A)"; err_is "click: overlong token" 414 "^token: token longer than" token
printf 'another secret of enough length\n' >"$E2E_TMP/other.secret"; chmod 600 "$E2E_TMP/other.secret"
OTHER=$("$ENCORE" token click --message 11 --customer "$CUST" --url "$URL" --secret-file "$E2E_TMP/other.secret")
req GET "/t/c/$OTHER";                     err_is "click: token of another secret" 400 "^token: bad signature$" token
OLD=$("$ENCORE" token click --message 11 --customer "$CUST" --url "$URL" --expires 2001-01-01)
req GET "/t/c/$OLD";                       err_is "click: expired token" 410 "^token: expired$" token
OT=$("$ENCORE" token open --message 11 --customer "$CUST" --campaign spring --channel email)
req GET "/t/c/$OT";                        err_is "click route with an open token" 400 "^token: not a click token$" token
req GET "/t/o/$OT"
check "open: 200" "$CODE" 200
check_match "open: a GIF" "$HDRS" "Content-Type: image/gif"
check_match "open: not cached" "$HDRS" "Cache-Control: no-cache, no-store"
check "open: 43 bytes" "$(stat -c %s "$E2E_TMP/body")" 43
req GET "/t/o/$OT.gif";                    check "open: .gif suffix allowed" "$CODE" 200
req POST "/t/o/$OT";                       err_is "open: POST" 405 "^method not allowed$" method

# --- unsubscribe ----------------------------------------------------------------------------------
UT=$("$ENCORE" token unsubscribe --message 11 --customer "$CUST" --campaign spring --channel email)
req GET "/u/$UT"
check "unsubscribe page: 200" "$CODE" 200
check_match "unsubscribe page: a form posting back" "$BODY" "<form method=\"post\" action=\"/u/$UT\">"
run_rc "$ENCORE" customer "#$CUST" --json
check "unsubscribe page: GET changes nothing" "$(j "$OUT" '[c for c in d["consents"]]')" "[]"
req POST "/u/$UT" --data 'unsubscribe=yes'
check "unsubscribe: wrong body is 400" "$CODE" 400
check_match "unsubscribe: wrong body says why" "$BODY" "List-Unsubscribe=One-Click"
req POST "/u/$OT" --data 'List-Unsubscribe=One-Click'
check "unsubscribe with an open token: 400" "$CODE" 400
req POST "/u/$UT" --data 'List-Unsubscribe=One-Click'
check "unsubscribe one-click: 200" "$CODE" 200
check_match "unsubscribe: confirmed" "$BODY" "You will no longer receive these messages"
run_rc "$ENCORE" customer "#$CUST" --json
check "unsubscribe: email marketing consent revoked" \
  "$(j "$OUT" '[(c["channel"], c["purpose"], c["granted"], c["source"]) for c in d["consents"]]')" \
  "[('email', 'marketing', False, 'unsubscribe')]"
req POST "/u/$UT" --data 'List-Unsubscribe=One-Click'
check "unsubscribe again: 200" "$CODE" 200
check_match "unsubscribe again: idempotent" "$BODY" "already unsubscribed"
NOBODY=$("$ENCORE" token unsubscribe --message 12 --customer 999999 --channel sms)
req POST "/u/$NOBODY" --data 'List-Unsubscribe=One-Click'
check "unsubscribe of an unknown customer: 404" "$CODE" 404
req GET "/u/$BAD"
check "unsubscribe page with a bad token: 400" "$CODE" 400

# --- stop ----------------------------------------------------------------------------------------
kill -TERM "$SRV_PID"
RC=0
for _ in $(seq 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SRV_PID" 2>/dev/null; then not_ok "server stopped within 10 s of SIGTERM"; else
  wait "$SRV_PID"; RC=$?; ok "server stopped within 10 s of SIGTERM"; fi
SRV_PID=""
check "serve: exit 0 after SIGTERM" "$RC" 0
check_match "serve: drained" "$(cat "$E2E_TMP/serve.err")" "SIGTERM: draining"
OUT=$(cat "$E2E_TMP/serve.out")
check "serve --json: what it did" "$(j "$OUT" 'd["clicks"], d["opens"], d["unsubscribes"], d["duplicates"], d["server_errors"]')" "2 2 1 2 0"
run_rc "$ENCORE" customer "#$CUST" --json
# u1: view, cart_add, page; u2 (merged): purchase; clicks 2, opens 2, unsubscribe 1
check "after stop: every click, open and unsubscribe written" "$(j "$OUT" 'd["events"]')" 9
e2e_done
