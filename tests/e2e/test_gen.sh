# test_gen.sh — end-to-end tests of `encore gen`: help and usage errors, the six files with their
# exact headers, every row parsed by Python's csv module with the header's column count, counts
# in --json equal to the rows on disk, byte-identical output for a seed, valid UTF-8 Chinese.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

run_rc "$ENCORE" gen --help
check "gen --help exits 0" "$RC" 0
check_match "gen --help prints usage" "$OUT" "usage: encore gen --out DIR"
run_rc "$ENCORE" --help
check_match "encore --help lists gen" "$OUT" "gen +write a synthetic shop"

# usage errors: exit 2 and a message naming what is wrong
bad_args() { # name, expected-message-regex, args...
  local name=$1 re=$2; shift 2
  run_rc "$ENCORE" gen "$@"
  check "$name exits 2" "$RC" 2
  check_match "$name says why" "$ERR" "$re"
}
bad_args "missing --out" "encore: gen: --out DIR is required"
bad_args "--customers 0" "encore: gen: --customers: '0' is not 1 to 20000000" --customers 0 --out "$E2E_TMP/x"
bad_args "--customers abc" "encore: gen: --customers: 'abc'" --customers abc --out "$E2E_TMP/x"
bad_args "--seed -1" "encore: gen: --seed: '-1'" --seed -1 --out "$E2E_TMP/x"
bad_args "--locale fr" "encore: gen: --locale: 'fr' is not en or zh" --locale fr --out "$E2E_TMP/x"
bad_args "--start 2024-02-30" "encore: gen: --start: '2024-02-30' is not a date" --start 2024-02-30 --out "$E2E_TMP/x"
bad_args "--end before --start" "window must be at least 7 days" --start 2025-01-01 --end 2024-12-01 --out "$E2E_TMP/x"
bad_args "unknown option" "encore: gen: unknown option '--bogus'" --bogus --out "$E2E_TMP/x"
bad_args "value missing" "encore: gen: --customers needs a value" --out "$E2E_TMP/x" --customers
bad_args "stray argument" "unexpected argument 'extra'" --out "$E2E_TMP/x" extra
[ -e "$E2E_TMP/x" ] && not_ok "usage errors write nothing" || ok "usage errors write nothing"

# a file where the directory should be: a failure (exit 1), not a usage error
: > "$E2E_TMP/plain"
run_rc "$ENCORE" gen --customers 10 --out "$E2E_TMP/plain/sub"
check "unwritable --out exits 1" "$RC" 1
check_match "unwritable --out says why" "$ERR" "^encore: gen: .*plain"

# a shop in English
run_rc "$ENCORE" gen --customers 2000 --seed 5 --out "$E2E_TMP/en" --json
check "gen --json exits 0" "$RC" 0
JSON=$OUT
check "json customers" "$(jget "$JSON" "d['counts']['customers']")" 2000
check "json BG/NBD parameters" "$(jget "$JSON" "sorted(d['params']['bgnbd'])")" "['a', 'alpha', 'b', 'r', 'time_unit']"
check "json currency" "$(jget "$JSON" "d['currency']")" USD
check_match "json duplicate identities counted" "$(jget "$JSON" "d['duplicate_identities']['total']")" '^[1-9][0-9]*$'

declare -A HEADER=(
  [customers]="customer_id,name,email,phone,gender,birthday,country,region,city,occupation,timezone,registered_at,tier,points"
  [products]="sku,name,category,brand,price,cost,currency,tier,replenish_days,complements,in_stock"
  [orders]="order_id,customer_id,time,status,channel,payment,coupon,discount,currency,country,sku,name,category,brand,qty,unit_price"
  [events]="event_id,customer_id,time,type,sku,value,session,channel"
  [feedback]="feedback_id,customer_id,time,kind,score,text,order_id,sku"
  [consents]="consent_id,customer_id,channel,purpose,status,time"
)
for f in customers products orders events feedback consents; do
  if [ -f "$E2E_TMP/en/$f.csv" ]; then ok "$f.csv exists"; else not_ok "$f.csv exists"; fi
  check "$f.csv header" "$(head -n 1 "$E2E_TMP/en/$f.csv")" "${HEADER[$f]}"
done

# every row parses with Python's csv module and has the header's column count; the counts in
# --json are the rows on disk; money has two decimals; times are "YYYY-MM-DD HH:MM:SS"
check_files() { # dir json locale
  $PY - "$1" "$2" "$3" <<'EOF'
import csv, json, re, sys
d, doc, loc = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
bad = []
tre = re.compile(r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$')
mre = re.compile(r'^-?\d+\.\d{2}$')
times = {'customers': 'registered_at', 'orders': 'time', 'events': 'time', 'feedback': 'time', 'consents': 'time'}
money = {'products': ['price', 'cost'], 'orders': ['discount', 'unit_price']}
for f in ['customers', 'products', 'orders', 'events', 'feedback', 'consents']:
    with open(f'{d}/{f}.csv', newline='', encoding='utf-8') as fh:  # strict UTF-8
        r = csv.reader(fh, strict=True)
        head = next(r)
        n = 0
        for row in r:
            n += 1
            if len(row) != len(head):
                bad.append(f'{f} row {n}: {len(row)} fields'); continue
            rec = dict(zip(head, row))
            if f in times and not tre.match(rec[times[f]]):
                bad.append(f'{f} row {n}: time {rec[times[f]]!r}')
            for m in money.get(f, []):
                if not mre.match(rec[m]): bad.append(f'{f} row {n}: {m} {rec[m]!r}')
            if f == 'events':  # value: a money amount on cart events, empty otherwise; a sku always
                cart = rec['type'] in ('cart_add', 'cart_remove')
                if (cart and not mre.match(rec['value'])) or (not cart and rec['value']) or not rec['sku']:
                    bad.append(f'events row {n}: {rec["type"]} sku {rec["sku"]!r} value {rec["value"]!r}')
    if n != doc['files'][f + '.csv']['rows']:
        bad.append(f'{f}: {n} rows on disk, --json says {doc["files"][f + ".csv"]["rows"]}')
    if n == 0: bad.append(f'{f}: empty')
print('\n'.join(bad[:10]) if bad else 'ok')
EOF
}
check "en: every row parses with csv, right columns, counts agree" "$(check_files "$E2E_TMP/en" "$JSON" en)" ok

# the same arguments give the same bytes; another seed does not
"$ENCORE" gen --customers 2000 --seed 5 --out "$E2E_TMP/en2" >/dev/null
same=ok
for f in customers products orders events feedback consents; do
  cmp -s "$E2E_TMP/en/$f.csv" "$E2E_TMP/en2/$f.csv" || same="$f.csv differs"
done
check "same seed, byte-identical files" "$same" ok
"$ENCORE" gen --customers 2000 --seed 6 --out "$E2E_TMP/en3" >/dev/null
if cmp -s "$E2E_TMP/en/orders.csv" "$E2E_TMP/en3/orders.csv"; then not_ok "another seed, other orders"; else ok "another seed, other orders"; fi

# human output: a table of the files
run_rc "$ENCORE" gen --customers 50 --out "$E2E_TMP/small"
check "gen without --json exits 0" "$RC" 0
check_match "gen prints the files it wrote" "$OUT" "orders.csv +[0-9]+ +[0-9]+"

# Chinese: valid UTF-8, Chinese names, categories and cities, +86 mobiles, CNY
run_rc "$ENCORE" gen --customers 1500 --seed 9 --locale zh --out "$E2E_TMP/zh" --json
check "gen --locale zh exits 0" "$RC" 0
ZJSON=$OUT
check "zh: every row parses with csv, right columns, counts agree" "$(check_files "$E2E_TMP/zh" "$ZJSON" zh)" ok
check "zh json currency" "$(jget "$ZJSON" "d['currency']")" CNY
zh_check=$($PY - "$E2E_TMP/zh" <<'EOF'
import csv, re, sys
d = sys.argv[1]
bad = []
cjk = re.compile(r'^[\u4e00-\u9fff]{2,4}$')
mob = re.compile(r'^1[3-9]\d{9}$')
for r in csv.DictReader(open(f'{d}/customers.csv', newline='', encoding='utf-8')):
    if not cjk.match(r['name']): bad.append('name ' + r['name'])
    if not re.search(r'[\u4e00-\u9fff]', r['city'] + r['region']): bad.append('city ' + r['city'])
    p = re.sub(r'[^\d]', '', r['phone'])
    if p.startswith('86') and len(p) == 13: p = p[2:]
    if r['phone'] and not mob.match(p): bad.append('phone ' + r['phone'])
    if r['gender'] not in ('男', '女', ''): bad.append('gender ' + r['gender'])
cats = {r['category'] for r in csv.DictReader(open(f'{d}/products.csv', newline='', encoding='utf-8'))}
if '数码/相机' not in cats: bad.append('no 数码/相机')
if not all(re.search(r'[\u4e00-\u9fff]', c) for c in cats): bad.append('category without Chinese')
cur = {r['currency'] for r in csv.DictReader(open(f'{d}/orders.csv', newline='', encoding='utf-8'))}
if cur != {'CNY'}: bad.append(f'currencies {cur}')
print('\n'.join(bad[:10]) if bad else 'ok')
EOF
)
check "zh: Chinese names, cities, categories, +86 mobiles, CNY" "$zh_check" ok

# a custom window: every time inside it
"$ENCORE" gen --customers 300 --seed 2 --start 2023-03-01 --end 2023-05-31 --out "$E2E_TMP/win" >/dev/null
win=$($PY - "$E2E_TMP/win" <<'EOF'
import csv, sys
d = sys.argv[1]
out = []
for f, col in [('orders', 'time'), ('events', 'time'), ('feedback', 'time'), ('consents', 'time'), ('customers', 'registered_at')]:
    for r in csv.DictReader(open(f'{d}/{f}.csv', newline='', encoding='utf-8')):
        if not ('2023-03-01 00:00:00' <= r[col] <= '2023-05-31 23:59:59'): out.append(f'{f} {r[col]}')
print('\n'.join(out[:5]) if out else 'ok')
EOF
)
check "--start/--end: every time inside the window" "$win" ok

e2e_done
