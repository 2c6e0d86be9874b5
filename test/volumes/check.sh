#!/bin/busybox sh
# check.sh writer|reader: what a container sees of the volumes volumes.yml binds, one
# "VOLCHECK NAME ok" (or FAIL) line per case, for volumes_boot.sh to read on the console.
b=/bin/busybox
check() {
  if eval "$2" >/dev/null 2>&1; then echo "VOLCHECK $1 ok"; else echo "VOLCHECK $1 FAIL"; fi
}
# The file system type and per-mount options of the mount at $1, as this container sees it.
mount_of() { $b awk -v p="$1" '$5 == p { print $(NF-2), substr($6, 1, 2) }' /proc/self/mountinfo | $b tail -1; }
case "$1" in
writer)
  check blank-empty '[ -d /blank ] && [ -z "$($b ls -A /blank)" ]'
  check rw-on-rw-writes 'echo -n file >/blank/mytestfile'
  check ro-on-rw-refuses '! echo x >/blank-ro/rofile'
  check ro-on-rw-sees-writes '[ "$($b cat /blank-ro/mytestfile)" = file ]'
  check blank-ro-empty '[ -d /blank-ro2 ] && [ -z "$($b ls -A /blank-ro2)" ]'
  check image-populated '[ -x /image/bin/busybox ] && [ -f /image/poweroff.sh ]'
  check image-writable 'echo new >/image/new'
  check ro-on-ro-populated '[ -x /image-ro/bin/busybox ]'
  check ro-on-ro-refuses '! echo x >/image-ro/mytestfile && [ ! -e /image-ro/mytestfile ]'
  check oci-layout '$b grep -q imageLayoutVersion /oci/oci-layout && $b grep -q poweroff /oci/index.json'
  ;;
reader)
  check rw-on-rw-shared '[ "$($b cat /blank/mytestfile)" = file ]'
  check ro-on-rw-nothing-written '[ ! -e /blank/rofile ]'
  check binds-add-ro '! echo x >/blank/other'
  check mount-type-bind '[ -x /image/bin/busybox ]'
  check image-changes-shared '[ "$($b cat /image/new)" = new ]'
  check image-lower-untouched '[ ! -e /volumes/image/lower/new ] && [ -x /volumes/image/lower/bin/busybox ]'
  # How the init mounted each volume, seen through the bind of /containers/volumes.
  check init-mounted-image-overlay '[ "$(mount_of /volumes/image/merged)" = "overlay rw" ]'
  check init-mounted-blank-tmpfs '[ "$(mount_of /volumes/blank/merged)" = "tmpfs rw" ]'
  check init-mounted-ro-readonly '[ "$(mount_of /volumes/image-ro/merged | $b cut -d" " -f2)" = ro ]'
  check init-mounted-blank-ro-readonly '[ "$(mount_of /volumes/blank-ro/merged | $b cut -d" " -f2)" = ro ]'
  ;;
esac
