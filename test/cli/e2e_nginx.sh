# The demo, end to end and without a terminal: lk build examples/nginx.yml (its packages
# built from Debian by lk-pkg), boot it with lk-run qemu, HTTP 200 from nginx through the
# published port, runc list at the getty shell, the onboot log, then poweroff runs the
# onshutdown container and qemu exits 0. Also pkg/sshd: the spec's authorized_keys (from
# ~/.ssh/id_rsa.pub, here a key made for the test) lets ssh in through a published port.
# Every wait is bounded.
. "$LK_TEST_DIR/lib.sh"
plan 16
skip_if_sanitize "boot tests run in the normal build only"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/install-deps)"
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
cd "$REPO"
mkdir -p "$TMP/home/.ssh" && ssh-keygen -q -t ed25519 -N '' -f "$TMP/home/.ssh/id_rsa"
if ! HOME="$TMP/home" lk build --dir "$TMP" --name nginx examples/nginx.yml 2>"$TMP/build.err"; then
  die "$(tail -5 "$TMP/build.err")"
fi
ok build
check initrd-built test -s "$TMP/nginx-initrd.img"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port) sshport=$(free_port)
mkfifo "$TMP/console.in"
lk-run qemu --publish "$port:80" --publish "$sshport:22" --timeout 240 "$TMP/nginx" <"$TMP/console.in" >"$TMP/console.log" 2>&1 &
vm=$!
exec 7>"$TMP/console.in"
trap 'exec 7>&-; kill $vm 2>/dev/null; wait $vm 2>/dev/null; rm -rf "$TMP"' EXIT

code=""
for _ in $(seq 1 360); do  # at most 180 s (plus curl's 3 s bound each)
  code=$(curl -s -m 3 -o "$TMP/page.html" -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null) && [ "$code" = 200 ] && break
  kill -0 $vm 2>/dev/null || break
  sleep 0.5
done
check http-200 test "$code" = 200
check page-from-nginx grep -q 'Hello from nginx' "$TMP/page.html"

wait_console() {  # PATTERN SECONDS
  for _ in $(seq 1 $(($2 * 2))); do grep -aq "$1" "$TMP/console.log" && return 0; sleep 0.5; done
  return 1
}
check services-started wait_console 'service(s) running; init start to last service started' 60
ssh_ok=no
# sshd makes its host keys at its first start: under TCG on a loaded machine that alone
# can take a minute, so the bound is time (120 s), not a count of quick refusals.
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
  ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 \
    -i "$TMP/home/.ssh/id_rsa" -p "$sshport" root@127.0.0.1 'echo SSH_''OK; cat /proc/1/comm' >"$TMP/ssh.out" 2>&1 && { ssh_ok=yes; break; }
  sleep 1
done
check ssh-with-authorized-key test "$ssh_ok" = yes
check ssh-runs-a-command grep -qx 'SSH_OK' "$TMP/ssh.out"
check ssh-sees-host-pids grep -q 'init' "$TMP/ssh.out"  # pid: host, so PID 1 is lk-init
[ "$ssh_ok" = yes ] || cat "$TMP/ssh.out"
# The quotes keep the shell's echo of this line from matching the marker.
echo "runc list; head -3 /var/log/onboot.000-dhcpcd.log; echo ONBOOT_LOG_''END" >&7
check runc-list-shows-services wait_console 'ONBOOT_LOG_END' 60
for s in nginx rngd sshd getty; do
  check "runc-list-$s-running" grep -aqE "^$s +[0-9]+ +running" "$TMP/console.log"
done
check onboot-log-exists grep -aq 'udhcpc' "$TMP/console.log"
echo 'poweroff' >&7
check onshutdown-ran wait_console 'so long and thanks for all the fish' 90
status=124
for _ in $(seq 1 600); do kill -0 $vm 2>/dev/null || { wait $vm; status=$?; break; }; sleep 0.2; done
check qemu-exit-0 test "$status" = 0
[ "$status" = 0 ] && grep -aq 'running' "$TMP/console.log" || { echo "--- console ---"; tail -60 "$TMP/console.log"; }
