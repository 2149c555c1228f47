#!/usr/bin/env bash
# run.sh BUILD_DIR — the console's browser test: makes a scored demo shop in a temporary store,
# adds an owner and an analyst, starts `encore serve` on a free port and drives Debian's chromium
# through console.test.mjs (puppeteer-core + axe-core from this folder's package-lock.json).
# Screenshots of every page land in BUILD_DIR/screenshots/. Ends with "N passed, N failed".
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/browser"
ENCORE="$root/$build/encore"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
fail() { echo "not ok - $1"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$ENCORE" ] || fail "build $ENCORE first (make)"
command -v node >/dev/null || fail "node is missing (scripts/install-deps --test)"
[ -x "$CHROMIUM" ] || fail "chromium is missing at $CHROMIUM (scripts/install-deps --test)"
if [ ! -d "$here/node_modules/puppeteer-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null) || fail "npm ci in tests/browser"
fi

tmp=$(mktemp -d "${ENCORE_TEST_TMP:-/tmp}/browser.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export ENCORE_DB="$tmp/shop.db"
"$ENCORE" demo --out "$tmp/demo" >/dev/null 2>"$tmp/demo.err" || { cat "$tmp/demo.err"; fail "encore demo"; }
# two scoring runs, so the Overview has a migration between them
for run in 1 2; do
  "$ENCORE" score >/dev/null 2>"$tmp/score.err" || { cat "$tmp/score.err"; fail "encore score (run $run)"; }
done
export OWNER_EMAIL=owner@shop.example ANALYST_EMAIL=analyst@shop.example SUPPORT_EMAIL=support@shop.example
OWNER_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
ANALYST_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
SUPPORT_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export OWNER_PASSWORD ANALYST_PASSWORD SUPPORT_PASSWORD
ENCORE_PASSWORD=$OWNER_PASSWORD "$ENCORE" user add "$OWNER_EMAIL" --role owner >/dev/null 2>"$tmp/user.err" ||
  { cat "$tmp/user.err"; fail "encore user add (owner)"; }
ENCORE_PASSWORD=$ANALYST_PASSWORD "$ENCORE" user add "$ANALYST_EMAIL" --role analyst >/dev/null 2>"$tmp/user.err" ||
  { cat "$tmp/user.err"; fail "encore user add (analyst)"; }
ENCORE_PASSWORD=$SUPPORT_PASSWORD "$ENCORE" user add "$SUPPORT_EMAIL" --role support >/dev/null 2>"$tmp/user.err" ||
  { cat "$tmp/user.err"; fail "encore user add (support)"; }

# push set on the command line: Settings -> Channels must say so
"$ENCORE" serve --listen 127.0.0.1:0 --no-jobs --set push.kind=file --set push.path="$tmp/push.jsonl" \
  2>"$tmp/serve.err" &
pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$tmp/serve.err")
  [ -n "$port" ] && break; sleep 0.05
done
[ -n "$port" ] || { cat "$tmp/serve.err"; fail "encore serve did not start"; }

mkdir -p "$root/$build/screenshots"
DEMO_DIR="$tmp/demo" BASE_URL="http://127.0.0.1:$port" ENCORE="$ENCORE" CHROMIUM="$CHROMIUM" \
  SCREENSHOTS="$root/$build/screenshots" node "$here/console.test.mjs"
