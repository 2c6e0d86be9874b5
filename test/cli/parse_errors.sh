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

# Found by fuzzing: yaml-cpp never returns on this input; lk-parse gives up after 10 s.
printf ', "tcp", "-c", "1"]\n    iA\001\t\n' > "$TMP/hang.yml"
start=$(date +%s)
lk-parse "$TMP/hang.yml" >"$TMP/hang.out" 2>"$TMP/hang.err"; st=$?
check yaml-hang-exit-2 test "$st" = 2
check yaml-hang-bounded test $(( $(date +%s) - start )) -lt 30
check yaml-hang-names-file grep -q "hang.yml: the YAML parser did not finish" "$TMP/hang.err"
check yaml-hang-no-stdout test ! -s "$TMP/hang.out"
