#!/usr/bin/env bash
# test_api_resources.sh — the management API's resources through real HTTP (curl) on a small
# generated shop, each compared with the CLI's --json document for the same store: jobs (a
# score run and a CSV import, with progress and result, and their bad input), playbooks,
# campaigns (create, replace, plan, start, pause, resume, stop, report, the list's headline
# metrics), the contact policy, the measurement settings, deliverability (analyst masking,
# dead-letter retry, audited views) and the metrics those leave behind.
. "$(dirname "$0")/lib.sh"
j() { jget "$@"; }
command -v curl >/dev/null || { not_ok "curl installed"; e2e_done; exit 1; }
. "$(dirname "$0")/api_lib.sh"
unset ENCORE_SECRET ENCORE_LISTEN ENCORE_BASE_URL ENCORE_PASSWORD ENCORE_WRITE_KEY
PB="$(cd "$(dirname "$0")/../.." && pwd)/src/campaign/playbooks"

"$ENCORE" gen --out "$E2E_TMP/shop" --customers 200 >/dev/null
for t in customers products orders consents; do "$ENCORE" import "$t" "$E2E_TMP/shop/$t.csv" >/dev/null 2>&1; done
declare -A KEY
for r in owner marketer analyst support; do KEY[$r]=$("$ENCORE" apikey create --role "$r" --name "t $r" 2>/dev/null); done

api_serve --no-jobs
same_json() { $PY -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print("same" if a==b else "differ:\n%s\n%s" % (a,b))' "$1" "$2"; }

# --- jobs ------------------------------------------------------------------------------------
as marketer POST "/v1/jobs?kind=score"
check "jobs: a score job is accepted (202)" "$CODE" 202
SJ=$(j "$BODY" 'd["id"]')
check_match "jobs: Location names it" "$(grep -i '^location' <<<"$HDRS")" "^Location: /v1/jobs/$SJ$"
check_match "jobs: queued or running at first" "$(j "$BODY" 'd["state"]')" '^(queued|running|done)$'
wait_job "$SJ"
check "jobs: the score job is done" "$(j "$BODY" 'd["state"], d["progress"], d["error"]')" "done 1 None"
check "jobs: its result counts every customer" "$(j "$BODY" 'd["result"]["customers"]')" "$(sql 'SELECT count(*) FROM customers WHERE merged_into IS NULL')"
check "jobs: profiles were written" "$(sql 'SELECT count(*) > 0 FROM profiles')" 1
check "jobs: who started it" "$(j "$BODY" 'd["created_by"]')" "key:2:t marketer"
as marketer POST "/v1/jobs?kind=import&table=events" -H 'Content-Type: text/csv' --data-binary "@$E2E_TMP/shop/events.csv"
check "jobs: an import job is accepted" "$CODE" 202
IJ=$(j "$BODY" 'd["id"]')
wait_job "$IJ"
check "jobs: the import is done" "$(j "$BODY" 'd["state"], d["params"]["table"], d["result"]["kind"]')" "done events events"
check "jobs: the events imported are in the store" "$(j "$BODY" 'd["result"]["imported"]')" "$(sql 'SELECT count(*) FROM events')"
check "jobs: no upload left behind" "$(ls -a "$E2E_TMP" | grep -c encore-upload)" 0
printf 'event_id,customer_id,time,type\ne1,nobody,not-a-time,view\n' >"$E2E_TMP/bad.csv"
as marketer POST "/v1/jobs?kind=import&table=events" --data-binary "@$E2E_TMP/bad.csv"
wait_job "$(j "$BODY" 'd["id"]')"
check "jobs: a bad row is reported in the result, with its line" "$(j "$BODY" 'd["state"], d["result"]["rejected"], d["result"]["errors"][0]["line"]')" "done 1 2"
as analyst GET "/v1/jobs/$(j "$BODY" 'd["id"]')"
check "jobs: analysts see the count of bad rows, not their reasons" "$(j "$BODY" 'd["result"]["rejected"], d["result"]["errors"]')" "1 []"
as marketer POST "/v1/jobs";                          check "jobs: no kind: 400" "$CODE $(field)" "400 query.kind"
as marketer POST "/v1/jobs?kind=sleep";               check "jobs: an unknown kind: 400" "$CODE $(field)" "400 query.kind"
as marketer POST "/v1/jobs?kind=import&table=pets" --data-binary 'a'; check "jobs: an unknown table: 400" "$CODE $(field)" "400 query.table"
as marketer POST "/v1/jobs?kind=import&table=orders"; check "jobs: an import without a file: 400" "$CODE $(field)" "400 body"
as marketer POST "/v1/jobs?kind=score" --data-binary 'x'; check "jobs: a score job with a body: 400" "$CODE $(field)" "400 body"
as marketer POST "/v1/jobs?kind=score&kind=score";    check "jobs: a repeated parameter: 400" "$CODE" 400
as analyst POST "/v1/jobs?kind=score";                check "jobs: analysts may not start one" "$CODE" 403
as analyst GET "/v1/jobs?limit=2"
check "jobs: analysts read the list, newest first, paged" "$(j "$BODY" '[x["id"] for x in d["items"]], d["next_cursor"] is not None')" "[$((IJ + 1)), $IJ] True"
as analyst GET /v1/jobs/999;                          check "jobs: an unknown id: 404" "$CODE" 404
as analyst GET /v1/jobs/x1;                           check "jobs: a bad id: 400" "$CODE $(field)" "400 path.id"

# --- playbooks -------------------------------------------------------------------------------
as analyst GET /v1/playbooks
check "playbooks: the built-in ones, as the CLI lists them" "$(j "$BODY" '[p["name"] for p in d["items"]]')" \
  "$(j "$("$ENCORE" playbook list --json)" '[p["name"] for p in d["playbooks"]]')"
as analyst GET /v1/playbooks/vip-perks
check "playbooks: one is its campaign file" "$(same_json "$BODY" "$(cat "$PB/vip-perks.json")")" same
as analyst GET /v1/playbooks/nope;                    check "playbooks: an unknown one: 404" "$CODE" 404

# --- campaigns -------------------------------------------------------------------------------
VIP=$(cat "$PB/vip-perks.json")
as marketer POST /v1/campaigns -H 'Content-Type: application/json' --data-binary "$VIP"
check "campaigns: create 201, a draft" "$CODE $(j "$BODY" 'd["name"], d["state"]')" "201 vip-perks draft"
as marketer POST /v1/campaigns -H 'Content-Type: application/json' --data-binary "$VIP"
check "campaigns: create twice: 409" "$CODE $(field)" "409 /name"
as marketer POST /v1/campaigns -H 'Content-Type: application/json' --data-binary '{"name":"x","trigger":{"kind":"nope"}}'
check "campaigns: a bad file: 400" "$CODE" 400
check_match "campaigns: says what is wrong" "$(j "$BODY" 'd["detail"]')" "^campaign file: "
as marketer POST /v1/campaigns -H 'Content-Type: application/json' --data-binary '[1]'
check "campaigns: not an object: 400" "$CODE" 400
as analyst POST /v1/campaigns -H 'Content-Type: application/json' --data-binary "$VIP"
check "campaigns: analysts may not create" "$CODE" 403
as analyst GET /v1/campaigns/vip-perks
check "campaigns: one, as campaign show --json" "$(same_json "$BODY" "$("$ENCORE" campaign show vip-perks --json)")" same
as marketer PUT /v1/campaigns/other -H 'Content-Type: application/json' --data-binary "$VIP"
check "campaigns: PUT with another name in the file: 400" "$CODE $(field)" "400 /name"
as marketer PUT /v1/campaigns/vip-perks -H 'Content-Type: application/json' --data-binary "$(j "$VIP" 'json.dumps(dict(d, priority=7))')"
check "campaigns: PUT replaces the file" "$CODE $(j "$BODY" 'd["priority"], d["state"]')" "200 7 draft"
as analyst POST "/v1/campaigns/vip-perks/plan?sample=0"
check "campaigns: the dry run of a stored campaign" "$(j "$BODY" 'd["campaign"], d["audience"] > 0, d["eligible"] > 0')" "vip-perks True True"
PLAN_API=$BODY
PLAN_CLI=$("$ENCORE" campaign plan "$PB/vip-perks.json" --json --sample 0)
check "campaigns: the same counts as campaign plan --json" "$(j "$PLAN_API" 'd["audience"], d["eligible"], d["excluded"]')" "$(j "$PLAN_CLI" 'd["audience"], d["eligible"], d["excluded"]')"
as analyst POST "/v1/campaigns/plan?sample=2" -H 'Content-Type: application/json' --data-binary "$VIP"
check "campaigns: the sample is for marketers (analysts get none)" "$(j "$BODY" 'len(d["sample"])')" "0"
as marketer POST "/v1/campaigns/plan?sample=2" -H 'Content-Type: application/json' --data-binary "$VIP"
check "campaigns: the dry run of a file, with a sample" "$(j "$BODY" 'd["campaign"], len(d["sample"])')" "vip-perks 2"
as analyst POST "/v1/campaigns/plan?sample=1000" -H 'Content-Type: application/json' --data-binary "$VIP"
check "campaigns: a sample too large: 400" "$CODE $(field)" "400 query.sample"
as marketer POST /v1/campaigns/vip-perks/pause
check "campaigns: a draft cannot be paused: 409" "$CODE" 409
check_match "campaigns: says why" "$(j "$BODY" 'd["detail"]')" "is draft, not running"
as marketer POST /v1/campaigns/vip-perks/start
check "campaigns: start" "$CODE $(j "$BODY" 'd["campaign"], d["messages"] > 0, d["added"] == d["messages"]')" "200 vip-perks True True"
MSGS=$(j "$BODY" 'd["messages"]')
check "campaigns: the outbox holds the messages" "$(sql "SELECT count(*) FROM messages WHERE campaign='vip-perks'")" "$MSGS"
as marketer POST /v1/campaigns/vip-perks/pause;       check "campaigns: pause" "$CODE $(j "$BODY" 'd["state"]')" "200 paused"
as marketer POST /v1/campaigns/vip-perks/pause;       check "campaigns: pause twice: 409" "$CODE" 409
as marketer POST /v1/campaigns/vip-perks/resume;      check "campaigns: resume" "$CODE $(j "$BODY" 'd["state"]')" "200 running"
as marketer POST /v1/campaigns/vip-perks/stop
check "campaigns: stop cancels the queued messages" "$CODE $(j "$BODY" 'd["state"], d["cancelled"]')" "200 stopped $MSGS"
as marketer POST /v1/campaigns/nope/start;            check "campaigns: start an unknown one: 404" "$CODE $(field)" "404 path.name"
AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
as analyst GET "/v1/campaigns/vip-perks/report?at=$AT"
check "campaigns: the report is campaign report --json's" "$(same_json "$BODY" "$("$ENCORE" campaign report vip-perks --json --at "${AT/T/ }" 2>&1 | head -c 100000)")" same
as analyst GET "/v1/campaigns/vip-perks/report?at=yesterday"; check "campaigns: a bad at: 400" "$CODE $(field)" "400 query.at"
as analyst GET /v1/campaigns
check "campaigns: the list with state and headline metrics" \
  "$(j "$BODY" '[(c["name"], c["state"], c["members"] > 0, c["messaged"], c["holdout"], c["conversions"]) for c in d["items"]]')" \
  "[('vip-perks', 'stopped', True, $MSGS, $(sql "SELECT count(*) FROM campaign_members WHERE campaign='vip-perks' AND holdout = 1"), 0)]"
as support GET /v1/campaigns;                         check "campaigns: support may not read them" "$CODE" 403

# --- policy, measurement ---------------------------------------------------------------------
as analyst GET /v1/policy
check "policy: as campaign policy --json" "$(same_json "$BODY" "$("$ENCORE" campaign policy --json)")" same
POL=$BODY
as marketer PUT /v1/policy -H 'Content-Type: application/json' --data-binary '{"quiet_hours":"25:00-08:00"}'
check "policy: a bad document: 400" "$CODE" 400
as marketer PUT /v1/policy -H 'Content-Type: application/json' --data-binary "$(j "$POL" 'json.dumps(dict(d, shop_name="API Shop"))')"
check "policy: changed" "$CODE $(j "$BODY" 'd["shop_name"]')" "200 API Shop"
check "policy: the CLI sees it" "$(j "$("$ENCORE" campaign policy --json)" 'd["shop_name"]')" "API Shop"
as analyst PUT /v1/policy -H 'Content-Type: application/json' --data-binary "$POL"; check "policy: analysts may not change it" "$CODE" 403
as analyst GET /v1/measurement
check "measurement: as campaign measure --json" "$(same_json "$BODY" "$("$ENCORE" campaign measure --json)")" same
as marketer PUT /v1/measurement -H 'Content-Type: application/json' --data-binary '{"windows":{"emial":"3d"}}'
check "measurement: a bad document: 400" "$CODE" 400
as marketer PUT /v1/measurement -H 'Content-Type: application/json' --data-binary '{"windows":{"email":"3d"}}'
check "measurement: changed" "$CODE $(j "$BODY" 'd["windows"]["email"]')" "200 3d"

# --- deliverability ----------------------------------------------------------------------------
DEAD=$(sql "SELECT min(id) FROM messages WHERE campaign='vip-perks' AND channel='email'")
$PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.commit()" "$ENCORE_DB" \
  "UPDATE messages SET state='dead', last_error='421 try later', attempts=5 WHERE id=$DEAD"
ADDR=$(sql "SELECT address FROM messages WHERE id=$DEAD")
as marketer GET /v1/deliverability
check "deliverability: depth by channel and state" "$(j "$BODY" 'd["outbox"]["email"]["dead"], d["outbox"]["email"]["cancelled"] > 0')" "1 True"
check "deliverability: the dead letter, unmasked for marketers" "$(j "$BODY" '[(m["id"], m["address"], m["error"]) for m in d["dead_letters"]]')" "[($DEAD, '$ADDR', '421 try later')]"
as analyst GET /v1/deliverability
check_match "deliverability: masked for analysts" "$(j "$BODY" 'd["dead_letters"][0]["address"]')" '^.\*\*\*@'
as analyst POST "/v1/deliverability/dead/$DEAD/retry"; check "deliverability: analysts may not retry" "$CODE" 403
as marketer POST "/v1/deliverability/dead/$DEAD/retry"
check "deliverability: retry a dead letter" "$CODE $(j "$BODY" 'd["state"]')" "200 queued"
check "deliverability: queued again, attempts reset" "$(sql "SELECT state, attempts FROM messages WHERE id=$DEAD")" "queued|0"
as marketer POST "/v1/deliverability/dead/$DEAD/retry"; check "deliverability: retry twice: 404" "$CODE" 404

# --- the audit log of it all, metrics ------------------------------------------------------------
as owner GET "/v1/audit?limit=500"
check "audit: the writes and the personal views" \
  "$(j "$BODY" 'sorted({e["action"] for e in d["items"]} & {"campaign.create","campaign.update","campaign.start","campaign.pause","campaign.resume","campaign.stop","policy.update","measurement.update","outbox.retry","job.score","job.import","personal.view"})')" \
  "['campaign.create', 'campaign.pause', 'campaign.resume', 'campaign.start', 'campaign.stop', 'campaign.update', 'job.import', 'job.score', 'measurement.update', 'outbox.retry', 'personal.view', 'policy.update']"
check "audit: the analyst's view of addresses is recorded" \
  "$(j "$BODY" 'len([e for e in d["items"] if e["action"] == "personal.view" and e["actor"] == "key:3:t analyst"])')" 1
CODE=$(curl -s -o "$E2E_TMP/metrics" -w '%{http_code}' "$B/metrics")
M=$(cat "$E2E_TMP/metrics")
check_match "metrics: outbox depth by channel and state" "$M" 'encore_outbox_messages\{channel="email",state="queued"\} 1'
check_match "metrics: API job durations" "$M" 'encore_api_job_seconds_count\{kind="import"\} 2'
check_match "metrics: the age of the last scoring run" "$M" 'encore_score_last_run_age_seconds [0-9]+'
if command -v promtool >/dev/null; then
  out=$(promtool check metrics <"$E2E_TMP/metrics" 2>&1); check "metrics: promtool check metrics" "$? $out" "0 "
fi
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=""
e2e_done
