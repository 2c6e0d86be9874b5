# lk-run qemu's own behaviour, on examples/minimal.yml: --detach (state dir, pid file,
# console log), --disk creating a missing disk that the guest then sees, --timeout
# stopping a VM with exit status 1, and bad options refused with status 2. (SIGTERM's
# clean poweroff is checked on every format by images_boot.)
. "$LK_TEST_DIR/lib.sh"
plan 21
expect_status() {  # NAME STATUS PATTERN CMD...
  local name=$1 want=$2 pat=$3; shift 3
  "$@" >"$TMP/out" 2>&1; local st=$?
  if [ "$st" = "$want" ] && grep -q -- "$pat" "$TMP/out"; then ok "$name"; else fail "$name" "exit $st: $(head -3 "$TMP/out")"; fi
}
touch "$TMP/x-kernel"
expect_status bad-accel 2 'accel' lk-run qemu --accel magic "$TMP/x"
expect_status bad-publish 2 'publish' lk-run qemu --publish 80 "$TMP/x"
expect_status bad-disk-format 2 'format must be' lk-run qemu --disk d.img,format=vdi "$TMP/x"
expect_status missing-disk-size 2 'no size=' lk-run qemu --disk "$TMP/none.img" "$TMP/x"
expect_status missing-artifact 2 'no such file' lk-run qemu "$TMP/nothing"
expect_status unknown-artifact 2 'cannot tell what to boot' sh -c "touch '$TMP/a.vdi' && lk-run qemu '$TMP/a.vdi'"

if [ "${LK_SANITIZE:-}" = 1 ]; then echo "SKIP run_qemu-boots: boot tests run in the normal build only"; exit 0; fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/install-deps)"
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
(cd "$REPO" && lk build -q --dir "$TMP" --name min examples/minimal.yml) 2>"$TMP/build.err" || {
  die "$(tail -5 "$TMP/build.err")"; }

# --timeout: powered off (and qemu stopped) after the time, exit status 1.
start=$(date +%s)
lk-run qemu --timeout 3 --grace 1 "$TMP/min" </dev/null >"$TMP/timeout.log" 2>&1
st=$?
check timeout-exit-1 test "$st" = 1
check timeout-bounded test $(( $(date +%s) - start )) -lt 30
check timeout-says-so grep -q 'timed out after 3 s' "$TMP/timeout.log"

# --detach with a state dir and a disk created on the way.
lk-run qemu --detach --state "$TMP/st" --disk "$TMP/data.qcow2,size=64M,format=qcow2" "$TMP/min" >"$TMP/detach.out" 2>&1
check detach-prints-state grep -qx "$TMP/st" "$TMP/detach.out"
check detach-console-exists test -f "$TMP/st/console.log"
pid=$(cat "$TMP/st/qemu.pid" 2>/dev/null)
case "$pid" in ''|*[!0-9]*|0|1) pid=999999999 ;; esac  # never kill 0, our own group
check detach-pid-alive kill -0 "$pid"
check disk-created sh -c "qemu-img info -U '$TMP/data.qcow2' | grep -q 'virtual size: 64 MiB'"
booted=no
for _ in $(seq 1 600); do grep -aq 'service(s) running' "$TMP/st/console.log" 2>/dev/null && { booted=yes; break; }; sleep 0.2; done
check detach-console-log test "$booted" = yes
check guest-sees-disk grep -aq 'vda.*64.0 MiB\|\[vda\] 131072 512-byte' "$TMP/st/console.log"
kill "$pid" 2>/dev/null
for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
check detached-vm-stops sh -c "! kill -0 $pid 2>/dev/null"
[ "$booted" = yes ] || { cat "$TMP/detach.out"; echo "--- qemu.log ---"; cat "$TMP/st/qemu.log"
  echo "--- console ---"; tail -30 "$TMP/st/console.log"; }

# A qemu that dies on start is a failure of --detach, with qemu's own words.
expect_status detach-qemu-dies 1 'qemu exited.*before the VM started' \
  lk-run qemu --detach --state "$TMP/bad" --qemu-arg=-no-such-option "$TMP/min"
check detach-qemu-dies-says-why grep -q 'no-such-option' "$TMP/out"

# pkg/poweroff as a service: the machine powers itself off after 2 s and qemu exits 0.
(cd "$REPO" && lk build -q --dir "$TMP" --name off test/run/poweroff.yml) 2>"$TMP/build-off.err" || {
  die "$(tail -5 "$TMP/build-off.err")"; }
lk-run qemu --networking none --timeout 180 "$TMP/off" </dev/null >"$TMP/off.log" 2>&1
st=$?
check poweroff-package-exit-0 test "$st" = 0
check poweroff-package-signalled-init grep -aq 'lk-init: received SIGUSR2' "$TMP/off.log"
check poweroff-clean-shutdown grep -aq 'lk-init: poweroff (shutdown took' "$TMP/off.log"
[ "$st" = 0 ] || tail -20 "$TMP/off.log"
