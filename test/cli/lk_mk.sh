# scripts/lk.mk: a Makefile builds a spec, and a second make rebuilds nothing.
. "$LK_TEST_DIR/lib.sh"
plan 3
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
skip_if_sanitize "runs in the normal build only"
cat >"$TMP/Makefile" <<MK
LK_SPECS := $REPO/examples/minimal.yml
LK_OUT := $TMP/out
include $REPO/scripts/lk.mk
MK
if ! make -s -C "$TMP" "$TMP/out/minimal-kernel" >"$TMP/log" 2>&1; then die "$(tail -5 "$TMP/log")"; fi
check first-build test -s "$TMP/out/minimal-initrd.img"
before=$(stat -c %Y.%s "$TMP/out/minimal-initrd.img")
sleep 1
make -C "$TMP" "$TMP/out/minimal-kernel" >"$TMP/log2" 2>&1
check second-make-rebuilds-nothing test "$(stat -c %Y.%s "$TMP/out/minimal-initrd.img")" = "$before"
check second-make-runs-no-initrd bash -c "! grep -q lk-initrd '$TMP/log2'"
