#!/usr/bin/env bash
# test_cli.sh — every command and subcommand answers the same way (src/cli/, src/main.c):
# `--help` exits 0 with its text on stdout and nothing on stderr; an unknown option exits 2 with
# "encore: CMD..." on stderr naming it and nothing on stdout; a stray argument or an option of
# another subcommand (`campaign list --sample 5`) exits 2 too. The commands are read from
# `encore --help`, so a new command is covered the day it is added; subcommands are listed here.
. "$(dirname "$0")/lib.sh"
export ENCORE_DB="$E2E_TMP/cli.db"

run_rc "$ENCORE" --help
check "encore --help: exit 0" "$RC" 0
CMDS=$(printf '%s\n' "$OUT" | sed -n '/^commands:/,$p' | sed -nE 's/^  ([a-z]+) .*/\1/p')
check_match "encore --help lists the commands" "$(echo $CMDS)" "^import .* gen"

# subcommands of the commands that have them (import: the kinds)
subs() {
  case $1 in
    import) echo customers products orders events feedback consents ;;
    cache) echo build status drop ;;
    clv) echo fit evaluate ;;
    churn) echo evaluate ;;
    export) echo profiles ;;
    recommend) echo evaluate ;;
    audience) echo count export check fields save list show delete ;;
    campaign) echo plan start list show pause resume stop policy report measure ;;
    playbook) echo list show install ;;
    token) echo click open unsubscribe check ;;
    gen) echo respond ;;
    dkim) echo keygen record ;;
    customer) echo unmerge merge-on ;;
    user) echo add list disable enable passwd role ;;
    apikey) echo create list revoke ;;
    outbox) echo counts pause resume rate retry cancel suppress reply enqueue ;;
  esac
}

n_cmds=0; n_subs=0
for c in $CMDS; do
  n_cmds=$((n_cmds + 1))
  for s in "" $(subs "$c"); do
    w="$c${s:+ $s}"
    [ -n "$s" ] && n_subs=$((n_subs + 1))
    # shellcheck disable=SC2086
    run_rc "$ENCORE" $w --help
    check "$w --help: exit 0, text on stdout, nothing on stderr" \
      "$RC $([ -n "$OUT" ] && echo text) [$ERR]" "0 text []"
    # shellcheck disable=SC2086
    run_rc "$ENCORE" $w --no-such-option
    check_match "$w --no-such-option: exit 2, nothing on stdout, a message on stderr" \
      "$RC [$OUT] $ERR" "^2 \[\] encore: $c[a-z -]*: .*'--no-such-option'"
  done
done
check_match "every command tried (24 or more)" "$n_cmds" "^(2[4-9]|[3-9][0-9])$"
check "every subcommand tried" "$n_subs" 62

# the usage of each command with subcommands names every one of them
for c in $CMDS; do
  [ -z "$(subs "$c")" ] && continue
  h=$("$ENCORE" "$c" --help)
  for s in $(subs "$c"); do
    [[ "$h" == *"$s"* ]] || not_ok "$c --help mentions $s"
  done
done
ok "each command's --help names its subcommands"

# stray arguments and options of another subcommand: exit 2, a message, nothing done
stray() { # stray EXPECTED-MESSAGE-REGEX ARGS...
  local want=$1; shift
  run_rc "$ENCORE" "$@"
  check_match "$* : exit 2 with a message" "$RC [$OUT] $ERR" "^2 \[\] encore: .*$want"
}
stray "list takes no --sample" campaign list --sample 5
stray "list takes no arguments" campaign list extra
stray "show takes no --sample" campaign show x --sample 5
stray "start takes no --sample" campaign start x --sample 5
stray "measure takes no --at" campaign measure --at 2026-01-01
stray "policy takes no --at" campaign policy --at 2026-01-01
stray "playbook list: unknown option '--sample'" playbook list --sample 5
stray "playbook show: unknown option '--json'" playbook show winback --json
stray "tick: unknown option '--sample'" tick --sample 5
stray "extra" stats extra
stray "extra" segments extra
stray "--sample" segments --sample 5
stray "--sample" score --sample 5
stray "extra" cache status extra
stray "extra" clv fit extra
stray "extra" dispatch --once extra
stray "outbox pause: takes 1 argument" outbox pause email extra
stray "apikey create: unknown option .--reason." apikey create --reason x
stray "user role: needs EMAIL and ROLE" user role a@b.example
stray "--sample" outbox --sample 5
stray "list takes no argument" audience list extra
stray "--sample" audience list --sample 5
stray "extra" token click extra
stray "extra" demo extra
stray "extra" gen extra --out "$E2E_TMP/g"
stray "extra" gen respond extra
stray "too many arguments" import customers a.csv extra
stray "one customer at a time" profile C0000001 extra
stray "one FILE only" itemsets a b
stray "--bogus" rules --bogus
stray "--bogus" recommend C0000001 --bogus
stray "recommend: --n: '0' is not 1 to 10000" recommend C0000001 --n 0
stray "recommend: --split and --end are for evaluate" recommend C0000001 --end 2026-01-01
stray "unknown command 'nonsense'" campaign nonsense
stray "unknown command 'nonsense'" nonsense
# one time parser: every time option takes the same forms (enc_time_parse)
for t in '2026-01-01' '2026-01-01 10:00' '2026-01-01T10:00:00Z' '2026-01-01T18:00+08:00'; do
  run_rc "$ENCORE" churn evaluate --as-of "$t" --horizon 0
  check_match "churn --as-of '$t' is a time (the error is the horizon's)" "$RC $ERR" "^2 encore: churn evaluate: --horizon: '0'"
  run_rc "$ENCORE" audience count --now "$t" 'nonsense('
  check_match "audience --now '$t' is a time" "$ERR" "^encore: audience"
  [[ "$ERR" == *"--now"* ]] && not_ok "audience --now '$t' refused: $ERR"
done
run_rc "$ENCORE" churn evaluate --as-of yesterday
check_match "a malformed time: exit 2 naming the option and the forms" "$RC $ERR" "^2 encore: churn evaluate: --as-of: 'yesterday' is not a time \\(YYYY-MM-DD"
run_rc "$ENCORE" score --threads
check_match "an option without its value: exit 2" "$RC $ERR" "^2 encore: score: --threads needs a value"
run_rc "$ENCORE" kpis --interval=year
check_match "a choice outside the list, --x=v form: exit 2 naming the choices" "$RC $ERR" "^2 encore: kpis: --interval: 'year' is not day, week or month"
run_rc "$ENCORE" stats --json=yes
check_match "a value given to a flag: exit 2" "$RC $ERR" "^2 encore: stats: unknown option '--json=yes'"
# nothing above touched the store
[ -e "$ENCORE_DB" ] && [ -s "$ENCORE_DB" ] && tables=$(sql "SELECT count(*) FROM campaigns") || tables=0
check "usage errors changed nothing" "$tables" 0
e2e_done
