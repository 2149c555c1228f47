#!/usr/bin/env bash
# test_open_redirect.sh — issue 12's open redirect, as a regression through the real binary:
# links in bodies were rewritten after the template ran, so a URL a customer put in their own
# name became a signed tracking link that redirected anywhere, forever. Now click tracking signs
# only links that did not arrive in customer data, and only to hosts on the policy's allow-list
# (link_hosts; default the host of shop_url, subdomains included); the rest stay as written.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
trap e2e_cleanup EXIT

printf 'customer_id,email,name,timezone\nA1,ann@example.com,https://evil.example/phish,UTC\nB2,bob@example.com,Bob,UTC\n' >"$T/c.csv"
printf 'customer_id,channel,purpose,status,time\nA1,email,marketing,granted,2025-01-01\nB2,email,marketing,granted,2025-01-01\n' >"$T/k.csv"
"$ENCORE" import customers "$T/c.csv" >/dev/null && "$ENCORE" import consents "$T/k.csv" >/dev/null
printf '{"quiet_hours": null, "caps": [], "track_base_url": "https://t.shop.example", "unsubscribe_url": "https://t.shop.example", "shop_url": "https://shop.example/"}\n' >"$T/policy.json"
run_rc "$ENCORE" campaign policy "$T/policy.json"; check "policy with a tracking server" "$RC" 0
cat >"$T/c.json" <<'JSON'
{"name": "spring", "trigger": {"type": "once"}, "channels": ["email"], "holdout": 0,
 "content": {"email": {"subject": "hi",
   "text": "Hi {{customer.name}}! Sale: https://shop.example/sale app: https://m.shop.example/a partner: https://partner.example/x",
   "html": "<p>Hi <a href=\"{{customer.name}}\">you</a> <a href=\"https://shop.example/sale\">sale</a></p>"}}}
JSON
run_rc "$ENCORE" campaign start "$T/c.json" --json
check "started" "$(jget "$OUT" 'd["added"]')" 2
ANN=$(sql "SELECT body_text FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'A1'")
check_match "the URL in the customer's name stays as written (not a signed link)" "$ANN" "^Hi https://evil\.example/phish! Sale: https://t\.shop\.example/t/c/"
check_match "the shop's link and its subdomain's are signed" "$ANN" "Sale: https://t\.shop\.example/t/c/[^ ]+ app: https://t\.shop\.example/t/c/"
check_match "a link to a host off the allow-list stays as written" "$ANN" "partner: https://partner\.example/x$"
HTML=$(sql "SELECT body_html FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'A1'")
check_match "HTML: the href from the customer's name is left alone" "$HTML" 'href="https://evil\.example/phish"'
# every signed link in the outbox redirects only to an allowed host
for tok in $(sql "SELECT body_text || ' ' || coalesce(body_html, '') FROM messages" | grep -o 'https://t\.shop\.example/t/c/[A-Za-z0-9_.-]*' | sed 's|.*/t/c/||'); do
  "$ENCORE" token check "$tok" --json
done >"$T/tokens.jsonl" 2>&1
check "every signed link goes to shop.example or a subdomain" \
  "$($PY -c "
import json,sys
urls = [json.loads(l)['url'] for l in open(sys.argv[1]) if l.strip()]
from urllib.parse import urlsplit
print(len(urls) >= 6, all(urlsplit(u).hostname == 'shop.example' or urlsplit(u).hostname.endswith('.shop.example') for u in urls))" "$T/tokens.jsonl")" "True True"
# the allow-list is the policy's link_hosts when given
printf '{"track_base_url": "https://t.shop.example", "link_hosts": ["partner.example"]}\n' >"$T/p2.json"
run_rc "$ENCORE" campaign policy "$T/p2.json"; check "link_hosts set" "$RC" 0
sed 's/"spring"/"summer"/' "$T/c.json" >"$T/c2.json"
run_rc "$ENCORE" campaign plan "$T/c2.json" --json --sample 1
check_match "with link_hosts [partner.example]: the partner link is signed, the shop's not" "$(jget "$OUT" 'd["sample"][0]["text"]')" "Sale: https://shop\.example/sale .*partner: https://t\.shop\.example/t/c/"
printf '{"link_hosts": ["bad host!"]}\n' >"$T/p3.json"
run_rc "$ENCORE" campaign policy "$T/p3.json"
check "a malformed host in link_hosts is refused" "$RC" 1
check_match "  naming the entry" "$ERR" "link_hosts: entry 1"
e2e_done
