#!/usr/bin/env bash
# test_layers.sh — scripts/check-layers: the real tree passes; a copy with an include of a later
# stage, a folder missing from the stage list, or two modules of one folder that include each
# other fails with a line naming the file and the edge; an allowed edge that disappeared is said.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
chk="$root/scripts/check-layers"

run_rc "$chk" "$root/src"
check_match "the tree: exit 0, ok" "$RC $OUT" "^0 check-layers: ok"

t="$E2E_TMP/src"
cp -r "$root/src" "$t"
# a back edge: the base folder includes the server
echo '#include "server/server.h"' >>"$t/base/buf.c"
run_rc "$chk" "$t"
check_match "a back edge: exit 1, names the file and the stages" "$RC $OUT" \
  "^1 base/buf.c:[0-9]+: base includes server \(a later stage: server/server.h"
sed -i '$d' "$t/base/buf.c"

# a folder nobody placed
mkdir -p "$t/kiosk" && printf '#include "base/buf.h"\n' >"$t/kiosk/screen.c"
run_rc "$chk" "$t"
check_match "an unplaced folder: exit 1, said" "$RC $OUT" "^1 check-layers: src/kiosk/ is not in STAGES"
rm -r "$t/kiosk"

# two modules of one folder including each other
printf '#include "base/rng.h"\n' >>"$t/base/mask.c"
printf '#include "base/mask.h"\n' >>"$t/base/rng.c"
run_rc "$chk" "$t"
check_match "a module cycle: exit 1, both named" "$RC $OUT" "^1 check-layers: base/mask and base/rng include each other"
sed -i '$d' "$t/base/mask.c" "$t/base/rng.c"

# the allowed edge gone: said, so the list shrinks
grep -rl '"delivery/outbox.h"' "$t/campaign" | xargs sed -i '/"delivery\/outbox.h"/d'
run_rc "$chk" "$t"
check_match "an allowed edge that no longer occurs is reported" "$OUT" "allowed edge 'campaign -> delivery' no longer occurs"
e2e_done
