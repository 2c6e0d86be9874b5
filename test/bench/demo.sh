#!/usr/bin/env bash
# The demo's figures: wall time of `lk build examples/nginx.yml` with a warm cache, the
# initrd's size, and under TCG, for a gzip and a zstd initrd: the time from qemu's start
# to nginx's first HTTP 200, the init's own "init start to last service started", and
# from `poweroff` typed at the console to qemu's exit (the onshutdown container run).
# Baseline in the same run: the kernel+initrd bundle copied by `cp` (what a build that
# did nothing would cost).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
export LK_BIN=${LK_BIN:-$REPO/bin}
export PATH="$LK_BIN:$PATH"
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
W=$(mktemp -d)
vm=
trap '[ -n "$vm" ] && kill $vm 2>/dev/null; exec 7>&- 2>/dev/null; rm -rf "$W"' EXIT
cd "$REPO"
lk build -q --dir "$W" --name nginx examples/nginx.yml || { echo "lk build failed"; exit 1; }  # warms the cache
t0=$(date +%s.%N); lk build -q --dir "$W" --name nginx examples/nginx.yml; t1=$(date +%s.%N)
cp "$W/nginx-initrd.img" "$W/copy.img"; t2=$(date +%s.%N)
awk -v b="$t1" -v a="$t0" -v c="$t2" -v s="$(stat -c %s "$W/nginx-initrd.img")" \
  'BEGIN{printf "lk build (warm cache)   %6.1f s   (copying the initrd alone: %.3f s)\ninitrd                  %6.1f MB\n", b-a, c-b, s/1e6}'
lk build -q --compress zstd --dir "$W" --name nginx-zstd examples/nginx.yml || { echo "lk build --compress zstd failed"; exit 1; }
printf 'initrd, zstd            %6.1f MB\n' "$(awk -v s="$(stat -c %s "$W/nginx-zstd-initrd.img")" 'BEGIN{print s/1e6}')"
for name in nginx nginx-zstd nginx nginx-zstd nginx nginx-zstd; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -f "$W/console.in" && mkfifo "$W/console.in"
  start=$(date +%s.%N)
  lk-run qemu --publish "$port:80" --timeout 240 "$W/$name" <"$W/console.in" >"$W/console.log" 2>&1 &
  vm=$!
  exec 7>"$W/console.in"
  for _ in $(seq 1 600); do
    [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 200 ] && break
    sleep 0.2
  done
  http=$(date +%s.%N)
  for _ in $(seq 1 300); do grep -aq 'init start to last service started' "$W/console.log" && break; sleep 0.2; done
  init=$(grep -ao 'init start to last service started: [0-9.]*s' "$W/console.log" | grep -o '[0-9.]*s$')
  sleep 1  # the getty's prompt
  off=$(date +%s.%N)
  echo poweroff >&7
  for _ in $(seq 1 600); do kill -0 $vm 2>/dev/null || break; sleep 0.05; done
  down=$(date +%s.%N)
  kill $vm 2>/dev/null; wait $vm 2>/dev/null; vm=
  exec 7>&-
  awk -v h="$http" -v s="$start" -v i="$init" -v n="$name" -v o="$off" -v d="$down" \
    'BEGIN{printf "boot %-10s qemu start to first HTTP 200 %5.1f s; init start to last service %s; poweroff to qemu exit %.2f s\n", n, h-s, i, d-o}'
done
