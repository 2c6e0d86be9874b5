# lk-pull into a cache on a full disk (a 1 MiB tmpfs): the pull fails naming the blob and
# the space it needs, drops its partial download rather than keeping it for resuming,
# and so a later, smaller pull into the same cache still succeeds.
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/registry/lib.sh"
plan 6
cd "$REPO"
need docker-registry skopeo python3
SMALL=$TMP/small; mkdir -p "$SMALL"
if ! mount -t tmpfs -o size=1m lk-test-small "$SMALL" 2>/dev/null; then die "cannot mount a tmpfs (needs root)"; fi
trap 'umount "$SMALL"; reg_cleanup' EXIT
start_registry plain plain || die "docker-registry did not start"
mkimage "$TMP/img" big --layers 1 --size 2000000 --seed full >/dev/null
mkimage "$TMP/img" small --layers 1 --size 50000 --seed fits >/dev/null
push_layout "$TMP/img" big "$REG/lk/big:v1"
push_layout "$TMP/img" small "$REG/lk/small:v1"
C=$SMALL/cache
lk-pull --cache "$C" -j 1 "$REG/lk/big:v1" >/dev/null 2>"$TMP/err"; rc=$?
check full-fails test $rc -eq 1
check full-names-blob grep -q "$REG/lk/big:v1: blob sha256:[0-9a-f]*: write .*No space left on device" "$TMP/err"
check full-says-space grep -qE "the blob needs [0-9]+ bytes, [0-9]+ are free in $C/ingest \(its partial download was dropped\)" "$TMP/err"
check full-no-partial-left test -z "$(find "$C/ingest" -name '*.partial' -size +0)"
lk-pull --cache "$C" "$REG/lk/small:v1" >/dev/null 2>"$TMP/err2"
check full-later-pull-works test $? -eq 0
check full-later-valid lk-pull -q --cache "$C" --verify
