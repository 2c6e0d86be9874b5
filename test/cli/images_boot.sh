# Every image format of examples/nginx.yml boots under qemu and nginx answers HTTP 200
# through a published port: BIOS formats with SeaBIOS, UEFI ones with OVMF, the hybrid
# ISO and the dual disk both ways, and the GCE tarballs from the disk.raw inside. Also
# `lk build --format` itself: the output names, and no kernel+initrd left when not asked.
. "$LK_TEST_DIR/lib.sh"
if [ "${LK_SANITIZE:-}" = 1 ]; then skip images_boot "boot tests run in the normal build only"; exit 0; fi
command -v qemu-system-x86_64 >/dev/null || { fail images_boot "qemu-system-x86_64 missing (scripts/install-deps)"; exit 0; }
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
cd "$REPO"
formats=iso-bios,iso-efi,iso-hybrid,raw-bios,raw-efi,raw-dual,qcow2-bios,qcow2-efi,gcp,gcp-efi
if ! lk build --dir "$TMP/out" --name nginx --format "$formats" examples/nginx.yml 2>"$TMP/build.err"; then
  fail build "$(tail -5 "$TMP/build.err")"; exit 0
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
  for _ in $(seq 1 120); do
    code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null) && [ "$code" = 200 ] && break
    kill -0 $vm 2>/dev/null || break
    sleep 2
  done
  kill -TERM $vm 2>/dev/null
  for _ in $(seq 1 90); do kill -0 $vm 2>/dev/null || break; sleep 0.5; done
  kill -0 $vm 2>/dev/null || { wait $vm; status=$?; }
  kill -KILL $vm 2>/dev/null; wait $vm 2>/dev/null
  if [ "$code" = 200 ]; then ok "boot-$name-http-200"; else
    fail "boot-$name-http-200" "no HTTP 200 (last: ${code:-none})"; echo "--- console ($name) ---"; tail -40 "$log"
  fi
  if [ "$status" = 0 ] && grep -aq 'so long and thanks for all the fish' "$log"; then ok "sigterm-$name-clean-poweroff"
  else fail "sigterm-$name-clean-poweroff" "exit $status"; tail -15 "$log"; fi
}
# Two VMs at a time, one per core; each argument is "NAME FILE [options]".
run_pair() {
  # shellcheck disable=SC2086
  boot $1 >"$TMP/result-a" 2>&1 &
  local first=$!
  # shellcheck disable=SC2086
  boot $2 >"$TMP/result-b" 2>&1
  wait $first
  cat "$TMP/result-a" "$TMP/result-b"
}
# A writable disk is locked by the VM using it, so the dual disk's two boots are apart.
run_pair "iso-bios nginx.iso"               "iso-efi nginx-efi.iso"
run_pair "iso-hybrid-bios nginx-hybrid.iso" "raw-dual-uefi nginx-dual.img --uefi"
run_pair "raw-bios nginx-bios.img"          "raw-efi nginx-efi.img"
run_pair "raw-dual-bios nginx-dual.img"     "iso-hybrid-uefi nginx-hybrid.iso --uefi"
run_pair "qcow2-bios nginx.qcow2"           "qcow2-efi nginx-efi.qcow2"
run_pair "gcp nginx.img.tar.gz"             "gcp-efi nginx-efi.img.tar.gz"
# The ISOs are hybrid: the same files boot as hard disks (named .img, lk-run attaches them so).
ln -s nginx.iso "$TMP/out/nginx-iso-as-disk.img"
ln -s nginx-hybrid.iso "$TMP/out/nginx-hybrid-as-disk.img"
run_pair "iso-bios-as-disk nginx-iso-as-disk.img" "iso-hybrid-as-disk-uefi nginx-hybrid-as-disk.img --uefi"
