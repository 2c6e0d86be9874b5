# LinuxKit's test/cases/000_build/070_volumes, in lk form and with lk's packages: one
# system (test/volumes/volumes.yml) whose onboot containers report what they see of
# blank, image, read-only and `format: oci` volumes bound as binds, binds.add and a
# mounts[] bind (test/volumes/check.sh prints a VOLCHECK line per case), and
# 002_rw_on_ro, refused at build time.
. "$LK_TEST_DIR/lib.sh"
cases=(blank-empty rw-on-rw-writes ro-on-rw-refuses ro-on-rw-sees-writes blank-ro-empty image-populated
       image-writable ro-on-ro-populated ro-on-ro-refuses oci-layout
       rw-on-rw-shared ro-on-rw-nothing-written binds-add-ro mount-type-bind image-changes-shared
       image-lower-untouched init-mounted-image-overlay init-mounted-blank-tmpfs init-mounted-ro-readonly
       init-mounted-blank-ro-readonly)
plan $((${#cases[@]} + 11))
skip_if_sanitize "boot tests run in the normal build only"
need qemu-system-x86_64
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
cd "$REPO"

# 002_rw_on_ro: exit 2 naming the bind, and no output at all.
lk build --dir "$TMP/refused" --name vol test/volumes/rw-on-ro.yml >"$TMP/refused.out" 2>&1
check rw-on-ro-refused-exit-2 test $? = 2
check rw-on-ro-names-the-bind grep -q 'test/volumes/rw-on-ro.yml:15:5: onboot\[0\].binds\[0\]: volume "vola" is read-only, so its bind must have exactly the option ro' "$TMP/refused.out"
check rw-on-ro-no-output test -z "$(ls -A "$TMP/refused" 2>/dev/null)"

if ! lk build --dir "$TMP" --name vol test/volumes/volumes.yml 2>"$TMP/build.err"; then
  die "lk build: $(tail -5 "$TMP/build.err")"
fi
ok build
# The binds name the folders the init mounts the volumes on.
lk-rootfs <"$TMP/.vol.lock.json" >"$TMP/rootfs.tar" 2>"$TMP/rootfs.err" || die "lk-rootfs: $(tail -3 "$TMP/rootfs.err")"
tar xf "$TMP/rootfs.tar" -C "$TMP" containers/onboot/001-reader/config.json containers/volumes
check config-mount-source-rewritten grep -q '"source": "/containers/volumes/image/merged"' \
  "$TMP/containers/onboot/001-reader/config.json"
check readonly-volume-has-no-tmp test -d "$TMP/containers/volumes/image-ro/merged" -a ! -e "$TMP/containers/volumes/image-ro/tmp"

log=$TMP/console.log
start=$(date +%s.%N)
lk-run qemu --networking none --timeout 240 "$TMP/vol" </dev/null >"$log" 2>&1
rc=$?
wall=$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$start" "$(date +%s.%N)")
failed=0
expect() { console_check "$log" "$1" "$2" || failed=1; }  # expect NAME REGEX
if [ $rc = 0 ]; then ok powers-itself-off; else fail powers-itself-off "lk-run exit $rc (1: timeout)"; failed=1; fi
expect init-volume-image 'lk-init: volume image: read-write overlay of its image'
expect init-volume-blank 'lk-init: volume blank: read-write, blank \(tmpfs\)'
expect init-volume-ro 'lk-init: volume image-ro: read-only'
expect onboot-all-exit-0 'lk-init: onboot: 2 container\(s\), 0 failed'
for c in "${cases[@]}"; do expect "$c" "VOLCHECK $c ok"; done
echo "# qemu wall time ${wall}s"
if [ $failed -ne 0 ]; then console_tail "$log" 80; fi
