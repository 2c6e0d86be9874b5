# Every malformed spec under test/parse/bad gives exactly its .err message and exit 2,
# with nothing on stdout.
. "$LK_TEST_DIR/lib.sh"
cd "$REPO"
specs=(test/parse/bad/*.yml)
plan $((${#specs[@]} + 14))  # one per bad spec, then the hang and raw-byte checks
for spec in "${specs[@]}"; do
  name=$(basename "$spec" .yml)
  timeout 60 lk-parse "$spec" >"$TMP/out" 2>"$TMP/err"  # a hang fails, not stalls
  rc=$?
  if [ $rc -ne 2 ]; then fail "$name" "exit $rc, expected 2"; continue; fi
  if [ -s "$TMP/out" ]; then fail "$name" "wrote to stdout"; continue; fi
  if ! diff -u "${spec%.yml}.err" "$TMP/err" >"$TMP/diff"; then fail "$name" "message differs: $(cat "$TMP/diff")"; continue; fi
  ok "$name"
done

# Found by fuzzing: yaml-cpp's LoadAll never returns on a stray ',' (it yields empty
# documents forever); lk-parse names the comma at once.
printf ', "tcp", "-c", "1"]\n    iA\t\n' > "$TMP/hang.yml"
start=$(date +%s)
lk-parse "$TMP/hang.yml" >"$TMP/hang.out" 2>"$TMP/hang.err"; st=$?
check yaml-hang-exit-2 test "$st" = 2
check yaml-hang-bounded test $(( $(date +%s) - start )) -lt 5
check yaml-hang-names-comma grep -q "hang.yml:1:1: invalid YAML: a ',' outside a flow collection" "$TMP/hang.err"
check yaml-hang-no-stdout test ! -s "$TMP/hang.out"

# Raw bytes YAML does not allow: yaml-cpp read a NUL byte then 't' as a tab, so
# "get<NUL>ty" became the name "get<TAB>y". They are refused where they are.
raw_byte() {  # NAME PRINTF-ESCAPE HEX
  printf "services:\n  - name: get$2ty\n    image: linuxkit/getty:v1\n" >"$TMP/$1.yml"
  lk-parse "$TMP/$1.yml" >"$TMP/$1.out" 2>"$TMP/$1.err"; local st=$?
  check "$1-exit-2" test "$st" = 2
  check "$1-named" grep -q "$1.yml:2:14: the file has a control character (byte 0x$3)" "$TMP/$1.err"
  check "$1-no-stdout" test ! -s "$TMP/$1.out"
}
raw_byte raw-nul '\000' 00
raw_byte raw-escape '\033' 1b
raw_byte raw-del '\177' 7f
# A C1 control (U+0085 NEL is the one YAML allows).
printf 'services:\n  - name: get\302\233ty\n    image: linuxkit/getty:v1\n' >"$TMP/c1.yml"
lk-parse "$TMP/c1.yml" >/dev/null 2>"$TMP/c1.err"
check raw-c1-refused grep -q "c1.yml:2:14: the file has a control character (byte 0xc2)" "$TMP/c1.err"
