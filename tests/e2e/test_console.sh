#!/usr/bin/env bash
# test_console.sh — the web console as `encore serve` answers it, driven with curl (no browser:
# tests/browser covers the pages): index.html at / and under the console's routes, the bundle
# under /assets/ byte for byte as embedded, the security headers, and 404 problems for anything
# else — unknown paths, unknown assets, traversal, API prefixes, other methods.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { not_ok "curl installed (scripts/install-deps --test)"; e2e_done; exit 1; }
SRV_PID=""
cleanup() { [ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null; rm -rf "$E2E_TMP"; }
trap cleanup EXIT
unset ENCORE_LISTEN ENCORE_WRITE_KEY

"$ENCORE" serve --listen 127.0.0.1:0 --no-jobs 2>"$E2E_TMP/serve.err" &
SRV_PID=$!
PORT=$(serve_port "$E2E_TMP/serve.err")
[ -n "$PORT" ] || { not_ok "serve started" "$(cat "$E2E_TMP/serve.err")"; e2e_done; exit 1; }
B="http://127.0.0.1:$PORT"
# get PATH [curl args]: sets CODE, CTYPE, BODY (file), HDRS (file)
get() { local p=$1; shift
  CODE=$(curl -s -o "$E2E_TMP/body" -D "$E2E_TMP/hdrs" -w '%{http_code}' "$@" "$B$p")
  CTYPE=$(sed -nE 's/^content-type: *([^\r]*).*/\1/Ip' "$E2E_TMP/hdrs" | head -1); }

get /
check "GET / answers 200" "$CODE" 200
check "GET / is HTML" "$CTYPE" "text/html; charset=utf-8"
check_match "GET / loads the bundle" "$(cat "$E2E_TMP/body")" '<script type="module" src="/assets/app.js">'
csp=$(sed -nE 's/^content-security-policy: *([^\r]*).*/\1/Ip' "$E2E_TMP/hdrs")
check_match "GET /: a CSP that allows only this origin's scripts" "$csp" "^default-src 'self';.*frame-ancestors 'none'"
check_match "GET /: nosniff" "$(cat "$E2E_TMP/hdrs")" "X-Content-Type-Options: nosniff"
cp "$E2E_TMP/body" "$E2E_TMP/index.html"

for p in /login /customers /customers/C0000003 /segments /campaigns /campaigns/new \
         /campaigns/win-back /deliverability /settings '/campaigns/%E5%8F%8C%E5%8D%81%E4%B8%80'; do
  get "$p"
  check "GET $p answers index.html" "$CODE $(cmp -s "$E2E_TMP/body" "$E2E_TMP/index.html" && echo same)" "200 same"
done

get /assets/app.js
check "GET /assets/app.js answers 200" "$CODE" 200
check "GET /assets/app.js is JavaScript" "$CTYPE" "text/javascript; charset=utf-8"
check "GET /assets/app.js is the embedded bundle" "$(wc -c < "$E2E_TMP/body" | tr -d ' ')" \
  "$(sed -nE 's|^    \{"/assets/app.js", "[^"]*", ([0-9]+),$|\1|p' "$(dirname "$0")/../../src/server/webassets.c")"
get /assets/app.css
check "GET /assets/app.css is CSS" "$CODE $CTYPE" "200 text/css; charset=utf-8"
get /assets/icon.svg
check "GET /assets/icon.svg is SVG" "$CODE $CTYPE" "200 image/svg+xml"

for p in /nope /assets/nope.js /assets/ /favicon.ico /customers/x.js /wp-admin/setup.php \
         '/campaigns/..%2Fv1' /v1/nope; do
  get "$p"
  check "GET $p answers 404" "$CODE" 404
  check "GET $p is a problem, not the page" "$CTYPE" "application/problem+json"
done
get '/campaigns/a%01b'
check "GET a path with an escaped control character answers 400" "$CODE $CTYPE" "400 application/problem+json"
get /customers -X POST
check "POST /customers is not the page" "$([ "$CODE" != 200 ] && echo refused)" refused

kill -TERM "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""

# --- the newcomer path: make demo's last step (scripts/demo-console) -------------------------
DEMO_DB="$E2E_TMP/demo.db"
"$ENCORE" --db "$DEMO_DB" demo --customers 300 --out "$E2E_TMP/demo" >/dev/null 2>&1
OUT=$("$(dirname "$0")/../../scripts/demo-console" "$ENCORE" "$DEMO_DB" 2>&1); RC=$?
check "demo-console exits 0" "$RC" 0
check_match "demo-console prints the console's URL" "$OUT" "open http://127\.0\.0\.1:8080/"
PW=$(printf '%s\n' "$OUT" | sed -nE 's/.*with the password ([A-Za-z0-9]+).*/\1/p')
check_match "demo-console prints a demo login" "$PW" "^[A-Za-z0-9]{10,}$"
run_rc "$ENCORE" --db "$DEMO_DB" campaign show vip-demo --json
check_match "demo-console started the sample campaign" "$OUT" '"state":"running"'
"$ENCORE" --db "$DEMO_DB" serve --listen 127.0.0.1:0 --no-jobs 2>"$E2E_TMP/serve2.err" &
SRV_PID=$!
PORT=$(serve_port "$E2E_TMP/serve2.err")
CODE=$(curl -s -o "$E2E_TMP/login" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"email\": \"demo@shop.example\", \"password\": \"$PW\"}" "http://127.0.0.1:$PORT/v1/session")
check "the printed demo login signs in" "$CODE" 200
check_match "the demo login is an owner" "$(cat "$E2E_TMP/login")" '"role":"owner"'
kill -TERM "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
e2e_done
