# lib.sh — sourced by end-to-end scripts: drives the real binary ($ENCORE) and counts checks.
# Each check prints "ok - name" or "not ok - name" with details; e2e_done prints the summary
# ("N passed, N failed, N skipped") and fails a script that ran no check. A skip (skip WHY) is
# counted apart, never as a pass, and fails under CI=true unless the script names why it may
# skip there (skip_anywhere WHY).
set -u
E2E_PASSED=0; E2E_FAILED=0; E2E_SKIPPED=0
ENCORE=${ENCORE:-build/encore}
ENCORE_DATA=${ENCORE_DATA:-../shared/data}
E2E_TMP=$(mktemp -d "${ENCORE_TEST_TMP:-/tmp}/e2e.XXXXXX")
export ENCORE_DB="$E2E_TMP/test.db"

ok()     { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok - $1"; }
not_ok() { E2E_FAILED=$((E2E_FAILED + 1)); echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '    %s\n' "$@"; }
# check NAME ACTUAL EXPECTED
check()  { if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "got:      $2" "expected: $3"; fi; }
# check_match NAME ACTUAL REGEX
check_match() { if [[ "$2" =~ $3 ]]; then ok "$1"; else not_ok "$1" "got:      $2" "expected: /$3/"; fi; }
# run_rc: runs a command, prints nothing, sets RC, OUT, ERR
run_rc() { OUT=$("$@" 2>"$E2E_TMP/stderr"); RC=$?; ERR=$(cat "$E2E_TMP/stderr"); }
# jget JSON EXPR — a python3 expression over the parsed document d
jget() { /usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1"; }
# skip WHY: the checks that follow are skipped; under CI=true that is a failure (CI has every
# data set and tool, so a skip there would hide a missing one)
skip() {
  if [ "${CI:-}" = "true" ]; then not_ok "would skip, which CI does not allow: $1"; else
    E2E_SKIPPED=$((E2E_SKIPPED + 1)); echo "skip - $1"; fi
}
# skip_anywhere WHY: a skip the script declares legitimate everywhere, CI included
skip_anywhere() { E2E_SKIPPED=$((E2E_SKIPPED + 1)); echo "skip - $1 (allowed under CI)"; }
# need_data REL: 0 when present; when absent skips (returns 1), which fails under CI
need_data() {
  if [ -r "$ENCORE_DATA/$1" ]; then return 0; fi
  skip "data $1 missing"
  return 1
}
# Peer processes (servers a test talks to): start one in the background and pass its pid to
# peer; they are all stopped when the script exits. wait_port FILE waits up to 5 s for a peer to
# write the port it listens on. PEERS is tests/peers/.
PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../peers" && pwd)"
E2E_PEERS=""
peer() { E2E_PEERS="$E2E_PEERS $1"; trap 'for p in $E2E_PEERS; do kill $p 2>/dev/null; wait $p 2>/dev/null; done' EXIT; }
wait_port() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
e2e_done() {
  rm -rf "$E2E_TMP"
  [ $((E2E_PASSED + E2E_FAILED + E2E_SKIPPED)) -eq 0 ] && not_ok "the script ran no check"
  echo "$E2E_PASSED passed, $E2E_FAILED failed, $E2E_SKIPPED skipped"
  [ "$E2E_FAILED" -eq 0 ]
}

# demo_shop DB DIR [DEMO OPTIONS]: the store DB (with its column cache) and the shop's files in
# DIR as `encore --db DB demo OPTIONS --out DIR --json` leaves them; sets RC, OUT (its JSON, naming
# DB and DIR) and ERR as run_rc does. Under tests/run.sh the first suite asking for a shop
# generates it into $ENCORE_SHOP_CACHE and the suites after it asking for the same one copy it.
demo_shop() {
  local db=$1 dir=$2; shift 2
  if [ -z "${ENCORE_SHOP_CACHE:-}" ]; then
    run_rc "$ENCORE" --db "$db" demo "$@" --out "$dir" --json; return
  fi
  local key c f
  key=$(printf '%s_' "$@" | tr -c 'A-Za-z0-9_-' '_')
  c="$ENCORE_SHOP_CACHE/shop$key"
  mkdir -p "$ENCORE_SHOP_CACHE"
  (
    flock 9
    if [ ! -f "$c/done" ]; then
      rm -rf "$c" && mkdir -p "$c"
      "$ENCORE" --db "$c/demo.db" demo "$@" --out "$c/shop" --json >"$c/out" 2>"$c/err"
      echo $? >"$c/rc"; touch "$c/done"
    fi
  ) 9>"$ENCORE_SHOP_CACHE/lock"
  RC=$(cat "$c/rc"); ERR=$(cat "$c/err")
  for f in "$c"/demo.db*; do cp "$f" "$db${f#"$c/demo.db"}"; done
  mkdir -p "$dir" && cp -r "$c/shop/." "$dir/"
  OUT=$(/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d["db"], d["dir"] = sys.argv[2], sys.argv[3]; print(json.dumps(d))' \
    "$c/out" "$db" "$dir" 2>/dev/null || cat "$c/out")
}

# --- for scripts with local peers (tests/peers) and a server ---------------------------------
PY=/usr/bin/python3
PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../peers" && pwd)"
E2E_PIDS=""   # background processes a script started: e2e_cleanup kills them
e2e_cleanup() { for p in $E2E_PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$E2E_TMP"; }
# wait_port FILE: until a peer has written its port into FILE (up to 5 s)
wait_port() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
# serve_port FILE: the port `encore serve` logged into FILE (its stderr), waiting up to 5 s
serve_port() {
  local p=""
  for _ in $(seq 100); do
    p=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$1"); [ -n "$p" ] && break; sleep 0.05
  done
  echo "$p"
}
# sql QUERY: the rows of QUERY on the test store, fields joined by '|'
sql() { $PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); print('\n'.join('|'.join(str(x) for x in r) for r in db.execute(sys.argv[2])))" "$ENCORE_DB" "$1"; }
# wait_for QUERY VALUE [TRIES]: until QUERY gives VALUE (TRIES of 0.1 s, default 300)
wait_for() { for _ in $(seq "${3:-300}"); do [ "$(sql "$1")" = "$2" ] && return 0; sleep 0.1; done; return 1; }
