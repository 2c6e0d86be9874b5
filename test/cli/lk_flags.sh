# The flags LinuxKit and 2017 moby users have in their scripts: each alias and each
# one-dash spelling drives the same code as lk's own name (lk run qemu through its
# --dry-run, push and run gcp against the fake GCE server), lk's own spellings keep
# their meaning, and what lk cannot do is refused with exit status 2.
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/gcp/helpers.sh"
plan 53

# dry ARGS...: the command line `lk run qemu --dry-run` prints (paths fixed by --state).
dry() { lk run qemu --dry-run --state "$TMP/st" "$@" 2>"$TMP/err"; }
# same_as NAME WANT LK_ARGS... -- LINUXKIT_ARGS...: both spellings give the one command
# line, and it has WANT.
same_as() {
  local name=$1 want=$2 lk_args=() a b; shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do lk_args+=("$1"); shift; done
  shift
  a=$(dry "${lk_args[@]}" "$VM") b=$(dry "$@" "$VM")
  if [ -n "$a" ] && [ "$a" = "$b" ] && [[ " $a " == *"$want"* ]]; then ok "$name"; else
    fail "$name" "lk's: $a; LinuxKit's: ${b:-$(head -2 "$TMP/err")}"; fi
}
# refused NAME PATTERN CMD...: exit status 2 and PATTERN on stderr.
refused() {
  local name=$1 pat=$2; shift 2
  "$@" >/dev/null 2>"$TMP/err"; local st=$?
  if [ $st = 2 ] && grep -q -- "$pat" "$TMP/err"; then ok "$name"; else fail "$name" "exit $st: $(head -2 "$TMP/err")"; fi
}

# lk build --arch: amd64 (x86_64 too) goes on to the spec; the other arches LinuxKit
# builds for are refused by name.
refused build-arch-amd64-passes 'nothing.yml' lk build --arch amd64 "$TMP/nothing.yml"
refused build-arch-one-dash 'nothing.yml' lk build -arch x86_64 "$TMP/nothing.yml"
refused build-arch-arm64-refused 'lk builds amd64 systems only, not yet arm64' lk build -arch arm64 "$TMP/nothing.yml"
refused build-arch-unknown 'must be amd64' lk build --arch sparc "$TMP/nothing.yml"
refused build-compress-unknown 'compress must be auto, gzip or zstd, not "lz4"' lk build --compress lz4 "$TMP/nothing.yml"
refused build-compress-none 'compress must be auto, gzip or zstd, not "none"' lk build --compress none "$TMP/nothing.yml"

# lk run qemu. A kernel+initrd as lk names it, and as 2017's `moby build` did.
for f in vm-kernel vm-initrd.img moby-bzImage moby-initrd.img; do echo x >"$TMP/$f"; done
echo console=ttyS0 >"$TMP/vm-cmdline"
echo console=ttyS0 >"$TMP/moby-cmdline"
VM="$TMP/vm"
same_as qemu-mem " -m 512 " --mem 512 -- -mem 512
same_as qemu-cpus " -smp 2 " --cpus 2 -- -cpus=2
same_as qemu-publish ",hostfwd=tcp:127.0.0.1:8080-:80 " --publish 8080:80 -- -publish 8080:80
same_as qemu-disk " -drive file=$TMP/d.img,format=raw,if=virtio " --disk "$TMP/d.img,size=1M" -- -disk "$TMP/d.img,size=1M"
check qemu-dry-run-creates-no-disk test ! -e "$TMP/d.img"
same_as qemu-networking " -nic none " --networking none -- -networking none
same_as qemu-uefi " -bios /usr/share/ovmf/OVMF.fd " --uefi -- -uefi
same_as qemu-uefi-false "" -- -uefi -uefi=false
same_as qemu-accel " -accel tcg " --accel tcg -- -accel tcg
same_as qemu-accel-kvm-tcg " -accel " --accel auto -- --accel kvm:tcg
same_as qemu-detached " -serial file:$TMP/st/console.log " --detach -- --detached
same_as qemu-one-dash-detached " -serial file:$TMP/st/console.log " --detach -- -detached
check qemu-dry-run-creates-no-state test ! -e "$TMP/st"
a=$(lk run qemu --dry-run --state "$TMP/s2" "$VM") b=$(lk run qemu --dry-run -state "$TMP/s2" "$VM")
check qemu-one-dash-state test "$a" = "$b" -a -n "$(echo "$a" | grep -F "unix:$TMP/s2/qmp.sock")"
check qemu-moby-bzimage sh -c "lk run qemu --dry-run '$TMP/moby' | grep -qF -- '-kernel $TMP/moby-bzImage '"
same_as qemu-data "$TMP/st/data.iso" --data hello -- -data hello
same_as qemu-data-file "$TMP/st/data.iso" --data-file "$TMP/vm-cmdline" -- -data-file "$TMP/vm-cmdline"
refused qemu-own-flag-two-dashes "lk's own long options take two dashes: --grace" lk run qemu -grace 5 "$VM"
refused qemu-unknown-one-dash 'unknown option -gui' lk run qemu -gui "$VM"
lk run qemu -help >"$TMP/help" 2>&1
check qemu-help-one-dash grep -q '^  -accel -cpus .*-detached' "$TMP/help"

# lk push gcp.
IMG="$TMP/lkimg.img.tar.gz"
make_image "$IMG" 4
start_fake
lk push gcp -keys "$KEY" -project "$PROJECT" -bucket "$BUCKET" -family fam -public -nested-virt "$IMG" \
  >"$TMP/out" 2>"$TMP/err"
check push-one-dash-exit-0 test $? -eq 0
check_state push-one-dash-family 's["images"]["lkimg"]["family"]' fam
check_state push-one-dash-public 's["public_acl"]' "['publicRead']"
check_state push-one-dash-nested-virt 's["images"]["lkimg"]["licenses"]' \
  "['projects/vm-options/global/licenses/enable-vmx']"
push() { bounded 60 lk push gcp --keys "$KEY" --project "$PROJECT" --bucket "$BUCKET" "$@"; }
push --img-name two "$IMG" >"$TMP/out" 2>"$TMP/err"
check push-img-name test "$(cat "$TMP/out")" = two
push -img-name=three "$IMG" >"$TMP/out" 2>"$TMP/err"
check push-one-dash-img-name test "$(cat "$TMP/out")" = three
push --uefi-compatible --name four "$IMG" >/dev/null 2>"$TMP/err"
check_state push-uefi-compatible 's["images"]["four"].get("guestOsFeatures")' "[{'type': 'UEFI_COMPATIBLE'}]"
push -uefi-compatible=false --name five "$IMG" >/dev/null 2>"$TMP/err"
check_state push-uefi-compatible-false '"guestOsFeatures" in s["images"]["five"]' False
refused push-switch-bad-value 'is a switch' lk push gcp -uefi-compatible=maybe "$IMG"
stop_fake

# lk run gcp: the classic walk-through's command (bucket and key from the environment),
# then the other flags.
start_fake
cp "$IMG" "$TMP/gcp.img.tar.gz"
(cd "$TMP" && CLOUDSDK_IMAGE_BUCKET=$BUCKET CLOUDSDK_COMPUTE_KEYS=$KEY bounded 60 lk run gcp -project "$PROJECT" \
  gcp.img.tar.gz >/dev/null 2>"$TMP/err")
check run-walk-through-exit-0 test $? -eq 0
check_state run-walk-through-instance 's["instances_deleted"]' "['gcp']"
bounded 60 lk push gcp --keys "$KEY" --project "$PROJECT" --bucket "$BUCKET" "$IMG" >/dev/null 2>&1
rg() { bounded 60 lk run gcp -keys "$KEY" -project "$PROJECT" -zone "$ZONE" "$@"; }
rg -name kept -machine e2-small -disk-size 10 -skip-cleanup -nested-virt -data hello lkimg >/dev/null 2>"$TMP/err"
check run-one-dash-exit-0 test $? -eq 0
inst='s["instances"]["kept"]'
check_state run-one-dash-machine "$inst[\"body\"][\"machineType\"]" "zones/$ZONE/machineTypes/e2-small"
check_state run-one-dash-disk-size "$inst[\"body\"][\"disks\"][0][\"initializeParams\"][\"diskSizeGb\"]" 10
check_state run-one-dash-skip-cleanup "$inst[\"status\"]" TERMINATED
check_state run-one-dash-nested-virt "$inst[\"body\"].get(\"minCpuPlatform\")" "Intel Haswell"
check_state run-one-dash-data "{i[\"key\"]: i[\"value\"] for i in $inst[\"body\"][\"metadata\"][\"items\"]}[\"user-data\"]" hello
cp "$IMG" "$TMP/other.img.tar.gz"
rg -bucket "$BUCKET" -family fam -public -img-name renamed "$TMP/other.img.tar.gz" >/dev/null 2>"$TMP/err"
check run-img-name-exit-0 test $? -eq 0
check_state run-img-name-image 's["images"]["renamed"]["family"]' fam
check_state run-img-name-instance '"renamed" in s["instances_deleted"]' True
stop_fake

# lk build, and the commands moby and linuxkit have.
cd "$REPO"
mkdir -p "$TMP/built"
refused build-one-dash-format 'format "nosuch" is not one lk builds' \
  lk build -dir "$TMP/built" -format nosuch examples/minimal.yml
lk build -q -dir "$TMP/built" -name m -cache "${LK_TEST_CACHE:-$REPO/build/test-cache}" \
  -format kernel+initrd,raw-bios -size 64M examples/minimal.yml 2>"$TMP/err"
check build-one-dash test -s "$TMP/built/m-initrd.img"
check build-one-dash-size test "$(stat -c %s "$TMP/built/m-bios.img" 2>/dev/null)" = 67108864
check version-command cmp -s <(lk version) <(lk --version)
check help-command cmp -s <(lk help run qemu) <(lk-run qemu --help)
check help-build cmp -s <(lk help build) <(lk build --help)
refused help-unknown 'unknown command "nosuch"' lk help nosuch
