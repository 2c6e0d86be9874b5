# Sourced by test/cli/*.sh: tiny assertion helpers that print ok/FAIL lines.
set -uo pipefail
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
REPO=$(cd "$LK_TEST_DIR/.." && pwd)
COMPAT="$REPO/../shared/compat/linuxkit-yaml"

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

# check NAME CONDITION-COMMAND...: ok when the command succeeds.
check() {
  local name=$1; shift
  if "$@"; then ok "$name"; else fail "$name" "$*"; fi
}
