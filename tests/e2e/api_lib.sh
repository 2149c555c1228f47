# api_lib.sh — sourced by the management API's e2e tests after lib.sh: starts `encore serve`
# (api_serve ARGS...: sets SRV_PID, B; kills it on exit) and calls it as a role whose key is in
# KEY[role] (as ROLE METHOD PATH [curl args]: sets CODE, BODY, HDRS); field (the first problem's
# field), wait_job ID (polls a job until done or failed).
# shellcheck shell=bash
SRV_PID=""
cleanup() { [ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null; rm -rf "$E2E_TMP"; }
trap cleanup EXIT
api_serve() {
  "$ENCORE" serve --listen 127.0.0.1:0 "$@" >"$E2E_TMP/serve.out" 2>"$E2E_TMP/serve.err" &
  SRV_PID=$!
  PORT=$(serve_port "$E2E_TMP/serve.err")
  [ -n "$PORT" ] || { not_ok "server started" "$(cat "$E2E_TMP/serve.err")"; e2e_done; exit 1; }
  B="http://127.0.0.1:$PORT"
}
as() { # ROLE METHOD PATH [curl args]: sets CODE, BODY, HDRS
  local r=$1 m=$2 p=$3; shift 3
  CODE=$(curl -s -o "$E2E_TMP/body" -D "$E2E_TMP/hdrs" -w '%{http_code}' -X "$m" -H "Authorization: Bearer ${KEY[$r]}" "$@" "$B$p")
  BODY=$(cat "$E2E_TMP/body"); HDRS=$(tr -d '\r' <"$E2E_TMP/hdrs")
}
field() { jget "$BODY" 'd["errors"][0]["field"]'; }
wait_job() { # ID: polls until done or failed (60 s)
  for _ in $(seq 600); do
    as marketer GET "/v1/jobs/$1"; st=$(jget "$BODY" 'd["state"]')
    [ "$st" = done ] || [ "$st" = failed ] && return 0; sleep 0.1
  done; return 1
}
