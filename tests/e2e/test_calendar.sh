#!/usr/bin/env bash
# test_calendar.sh — `encore calendar`: the JSON shape, the dates of a year in each region,
# the human table, bad input (exit 2 with a message), and no store needed.
. "$(dirname "$0")/lib.sh"
export ENCORE_DB="$E2E_TMP/none/never.db"

run_rc "$ENCORE" calendar 2026 --json
check "calendar 2026 --json: exit 0" "$RC" 0
check "  an array of {date, name, name_zh, kind}" \
  "$(jget "$OUT" 'all(sorted(e) == ["date", "kind", "name", "name_zh"] and e["kind"] in ("festival", "shopping", "public") for e in d) and len(d) > 15')" True
check "  sorted by date, all in 2026" "$(jget "$OUT" '[e["date"] for e in d] == sorted(e["date"] for e in d) and all(e["date"].startswith("2026-") for e in d)')" True
check "  春节 2026-02-17, 中秋 2026-09-25, 清明 2026-04-05, 端午 2026-06-19" \
  "$(jget "$OUT" '" ".join(e["date"] for z in ("春节", "中秋节", "清明节", "端午节") for e in d if e["name_zh"] == z)')" \
  "2026-02-17 2026-09-25 2026-04-05 2026-06-19"
check "  the shopping days" "$(jget "$OUT" '" ".join(e["date"][5:] for e in d if e["kind"] == "shopping")')" \
  "01-26 03-08 05-20 06-18 11-11 12-12"
check "  no store was touched" "$([ -e "$ENCORE_DB" ] && echo yes || echo no)" no

run_rc "$ENCORE" calendar 2026 --region us --json
check "--region us (any case): Thanksgiving, Black Friday, Easter" \
  "$(jget "$OUT" '" ".join(e["date"] for n in ("Thanksgiving Day", "Black Friday", "Easter Sunday") for e in d if e["name"] == n)')" \
  "2026-11-26 2026-11-27 2026-04-05"
check "  no Chinese festival in the US calendar" "$(jget "$OUT" 'any(e["name_zh"] == "春节" for e in d)')" False
for r in CN HK TW US GB DE FR JP; do
  run_rc "$ENCORE" calendar 2030 --region "$r" --json
  check "--region $r: exit 0, dates, New Year's Day first" "$RC $(jget "$OUT" 'len(d) > 8 and d[0]["date"] == "2030-01-01"')" "0 True"
done
run_rc "$ENCORE" calendar 1900 --region HK --json
check "1900 (the first year): 春節 1900-01-31" "$(jget "$OUT" '[e["date"] for e in d if e["name_zh"] == "春節"]')" "['1900-01-31']"
run_rc "$ENCORE" calendar 2100 --json
check "2100 (the last year): 春节 2100-02-09" "$(jget "$OUT" '[e["date"] for e in d if e["name_zh"] == "春节"]')" "['2100-02-09']"

run_rc "$ENCORE" calendar 2026
check "human: exit 0" "$RC" 0
check_match "human: a heading and a row per date with the weekday" "$OUT" \
  "^2026 in CN: [0-9]+ dates.*2026-02-17 Tue  Spring Festival \(Lunar New Year\) +春节 +public"
check "human: the columns line up (display widths)" "$(/usr/bin/python3 -c 'import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
rows = sys.argv[1].split("\n")[2:]
print(len({w(r[:r.rindex(" ")]) for r in rows}) == 1)' "$OUT")" True

bad() { # bad NAME REGEX ARGS...
  local name=$1 want=$2; shift 2
  run_rc "$ENCORE" calendar "$@"
  check_match "$name: exit 2 with a message" "$RC [$OUT] $ERR" "^2 \[\] encore: calendar: $want"
}
bad "no year" "needs a YEAR"
bad "year 1899" "YEAR: '1899' is not a year from 1900 to 2100" 1899
bad "year 2101" "YEAR: '2101'" 2101
bad "year abc" "YEAR: 'abc'" abc
bad "year 2026x" "YEAR: '2026x'" 2026x
bad "two years" "unexpected argument '2027'" 2026 2027
bad "unknown region" "--region: 'XX' is not CN, HK, TW, US, GB, DE, FR or JP" 2026 --region XX
bad "region without a value" "--region needs a value" 2026 --region
bad "unknown option" "unknown option '--bogus'" 2026 --bogus
e2e_done
