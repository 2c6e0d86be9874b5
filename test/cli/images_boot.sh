# Every image format of examples/nginx.yml boots under qemu and nginx answers HTTP 200
# through a published port: BIOS formats with SeaBIOS, UEFI ones with OVMF, the hybrid
# ISO and the dual disk both ways, and the GCE tarballs from the disk.raw inside. Also
# `lk build --format` itself: the output names, and no kernel+initrd left when not asked.
. "$LK_TEST_DIR/lib.sh"
plan 41
skip_if_sanitize "boot tests run in the normal build only"
need qemu-system-x86_64 curl
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
cd "$REPO"
formats=iso-bios,iso-efi,iso-hybrid,raw-bios,raw-efi,raw-dual,qcow2-bios,qcow2-efi,gcp,gcp-efi
if ! lk build --dir "$TMP/out" --name nginx --format "$formats" examples/nginx.yml 2>"$TMP/build.err"; then
  die "lk build: $(tail -5 "$TMP/build.err")"
fi
ok build
for f in nginx.iso nginx-efi.iso nginx-hybrid.iso nginx-bios.img nginx-efi.img nginx-dual.img nginx.qcow2 \
         nginx-efi.qcow2 nginx.img.tar.gz nginx-efi.img.tar.gz; do
  check "output-$f" test -s "$TMP/out/$f"
done
check only-asked-outputs test -z "$(ls -A "$TMP/out" | grep -v -e '^nginx[.-]' -e '^\.nginx\.\(plan\|lock\)\.json$')"
check one-line-per-output test "$(grep -c ': .*/out/nginx.* MB) in ' "$TMP/build.err")" = 10

# boot NAME FILE [lk-run options]: HTTP 200 within 240 s; then SIGTERM powers the guest off
# cleanly (ACPI power button → init → onshutdown container) and lk-run exits 0.
boot() {
  local name=$1 file=$2; shift 2
  local port log="$TMP/console-$name.log" code="" vm status=124
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  lk-run qemu --publish "$port:80" --timeout 300 "$@" "$TMP/out/$file" </dev/null >"$log" 2>&1 &
  vm=$!
  for _ in $(seq 1 480); do  # at most 240 s (plus curl's own 3 s bound)
    code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null) && [ "$code" = 200 ] && break
    kill -0 $vm 2>/dev/null || break
    sleep 0.5
  done
  kill -TERM $vm 2>/dev/null
  for _ in $(seq 1 225); do kill -0 $vm 2>/dev/null || break; sleep 0.2; done
  kill -0 $vm 2>/dev/null || { wait $vm; status=$?; }
  kill -KILL $vm 2>/dev/null; wait $vm 2>/dev/null
  if [ "$code" = 200 ]; then ok "boot-$name-http-200"; else
    fail "boot-$name-http-200" "no HTTP 200 (last: ${code:-none})"; echo "--- console ($name) ---"; tail -40 "$log"
  fi
  if [ "$status" = 0 ] && grep -aq 'so long and thanks for all the fish' "$log"; then ok "sigterm-$name-clean-poweroff"
  else fail "sigterm-$name-clean-poweroff" "exit $status"; tail -15 "$log"; fi
}
# The ISOs are hybrid: the same files boot as hard disks (named .img, lk-run attaches them so).
ln -s nginx.iso "$TMP/out/nginx-iso-as-disk.img"
ln -s nginx-hybrid.iso "$TMP/out/nginx-hybrid-as-disk.img"
# Two VMs at a time, one per core: two queues, each boot taking a lock on the file it
# boots (a writable disk is locked by the VM using it, so the dual disk's two boots,
# and a hybrid ISO as CD and as disk, never overlap). A queue starts its next boot as
# soon as its last one ends. Each entry is "NAME FILE [options]"; the results are
# printed in this order at the end.
queue_a=("iso-bios nginx.iso" "iso-hybrid-bios nginx-hybrid.iso" "raw-bios nginx-bios.img"
         "raw-dual-bios nginx-dual.img" "qcow2-bios nginx.qcow2" "gcp nginx.img.tar.gz"
         "iso-bios-as-disk nginx-iso-as-disk.img")
queue_b=("iso-efi nginx-efi.iso" "raw-dual-uefi nginx-dual.img --uefi" "raw-efi nginx-efi.img"
         "iso-hybrid-uefi nginx-hybrid.iso --uefi" "qcow2-efi nginx-efi.qcow2" "gcp-efi nginx-efi.img.tar.gz"
         "iso-hybrid-as-disk-uefi nginx-hybrid-as-disk.img --uefi")
run_queue() {
  local e real
  for e in "$@"; do
    set -- $e
    real=$(basename "$(readlink -f "$TMP/out/$2")")
    # A boot is bounded (240 s + 45 s), so the other queue's lock is released in time.
    # shellcheck disable=SC2086
    flock -w 600 "$TMP/lock-$real" bash -c 'boot "$@"' boot $e >"$TMP/result-$1" 2>&1 ||
      fail "boot-$1-http-200" "no lock on $real" >>"$TMP/result-$1"
  done
}
export -f boot ok fail
export TMP
run_queue "${queue_a[@]}" &
qa=$!
run_queue "${queue_b[@]}"
wait $qa
for e in "${queue_a[@]}" "${queue_b[@]}"; do set -- $e; cat "$TMP/result-$1"; done
