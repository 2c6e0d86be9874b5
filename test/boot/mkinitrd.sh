#!/usr/bin/env bash
# mkinitrd.sh OUT.img: the boot test's initramfs, assembled by hand (no lk-rootfs):
#   /init (= /sbin/init, /usr/bin/lk-service) lk-init, busybox-static applets, runc with its
#   libraries, kernel modules, /etc basics from pkg/init/files, and a LinuxKit /containers
#   layout: onboot 000-marker (writable: lower/ + tmp/ + rootfs/ overlay from a bundle-relative
#   runtime.json; own network namespace with a veth end moved in, its netns bound to a path), onboot 001-fails (exits 3), service ticker (read-only, LinuxKit's absolute bind in runtime.json),
#   service zz-poweroff (privileged test driver: lk-service list/restart, then busybox `poweroff`),
#   onshutdown 000-bye (no runtime.json: lk-init's own read-only default).
# Environment (scripts/fetch-debs and scripts/kernel-modules print most of these):
#   LK_INIT   the lk-init binary          BUSYBOX       busybox-static's bin/busybox
#   RUNC_ROOT unpacked runc .deb          LIBC_ROOT     unpacked libc6 .deb
#   SECCOMP_ROOT unpacked libseccomp2     KMOD_OUT      kernel-modules output (lib/modules/)
#   COMP      compressor (default "gzip -6 -n"; "cat" for none)
set -euo pipefail
out=$(realpath -m "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
: "${LK_INIT:?}" "${BUSYBOX:?}" "${RUNC_ROOT:?}" "${LIBC_ROOT:?}" "${SECCOMP_ROOT:?}" "${KMOD_OUT:?}"
runc_bin=$RUNC_ROOT/usr/sbin/runc
R=$(mktemp -d "${TMPDIR:-/tmp}/lk-initrd.XXXXXX")
trap 'rm -rf "$R"' EXIT

mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,var,root,lib64,lib/x86_64-linux-gnu,usr/lib/x86_64-linux-gnu}
install -m 0755 "$LK_INIT" "$R/init"
strip "$R/init" 2>/dev/null || true
ln -s /init "$R/sbin/init"
ln -s /init "$R/usr/bin/lk-service"
install -m 0755 "$BUSYBOX" "$R/bin/busybox"
"$BUSYBOX" --list-full | while read -r applet; do
  case $applet in sbin/init|linuxrc|bin/busybox) continue ;; esac
  mkdir -p "$R/$(dirname "$applet")"
  [ -e "$R/$applet" ] || ln -s /bin/busybox "$R/$applet"
done
cp "$repo"/pkg/init/files/etc/* "$R/etc/"

# runc is dynamic on Debian: its two libraries and the loader, from the same .debs.
install -m 0755 "$runc_bin" "$R/usr/sbin/runc"
cp -L "$LIBC_ROOT/lib/x86_64-linux-gnu/libc.so.6" "$LIBC_ROOT/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$R/lib/x86_64-linux-gnu/"
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$R/lib64/ld-linux-x86-64.so.2"
cp -L "$SECCOMP_ROOT/usr/lib/x86_64-linux-gnu/libseccomp.so.2" "$R/usr/lib/x86_64-linux-gnu/"

cp -a "$KMOD_OUT/lib/modules" "$R/lib/"

# A container root: static busybox (hard links share one copy in the cpio) and a few applets.
mkroot() {
  local d=$1
  mkdir -p "$d"/{bin,proc,sys,dev,tmp,etc,run,shared,hostlog}
  ln "$R/bin/busybox" "$d/bin/busybox"
  for a in sh echo cat sleep touch hostname poweroff kill ls chroot ip; do ln -s busybox "$d/bin/$a"; done
  echo "root:x:0:0:root:/:/bin/sh" > "$d/etc/passwd"
}
bundle() { python3 "$here/mkbundle.py" --runc "$runc_bin" "$@"; }
C=$R/containers

b=$C/onboot/000-marker
mkdir -p "$b/tmp" "$b/rootfs"
mkroot "$b/lower"
bundle --bundle "$b" --hostname marker --own-net --bind /run/lk-test:/shared \
  --args '["/bin/sh","-c","echo LK_TEST_ONBOOT_MARKER from $(hostname); echo onboot-was-here > /shared/onboot; touch /written && echo rootfs is writable; echo interfaces: $(ls /sys/class/net)"]'
cat > "$b/runtime.json" <<'JSON'
{
    "cgroups": [],
    "mounts": [
        {"source": "tmpfs", "destination": "tmp", "type": "tmpfs", "options": ["mode=0755"]},
        {"destination": "tmp", "options": ["remount", "private"]},
        {"source": "overlay", "destination": "rootfs", "type": "overlay",
         "options": ["lowerdir=lower", "upperdir=tmp/upper", "workdir=tmp/work"]}
    ],
    "mkdir": ["/run/lk-test"],
    "interfaces": [{"name": "lkt0", "peer": "lkt1"}],
    "bindNS": {"cgroup": "", "ipc": "", "mnt": "", "net": "/run/netns/marker", "pid": "", "user": "", "uts": ""},
    "namespace": ""
}
JSON

# A failing onboot container: reported on the console, and boot goes on (as LinuxKit).
b=$C/onboot/001-fails
mkroot "$b/rootfs"
bundle --bundle "$b" --readonly --args '["/bin/sh","-c","echo about to fail; exit 3"]'

b=$C/services/ticker
mkroot "$b/rootfs"
bundle --bundle "$b" --hostname ticker --readonly --bind /run/lk-test:/shared:ro \
  --args '["/bin/sh","-c","trap \"echo ticker got SIGTERM; exit 0\" TERM; echo ticker up; echo lo flags $(cat /sys/class/net/lo/flags); cat /shared/onboot && echo LK_TEST_SERVICE_SAW_ONBOOT; while :; do sleep 1 & wait $!; done"]'
cat > "$b/runtime.json" <<'JSON'
{
    "cgroups": [],
    "mounts": [
        {"source": "/containers/services/ticker/rootfs", "destination": "/containers/services/ticker/rootfs", "options": ["bind"]}
    ],
    "mkdir": ["/run/lk-test"],
    "interfaces": [],
    "bindNS": {"cgroup": "", "ipc": "", "mnt": "", "net": "", "pid": "", "user": "", "uts": ""},
    "namespace": ""
}
JSON

# The test driver: privileged, in the host pid namespace with the host's / at /host, so that
# `chroot /host lk-service ...` acts on the system as a shell on the console would; then
# busybox `poweroff` (SIGUSR2 to PID 1), like LinuxKit's poweroff package.
b=$C/services/zz-poweroff
mkroot "$b/rootfs"
mkdir -p "$b/rootfs/host"
cat > "$b/rootfs/driver.sh" <<'SH'
sleep 1
chroot /host /usr/bin/lk-service list
chroot /host /usr/bin/lk-service -t 3 restart ticker && echo LK_TEST_RESTART_OK
chroot /host /usr/bin/lk-service list
chroot /host /usr/bin/lk-service stop nosuch; echo "lk-service stop nosuch: exit $?"
sleep 1
echo LK_TEST_POWEROFF
poweroff
SH
bundle --bundle "$b" --readonly --host-pid --privileged --bind /:/host \
  --args '["/bin/sh","/driver.sh"]'

b=$C/onshutdown/000-bye
mkroot "$b/rootfs"
bundle --bundle "$b" --readonly --bind /var/log:/hostlog:ro \
  --args '["/bin/sh","-c","echo LK_TEST_ONSHUTDOWN_MARKER; cat /hostlog/ticker.log /hostlog/zz-poweroff.log"]'

( cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet ) | ${COMP:-gzip -6 -n} > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitrd: $out $(stat -c %s "$out") bytes ($(du -sb "$R" | cut -f1) unpacked)" >&2
