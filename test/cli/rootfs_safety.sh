# Malicious or damaged layers: each is a clear error naming the image and layer, exit 1.
. "$LK_TEST_DIR/lib.sh"
cd "$REPO"
export LK_BIN
C=$TMP/cache
bad() {  # bad SCENARIO EXPECTED-MESSAGE
  local s=$1 msg=$2
  python3 test/rootfs/gen.py "$s" "$C" "$TMP/$s" || { fail "$s" "generator failed"; return; }
  lk-rootfs --cache "$C" <"$TMP/$s/lock.json" >"$TMP/$s.tar" 2>"$TMP/$s.err"
  local rc=$?
  check "$s-exit-1" test $rc -eq 1
  check "$s-message" grep -q -- "$msg" "$TMP/$s.err"
  check "$s-names-image-and-layer" grep -q 'image lk/bad:1@sha256:[0-9a-f]* layer [0-9] (sha256:' "$TMP/$s.err"
}
bad bad_traversal 'leaves the root'
bad bad_absolute 'has an absolute path'
bad bad_symlink_escape 'lies below "evil", which is a symlink'
bad bad_dup_dir_to_symlink 'entry "d/f" lies below "d", which is a symlink'
bad bad_absurd_size 'claims an absurd size'
bad bad_truncated 'Truncated'
bad bad_gzip 'gzip'
bad bad_hardlink 'hard link "l" points to "nowhere"'
# kernel.tar is unpacked at / like a layer, with the same checks, naming the image and member.
kbad() {  # kbad SCENARIO EXPECTED-MESSAGE
  local s=$1 msg=$2
  python3 test/rootfs/gen.py "$s" "$C" "$TMP/$s" || { fail "$s" "generator failed"; return; }
  lk-rootfs --cache "$C" <"$TMP/$s/lock.json" >"$TMP/$s.tar" 2>"$TMP/$s.err"
  local rc=$?
  check "$s-exit-1" test $rc -eq 1
  check "$s-message" grep -qF -- "$msg" "$TMP/$s.err"
  check "$s-names-image-and-member" grep -q 'image lk/kbad:1@sha256:[0-9a-f]* kernel.tar: ' "$TMP/$s.err"
  check "$s-no-complete-tar" bash -c "! tar tf '$TMP/$s.tar' >/dev/null 2>&1 || ! tar tf '$TMP/$s.tar' | grep -q ."
}
kbad kbad_symlink_dir 'entry "lib/modules/etc/X" lies below "lib/modules", which is a symlink'
kbad kbad_relative_escape 'entry "usr/X" lies below "usr", which is a symlink'
kbad kbad_hardlink_missing 'hard link "lib/m.ko" points to "lib/nowhere.ko"'
kbad kbad_dotdot 'entry "lib/../../x" leaves the root'
kbad kbad_absolute 'entry "/etc/passwd" has an absolute path'
# A normal kernel image still unpacks.
python3 test/rootfs/gen.py tree "$C" "$TMP/good" && lk-rootfs --cache "$C" <"$TMP/good/lock.json" >"$TMP/good.tar"
check kernel-good-exit test $? -eq 0
check kernel-good-modules bash -c "tar tf '$TMP/good.tar' | grep -qx lib/modules/6.1.0/m.ko"
# A failed build writes nothing with -o.
lk-rootfs --cache "$C" -i "$TMP/bad_traversal/lock.json" -o "$TMP/out.tar" 2>/dev/null
check failed-build-no-output test ! -e "$TMP/out.tar" -a -z "$(ls "$TMP" | grep 'out.tar.tmp')"
