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
