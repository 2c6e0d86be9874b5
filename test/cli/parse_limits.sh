# lk-parse's bounds are on work (alias copies, nesting), never on wall-clock time:
# hostile YAML is refused at once with a position, and big valid specs always parse.
. "$LK_TEST_DIR/lib.sh"
plan 37
cd "$REPO"

# refused NAME FILE MESSAGE: exit 2 within 5 s (not a crash, not a watchdog), MESSAGE
# on stderr, nothing on stdout.
refused() {
  local name=$1 file=$2 msg=$3 start st
  start=$(date +%s%N)
  timeout 60 lk-parse "$file" >"$TMP/$name.out" 2>"$TMP/$name.err"; st=$?  # a hang fails, not stalls
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  check "$name-exit-2" test "$st" = 2
  check "$name-within-5s" test "$ms" -lt 5000
  check "$name-message" grep -qF -- "$msg" "$TMP/$name.err"
  check "$name-no-stdout" test ! -s "$TMP/$name.out"
}

# Billion laughs: nine levels of ten aliases are 10^9 nodes once expanded.
python3 - "$TMP/laughs.yml" <<'PY'
import sys
lines = ['onboot:', '  - &a0 {name: lol, image: "lol:1"}']
lines += [f'  - &a{i} [' + ', '.join([f'*a{i-1}'] * 10) + ']' for i in range(1, 10)]
open(sys.argv[1], 'w').write('\n'.join(lines) + '\n')
PY
refused billion-laughs "$TMP/laughs.yml" "laughs.yml:8:10: alias *a5 expands to more than 1000000 nodes"

# Cycles: an alias inside the node its anchor names.
printf 'onboot: &r [*r]\n' >"$TMP/cycle-list.yml"
refused cycle-list "$TMP/cycle-list.yml" "cycle-list.yml:1:13: alias *r refers to itself"
printf 'x: &m {a: *m}\n' >"$TMP/cycle-map.yml"
refused cycle-map "$TMP/cycle-map.yml" "cycle-map.yml:1:11: alias *m refers to itself"
printf 'services:\n  - &s\n    name: web\n    image: nginx\n    annotations: {self: *s}\n' >"$TMP/cycle-deep.yml"
refused cycle-entry "$TMP/cycle-deep.yml" "cycle-deep.yml:5:25: alias *s refers to itself"

# 100,000 nested brackets and braces, written out: no stack overflow.
python3 -c "print('onboot: ' + '[' * 100000 + ']' * 100000)" >"$TMP/brackets.yml"
refused nested-brackets "$TMP/brackets.yml" "brackets.yml:1:408: the YAML nests deeper than 400 levels"
python3 -c "print('onboot: ' + '{a: ' * 100000 + 'b' + '}' * 100000)" >"$TMP/braces.yml"
refused nested-braces "$TMP/braces.yml" "braces.yml:1:1602: the YAML nests deeper than 400 levels"
# Shallow as written, deep through an alias to a deep anchor.
python3 - "$TMP/alias-deep.yml" <<'PY'
import sys
a = 'x: &a ' + '[' * 300 + '1' + ']' * 300
b = 'y: ' + '[' * 150 + '*a' + ']' * 150
open(sys.argv[1], 'w').write(a + '\n' + b + '\n')
PY
refused alias-nests-deep "$TMP/alias-deep.yml" "alias-deep.yml:2:154: alias *a nests deeper than 400 levels"

# Anchors as specs use them give the plan the spec written out gives.
G=test/parse/good
plan_core() {  # the plan without positions and spec names
  python3 -c '
import json, sys
def strip(v):
    if isinstance(v, dict): return {k: strip(x) for k, x in v.items() if k not in ("at", "field_at", "specs")}
    if isinstance(v, list): return [strip(x) for x in v]
    return v
print(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True))' "$1"
}
lk-parse $G/aliases.yml >"$TMP/aliases.json" 2>"$TMP/aliases.err"
check aliases-parse test $? = 0
lk-parse $G/aliases-expanded.yml >"$TMP/expanded.json" 2>/dev/null
check aliases-same-plan test "$(plan_core "$TMP/aliases.json")" = "$(plan_core "$TMP/expanded.json")"
check aliases-expanded-in-plan test "$(plan_core "$TMP/aliases.json" | grep -o CAP_SYS_ADMIN | wc -l)" = 3

# Many aliases below the bound: 200 services share one list of 1,000 capabilities
# entries (200,000 copies).
python3 - "$TMP/many-aliases.yml" <<'PY'
import sys
out = ['services:']
for i in range(200):
    out.append(f'  - name: s{i}\n    image: example.org/s:{i}')
    out.append('    capabilities: ' + ('&caps [' + ', '.join(['CAP_NET_ADMIN'] * 1000) + ']' if i == 0 else '*caps'))
open(sys.argv[1], 'w').write('\n'.join(out) + '\n')
PY
lk-parse "$TMP/many-aliases.yml" >"$TMP/many.json" 2>"$TMP/many.err"
check many-aliases-parse test $? = 0
check many-aliases-expanded python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert sum(len(s["config"]["capabilities"]) for s in p["services"]) == 200000' "$TMP/many.json"

# Big valid specs parse however long a loaded machine takes (there is no clock):
# a 50 MB files[].contents and 200,000 services (7 MB).
python3 - "$TMP/big-scalar.yml" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('files:\n  - path: etc/big\n    contents: |\n')
    f.write(('      ' + 'x' * 93 + '\n') * (50 * 1024 * 1024 // 100))
PY
timed() {  # NAME FILE: parses; the time goes to the log
  local start=$(date +%s%N)
  lk-parse "$2" >"$TMP/$1.json" 2>"$TMP/$1.err"; local st=$?
  echo "# $1: $(( ($(date +%s%N) - start) / 1000000 )) ms for $(( $(stat -c %s "$2") / 1024 )) KiB"
  check "$1-parses" test "$st" = 0
}
timed big-scalar "$TMP/big-scalar.yml"
check big-scalar-whole python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert len(p["files"][0]["contents"]) == 94 * (50 * 1024 * 1024 // 100)' "$TMP/big-scalar.json"
rm -f "$TMP/big-scalar.yml" "$TMP/big-scalar.json"
python3 - "$TMP/entries.yml" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('services:\n')
    for i in range(200000):
        f.write(f'  - name: s{i}\n    image: a/b:{i % 10}\n')
PY
timed entries "$TMP/entries.yml"
check entries-all python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert len(p["services"]) == 200000' "$TMP/entries.json"
