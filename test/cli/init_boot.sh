#!/usr/bin/env bash
# Boots lk-init under qemu (TCG, PVH vmlinux) with a hand-made initramfs (test/boot/mkinitrd.sh):
# Debian's kernel, busybox-static and runc from .debs (scripts/fetch-debs), the VM module set
# (scripts/kernel-modules), and a LinuxKit /containers layout with onboot, services and
# onshutdown bundles. Checks the console for each stage, lk-service (list, restart) run from a
# privileged test service, and that the guest powers itself off (busybox poweroff -> SIGUSR2).
source "$LK_TEST_DIR/lib.sh"
plan 30
T=init_boot

skip_if_sanitize "sanitizer build (lk-init is static; boot tests run in the release build)"
if ! command -v qemu-system-x86_64 >/dev/null || ! qemu-system-x86_64 --version >/dev/null 2>&1; then
  die "qemu-system-x86_64 cannot run (scripts/install-deps installs it)"
fi
export PATH="$PATH:/usr/sbin:/sbin"
for tool in depmod cpio python3 dpkg-deb apt-get strip; do
  command -v $tool >/dev/null || die "$tool missing (scripts/install-deps installs it)"
done

debs_out=$TMP/debs.env
if ! "$REPO/scripts/fetch-debs" >"$debs_out" 2>"$TMP/fetch.err"; then
  die "scripts/fetch-debs failed: $(tail -3 "$TMP/fetch.err")"
fi
ok ${T}_fetch
eval "$(grep -E '^(KERNEL_TREE|BUSYBOX|RUNC_ROOT|LIBC_ROOT|SECCOMP_ROOT)=' "$debs_out")"

K=$TMP/kernel
if ! "$REPO/scripts/kernel-modules" "$KERNEL_TREE" "$K" >"$TMP/kmod.out" 2>"$TMP/kmod.err"; then
  die "scripts/kernel-modules failed: $(tail -3 "$TMP/kmod.err")"
fi
check ${T}_modules_virtio_net grep -q 'virtio_net.ko$' "$K/modules.list"
check ${T}_modules_dep_regenerated grep -q '^kernel/drivers/net/virtio_net.ko:.*virtio_ring.ko' "$K"/lib/modules/*/modules.dep
check ${T}_vmlinux_elf test "$(head -c 4 "$K/vmlinux" | od -An -c | tr -d ' ')" = '177ELF'

initrd=$TMP/initrd.img
if ! LK_INIT="$LK_BIN/lk-init" KMOD_OUT=$K BUSYBOX=$BUSYBOX RUNC_ROOT=$RUNC_ROOT LIBC_ROOT=$LIBC_ROOT \
     SECCOMP_ROOT=$SECCOMP_ROOT "$REPO/test/boot/mkinitrd.sh" "$initrd" 2>"$TMP/mkinitrd.err"; then
  die "mkinitrd.sh failed: $(tail -3 "$TMP/mkinitrd.err")"
fi
ok ${T}_initrd
echo "# initrd: $(stat -c %s "$initrd") bytes gzip $(grep -o "([0-9]* unpacked)" "$TMP/mkinitrd.err")"

log=$TMP/console.log
start=$(date +%s.%N)
# 1 vCPU, TCG (no KVM here: see boot-feasibility.md), the ELF vmlinux through PVH, and a
# fixed MAC so the host name is known. -no-reboot turns the guest's power-off into exit 0.
timeout 240 qemu-system-x86_64 -accel tcg -m 512 -smp 1 -display none -monitor none -no-reboot \
  -serial "file:$log" -kernel "$K/vmlinux" -initrd "$initrd" \
  -append "console=ttyS0 panic=-1 quiet lk.debug lk.stop_timeout=3" \
  -nic user,model=virtio-net-pci,mac=52:54:00:12:34:56 </dev/null >"$TMP/qemu.out" 2>&1
rc=$?
wall=$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$start" "$(date +%s.%N)")

failed=0
expect() { console_check "$log" "${T}_$1" "$2" || failed=1; }  # expect NAME REGEX
if [ $rc -eq 0 ]; then ok ${T}_qemu_exits_by_itself; else fail ${T}_qemu_exits_by_itself "qemu exit $rc (124: timeout)"; failed=1; fi
expect root_moved 'lk-init: moved the initramfs to a tmpfs root'
expect modules_loaded 'lk-init: modules for the hardware:.* virtio_net'
expect hostname_from_mac 'lk-init: hostname lk-525400123456'
expect onboot_ran 'lk-init: onboot 000-marker exited 0'
expect onboot_marker '000-marker\| LK_TEST_ONBOOT_MARKER from marker'
expect onboot_overlay_writable '000-marker\| rootfs is writable'
expect onboot_interface_moved 'lk-init: 000-marker: interface lkt0 \(veth\) moved into its network namespace'
expect onboot_sees_interface '000-marker\| interfaces: .*lkt0'
expect onboot_bindns 'lk-init: 000-marker: net namespace bound at /run/netns/marker'
expect onboot_failure_reported 'lk-init: onboot 001-fails exited 3 .*FAILED, boot continues'
expect service_started 'lk-init: service ticker started'
expect service_timing 'lk-init: 2 service\(s\) running; init start to last service started'
expect runc_list_running '^ +ticker +[0-9]+ +running +/containers/services/ticker'
expect poweroff_signal 'lk-init: received SIGUSR2'
expect onshutdown_ran 'lk-init: onshutdown 000-bye exited 0'
expect onshutdown_marker '000-bye\| LK_TEST_ONSHUTDOWN_MARKER'
expect loopback_up '000-bye\| lo flags 0x9'
expect service_saw_onboot '000-bye\| LK_TEST_SERVICE_SAW_ONBOOT'
expect old_service_exit_seen 'lk-init: service ticker exited 0'
expect lk_service_list '000-bye\| ticker +running +[0-9]+'
expect lk_service_restart '000-bye\| LK_TEST_RESTART_OK'
expect lk_service_unknown_name '000-bye\| lk-service stop nosuch: exit 2'
expect service_got_sigterm '000-bye\| ticker got SIGTERM'
expect powered_off 'reboot: Power down'

grep -aE 'lk-init: (lk .* init started|.*service\(s\) running|poweroff \()' "$log" | sed 's/^/# /'
echo "# qemu wall time ${wall}s"
if [ $failed -ne 0 ]; then
  console_tail "$log" 120
  echo "# qemu output:"; sed 's/^/#   /' "$TMP/qemu.out" | tail -20
fi
