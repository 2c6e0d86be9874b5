# lk-initrd: the bundle, -o PREFIX, and the initrd unpacked by cpio and bsdcpio
# compared with the rootfs tar (names, modes, owners, link targets, hard links, contents).
. "$LK_TEST_DIR/lib.sh"
plan 47
cd "$REPO"
export LK_BIN
C=$TMP/cache
python3 test/rootfs/gen.py tree "$C" "$TMP/t" || fail gen "generator failed"
lk-rootfs --cache "$C" <"$TMP/t/lock.json" >"$TMP/rootfs.tar"
check rootfs-exit test $? -eq 0

lk-initrd <"$TMP/rootfs.tar" >"$TMP/bundle.tar" 2>"$TMP/err"
check bundle-exit test $? -eq 0
check bundle-members test "$(tar tf "$TMP/bundle.tar" | tr '\n' ' ')" = "kernel initrd.img cmdline ucode.cpio "
check bundle-modes test "$(tar tvf "$TMP/bundle.tar" | awk '{print $1, $2, $4}' | sort -u)" = "-rw-r--r-- 0/0 1970-01-01"
mkdir "$TMP/b" && tar xf "$TMP/bundle.tar" -C "$TMP/b"
check bundle-kernel cmp -s "$TMP/b/kernel" <(tar xOf "$TMP/rootfs.tar" boot/kernel)
check bundle-cmdline test "$(cat "$TMP/b/cmdline")" = "console=ttyS0"
check bundle-ucode test "$(cat "$TMP/b/ucode.cpio")" = ucode-bytes
check gzip-valid gzip -t "$TMP/b/initrd.img"

roundtrip() {  # roundtrip NAME DECOMPRESS UNPACKER
  local d=$TMP/rt-$1
  mkdir -p "$d"
  $2 <"$TMP/b/initrd.img" | (cd "$d" && $3 -idm >/dev/null 2>&1)
  check "roundtrip-$1" python3 test/rootfs/compare_tree.py "$TMP/rootfs.tar" "$d"
}
roundtrip cpio "gzip -dc" cpio
roundtrip bsdcpio "gzip -dc" bsdcpio

# The cpio itself: newc, stable inodes from 721, hard links sharing one, trailer, padding.
gzip -dc <"$TMP/b/initrd.img" >"$TMP/initrd.cpio"
check cpio-newc test "$(head -c 6 "$TMP/initrd.cpio")" = 070701
check cpio-first-inode test "$(head -c 14 "$TMP/initrd.cpio" | tail -c 8)" = 000002D1
check cpio-512-padded test $(($(stat -c %s "$TMP/initrd.cpio") % 512)) -eq 0
check cpio-trailer grep -qa 'TRAILER!!!' "$TMP/initrd.cpio"
check cpio-no-boot bash -c "! cpio -t <'$TMP/initrd.cpio' 2>/dev/null | grep -q '^boot'"
check cpio-hardlink-listed test "$(cpio -tv <"$TMP/initrd.cpio" 2>/dev/null | awk '$NF=="usr/bin/tool-link"{print $2}')" = 3

# -o PREFIX: three files, ucode first in the initrd, as LinuxKit writes them.
mkdir -p "$TMP/o"
lk-initrd -o "$TMP/o/sys" <"$TMP/rootfs.tar"
check prefix-files test -f "$TMP/o/sys-kernel" -a -f "$TMP/o/sys-initrd.img" -a -f "$TMP/o/sys-cmdline"
check prefix-no-temp-left test "$(ls "$TMP/o" | wc -l)" = 3
check prefix-ucode-first test "$(head -c 11 "$TMP/o/sys-initrd.img")" = ucode-bytes
check prefix-initrd-after-ucode cmp -s <(tail -c +12 "$TMP/o/sys-initrd.img") "$TMP/b/initrd.img"

# zstd and none.
lk-initrd --compress zstd --level 5 <"$TMP/rootfs.tar" | tar xOf - initrd.img >"$TMP/z.img"
check zstd-decodes cmp -s <(zstd -dc <"$TMP/z.img") "$TMP/initrd.cpio"
lk-initrd --compress none <"$TMP/rootfs.tar" | tar xOf - initrd.img >"$TMP/n.img"
check none-is-cpio cmp -s "$TMP/n.img" "$TMP/initrd.cpio"
lk-initrd --compress gzip --level 1 <"$TMP/rootfs.tar" | tar xOf - initrd.img | gzip -dc | cmp -s - "$TMP/initrd.cpio"
check gzip-level-1-decodes test $? -eq 0

# Errors and warnings.
lk-initrd --compress lz4 <"$TMP/rootfs.tar" >/dev/null 2>"$TMP/err"
check bad-codec-exit-2 test $? -eq 2
lk-initrd --mem 8M -o "$TMP/o/m" <"$TMP/rootfs.tar" 2>"$TMP/err"
check mem-warning grep -q 'will not boot it' "$TMP/err"
lk-initrd --max-size 4G -o "$TMP/o/m" <"$TMP/rootfs.tar" 2>"$TMP/err"
check mem-enough-no-warning test ! -s "$TMP/err"
tar cf "$TMP/nokernel.tar" -C "$TMP/b" cmdline
lk-initrd <"$TMP/nokernel.tar" >/dev/null 2>"$TMP/err"
check no-kernel-exit-2 test $? -eq 2
# A member of 4 GiB or more cannot be in a newc cpio: refused before reading it (sparse input).
python3 - "$TMP/huge.tar" <<'PY'
import sys, tarfile
with open(sys.argv[1], "wb") as f:
    for name, size in (("boot/kernel", 4), ("huge", (4 << 30) + 1)):
        ti = tarfile.TarInfo(name); ti.size = size
        f.write(ti.tobuf(format=tarfile.PAX_FORMAT))
        f.seek(f.tell() + ((size + 511) // 512) * 512)
    f.write(b"\0" * 1024)
PY
lk-initrd -o "$TMP/o/huge" <"$TMP/huge.tar" 2>"$TMP/err"
check huge-member-exit-1 test $? -eq 1
check huge-member-message grep -q '"huge" is 4294967297 bytes: cpio newc' "$TMP/err"
check huge-no-output test ! -e "$TMP/o/huge-initrd.img"

# Segments (what lk build runs): the images' content kept compressed in the cache and
# spliced into the next build, which gives the same bytes and the whole tree.
S=$TMP/segcache
cp -a "$C" "$S"
lk-rootfs --cache "$S" --segments gzip-6 <"$TMP/t/lock.json" >"$TMP/seg1.tar"
lk-initrd --cache "$S" -v -o "$TMP/o/seg1" <"$TMP/seg1.tar" 2>"$TMP/err1"
check segments-stored grep -Eq '([0-9]+) segments: 0 spliced .* ([1-9][0-9]*) stored' "$TMP/err1"
lk-rootfs --cache "$S" --segments gzip-6 <"$TMP/t/lock.json" >"$TMP/seg2.tar"
check segments-warm-tar-small test "$(stat -c %s "$TMP/seg2.tar")" -lt $(($(stat -c %s "$TMP/seg1.tar") / 2))
lk-initrd --cache "$S" -v -o "$TMP/o/seg2" <"$TMP/seg2.tar" 2>"$TMP/err2"
n=$(grep -Eo '[0-9]+ segments' "$TMP/err1" | cut -d' ' -f1)
check segments-spliced grep -q "$n segments: $n spliced" "$TMP/err2"
check segments-same-initrd cmp "$TMP/o/seg1-initrd.img" "$TMP/o/seg2-initrd.img"
check segments-same-kernel cmp "$TMP/o/seg1-kernel" "$TMP/o/sys-kernel"
check segments-same-cmdline cmp "$TMP/o/seg2-cmdline" "$TMP/o/sys-cmdline"
check segments-ucode-first test "$(head -c 11 "$TMP/o/seg2-initrd.img")" = ucode-bytes
tail -c +12 "$TMP/o/seg2-initrd.img" >"$TMP/seg2.gz"
check segments-one-gzip-member gzip -t "$TMP/seg2.gz"
d=$TMP/rt-seg && mkdir -p "$d"
gzip -dc <"$TMP/seg2.gz" | (cd "$d" && cpio -idm >/dev/null 2>&1)
check segments-whole-tree python3 test/rootfs/compare_tree.py "$TMP/rootfs.tar" "$d"
check segments-hardlink-kept test "$(gzip -dc <"$TMP/seg2.gz" | cpio -tv 2>/dev/null | awk '$NF=="usr/bin/tool-link"{print $2}')" = 3
# A damaged run is refused, naming what to remove; a segment gone from the cache too.
run=$(ls -S "$S"/initrd-segments/*/run | head -1)
printf X | dd of="$run" bs=1 seek=100 conv=notrunc 2>/dev/null
lk-initrd --cache "$S" -o "$TMP/o/bad" <"$TMP/seg2.tar" 2>"$TMP/err"
check segments-damaged-exit-1 test $? -eq 1
check segments-damaged-message grep -q 'does not match its index (damaged?); removed it: build again' "$TMP/err"
check segments-damaged-no-output test ! -e "$TMP/o/bad-initrd.img"
check segments-damaged-removed test ! -e "$run"
rm -rf "$S/initrd-segments"
lk-initrd --cache "$S" -o "$TMP/o/bad" <"$TMP/seg2.tar" 2>"$TMP/err"
check segments-missing-exit-1 test $? -eq 1
lk-rootfs --cache "$S" --segments lz4-1 <"$TMP/t/lock.json" >/dev/null 2>"$TMP/err"
check segments-bad-codec-refused grep -q 'unknown compression "lz4"' "$TMP/err"
printf '{"begin":"nope"}' >"$TMP/.lk-segment" && tar -C "$TMP" -cf "$TMP/badmark.tar" .lk-segment
lk-initrd --cache "$S" <"$TMP/badmark.tar" >/dev/null 2>"$TMP/err"
check segments-bad-mark-exit-2 test $? -eq 2
