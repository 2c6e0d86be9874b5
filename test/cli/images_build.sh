# lk-iso, lk-disk and lk-gcp on a small generated bundle, without booting: the layout
# each format must have, byte-reproducibility, stdout and -o giving the same bytes, the
# GCE tarball's member, header, sparseness and size rule, and bad input.
. "$LK_TEST_DIR/lib.sh"
plan 81
cd "$TMP"
export MTOOLS_SKIP_CHECK=1 TMPDIR="$TMP/work"
mkdir "$TMPDIR"

# A bundle as lk-initrd writes it: kernel, initrd.img, cmdline (contents need not boot here).
mkdir b && head -c 1500000 /dev/urandom > b/kernel && head -c 3000000 /dev/urandom | gzip -1 > b/initrd.img
printf 'console=ttyS0 quiet lk.test="a b"\n' > b/cmdline
tar -C b -cf bundle.tar kernel initrd.img cmdline
mkdir k && cp b/kernel k/x-kernel && cp b/initrd.img k/x-initrd.img && cp b/cmdline k/x-cmdline

# --- ISO, BIOS ---
check iso-bios-builds lk-iso --bios -o bios.iso -i bundle.tar
check iso-bios-from-stdin sh -c 'lk-iso --bios < bundle.tar > bios2.iso && cmp -s bios.iso bios2.iso'
check iso-bios-from-prefix sh -c 'lk-iso --bios -i k/x > bios3.iso && cmp -s bios.iso bios3.iso'
check iso-bios-hybrid-mbr sh -c 'file bios.iso | grep -q "DOS/MBR boot sector"'
check iso-bios-el-torito sh -c 'xorriso -indev bios.iso -report_el_torito plain 2>/dev/null | grep -q "El Torito boot img :   1  BIOS"'
xorriso -osirrox on -indev bios.iso -extract /boot/initrd.img bios-initrd -extract /isolinux/isolinux.cfg bios-cfg >/dev/null 2>&1
check iso-bios-initrd-intact cmp -s bios-initrd b/initrd.img
check iso-bios-cmdline grep -qx '  APPEND console=ttyS0 quiet lk.test="a b"' bios-cfg
check iso-bios-no-root-guess sh -c '! grep -q "root=" bios-cfg'

# --- ISO, EFI and both ---
check iso-efi-builds lk-iso --efi -i bundle.tar -o efi.iso
check iso-efi-el-torito sh -c 'xorriso -indev efi.iso -report_el_torito plain 2>/dev/null | grep -q "El Torito boot img :   1  UEFI"'
xorriso -osirrox on -indev efi.iso -extract /boot/efiboot.img esp.img >/dev/null 2>&1
check iso-efi-esp-has-grub sh -c 'mdir -i esp.img ::/EFI/BOOT | grep -q BOOTX64'
mcopy -i esp.img ::/EFI/BOOT/BOOTX64.EFI grub.efi 2>/dev/null
check iso-efi-grub-cmdline-quoted grep -aq "linux /boot/kernel 'console=ttyS0' 'quiet' 'lk.test=\"a' 'b\"'" grub.efi
check iso-hybrid-builds lk-iso --bios --efi -i bundle.tar -o hybrid.iso
check iso-hybrid-both-entries sh -c 'xorriso -indev hybrid.iso -report_el_torito plain 2>/dev/null | grep -c "El Torito boot img" | grep -qx 2'

# --- disks ---
check raw-bios-builds lk-disk --format raw-bios -i bundle.tar -o bios.img
check raw-bios-mbr sh -c 'file bios.img | grep -q "partition 1 : ID=0xc, active, start-CHS .*startsector 2048"'
check raw-bios-files sh -c 'mdir -a -i bios.img@@1M ::/ | grep -q "ldlinux  sys" && mdir -i bios.img@@1M ::/ | grep -q syslinux'
mcopy -i bios.img@@1M ::/initrd.img disk-initrd 2>/dev/null
check raw-bios-initrd-intact cmp -s disk-initrd b/initrd.img
check raw-bios-is-sparse sh -c '[ $(du -k bios.img | cut -f1) -lt $(( $(stat -c %s bios.img) / 1024 / 2 )) ]'
check raw-bios-stdout-same sh -c 'lk-disk --format raw-bios < bundle.tar > bios2.img && cmp -s bios.img bios2.img'
check raw-bios-stdout-sparse sh -c '[ $(du -k bios2.img | cut -f1) -lt $(( $(stat -c %s bios2.img) / 1024 / 2 )) ]'
check raw-bios-stdout-pipe sh -c 'lk-disk --format raw-bios < bundle.tar | cmp -s - bios.img'
check raw-efi-builds lk-disk --format raw-efi -i bundle.tar -o efi.img
check raw-efi-gpt sh -c 'file efi.img | grep -q "ID=0xee"' 
check raw-efi-gpt-signature sh -c '[ "$(dd if=efi.img bs=1 skip=512 count=8 2>/dev/null)" = "EFI PART" ]'
check raw-efi-esp-has-grub sh -c 'mdir -i efi.img@@1M ::/EFI/BOOT | grep -q BOOTX64'
check raw-dual-builds lk-disk --format raw-dual -i bundle.tar -o dual.img
check raw-dual-both-loaders sh -c 'mdir -a -i dual.img@@1M ::/ | grep -q "ldlinux  sys" && mdir -i dual.img@@1M ::/EFI/BOOT | grep -q BOOTX64'
check qcow2-bios-builds lk-disk --format qcow2-bios -i bundle.tar -o bios.qcow2
check qcow2-is-qcow2 sh -c 'qemu-img info bios.qcow2 | grep -q "file format: qcow2"'
check qcow2-same-disk-as-raw sh -c 'qemu-img convert -f qcow2 -O raw bios.qcow2 back.raw && cmp -s back.raw bios.img'
check qcow2-efi-builds lk-disk --format qcow2-efi -i bundle.tar -o efi.qcow2
# VHD and VMDK: LinuxKit's BIOS disks, the raw-bios disk inside (qemu-img reads it
# back whole), and the fields qemu-img randomises rewritten from the content.
check vhd-builds lk-disk --format vhd -i bundle.tar -o fixed.vhd
check vhd-same-disk-as-raw sh -c 'qemu-img convert -f vpc -O raw fixed.vhd back.raw && cmp -s back.raw bios.img'
check vhd-fixed-size sh -c '[ $(stat -c %s fixed.vhd) = $(( $(stat -c %s bios.img) + 512 )) ]'
check vhd-footer python3 "$LK_TEST_DIR/cli/vhd_footer.py" fixed.vhd 2 0
check dynamic-vhd-builds lk-disk --format dynamic-vhd -i bundle.tar -o dynamic.vhd
check dynamic-vhd-same-disk-as-raw sh -c 'qemu-img convert -f vpc -O raw dynamic.vhd back.raw && cmp -s back.raw bios.img'
check dynamic-vhd-footers python3 "$LK_TEST_DIR/cli/vhd_footer.py" dynamic.vhd 3 0
check dynamic-vhd-own-uuid sh -c '[ "$(tail -c 444 fixed.vhd | head -c 16 | od -An -tx1)" != "$(tail -c 444 dynamic.vhd | head -c 16 | od -An -tx1)" ]'
check vhd-epoch sh -c 'SOURCE_DATE_EPOCH=1700000000 lk-disk --format vhd -i bundle.tar -o e.vhd && python3 "$LK_TEST_DIR/cli/vhd_footer.py" e.vhd 2 753315200'
check vmdk-builds lk-disk --format vmdk -i bundle.tar -o disk.vmdk
check vmdk-checks sh -c 'qemu-img check -f vmdk disk.vmdk | grep -q "No errors"'
check vmdk-stream-optimized sh -c 'head -c 4096 disk.vmdk | grep -aq "createType=\"streamOptimized\"" && head -c 4096 disk.vmdk | grep -aq "ddb.adapterType = \"lsilogic\""'
check vmdk-same-disk-as-raw sh -c 'qemu-img convert -f vmdk -O raw disk.vmdk back.raw && cmp -s back.raw bios.img'
check vmdk-names-no-temp-file sh -c 'head -c 4096 disk.vmdk | grep -aq "RW [0-9]* SPARSE \"disk.vmdk\""'
check disk-size-option sh -c 'lk-disk --format raw-bios --size 100M -i bundle.tar -o big.img && [ $(stat -c %s big.img) = 104857600 ]'

# --- GCE tarball ---
check gcp-builds lk-gcp -i bundle.tar -o nginx.img.tar.gz
check gcp-single-member sh -c '[ "$(tar -tzf nginx.img.tar.gz)" = disk.raw ]'
check gcp-one-gib sh -c 'tar -tvzf nginx.img.tar.gz | grep -q " 1073741824 "'
gzip -dc nginx.img.tar.gz | head -c 512 > gcp-header
check gcp-oldgnu-magic sh -c 'dd if=gcp-header bs=1 skip=257 count=8 2>/dev/null | od -An -tx1 | grep -q "75 73 74 61 72 20 20 00"'
check gcp-sparse-member sh -c '[ "$(dd if=gcp-header bs=1 skip=156 count=1 2>/dev/null)" = S ]'
check gcp-stores-only-data sh -c '[ $(gzip -dc nginx.img.tar.gz | wc -c) -lt 100000000 ]'
mkdir gx && tar -xzSf nginx.img.tar.gz -C gx
check gcp-disk-bootable-layout sh -c 'file gx/disk.raw | grep -q "partition 1 : ID=0xc, active"'
check gcp-disk-equals-lk-disk sh -c 'lk-disk --format raw-bios --size 1G -i bundle.tar -o g1.img && cmp -s g1.img gx/disk.raw'
check gcp-size-rounds-up sh -c 'lk-gcp --size 1500M -i bundle.tar | tar -tvzf - | grep -q " 2147483648 "'
check gcp-uefi-gpt sh -c 'lk-gcp --uefi -i bundle.tar | tar -xzSf - -O | head -c 1024 | tail -c 512 | head -c 8 | grep -q "EFI PART"'
printf 'quiet\n' > b/cmdline && tar -C b -cf noconsole.tar kernel initrd.img cmdline
lk-gcp -i noconsole.tar -o nc.img.tar.gz 2>nc.err
check gcp-warns-no-console grep -q 'console=ttyS0' nc.err
mkdir ncx && tar -xzSf nc.img.tar.gz -C ncx && mcopy -i ncx/disk.raw@@1M ::/syslinux.cfg nc.cfg 2>/dev/null
check gcp-adds-console grep -qx '  APPEND quiet console=ttyS0' nc.cfg

# --- reproducibility: every format, built again a second later ---
sleep 1
for f in "lk-iso --bios:bios.iso" "lk-iso --efi:efi.iso" "lk-iso --bios --efi:hybrid.iso" \
         "lk-disk --format raw-bios:bios.img" "lk-disk --format raw-efi:efi.img" "lk-disk --format raw-dual:dual.img" \
         "lk-disk --format qcow2-bios:bios.qcow2" "lk-disk --format qcow2-efi:efi.qcow2" "lk-gcp:nginx.img.tar.gz" \
         "lk-disk --format vhd:fixed.vhd" "lk-disk --format dynamic-vhd:dynamic.vhd" "lk-disk --format vmdk:disk.vmdk"; do
  cmd=${f%%:*} out=${f##*:}
  check "reproducible-${out}" sh -c "$cmd -i bundle.tar -o again.$out && cmp again.$out $out"
done
check reproducible-epoch-matters sh -c 'SOURCE_DATE_EPOCH=1700000000 lk-iso --bios -i bundle.tar -o e.iso && ! cmp -s e.iso bios.iso'

# --- bad input: status, message, no output left behind ---
tar -C b -cf nokernel.tar initrd.img cmdline
: > empty && cp b/kernel kernel && tar -cf emptyinitrd.tar kernel --transform 's/^empty$/initrd.img/' empty
expect_fail() {  # NAME STATUS PATTERN OUTPUT CMD...
  local name=$1 want=$2 pat=$3 out=$4; shift 4
  "$@" 2>err; local st=$?
  if [ "$st" != "$want" ]; then fail "$name" "exit $st, want $want: $(cat err)"; return; fi
  grep -q -- "$pat" err || { fail "$name" "message lacks \"$pat\": $(cat err)"; return; }
  [ ! -e "$out" ] && ! ls "$out".tmp-* >/dev/null 2>&1 || { fail "$name" "$out left behind"; return; }
  ok "$name"
}
expect_fail bad-no-kernel 2 'no kernel' x1.iso lk-iso --bios -i nokernel.tar -o x1.iso
expect_fail bad-empty-initrd 2 'initrd is empty' x2.img lk-disk --format raw-bios -i emptyinitrd.tar -o x2.img
expect_fail bad-disk-too-small 2 'too small' x3.img lk-disk --format raw-bios --size 8M -i bundle.tar -o x3.img
expect_fail bad-gcp-too-small 2 'too small' x4.tar.gz lk-gcp --size 8M -i bundle.tar -o x4.tar.gz
expect_fail bad-format 2 'must be raw-bios' x5.img lk-disk --format vpc-bios -i bundle.tar -o x5.img
expect_fail bad-not-a-tar 2 "b/kernel: not a tar" x6.iso lk-iso -i b/kernel -o x6.iso
mkdir nobin && for p in sh cat env; do ln -s "$(command -v $p)" nobin/$p; done
expect_fail missing-xorriso 1 'install Debian' x7.iso env PATH="$TMP/nobin" "$LK_BIN/lk-iso" --bios -i bundle.tar -o x7.iso
expect_fail missing-mkfs 1 'install Debian' x8.img env PATH="$TMP/nobin" "$LK_BIN/lk-disk" --format raw-bios -i bundle.tar -o x8.img
check no-temp-dirs-left test -z "$(ls "$TMPDIR")"
