# Every LinuxKit spec in ../shared/compat/linuxkit-yaml parses, except the ones LinuxKit
# itself rejects, listed here with the reason.
. "$LK_TEST_DIR/lib.sh"
skip_outside_repo "$COMPAT"
declare -A rejected=(
  # A comment at column 0 inside the block scalar files[1].contents ends the scalar;
  # libyaml-derived parsers (yaml.v3, which LinuxKit uses, and PyYAML) reject it too.
  [examples__static-ip.yml]="invalid YAML"
)
specs=("$COMPAT"/*.yml)
plan ${#specs[@]}  # one per spec
for spec in "${specs[@]}"; do
  name=$(basename "$spec")
  if lk-parse "$spec" >"$TMP/plan.json" 2>"$TMP/err"; then
    if [ -n "${rejected[$name]:-}" ]; then fail "$name" "expected rejection (${rejected[$name]})"; continue; fi
    check "$name" python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["schema"]=="lk.plan/v1"' "$TMP/plan.json"
  else
    rc=$?
    if [ -n "${rejected[$name]:-}" ] && [ $rc -eq 2 ] && grep -q "${rejected[$name]}" "$TMP/err"; then
      ok "$name (rejected as LinuxKit does: ${rejected[$name]})"
    else
      fail "$name" "exit $rc: $(head -3 "$TMP/err")"
    fi
  fi
done
