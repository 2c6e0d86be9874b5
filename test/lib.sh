# Sourced by test/cli/*.sh: tiny assertion helpers that print ok/FAIL lines.
# Every script says how many checks it runs (`plan N`) before its first check; the
# runner (test/run-cli-tests) fails a script whose ok+FAIL lines differ from its plan.
set -uo pipefail
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
REPO=$(cd "$LK_TEST_DIR/.." && pwd)
COMPAT="$REPO/../shared/compat/linuxkit-yaml"
T_NAME=$(basename "$0" .sh)

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

# plan N: this script runs N checks (each prints one ok or FAIL line).
plan() { echo "plan $1"; }

# die REASON: a setup step failed; one line, and the script stops (the runner does not
# then also report the plan as missed).
die() { echo "FAIL $T_NAME: setup: $*"; exit 1; }

# need CMD...: every command is installed (scripts/install-deps installs them all), or die.
need() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null || die "$c not installed (scripts/install-deps installs it)"; done
}

# skip_if_sanitize REASON: the one allowed skip. The sanitizer build (LK_SANITIZE=1)
# skips the whole script (the qemu-boot ones); the runner takes that as its plan.
skip_if_sanitize() {
  if [ "${LK_SANITIZE:-}" = 1 ]; then echo "SKIP $T_NAME: ${1:-runs in the normal build only}"; exit 0; fi
}

# skip_outside_repo PATH: the script reads PATH from outside the repository (../shared),
# which neither a clone nor scripts/install-deps provides; absent, the whole script skips.
skip_outside_repo() {
  [ -e "$1" ] || { echo "SKIP $T_NAME: outside the repository: $1 is absent"; exit 0; }
}

# check NAME CONDITION-COMMAND...: ok when the command succeeds.
check() {
  local name=$1; shift
  if "$@"; then ok "$name"; else fail "$name" "$*"; fi
}

# console_check LOG NAME REGEX: ok when the guest's console log LOG shows REGEX; returns 1
# otherwise, so a boot script can note the failure and print the log once at its end.
console_check() {
  if grep -aqE -- "$3" "$1"; then ok "$2"; else fail "$2" "console has no /$3/"; return 1; fi
}

# console_tail LOG N: the last N lines of the console log, as comments.
console_tail() { echo "# console log:"; sed 's/^/#   /' "$1" | tail -"$2"; }
