#!/usr/bin/env bash
# lk-rootfs + lk-initrd on a generated 300 MB rootfs, against the baseline
# `bsdtar -xf rootfs.tar && find . | cpio -o -H newc | gzip -6` in the same run.
# Also peak RSS, and (LK_BENCH_BIG=1) the same RSS check on a 1.2 GB rootfs.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
export LK_BIN=${LK_BIN:-$REPO/bin}
export PATH="$LK_BIN:$PATH"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# run LABEL CMD...: wall seconds and peak RSS (KiB) of the command's process tree leaf.
run() {
  local label=$1; shift
  python3 - "$label" "$@" <<'PY'
import resource, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2]
t = time.monotonic()
subprocess.run(cmd, shell=True, check=True)
wall = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%-28s %7.2f s   peak RSS %6.1f MB" % (label, wall, rss / 1024))
with open("/dev/fd/3", "a") as f:
    f.write("%s %.3f %d\n" % (label, wall, rss))
PY
}

bench_size() {  # bench_size MB
  local mb=$1 d=$W/$1
  mkdir -p "$d"
  LK_BENCH_MB=$mb python3 "$REPO/test/rootfs/gen.py" bench "$d/cache" "$d" || return 1
  exec 3>>"$d/results"
  run "lk-rootfs ($mb MB)" "lk-rootfs --cache $d/cache <$d/lock.json >$d/rootfs.tar"
  echo "rootfs.tar: $(($(stat -c %s "$d/rootfs.tar") >> 20)) MiB"
  run "lk-initrd gzip -6" "lk-initrd --level 6 <$d/rootfs.tar >$d/bundle-gzip.tar"
  run "lk-initrd zstd -3" "lk-initrd --compress zstd <$d/rootfs.tar >$d/bundle-zstd.tar"
  mkdir -p "$d/base"
  run "baseline bsdtar|cpio|gzip -6" "cd $d/base && bsdtar -xf $d/rootfs.tar && find . | cpio --quiet -o -H newc | gzip -6 >$d/baseline.img"
  echo "initrd sizes: lk gzip $(($(tar xOf "$d/bundle-gzip.tar" initrd.img | wc -c) >> 20)) MiB, lk zstd $(($(tar xOf "$d/bundle-zstd.tar" initrd.img | wc -c) >> 20)) MiB, baseline $(($(stat -c %s "$d/baseline.img") >> 20)) MiB"
  rm -rf "$d/base" "$d/cache"
  exec 3>&-
  awk '/^lk-initrd gzip/{g=$(NF-1)} /^baseline/{b=$(NF-1)} END{printf "ratio lk-initrd gzip / baseline: %.2fx (goal <= 0.5x)\n", g/b}' "$d/results"
}

echo "cores: $(nproc)"
bench_size 300
if [ "${LK_BENCH_BIG:-0}" = 1 ]; then
  bench_size 1200
  for tool in lk-rootfs lk-initrd; do
    awk -v t="$tool" '$1==t {print t, FILENAME, $NF}' "$W"/300/results "$W"/1200/results
  done
fi
