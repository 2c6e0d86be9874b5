# Every malformed spec under test/parse/bad gives exactly its .err message and exit 2,
# with nothing on stdout.
. "$LK_TEST_DIR/lib.sh"
cd "$REPO"
for spec in test/parse/bad/*.yml; do
  name=$(basename "$spec" .yml)
  lk-parse "$spec" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  if [ $rc -ne 2 ]; then fail "$name" "exit $rc, expected 2"; continue; fi
  if [ -s "$TMP/out" ]; then fail "$name" "wrote to stdout"; continue; fi
  if ! diff -u "${spec%.yml}.err" "$TMP/err" >"$TMP/diff"; then fail "$name" "message differs: $(cat "$TMP/diff")"; continue; fi
  ok "$name"
done

# Found by fuzzing: yaml-cpp's LoadAll never returns on a stray ',' (it yields empty
# documents forever); lk-parse names the comma at once.
printf ', "tcp", "-c", "1"]\n    iA\001\t\n' > "$TMP/hang.yml"
start=$(date +%s)
lk-parse "$TMP/hang.yml" >"$TMP/hang.out" 2>"$TMP/hang.err"; st=$?
check yaml-hang-exit-2 test "$st" = 2
check yaml-hang-bounded test $(( $(date +%s) - start )) -lt 5
check yaml-hang-names-comma grep -q "hang.yml:1:1: invalid YAML: a ',' outside a flow collection" "$TMP/hang.err"
check yaml-hang-no-stdout test ! -s "$TMP/hang.out"
