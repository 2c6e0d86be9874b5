# lk COMMAND runs lk-COMMAND with the same arguments and exit status.
. "$LK_TEST_DIR/lib.sh"
plan 8
cd "$REPO"
check lk-parse-same-output cmp -s <(lk parse test/parse/good/moby2017.yml) <(lk-parse test/parse/good/moby2017.yml)
lk parse test/parse/bad/03-bad-capability.yml >/dev/null 2>&1; check lk-passes-exit-status test $? -eq 2
lk nosuchcommand >/dev/null 2>"$TMP/e"; rc=$?
check unknown-command-exit-2 test $rc -eq 2
check unknown-command-lists grep -q 'commands:.* parse' "$TMP/e"
check help lk --help
lk >/dev/null 2>&1; check no-args-exit-2 test $? -eq 2

# The README's list of formats is the one table's (spec/output_formats), as --help shows it.
names() { tr -s ' ,()`.' '\n' | grep -E '^[a-z0-9+-]+$' | grep -vxE 'and|the|names|2017|default|Formats:?|lk|build|--format|makes|any|of|them|Outputs|keep' | sort; }
lk build --help 2>&1 | grep '^Formats:' | names >"$TMP/help-formats"
sed -n '/^`lk build --format` makes any of them/,/Outputs keep/p' README.md | grep -o '`[a-z0-9+-]*`' | tr -d '`' | sort >"$TMP/readme-formats"
check readme-formats-match-table cmp -s "$TMP/help-formats" "$TMP/readme-formats"
check formats-listed test "$(wc -l <"$TMP/help-formats")" -gt 10
