#!/usr/bin/env bash
# Every image format from the nginx bundle: time and size of each; for the ISOs, the
# same job done by hand with xorriso -as mkisofs in the same run, so lk's overhead over
# the tool it drives shows as a ratio (goal < 1.2x).
# The bundle comes from `lk build` of examples/nginx.yml with the test cache.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
export LK_BIN=${LK_BIN:-$REPO/bin}
export PATH="$LK_BIN:$PATH"
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
RUNS=${LK_BENCH_RUNS:-5}

(cd "$REPO" && lk build -q --dir "$W" --name nginx examples/nginx.yml) || { echo "lk build failed"; exit 1; }
tar -C "$W" -cf "$W/bundle.tar" --transform 's/^nginx-//' nginx-kernel nginx-initrd.img nginx-cmdline
echo "bundle: kernel $(($(stat -c %s "$W/nginx-kernel") >> 20)) MiB, initrd $(($(stat -c %s "$W/nginx-initrd.img") >> 20)) MiB; median of $RUNS runs"

measure() {  # LABEL OUTPUT CMD...: prints and returns the median seconds
  local label=$1 out=$2; shift 2
  read -r secs rss < <(python3 "$here/measure.py" "$RUNS" "$@")
  local size=""
  [ -f "$out" ] && size=$(awk -v b="$(stat -c %s "$out")" -v a="$(du -k "$out" | cut -f1)" 'BEGIN{printf "%7.1f MB (%.1f MB allocated)", b/1e6, a*1024/1e6}')
  printf '%-22s %7.3f s  %s\n' "$label" "$secs" "$size" >&2
  echo "$secs"
}

# Two floors. "xorriso alone": the ISO trees lk-iso builds, prepared outside the timing.
# "by hand": the whole job from the bundle as a script would do it (tar -x, the loader
# files and config, for EFI grub-mkimage + mkfs.fat + mtools, then xorriso).
iso_tree() {  # DIR
  mkdir -p "$1/boot" "$1/isolinux"
  cp "$W/nginx-kernel" "$1/boot/kernel"; cp "$W/nginx-initrd.img" "$1/boot/initrd.img"
  cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$1/isolinux/"
  echo "APPEND $(cat "$W/nginx-cmdline")" > "$1/isolinux/isolinux.cfg"
}
iso_tree "$W/tree-bios"
iso_tree "$W/tree-efi" && rm -r "$W/tree-efi/isolinux"
lk-iso --efi -i "$W/bundle.tar" -o "$W/tmp.iso"
xorriso -osirrox on -indev "$W/tmp.iso" -extract /boot/efiboot.img "$W/tree-efi/boot/efiboot.img" >/dev/null 2>&1
XBIOS="-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin -c isolinux/boot.cat -b isolinux/isolinux.bin -no-emul-boot -boot-load-size 4 -boot-info-table"
XEFI="-e boot/efiboot.img -no-emul-boot -isohybrid-gpt-basdat"
cat > "$W/by-hand-bios.sh" <<SH
set -e; d=\$(mktemp -d); mkdir -p \$d/boot \$d/isolinux; tar -xf $W/bundle.tar -C \$d/boot kernel initrd.img
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \$d/isolinux/
printf 'SERIAL 0 115200\\nDEFAULT linux\\nLABEL linux\\n KERNEL /boot/kernel\\n INITRD /boot/initrd.img\\n APPEND %s\\n' "\$(tar -xOf $W/bundle.tar cmdline)" > \$d/isolinux/isolinux.cfg
xorriso -as mkisofs -quiet -o $W/hand-job.iso -V LK -J -joliet-long -r $XBIOS \$d 2>/dev/null; rm -rf \$d
SH
cat > "$W/by-hand-efi.sh" <<SH
set -e; d=\$(mktemp -d); mkdir -p \$d/boot; tar -xf $W/bundle.tar -C \$d/boot kernel initrd.img
printf 'search --no-floppy --set=root --file /boot/kernel\\nlinux /boot/kernel %s\\ninitrd /boot/initrd.img\\nboot\\n' "\$(tar -xOf $W/bundle.tar cmdline)" > \$d/early.cfg
grub-mkimage -O x86_64-efi -p /EFI/BOOT -c \$d/early.cfg -o \$d/BOOTX64.EFI part_gpt part_msdos fat iso9660 search search_fs_file linux boot serial terminal normal efi_gop
truncate -s 1M \$d/boot/efiboot.img; mkfs.fat \$d/boot/efiboot.img >/dev/null
mmd -i \$d/boot/efiboot.img ::/EFI ::/EFI/BOOT; mcopy -i \$d/boot/efiboot.img \$d/BOOTX64.EFI ::/EFI/BOOT/; rm \$d/BOOTX64.EFI \$d/early.cfg
xorriso -as mkisofs -quiet -o $W/hand-job-efi.iso -V LK -J -joliet-long -r $XEFI \$d 2>/dev/null; rm -rf \$d
SH

# shellcheck disable=SC2086
alone_bios=$(measure "xorriso alone, BIOS" "$W/hand.iso" xorriso -as mkisofs -quiet -o "$W/hand.iso" -V LK -J -joliet-long -r $XBIOS "$W/tree-bios")
hand_bios=$(measure "by hand, BIOS" "$W/hand-job.iso" bash "$W/by-hand-bios.sh")
lk_bios=$(measure "lk-iso --bios" "$W/o.iso" lk-iso --bios -i "$W/bundle.tar" -o "$W/o.iso")
# shellcheck disable=SC2086
alone_efi=$(measure "xorriso alone, EFI" "$W/hand-efi.iso" xorriso -as mkisofs -quiet -o "$W/hand-efi.iso" -V LK -J -joliet-long -r $XEFI "$W/tree-efi")
hand_efi=$(measure "by hand, EFI" "$W/hand-job-efi.iso" bash "$W/by-hand-efi.sh")
lk_efi=$(measure "lk-iso --efi" "$W/o-efi.iso" lk-iso --efi -i "$W/bundle.tar" -o "$W/o-efi.iso")
measure "lk-iso --bios --efi" "$W/o-hybrid.iso" lk-iso --bios --efi -i "$W/bundle.tar" -o "$W/o-hybrid.iso" >/dev/null
for f in raw-bios raw-efi raw-dual qcow2-bios qcow2-efi; do
  measure "lk-disk $f" "$W/o.$f" lk-disk --format "$f" -i "$W/bundle.tar" -o "$W/o.$f" >/dev/null
done
measure "lk-gcp" "$W/o.img.tar.gz" lk-gcp -i "$W/bundle.tar" -o "$W/o.img.tar.gz" >/dev/null
measure "lk-gcp --uefi" "$W/o-efi.img.tar.gz" lk-gcp --uefi -i "$W/bundle.tar" -o "$W/o-efi.img.tar.gz" >/dev/null
awk -v a="$lk_bios" -v b="$hand_bios" -v c="$lk_efi" -v d="$hand_efi" -v e="$alone_bios" -v f="$alone_efi" \
  'BEGIN{printf "ratio lk-iso / by hand: BIOS %.2fx, EFI %.2fx (goal < 1.2x); / xorriso alone: BIOS %.2fx, EFI %.2fx\n", a/b, c/d, a/e, c/f}'
