#!/usr/bin/env bash
# validate.sh BUILD_DIR — checks the management API's contract with an independent validator:
# starts BUILD_DIR/encore serve on an empty store, fetches GET /v1/openapi.json and lints it
# with Redocly's CLI (pinned in package-lock.json, installed with `npm ci`). Fails on any error
# or warning. Run by .ci/run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$here"
[ -d node_modules/@redocly/cli ] || npm ci --no-audit --no-fund --ignore-scripts >/dev/null
"$root/$build/encore" --db "$tmp/api.db" serve --listen 127.0.0.1:0 --no-jobs 2>"$tmp/serve.err" &
pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$tmp/serve.err")
  [ -n "$port" ] && break; sleep 0.05
done
[ -n "$port" ] || { cat "$tmp/serve.err" >&2; echo "validate: the server did not start" >&2; exit 1; }
curl -sf "http://127.0.0.1:$port/v1/openapi.json" >"$tmp/openapi.json"
out=$(npx --no-install redocly lint --config "$here/redocly.yaml" --format=stylish "$tmp/openapi.json" 2>&1) || { echo "$out"; exit 1; }
echo "$out" | tail -n 3
if echo "$out" | grep -qE 'warning|error'; then echo "$out"; echo "validate: problems found" >&2; exit 1; fi
echo "validate: openapi.json is valid OpenAPI 3.1"
