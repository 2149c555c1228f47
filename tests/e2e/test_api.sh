#!/usr/bin/env bash
# test_api.sh — end-to-end tests of the management API through real HTTP (curl): every route of
# the table x every role (and no credentials) against the table's roles as the OpenAPI
# document publishes them; sessions (cookie flags, CSRF, logout), failed-login limits (429 +
# Retry-After), users, API keys (and that ingest write keys and management keys do not open
# each other's doors), the audit log (API and CLI, append-only), stats = the CLI's, readiness,
# metrics checked by promtool, and issue 12's HTTP items: %-escaped controls in paths,
# repeated parameters, conflicting Content-Length, invalid UTF-8 never echoed, chunked bodies
# cut off at the limit (also on /healthz), short write keys refused, a click answered only
# once stored (across a locked database), failed authentications rate-limited per address.
. "$(dirname "$0")/lib.sh"
j() { jget "$@"; }
command -v curl >/dev/null || { not_ok "curl installed (scripts/install-deps --test)"; e2e_done; exit 1; }

SRV_PID=""
cleanup() { [ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null; rm -rf "$E2E_TMP"; }
trap cleanup EXIT
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL ENCORE_PASSWORD
export ENCORE_WRITE_KEY="api-e2e-write-key-0123456789"

# --- the CLI: users and keys ------------------------------------------------------------------
run_rc "$ENCORE" user --help;                          check "user --help exits 0" "$RC" 0
run_rc "$ENCORE" user add x@shop.example --role owner; check "user add without a password exits 1" "$RC" 1
check_match "user add: says where a password comes from" "$ERR" "password-file FILE or set ENCORE_PASSWORD"
run_rc "$ENCORE" user add x@shop.example --role owner --password hunter2hunter2
check "user add: a password on the command line is refused (exit 2)" "$RC" 2
ENCORE_PASSWORD=short run_rc "$ENCORE" user add x@shop.example --role owner
check "user add: a short password exits 1" "$RC" 1
ENCORE_PASSWORD=long-enough-1 run_rc "$ENCORE" user add x@shop.example --role root
check "user add: an unknown role exits 2" "$RC" 2
ENCORE_PASSWORD=long-enough-1 run_rc "$ENCORE" user add not-an-email --role owner
check "user add: not an email exits 2" "$RC" 2
for r in owner marketer analyst support; do
  ENCORE_PASSWORD="pw-$r-0123456" run_rc "$ENCORE" user add "$r@shop.example" --role "$r"
  check "user add $r" "$RC" 0
done
printf 'pw-file-user-0123\n' >"$E2E_TMP/pw"
run_rc "$ENCORE" user add file@shop.example --role analyst --password-file "$E2E_TMP/pw"
check "user add --password-file" "$RC" 0
ENCORE_PASSWORD=again-long-123 run_rc "$ENCORE" user add OWNER@shop.example --role owner
check "user add: the same email (any case) exits 1" "$RC" 1
run_rc "$ENCORE" user list --json
check "user list: five users with their roles" "$(j "$OUT" '[(u["email"], u["role"]) for u in d["users"]]')" \
  "[('owner@shop.example', 'owner'), ('marketer@shop.example', 'marketer'), ('analyst@shop.example', 'analyst'), ('support@shop.example', 'support'), ('file@shop.example', 'analyst')]"
check "user list: no password hash in the output" "$(echo "$OUT" | grep -c argon2)" 0
check_match "users: stored as argon2id hashes" "$(sql "SELECT pwhash FROM users WHERE email='owner@shop.example'")" '^\$argon2id\$'
declare -A KEY
for r in owner marketer analyst support; do
  run_rc "$ENCORE" apikey create --role "$r" --name "e2e $r" --json
  check "apikey create $r" "$RC" 0
  KEY[$r]=$(j "$OUT" 'd["key"]')
done
check_match "apikey: the key is long and tagged" "${KEY[owner]}" '^enc_mk_[A-Za-z0-9_-]{43}$'
check "apikey: only a hash is stored" "$(sql "SELECT count(*) FROM api_keys WHERE hash = '${KEY[owner]}' OR prefix = '${KEY[owner]}'")" 0
run_rc "$ENCORE" apikey create --role owner --name x --expires 2001-01-01
check "apikey create: a past --expires exits 2" "$RC" 2
run_rc "$ENCORE" apikey revoke abc;                    check "apikey revoke: a bad id exits 2" "$RC" 2
run_rc "$ENCORE" apikey revoke 999;                    check "apikey revoke: an unknown id exits 1" "$RC" 1
run_rc "$ENCORE" audit --since yesterday;              check "audit: a bad --since exits 2" "$RC" 2

# --- the server ---------------------------------------------------------------------------------
ENCORE_WRITE_KEY=short-key run_rc "$ENCORE" serve --listen 127.0.0.1:0 --no-jobs
check "serve: a write key under 16 bytes is refused (exit 2)" "$RC" 2
check_match "serve: says why" "$ERR" "at least 16 bytes"
"$ENCORE" serve --listen 127.0.0.1:0 --no-jobs >"$E2E_TMP/serve.out" 2>"$E2E_TMP/serve.err" &
SRV_PID=$!
PORT=$(serve_port "$E2E_TMP/serve.err")
if [ -z "$PORT" ]; then not_ok "server started" "$(cat "$E2E_TMP/serve.err")"; e2e_done; exit 1; fi
ok "server started"
B="http://127.0.0.1:$PORT"
req() { # METHOD PATH [curl args]: sets CODE, BODY, HDRS
  local m=$1 p=$2; shift 2
  CODE=$(curl -s -o "$E2E_TMP/body" -D "$E2E_TMP/hdrs" -w '%{http_code}' -X "$m" "$@" "$B$p")
  BODY=$(tr -d '\0' <"$E2E_TMP/body"); HDRS=$(tr -d '\r' <"$E2E_TMP/hdrs")
}
as() { local r=$1 m=$2 p=$3; shift 3; req "$m" "$p" -H "Authorization: Bearer ${KEY[$r]}" "$@"; }
problem() { # NAME STATUS FIELD DETAIL-REGEX
  check "$1: status" "$CODE" "$2"
  check "$1: a problem document" "$(grep -i '^content-type' <<<"$HDRS" | tr -d ' ')" "Content-Type:application/problem+json"
  [ -n "$3" ] && check "$1: field" "$(j "$BODY" 'd["errors"][0]["field"]')" "$3"
  [ -n "${4:-}" ] && check_match "$1: detail" "$(j "$BODY" 'd["detail"]')" "$4"
}

# --- every route x every role, as the table says -------------------------------------------------
req GET /v1/openapi.json
check "openapi: 200" "$CODE" 200
echo "$BODY" >"$E2E_TMP/openapi.json"
check "openapi: 3.1.0" "$(j "$BODY" 'd["openapi"]')" "3.1.0"
$PY - "$E2E_TMP/openapi.json" >"$E2E_TMP/ops" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for path, item in d["paths"].items():
    for m, op in item.items():
        p = path.replace("{id}", "999999").replace("{email}", "nobody%40shop.example")
        import re
        p = re.sub(r"\{[a-z_]+\}", "no-such-thing", p)
        print(m.upper(), p, ",".join(op["x-roles"]) or "-")
EOF
check_match "openapi: lists the routes" "$(wc -l <"$E2E_TMP/ops")" '^[1-9][0-9]*$'
while read -r m p roles; do
  body=(); [ "$m" != GET ] && [ "$m" != DELETE ] && body=(-H 'Content-Type: application/json' --data-binary '{}')
  [ "$p" = "/v1/session" ] && [ "$m" = POST ] && continue # the login: below
  req "$m" "$p" "${body[@]}"
  if [ "$roles" = "-" ]; then
    check_match "matrix: $m $p without credentials: answered" "$CODE" '^(200|400|404)$'
    continue
  fi
  check "matrix: $m $p without credentials: 401" "$CODE" 401
  for r in owner marketer analyst support; do
    as "$r" "$m" "$p" "${body[@]}"
    if [[ ",$roles," == *",$r,"* ]]; then
      check_match "matrix: $m $p as $r: allowed ($CODE)" "$CODE" '^(200|201|202|400|404|409)$'
    else
      check "matrix: $m $p as $r: 403" "$CODE" 403
    fi
  done
done <"$E2E_TMP/ops"

# --- sessions -------------------------------------------------------------------------------
login() { req POST /v1/session -H 'Content-Type: application/json' --data-binary "{\"email\":\"$1\",\"password\":\"$2\"}" "${@:3}"; }
login marketer@shop.example pw-marketer-0123456 -c "$E2E_TMP/jar"
check "login: 200" "$CODE" 200
check "login: user and role" "$(j "$BODY" 'd["user"]["email"], d["user"]["role"]')" "marketer@shop.example marketer"
CSRF=$(j "$BODY" 'd["csrf_token"]')
check_match "login: a CSRF token" "$CSRF" '^[A-Za-z0-9_-]{43}$'
check_match "login: the cookie is HttpOnly, SameSite=Strict, Path=/" "$(grep -i '^set-cookie' <<<"$HDRS")" \
  'encore_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200'
req GET /v1/session -b "$E2E_TMP/jar"
check "session: who am I" "$(j "$BODY" 'd["user"]["email"], d["csrf_token"] == sys.argv[2]' 2>/dev/null || j "$BODY" 'd["user"]["email"]')" "marketer@shop.example"
req GET /v1/stats -b "$E2E_TMP/jar";                  check "cookie: a GET needs no CSRF token" "$CODE" 200
req DELETE /v1/session -b "$E2E_TMP/jar"
problem "cookie: a DELETE without X-CSRF-Token" 403 "header.X-CSRF-Token"
req DELETE /v1/session -b "$E2E_TMP/jar" -H "X-CSRF-Token: wrong"
check "cookie: a wrong X-CSRF-Token: 403" "$CODE" 403
req DELETE /v1/session -b "$E2E_TMP/jar" -H "X-CSRF-Token: $CSRF"
check "logout: 200" "$CODE" 200
check_match "logout: clears the cookie" "$(grep -i '^set-cookie' <<<"$HDRS")" "encore_session=; .*Max-Age=0"
req GET /v1/session -b "$E2E_TMP/jar"
problem "after logout the cookie is dead" 401 ""
login marketer@shop.example wrong-password-1
problem "login: wrong password" 401 "" "wrong email or password"
login nobody@shop.example wrong-password-1;            check "login: unknown user: 401" "$CODE" 401
req POST /v1/session -H 'Content-Type: application/json' --data-binary '{"email":"a@b.co","password":"x","remember":true}'
problem "login: an unknown field" 400 "/remember" "unknown field"
req POST /v1/session -H 'Content-Type: application/json' --data-binary '{"email":"a@b.co"}'
problem "login: no password" 400 "/password" "missing"
for i in 1 2 3 4 5; do login support@shop.example "wrong-$i-password"; done
check "login: the fifth failure is still 401" "$CODE" 401
login support@shop.example pw-support-0123456
problem "login: the account is locked after 5 failures (even the right password)" 429 ""
check_match "login: Retry-After" "$(grep -i '^retry-after' <<<"$HDRS")" '^Retry-After: [0-9]+$'
login analyst@shop.example pw-analyst-0123456;        check "login: other accounts are not locked" "$CODE" 200

# --- users, keys -----------------------------------------------------------------------------
as owner POST /v1/users -H 'Content-Type: application/json' --data-binary '{"email":"new@shop.example","role":"marketer","password":"new-user-pass-1"}'
check "users: add 201" "$CODE" 201
check "users: the answer" "$(j "$BODY" 'd["email"], d["role"], d["disabled"], "password" in d')" "new@shop.example marketer False False"
as owner POST /v1/users -H 'Content-Type: application/json' --data-binary '{"email":"new@shop.example","role":"marketer","password":"new-user-pass-1"}'
problem "users: add twice" 409 "/email"
as owner POST /v1/users -H 'Content-Type: application/json' --data-binary '{"email":"n2@shop.example","role":"god","password":"new-user-pass-1"}'
problem "users: a bad role" 400 "/role"
as owner POST /v1/users -H 'Content-Type: application/json' --data-binary '{"email":"n2@shop.example","role":"analyst","password":"short"}'
problem "users: a weak password" 400 "/password" "at least 10"
as owner POST /v1/users -H 'Content-Type: application/json' --data-binary '{"email":"n2","role":"analyst","password":"long-enough-1"}'
problem "users: not an email" 400 "/email"
as owner POST /v1/users -H 'Content-Type: application/json' --data-binary '{"email":"n2@shop.example","role":"analyst","password":"long-enough-1","admin":true}'
problem "users: an unknown field" 400 "/admin"
as owner POST /v1/users --data-binary '{"email":"n2@shop.example","role":"analyst","password":"long-enough-1"}'
problem "users: a form-encoded body (no JSON Content-Type)" 415 "header.Content-Type"
as owner POST /v1/users -H 'Content-Type: text/plain' --data-binary '{"email":"n2@shop.example","role":"analyst","password":"long-enough-1"}'
check "users: a text/plain body: 415" "$CODE" 415
as owner GET "/v1/users?limit=2"
check "users: a page of 2 with a cursor" "$(j "$BODY" 'len(d["items"]), d["next_cursor"] is not None')" "2 True"
CUR=$(j "$BODY" 'd["next_cursor"]')
as owner GET "/v1/users?limit=2&cursor=$CUR"
check "users: the next page starts after" "$(j "$BODY" 'd["items"][0]["email"]')" "analyst@shop.example"
as owner GET "/v1/users?limit=0";                      problem "users: limit 0" 400 "query.limit"
as owner GET "/v1/users?cursor=xyz";                   problem "users: a forged cursor" 400 "query.cursor"
as owner GET "/v1/users?sort=email";                   problem "users: an unknown parameter" 400 "query.sort"
as owner PATCH /v1/users/new%40shop.example -H 'Content-Type: application/json' --data-binary '{"disabled":true}'
check "users: disable" "$(j "$BODY" 'd["disabled"]')" "True"
login new@shop.example new-user-pass-1;                check "users: a disabled user cannot log in" "$CODE" 401
as owner PATCH /v1/users/owner%40shop.example -H 'Content-Type: application/json' --data-binary '{"role":"analyst"}'
problem "users: the last active owner cannot be demoted" 409 "path.email" "last active owner"
as owner PATCH /v1/users/owner%40shop.example -H 'Content-Type: application/json' --data-binary '{"disabled":true}'
check "users: nor disabled" "$CODE" 409
as owner PATCH /v1/users/ghost%40shop.example -H 'Content-Type: application/json' --data-binary '{"disabled":true}'
problem "users: patch an unknown user" 404 "path.email"
as owner PATCH /v1/users/new%40shop.example -H 'Content-Type: application/json' --data-binary '{}'
problem "users: patch nothing" 400 "body"
as owner POST /v1/apikeys -H 'Content-Type: application/json' --data-binary '{"name":"crm","role":"support","expires":"2099-01-01"}'
check "apikeys: create 201" "$CODE" 201
NEWKEY=$(j "$BODY" 'd["key"]'); NEWID=$(j "$BODY" 'd["apikey"]["id"]')
req GET /v1/session -H "Authorization: Bearer $NEWKEY"
check "apikeys: the new key works" "$(j "$BODY" 'd["user"]["role"]')" "support"
as owner GET /v1/apikeys
check "apikeys: listed without the key" "$(echo "$BODY" | grep -c "$NEWKEY")" 0
as owner DELETE "/v1/apikeys/$NEWID";                  check "apikeys: revoke" "$CODE" 200
req GET /v1/session -H "Authorization: Bearer $NEWKEY"; problem "apikeys: a revoked key" 401 "header.Authorization"
as owner DELETE "/v1/apikeys/$NEWID";                  problem "apikeys: revoke twice" 404 "path.id"
as owner DELETE "/v1/apikeys/abc";                     problem "apikeys: a bad id" 400 "path.id"
as owner POST /v1/apikeys -H 'Content-Type: application/json' --data-binary '{"name":"x","role":"owner","expires":"2001-01-01"}'
problem "apikeys: a past expiry" 400 "/expires"
req GET /v1/stats -H "Authorization: Bearer $ENCORE_WRITE_KEY"
check "the ingest write key is not a management key" "$CODE" 401
req POST /v1/track -u "${KEY[owner]}:" -H 'Content-Type: application/json' --data-binary '{"userId":"u1","event":"x"}'
check "a management key is not an ingest write key" "$CODE" 401
req GET /v1/stats -u "owner@shop.example:pw-owner-0123456"
problem "Basic auth is not a management credential" 401 "header.Authorization"

# --- stats, readiness, metrics -----------------------------------------------------------------
as analyst GET /v1/stats
run_rc "$ENCORE" stats --json
check "stats: the API's document is the CLI's" "$BODY" "$OUT"
req GET /readyz;                                       check "readyz: ready" "$(j "$BODY" 'd["ready"]')" "True"
req GET /metrics
check "metrics: 200" "$CODE" 200
check_match "metrics: text format" "$(grep -i '^content-type' <<<"$HDRS")" "text/plain; version=0.0.4"
echo "$BODY" >"$E2E_TMP/metrics.txt"
check_match "metrics: requests by route and status" "$BODY" 'encore_http_requests_total\{route="GET /v1/users",status="200"\} [1-9]'
check_match "metrics: latency histogram" "$BODY" 'encore_http_request_duration_seconds_bucket\{route="POST /v1/session",le="\+Inf"\} [1-9]'
check_match "metrics: ingest and tracking counters" "$BODY" 'encore_tracking_hits_total\{kind="click"\} 0'
if command -v promtool >/dev/null; then
  out=$(promtool check metrics <"$E2E_TMP/metrics.txt" 2>&1); rc=$?
  check "metrics: promtool check metrics passes" "$rc $out" "0 "
elif [ "${CI:-}" = "true" ]; then not_ok "promtool installed (prometheus; scripts/install-deps --test)"
else E2E_SKIPPED=$((E2E_SKIPPED + 1)); echo "skip - promtool missing"; fi

# --- issue 12: the HTTP items --------------------------------------------------------------------
TOK=$("$ENCORE" token click --message 1 --customer 1 --url https://shop.example/p)
req GET "/t/c/$TOK%00x";                               check "a %00 in a tracking path: 400" "$CODE" 400
req POST "/v1/track%00x" -u "$ENCORE_WRITE_KEY:" -H 'Content-Type: application/json' --data-binary '{}'
check "a %00 in /v1/track: 400" "$CODE" 400
req GET "/v1/users%0a" -H "Authorization: Bearer ${KEY[owner]}"; problem "a %0a in a management path" 400 "path"
req GET "/v1/inbox?customer=a&customer=b" -u "$ENCORE_WRITE_KEY:"
check "a repeated query parameter (inbox): 400" "$CODE" 400
check "a repeated query parameter: named" "$(j "$BODY" 'd["field"]')" "query.customer"
as owner GET "/v1/audit?action=x&action=y";            problem "a repeated query parameter (audit)" 400 "query.action"
req GET "/v1/inbox?%ff%fe=1" -u "$ENCORE_WRITE_KEY:"
check "invalid UTF-8 in a parameter name: 400" "$CODE" 400
check "invalid UTF-8 is never echoed" "$($PY -c 'import sys; sys.stdin.buffer.read().decode("utf-8"); print("utf-8")' <"$E2E_TMP/body" 2>&1)" "utf-8"
$PY - "$PORT" >"$E2E_TMP/cl" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}")
print(s.recv(4096).split(b"\r\n")[0].decode())
EOF
check "two Content-Length headers: 400" "$(cat "$E2E_TMP/cl")" "HTTP/1.1 400 Bad Request"
head -c 5000 /dev/zero | tr '\0' 'x' | curl -s -o "$E2E_TMP/body" -w '%{http_code}' \
  -H 'Transfer-Encoding: chunked' --data-binary @- "$B/healthz" -X GET >"$E2E_TMP/code"
check "a chunked body past the limit on /healthz: 413" "$(cat "$E2E_TMP/code")" 413
head -c 1100000 /dev/zero | tr '\0' ' ' | curl -s -o "$E2E_TMP/body" -w '%{http_code}' \
  -H "Authorization: Bearer ${KEY[owner]}" -H 'Content-Type: application/json' \
  -H 'Transfer-Encoding: chunked' --data-binary @- "$B/v1/users" >"$E2E_TMP/code"
check "a chunked JSON body past 1 MiB: 413" "$(cat "$E2E_TMP/code")" 413
check "the 413 is a problem" "$(j "$(cat "$E2E_TMP/body")" 'd["status"], d["title"]')" "413 Content Too Large"
as owner POST /v1/users -H 'Content-Type: application/json' -H 'Content-Length: 99999999' --data-binary '{}'
check "a declared body past 1 MiB: 413 before it is read" "$CODE" 413

# a click is answered only once stored: with the database locked for 12 s (past the 10 s busy
# timeout) the click waits and is stored
before=$(sql "SELECT count(*) FROM events WHERE type='message_click'")
$PY - "$ENCORE_DB" <<'EOF' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
time.sleep(12)
db.execute("COMMIT")
EOF
LOCKER=$!
sleep 0.5
req GET "/t/c/$TOK"
wait $LOCKER
check "click during a locked database: redirected" "$CODE" 302
check "click during a locked database: stored" "$(sql "SELECT count(*) FROM events WHERE type='message_click'")" "$((before + 1))"

# --- the audit log ---------------------------------------------------------------------------
as owner GET "/v1/audit?limit=500"
check "audit: logins, failed logins, users and keys are there" \
  "$(j "$BODY" 'sorted({e["action"] for e in d["items"]} & {"session.login","session.login_failed","session.logout","user.add","user.update","apikey.create","apikey.revoke"})')" \
  "['apikey.create', 'apikey.revoke', 'session.login', 'session.login_failed', 'session.logout', 'user.add', 'user.update']"
check "audit: who, from where, the status" \
  "$(j "$BODY" '[(e["actor"], e["client"], e["status"]) for e in d["items"] if e["action"] == "user.add" and e["target"] == "new@shop.example"]')" \
  "[('key:1:e2e owner', '127.0.0.1', 201)]"
check "audit: no secret in it" "$(echo "$BODY" | grep -c -e 'new-user-pass-1' -e "${KEY[owner]}" -e 'wrong-1-password')" 0
as owner GET "/v1/audit?action=user.&limit=1"
check "audit: filtered by an action prefix, paged" "$(j "$BODY" 'len(d["items"]), d["items"][0]["action"].startswith("user."), d["next_cursor"] is not None')" "1 True True"
as owner GET "/v1/audit?since=2026-99-01";             problem "audit: a bad since" 400 "query.since"
as marketer GET /v1/audit;                             check "audit: marketers may not read it" "$CODE" 403
run_rc "$ENCORE" audit --json --action session.
check "encore audit: the same log" "$(j "$OUT" 'sorted({e["action"] for e in d["entries"]})')" "['session.login', 'session.login_failed', 'session.logout']"
run_rc "$PY" -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute('DELETE FROM audit')" "$ENCORE_DB"
check "audit: append-only (DELETE refused)" "$RC" 1

# --- failed authentications are rate-limited per address (last: it blocks this address) ------
n=0; CODE=401
while [ "$CODE" = 401 ] && [ $n -lt 25 ]; do n=$((n + 1)); req POST /v1/track -u "wrong-key-wrong-key-$n:" --data-binary '{}'; done
check "wrong write keys: 401 until 20 failures (counting the wrong keys above), then 429" "$CODE" 429
check_match "wrong write keys: blocked within 20 failures" "$n" '^([1-9]|1[0-9]|20)$'
req POST /v1/track -u "$ENCORE_WRITE_KEY:" -H 'Content-Type: application/json' --data-binary '{"userId":"u1","event":"x"}'
check "then this address waits, even with the right key: 429" "$CODE" 429
check_match "429 says when to come back" "$(grep -i '^retry-after' <<<"$HDRS")" '^Retry-After: [0-9]+$'
as owner GET /v1/stats;                                check "and management calls from it too: 429" "$CODE" 429

kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=""
e2e_done
