# Where outputs go and what inputs are taken: -o onto devices, FIFOs, /dev/stdout,
# symlinks and directories; stale temp files of killed writers; truncated or non-tar
# stage inputs; lk build committing nothing unless every stage succeeded, and taking its
# stages down with it when killed; --help and --version to a full stdout.
. "$LK_TEST_DIR/lib.sh"
plan 103
cd "$REPO"
export LK_BIN
SPEC=test/parse/good/moby2017.yml
C=$TMP/cache
python3 test/rootfs/gen.py tree "$C" "$TMP/t" >/dev/null || fail gen "generator failed"
lk-rootfs --cache "$C" <"$TMP/t/lock.json" >"$TMP/rootfs.tar"
check rootfs-made test $? -eq 0

# -o onto something that is not a regular file.
null_before=$(stat -c '%F %t:%T' /dev/null)
for tool in parse rootfs; do
  case $tool in
    parse) run() { lk-parse "$SPEC" -o "$1"; } ;;
    rootfs) run() { lk-rootfs --cache "$C" -i "$TMP/t/lock.json" -o "$1"; } ;;
  esac
  run /dev/null 2>"$TMP/err"
  check "$tool-dev-null-exit-0" test $? -eq 0
  check "$tool-dev-null-still-a-device" test "$(stat -c '%F %t:%T' /dev/null)" = "$null_before"
  run /dev/stdout >"$TMP/$tool.stdout" 2>"$TMP/err"
  check "$tool-dev-stdout-exit-0" test $? -eq 0
  check "$tool-dev-stdout-written" test -s "$TMP/$tool.stdout"
  check "$tool-dev-stdout-still-a-link" test -L /dev/stdout
  echo old >"$TMP/$tool.real"
  ln -sf "$tool.real" "$TMP/$tool.link"
  run "$TMP/$tool.link" 2>"$TMP/err"
  check "$tool-symlink-kept" test -L "$TMP/$tool.link"
  check "$tool-symlink-target-replaced" cmp -s "$TMP/$tool.real" "$TMP/$tool.stdout"
  ln -sf "new-$tool.real" "$TMP/$tool.dangling"
  run "$TMP/$tool.dangling" 2>"$TMP/err"
  check "$tool-dangling-symlink-creates-target" cmp -s "$TMP/new-$tool.real" "$TMP/$tool.stdout"
  mkfifo "$TMP/$tool.fifo"
  cat "$TMP/$tool.fifo" >"$TMP/$tool.fifo.out" &
  reader=$!
  run "$TMP/$tool.fifo" 2>"$TMP/err"
  check "$tool-fifo-exit-0" test $? -eq 0
  wait "$reader"
  check "$tool-fifo-written-through" cmp -s "$TMP/$tool.fifo.out" "$TMP/$tool.stdout"
  check "$tool-fifo-still-a-fifo" test -p "$TMP/$tool.fifo"
  mkdir "$TMP/$tool.dir"
  run "$TMP/$tool.dir" 2>"$TMP/err"
  check "$tool-directory-exit-2" test $? -eq 2
  check "$tool-directory-message" grep -q 'is a directory' "$TMP/err"
  check "$tool-directory-untouched" test -z "$(ls -A "$TMP/$tool.dir")"
done
check parse-no-temp-left-in-dev bash -c "! ls /dev | grep -q 'null.tmp-'"

# lk-initrd and the image tools: only a whole tar is a rootfs or a bundle.
python3 - "$TMP/rootfs.tar" "$TMP" <<'PY'
import sys, tarfile
src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
with tarfile.open(src) as t:
    members = t.getmembers()
# Cut at the boundary after the member in the middle, and just before the end marker.
cut = members[len(members) // 2 + 1].offset
last = members[-1]
end = last.offset_data + (last.size + 511) // 512 * 512
open(out + "/cut.tar", "wb").write(data[:cut])
open(out + "/no-marker.tar", "wb").write(data[:end])
open(out + "/half-marker.tar", "wb").write(data[:end + 512])
PY
mkdir -p "$TMP/o"
for bad in cut no-marker half-marker; do
  lk-initrd -o "$TMP/o/$bad" <"$TMP/$bad.tar" 2>"$TMP/err"
  check "initrd-$bad-exit-2" test $? -eq 2
  check "initrd-$bad-says-truncated" grep -q 'truncated: the tar ends without its end-of-archive marker' "$TMP/err"
  check "initrd-$bad-nothing-written" test -z "$(ls "$TMP/o")"
done
gzip -c "$TMP/no-marker.tar" >"$TMP/no-marker.tar.gz"
lk-initrd -o "$TMP/o/gz" <"$TMP/no-marker.tar.gz" 2>"$TMP/err"
check initrd-gzip-truncated-exit-2 test $? -eq 2
lk-initrd -o "$TMP/o/empty" </dev/null 2>"$TMP/err"
check initrd-dev-null-exit-2 test $? -eq 2
check initrd-dev-null-names-what grep -q 'rootfs tar: not a tar' "$TMP/err"
echo 'not a tar' | lk-initrd -o "$TMP/o/text" 2>"$TMP/err"
check initrd-text-exit-2 test $? -eq 2
lk-initrd -i "$TMP/o" -o "$TMP/o/dir" 2>"$TMP/err"
check initrd-directory-exit-2 test $? -eq 2
check initrd-directory-message grep -q 'is a directory (expected a rootfs tar' "$TMP/err"
python3 -c 'import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp("lk-initrd", ["lk-initrd", "-o", sys.argv[1]])
out = b""
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.exit(0 if os.waitstatus_to_exitcode(status) == 2 and b"is a terminal" in out else 1)' "$TMP/o/tty"
check initrd-terminal-stdin-exit-2 test $? -eq 0
check initrd-bad-inputs-left-nothing test -z "$(ls "$TMP/o")"
lk-initrd <"$TMP/rootfs.tar" >"$TMP/bundle.tar"
python3 - "$TMP/bundle.tar" "$TMP/bundle-cut.tar" <<'PY'
import sys, tarfile
data = open(sys.argv[1], "rb").read()
with tarfile.open(sys.argv[1]) as t:
    last = t.getmembers()[-1]
open(sys.argv[2], "wb").write(data[:last.offset])
PY
for tool in "lk-iso --bios" "lk-disk --format raw-bios" "lk-gcp"; do
  name=${tool%% *}
  $tool <"$TMP/bundle-cut.tar" -o "$TMP/o/$name.img" 2>"$TMP/err"
  check "$name-truncated-bundle-exit-2" test $? -eq 2
  $tool </dev/null -o "$TMP/o/$name.img" 2>"$TMP/err"
  check "$name-dev-null-exit-2" test $? -eq 2
  check "$name-names-the-bundle" grep -q 'the bundle on stdin' "$TMP/err"
done
check image-tools-left-nothing test -z "$(ls "$TMP/o")"
lk-iso --bios <"$TMP/bundle.tar" -o /dev/null 2>"$TMP/err"
check iso-to-dev-null-exit-0 test $? -eq 0
check iso-dev-null-still-a-device test "$(stat -c '%F %t:%T' /dev/null)" = "$null_before"

# Temp files of a killed writer go on the next write of the same output; a live
# writer's (flock'ed) stay.
: >"$TMP/o/sys-initrd.img.tmp-AbC123"
: >"$TMP/o/sys-kernel.tmp-XyZ789"
: >"$TMP/o/sys-kernel.tmp-LiVe00"
: >"$TMP/o/other.tmp-AbC123"
flock "$TMP/o/sys-kernel.tmp-LiVe00" sleep 30 &
holder=$!
for _ in $(seq 100); do flock -n "$TMP/o/sys-kernel.tmp-LiVe00" true || break; sleep 0.1; done
lk-initrd -o "$TMP/o/sys" <"$TMP/rootfs.tar"
check stale-temps-removed test ! -e "$TMP/o/sys-initrd.img.tmp-AbC123" -a ! -e "$TMP/o/sys-kernel.tmp-XyZ789"
check live-temp-kept test -e "$TMP/o/sys-kernel.tmp-LiVe00"
check other-names-kept test -e "$TMP/o/other.tmp-AbC123"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
rm -f "$TMP"/o/*

# lk build: stage tools beside a copy of lk, some of them fakes.
F=$TMP/fakebin
mkdir -p "$F"
cp "$LK_BIN/lk" "$F/lk"
for t in lk-parse lk-initrd lk-iso lk-disk lk-gcp; do ln -s "$LK_BIN/$t" "$F/$t"; done
printf '#!/bin/sh\ncat\n' >"$F/lk-pull"  # the plan passes for a lock: the fake rootfs ignores it
# (--compress gzip below: auto would read the kernel of a real lock)
fake_rootfs() {  # fake_rootfs TAR EXIT [SLEEP]: writes TAR, waits, exits EXIT
  printf '#!/bin/sh\necho $$ >"%s/rootfs.pid"\ncat "%s"\nsleep %s\nexit %s\n' "$TMP" "$1" "${3:-0}" "$2" >"$F/lk-rootfs"
  chmod +x "$F/lk-rootfs" "$F/lk-pull"
}
B=$TMP/build
fake_rootfs "$TMP/rootfs.tar" 0
"$F/lk" build -q --compress gzip --dir "$B" --name sys --format kernel+initrd "$SPEC" 2>"$TMP/err"
check build-good-exit-0 test $? -eq 0
check build-good-outputs test -s "$B/sys-kernel" -a -s "$B/sys-initrd.img" -a -f "$B/sys-cmdline"
sum_before=$(cat "$B"/sys-* | sha256sum)
for bad in "cut.tar 1" "rootfs.tar 1" "no-marker.tar 0" "cut.tar 2"; do
  set -- $bad
  fake_rootfs "$TMP/$1" "$2"
  "$F/lk" build -q --compress gzip --dir "$B" --name sys --format kernel+initrd,iso-bios "$SPEC" 2>"$TMP/err"
  rc=$?
  check "build-$1-rootfs-exit-$2-fails" test $rc -ne 0
  check "build-$1-rootfs-exit-$2-outputs-unchanged" test "$(cat "$B"/sys-* | sha256sum)" = "$sum_before"
  check "build-$1-rootfs-exit-$2-no-iso" test ! -e "$B/sys.iso"
  check "build-$1-rootfs-exit-$2-no-staging-left" test -z "$(ls -A "$B" | grep '\.build-')"
done
# An image tool that fails after kernel+initrd were made: still nothing committed.
ln -sf /bin/false "$F/lk-iso"
fake_rootfs "$TMP/rootfs.tar" 0
rm -f "$B"/sys-*
"$F/lk" build -q --compress gzip --dir "$B" --name sys --format kernel+initrd,iso-bios "$SPEC" 2>"$TMP/err"
check build-image-tool-fails-exit-1 test $? -eq 1
check build-image-tool-fails-nothing-committed test -z "$(ls "$B" | grep '^sys')"
ln -sf "$LK_BIN/lk-iso" "$F/lk-iso"

# kill -9 of lk build takes its stages with it; the next build removes its staging.
fake_rootfs "$TMP/cut.tar" 0 60
rm -f "$TMP/rootfs.pid"
"$F/lk" build -q --compress gzip --dir "$B" --name sys --format kernel+initrd "$SPEC" 2>/dev/null &
lkpid=$!
rpid=
for _ in $(seq 100); do
  rpid=$(cat "$TMP/rootfs.pid" 2>/dev/null)
  [ -n "$rpid" ] && break
  sleep 0.1
done
check build-stage-running test -n "$rpid"
kill -9 "$lkpid"; wait "$lkpid" 2>/dev/null
gone=0
for _ in $(seq 50); do
  if ! kill -0 "$rpid" 2>/dev/null; then gone=1; break; fi
  sleep 0.1
done
check build-killed-stages-die test $gone -eq 1
check build-killed-leaves-staging test -n "$(ls -A "$B" | grep '^\.sys\.build-')"
fake_rootfs "$TMP/rootfs.tar" 0
"$F/lk" build -q --compress gzip --dir "$B" --name sys --format kernel+initrd "$SPEC" 2>"$TMP/err"
check build-after-kill-exit-0 test $? -eq 0
check build-after-kill-staging-removed test -z "$(ls -A "$B" | grep '\.build-')"

# --help and --version that cannot be written fail like any other output.
for t in lk-parse lk-initrd lk-pull; do
  $t --help >/dev/full 2>/dev/null
  check "$t-help-full-exit-1" test $? -eq 1
  $t --version >/dev/full 2>/dev/null
  check "$t-version-full-exit-1" test $? -eq 1
done
lk --help >/dev/full 2>/dev/null
check lk-help-full-exit-1 test $? -eq 1
lk --version >/dev/full 2>/dev/null
check lk-version-full-exit-1 test $? -eq 1

# A directory is no input file, on stdin or as a name.
for t in "lk-parse -" lk-pull lk-rootfs; do
  $t <"$TMP/o" >/dev/null 2>"$TMP/err"
  check "${t% -}-stdin-directory-exit-2" test $? -eq 2
  check "${t% -}-stdin-directory-message" grep -q 'is a directory' "$TMP/err"
done
lk-parse "$TMP/o" >/dev/null 2>"$TMP/err"
check parse-directory-argument-exit-2 test $? -eq 2
lk-rootfs -i "$TMP/o" >/dev/null 2>"$TMP/err"
check rootfs-directory-argument-exit-2 test $? -eq 2
