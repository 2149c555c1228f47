#!/usr/bin/env bash
# erase.sh — the cost of `encore customer erase` on a shop of N customers (default 100,000):
# wall and CPU seconds of the erasure (the transaction, the VACUUM that rewrites the store, the
# WAL truncation, both column caches rebuilt), against what a user would otherwise do: a plain
# SQL DELETE of the customer's rows in sqlite3 — and whether each left the customer's email in
# the store, its WAL or the caches (the reason the erasure rewrites the file).
# Usage: bench/erase.sh [N] [DIR]   (from the repository root, after make)
set -eu
N=${1:-100000}
DIR=${2:-$(mktemp -d /tmp/erase-bench.XXXXXX)}
E=$PWD/build/encore
mkdir -p "$DIR" && cd "$DIR"
rm -rf shop a.db* b.db*
/usr/bin/time -f '%e s wall' "$E" --db a.db demo --customers "$N" --out shop >/dev/null 2>time.gen
"$E" --db a.db score >/dev/null 2>&1
"$E" --db a.db cache build >/dev/null 2>&1
# the same store for the baseline
for f in a.db*; do cp "$f" "b.db${f#a.db}"; done
ID=$(sqlite3 a.db "SELECT c.id FROM customers c WHERE email IS NOT NULL AND merged_into IS NULL
  AND EXISTS(SELECT 1 FROM events e WHERE e.customer_id = c.id) ORDER BY id LIMIT 1 OFFSET 100")
EMAIL=$(sqlite3 a.db "SELECT email FROM customers WHERE id = $ID")
found() { local n=0 f; for f in "$@"; do [ -f "$f" ] && grep -qaF "$EMAIL" "$f" && n=$((n + 1)); done; echo "$n"; }
SIZE=$(stat -c %s a.db)
/usr/bin/time -f '%e %U %S' "$E" --db a.db customer erase "#$ID" --reason bench >/dev/null 2>time.enc
read -r EW EU ES <time.enc
/usr/bin/time -f '%e %U %S' sqlite3 b.db "PRAGMA foreign_keys=OFF; BEGIN;
  DELETE FROM events WHERE customer_id = $ID; DELETE FROM feedback WHERE customer_id = $ID;
  DELETE FROM consents WHERE customer_id = $ID; DELETE FROM identities WHERE customer_id = $ID;
  UPDATE customers SET name = NULL, email = NULL, phone = NULL WHERE id = $ID; COMMIT;" 2>time.sql
read -r SW SU SS <time.sql
echo "## Erasure (\`encore customer erase\`) on a $N-customer shop"
echo
echo "Command: \`bench/erase.sh $N\` ($(date -u +%Y-%m-%d), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg));"
echo "store $((SIZE / 1048576)) MB before; customer #$ID."
echo
echo "| | wall s | CPU s (user + sys) | files still holding the email (db, -wal, caches) |"
echo "|---|---|---|---|"
echo "| \`encore customer erase\` | $EW | $(echo "$EU + $ES" | bc) | $(found a.db a.db-wal a.db.columns a.db.profiles.columns) |"
echo "| sqlite3 DELETE/UPDATE of the rows | $SW | $(echo "$SU + $SS" | bc) | $(found b.db b.db-wal b.db.columns b.db.profiles.columns) |"
