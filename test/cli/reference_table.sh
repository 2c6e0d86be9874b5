# Every row of test/parse/references.txt through lk-parse (a one-service spec) and
# through lk-pull's reference parsing: both tools accept and reject exactly the rows the
# table says, so lk-parse never refuses what lk-pull pulls, nor passes what it refuses.
# lk-pull parses every reference before it goes to the network, so each row is pulled
# beside a reference known to be bad: exit 2 without a network call, and the row is
# named on stderr only when lk-pull refuses it.
. "$LK_TEST_DIR/lib.sh"
cd "$REPO"

BAD='x@sha256:12'
# Two checks for an accepted row, three for a rejected one, and the row count.
plan $(awk '$1 != "" && $1 !~ /^#/ { n += ($2 == "accept") ? 2 : 3 } END { print n + 1 }' test/parse/references.txt)
n=0
while read -r ref verdict _; do
  case "$ref" in '' | '#'*) continue ;; esac
  n=$((n + 1))
  # Single quotes: a reference never holds one, and "[::1]" must stay a YAML string.
  printf "services:\n  - name: s\n    image: '%s'\n" "$ref" >"$TMP/spec.yml"
  lk-parse "$TMP/spec.yml" >/dev/null 2>"$TMP/parse.err"; st=$?
  lk-pull --cache "$TMP/cache" -- "$ref" "$BAD" >/dev/null 2>"$TMP/pull.err"; pst=$?
  named=$(grep -cF "invalid image reference \"$ref\"" "$TMP/pull.err")
  if [ "$verdict" = accept ]; then
    check "row$n-parse-accepts" test "$st" = 0
    check "row$n-pull-accepts" test "$pst-$named" = 2-0
  else
    check "row$n-parse-rejects-exit-2" test "$st" = 2
    check "row$n-parse-names-field" grep -qF "spec.yml:3:12: services[0].image: invalid image reference" "$TMP/parse.err"
    check "row$n-pull-rejects" test "$pst-$named" = 2-1
  fi
done <test/parse/references.txt
check table-has-rows test "$n" -gt 40
