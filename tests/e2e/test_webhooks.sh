#!/usr/bin/env bash
# test_webhooks.sh — every webhook delivery carries Standard Webhooks headers (webhook-id,
# webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>") under a
# whsec_ secret, and the reference verifier, the npm "standardwebhooks" package
# (tests/webhooks, installed with npm ci from its lock file), accepts every one: 99 messages
# over three shapes, a third of the requests answered 503 so that retries are verified too; a
# retry keeps its webhook-id. A bad whsec_ secret is refused; the legacy X-Encore-* headers stay.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
trap e2e_cleanup EXIT
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WH="$ROOT/tests/webhooks"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "${CI:-}" = "true" ]; then not_ok "node and npm installed (required under CI)"; else
    E2E_SKIPPED=$((E2E_SKIPPED + 1)); echo "skip - node or npm missing"; fi
  e2e_done; exit $?
fi
if [ ! -d "$WH/node_modules/standardwebhooks" ]; then
  (cd "$WH" && npm ci --no-audit --no-fund >/dev/null 2>&1)
fi
if [ -d "$WH/node_modules/standardwebhooks" ]; then ok "standardwebhooks installed (npm ci)"
else not_ok "standardwebhooks installed (npm ci)"; e2e_done; exit 1; fi

SECRET="whsec_$($PY -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')"
$PY "$PEERS/webhook_sink.py" --port-file "$T/hook.port" --fail-every 3 --capture "$T/capture.jsonl" \
  & E2E_PIDS="$E2E_PIDS $!"
wait_port "$T/hook.port" || not_ok "sink started"
P=$(cat "$T/hook.port")
cat >"$T/delivery.json" <<JSON
{"dispatch": {"batch": 20, "max_attempts": 8, "backoff_base": 1, "backoff_cap": 1, "poll": 0.1},
 "channels": {"hook": {"kind": "webhook", "url": "http://127.0.0.1:$P/g", "secret": "$SECRET"},
              "sms":  {"kind": "webhook", "url": "http://127.0.0.1:$P/s", "shape": "sms", "secret": "$SECRET"},
              "push": {"kind": "webhook", "url": "http://127.0.0.1:$P/p", "shape": "push", "secret": "$SECRET"}}}
JSON
$PY - "$T/m.jsonl" <<'PYEOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(99):
        ch = ["hook", "sms", "push"][i % 3]
        addr = "+8613800%06d" % i if ch == "sms" else "tok-%d" % i
        f.write(json.dumps({"idempotency_key": "k%d" % i, "channel": ch, "address": addr,
                            "subject": "标题 %d" % i, "text": "正文 \"quoted\" %d ✓" % i}) + "\n")
PYEOF
run_rc "$ENCORE" outbox enqueue "$T/m.jsonl"; check "99 messages enqueued" "$RC" 0
"$ENCORE" dispatch --config "$T/delivery.json" >"$T/dispatch.out" 2>&1 & DPID=$!; E2E_PIDS="$E2E_PIDS $DPID"
wait_for "SELECT count(*) FROM messages WHERE state = 'sent'" 99 300 || not_ok "all sent" "$(sql "SELECT state, count(*) FROM messages GROUP BY 1")"
kill -TERM $DPID; wait $DPID
N=$(wc -l <"$T/capture.jsonl")
check "retries happened (a third of the requests answered 503)" "$([ "$N" -gt 120 ] && echo yes)" yes
run_rc node "$WH/verify.js" "$SECRET" "$T/capture.jsonl"
check "standardwebhooks verifies every delivery, retries included" "$RC $OUT" "0 verified $N of $N, ids 99, tampered $N rejected"
check "a retry keeps its webhook-id (one id per message, msg_<outbox id>)" "$($PY - "$T/capture.jsonl" <<'PYEOF'
import json, sys
ids = {}
for l in open(sys.argv[1]):
    d = json.loads(l)
    ids.setdefault(d["headers"]["Idempotency-Key"], set()).add(d["headers"]["webhook-id"])
print(len(ids), all(len(v) == 1 and next(iter(v)).startswith("msg_") for v in ids.values()))
PYEOF
)" "99 True"
# another secret does not verify
run_rc node "$WH/verify.js" "whsec_$($PY -c 'import base64; print(base64.b64encode(b"x"*32).decode())')" "$T/capture.jsonl"
check "under another secret nothing verifies" "$RC" 1
# bad secrets are refused at start
run_rc "$ENCORE" dispatch --once --set hook.kind=webhook --set hook.url=http://127.0.0.1:1/ --set 'hook.secret=whsec_not base64!'
check "a whsec_ secret that is not base64 is refused" "$RC" 2
check_match "  saying what a secret is" "$ERR" "whsec_ secret holds base64 of 24 to 64 bytes"
run_rc "$ENCORE" dispatch --once --set hook.kind=webhook --set hook.url=http://127.0.0.1:1/ --set "hook.secret=whsec_$($PY -c 'import base64; print(base64.b64encode(b"x"*8).decode())')"
check "a whsec_ key of 8 bytes is refused" "$RC" 2
e2e_done
