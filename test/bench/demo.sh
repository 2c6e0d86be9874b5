#!/usr/bin/env bash
# The demo's figures: wall time of `lk build examples/nginx.yml` with a warm cache, the
# initrd's size, and under TCG the time from qemu's start to nginx's first HTTP 200 and
# the init's own "init start to last service started". Baseline in the same run: the
# kernel+initrd bundle copied by `cp` (what a build that did nothing would cost).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
export LK_BIN=${LK_BIN:-$REPO/bin}
export PATH="$LK_BIN:$PATH"
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$REPO"
lk build -q --dir "$W" --name nginx examples/nginx.yml || { echo "lk build failed"; exit 1; }  # warms the cache
t0=$(date +%s.%N); lk build -q --dir "$W" --name nginx examples/nginx.yml; t1=$(date +%s.%N)
cp "$W/nginx-initrd.img" "$W/copy.img"; t2=$(date +%s.%N)
awk -v b="$t1" -v a="$t0" -v c="$t2" -v s="$(stat -c %s "$W/nginx-initrd.img")" \
  'BEGIN{printf "lk build (warm cache)   %6.1f s   (copying the initrd alone: %.3f s)\ninitrd                  %6.1f MB\n", b-a, c-b, s/1e6}'
for run in 1 2 3; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  start=$(date +%s.%N)
  lk-run qemu --publish "$port:80" --timeout 240 "$W/nginx" </dev/null >"$W/console.log" 2>&1 &
  vm=$!
  for _ in $(seq 1 600); do
    [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 200 ] && break
    sleep 0.2
  done
  http=$(date +%s.%N)
  kill -TERM $vm; wait $vm
  init=$(grep -ao 'init start to last service started: [0-9.]*s' "$W/console.log" | grep -o '[0-9.]*s$')
  awk -v h="$http" -v s="$start" -v i="$init" -v r="$run" \
    'BEGIN{printf "boot %d: qemu start to first HTTP 200 %5.1f s; init start to last service %s\n", r, h-s, i}'
done
