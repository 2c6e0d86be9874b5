# Reproducibility: the same lock gives byte-identical rootfs tars and initrds, whatever
# the time zone, locale, umask and working directory; SOURCE_DATE_EPOCH stamps what lk makes.
. "$LK_TEST_DIR/lib.sh"
plan 13
cd "$REPO"
export LK_BIN
C=$TMP/cache
python3 test/rootfs/gen.py basic "$C" "$TMP/b" || fail gen "generator failed"
L=$TMP/b/lock.json
lk-rootfs --cache "$C" <"$L" >"$TMP/one.tar"
mkdir -p "$TMP/elsewhere"
(cd "$TMP/elsewhere" && umask 077 && TZ=Asia/Kolkata LANG=C.UTF-8 LC_ALL=C.UTF-8 lk-rootfs --cache "$C" <"$L" >"$TMP/two.tar")
check rootfs-identical cmp -s "$TMP/one.tar" "$TMP/two.tar"
SOURCE_DATE_EPOCH=1700000000 lk-rootfs --cache "$C" <"$L" >"$TMP/epoch.tar"
check epoch-changes-bytes bash -c "! cmp -s '$TMP/one.tar' '$TMP/epoch.tar'"
check epoch-stamps-generated test "$(TZ=UTC tar tvf "$TMP/epoch.tar" etc/motd | awk '{print $4}')" = 2023-11-14
check image-mtime-kept test "$(TZ=UTC tar tvf "$TMP/epoch.tar" usr/bin/runc | awk '{print $4}')" = 2017-07-14
check no-host-names bash -c "! tar tvf '$TMP/one.tar' | awk '{print \$2}' | grep -qv '^[0-9]*/[0-9]*$'"
check no-host-data bash -c "! grep -qa -e \"$(hostname)\" -e \"$TMP\" '$TMP/one.tar'"

for codec in gzip zstd none; do
  lk-initrd --compress $codec <"$TMP/one.tar" >"$TMP/i1.$codec"
  (cd "$TMP/elsewhere" && umask 077 && TZ=America/Lima lk-initrd --compress $codec <"$TMP/two.tar" >"$TMP/i2.$codec")
  check "initrd-identical-$codec" cmp -s "$TMP/i1.$codec" "$TMP/i2.$codec"
done
lk-initrd --threads 1 <"$TMP/one.tar" >"$TMP/t1"
lk-initrd --threads 3 <"$TMP/one.tar" >"$TMP/t3"
check gzip-same-for-any-thread-count cmp -s "$TMP/t1" "$TMP/t3"
lk-initrd --compress zstd --threads 1 <"$TMP/one.tar" >"$TMP/z1"
lk-initrd --compress zstd --threads 2 <"$TMP/one.tar" >"$TMP/z2"
check zstd-same-for-any-thread-count cmp -s "$TMP/z1" "$TMP/z2"
cat "$TMP/one.tar" | lk-initrd >"$TMP/piped"
check pipe-same-as-file cmp -s "$TMP/piped" "$TMP/i1.gzip"
tar xOf "$TMP/i1.gzip" initrd.img | head -c 10 | od -An -tx1 | tr -d ' \n' >"$TMP/hdr"
check gzip-header-no-name-no-mtime test "$(cat "$TMP/hdr")" = 1f8b0800000000000003
