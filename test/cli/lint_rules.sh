# make lint: the include rules of tools/lib/README.md hold on the tree, and a copy of the
# tree with a forbidden include, a bare include or a wrong namespace fails, naming it.
. "$LK_TEST_DIR/lib.sh"
plan 6
lint=$REPO/scripts/lint-includes
check tree-passes "$lint" >/dev/null
mkdir -p "$TMP/t/scripts" && cp -r "$REPO/tools" "$TMP/t/" && mkdir -p "$TMP/t/test" && cp -r "$REPO/test/unit" "$REPO/test/fuzz" "$TMP/t/test/"
# lint_case NAME FILE LINE EXPECTED: FILE gets LINE appended; lint fails and says EXPECTED.
lint_case() {
  local name=$1 file=$2 line=$3 want=$4
  cp "$TMP/t/$file" "$TMP/saved"
  echo "$line" >>"$TMP/t/$file"
  if LK_LINT_ROOT=$TMP/t "$lint" 2>"$TMP/err" >/dev/null; then fail "$name" "lint passed"
  elif grep -qF "$want" "$TMP/err"; then ok "$name"; else fail "$name" "$(cat "$TMP/err")"; fi
  cp "$TMP/saved" "$TMP/t/$file"
}
lint_case lk-init-may-not-pull tools/lk-init/main.cpp '#include "pull/registry.h"' \
  'tools/lk-init/main.cpp:'
lint_case guest-may-not-streams tools/lib/guest/cmdline.h '#include "streams/tar_writer.h"' \
  'guest may not include "streams/tar_writer.h"'
lint_case base-includes-nothing tools/lib/base/fs.cpp '#include "oci/reference.h"' \
  'base may not include "oci/reference.h"'
lint_case include-by-area tools/lib/pull/registry.cpp '#include "fs.h"' \
  '"fs.h" is not a library header by area'
lint_case namespace-matches-folder tools/lib/qemu/qmp.cpp 'namespace lk::boot {}' \
  'namespace lk::boot in tools/lib/qemu/'
mkdir "$TMP/t/tools/lib/newarea"
if LK_LINT_ROOT=$TMP/t "$lint" 2>"$TMP/err" >/dev/null; then fail unlisted-area-fails "lint passed"
else check unlisted-area-fails grep -q 'tools/lib/newarea: an area with no row' "$TMP/err"; fi
