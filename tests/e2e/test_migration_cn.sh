#!/usr/bin/env bash
# test_migration_cn.sh — the RFM migration in the Chinese scheme (issue 14: the zh console's
# heatmap uses the rfm_cn classes its distribution shows): `encore segments --migration --by
# rfm_cn` and GET /v1/analytics/migration?by=rfm_cn give the same document; its moves equal an
# independent count over the two runs' stored classes (Python's sqlite3), its "to" side equals
# the distribution by rfm_cn of the latest run, and its names are the eight Chinese classes.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { not_ok "curl installed"; e2e_done; exit 1; }
. "$(dirname "$0")/api_lib.sh"
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL ENCORE_PASSWORD ENCORE_WRITE_KEY

"$ENCORE" gen --out "$E2E_TMP/shop" --customers 300 >/dev/null
for t in products customers orders; do "$ENCORE" import "$t" "$E2E_TMP/shop/$t.csv" >/dev/null 2>&1; done
run_rc "$ENCORE" segments --migration --by rfm_cn --json
check "before two scoring runs: exit 1, it says why" "$RC $(grep -c 'two scoring runs' <<<"$ERR")" "1 1"
"$ENCORE" score --as-of 2025-06-30 >/dev/null
"$ENCORE" score >/dev/null
run_rc "$ENCORE" segments --migration --by rfm_cn --json
check "segments --migration --by rfm_cn: exit 0" "$RC" 0
CLI=$OUT
check "the runs it compares" "$(jget "$CLI" 'd["by"], d["from"]["run"], d["to"]["run"]')" "rfm_cn 1 2"
check "every name is one of the eight Chinese classes (or not scored)" \
  "$(jget "$CLI" 'sorted({m[k] for m in d["moves"] for k in ("from", "to")} - {"重要价值客户","重要发展客户","重要保持客户","重要挽留客户","一般价值客户","一般发展客户","一般保持客户","一般挽留客户","(none)"})')" "[]"
ORACLE=$($PY - "$ENCORE_DB" <<'PY'
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
runs = [r[0] for r in db.execute("SELECT DISTINCT run_id FROM segment_history ORDER BY run_id DESC LIMIT 2")][::-1]
side = [dict(db.execute("SELECT customer_id, coalesce(rfm_segment_cn, '(none)') FROM segment_history WHERE run_id = ?", (r,))) for r in runs]
moves = {}
for c in set(side[0]) | set(side[1]):
    k = (side[0].get(c), side[1].get(c))
    moves[k] = moves.get(k, 0) + 1
print(json.dumps(sorted([[a, b, n] for (a, b), n in moves.items()], key=lambda x: (x[0] or "\uffff", x[1] or "\uffff"))))
PY
)
check "its moves equal an independent count over the stored classes" \
  "$(jget "$CLI" 'json.dumps(sorted([[m["from"], m["to"], m["customers"]] for m in d["moves"]], key=lambda x: (x[0] or "\uffff", x[1] or "\uffff")))')" \
  "$ORACLE"
check "its latest side equals the distribution by rfm_cn" \
  "$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); t={}
for m in d["moves"]:
    if m["to"] not in (None, "(none)"): t[m["to"]] = t.get(m["to"], 0) + m["customers"]
print(sorted(t.items()))' "$CLI")" \
  "$(jget "$("$ENCORE" segments --by rfm_cn --json)" 'sorted((s["segment"], s["customers"]) for s in d["segments"] if s["segment"])')"
check_match "some customers moved between classes" "$(jget "$CLI" 'sum(m["customers"] for m in d["moves"] if m["from"] != m["to"] and m["from"] != "(none)")')" '^[1-9]'
run_rc "$ENCORE" segments --migration --by cluster
check "--by cluster has no migration: exit 2 naming the choices" "$RC $(grep -c 'rfm, rfm_cn or lifecycle' <<<"$ERR")" "2 1"

declare -A KEY
KEY[analyst]=$("$ENCORE" apikey create --role analyst --name t 2>/dev/null)
api_serve --no-jobs
as analyst GET "/v1/analytics/migration?by=rfm_cn"
check "GET /v1/analytics/migration?by=rfm_cn = the CLI's document" "$CODE $($PY -c 'import json,sys; print(json.loads(sys.argv[1]) == json.loads(sys.argv[2]))' "$BODY" "$CLI")" "200 True"
as analyst GET "/v1/analytics/migration?by=rfm"
check "by=rfm still the English scheme" "$CODE $(jget "$BODY" '"Champions" in {m["to"] for m in d["moves"]} or "Lost" in {m["to"] for m in d["moves"]}')" "200 True"
as analyst GET "/v1/analytics/migration?by=tag"
check "by=tag: 400 naming the parameter" "$CODE $(jget "$BODY" 'd["errors"][0]["field"]')" "400 query.by"
e2e_done
