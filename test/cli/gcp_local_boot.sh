# examples/gcp.yml's system, built as the README says (in examples/, its outputs: section)
# and booted locally the way `linuxkit run qemu --data-file` runs it: pkg/metadata finds
# the user-data on the CD-ROM, writes root's keys and the host name from its tree, sshd
# lets that key in, nginx answers, pkg/sysctl's settings hold, rngd runs on the CPU's
# RDRAND alone (as on Compute Engine, which has no virtio-rng), and SIGTERM powers off.
. "$LK_TEST_DIR/lib.sh"
plan 15
skip_if_sanitize "boot tests run in the normal build only"
need qemu-system-x86_64 curl ssh ssh-keygen
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}

# The README's command, in a copy of examples/ so that the outputs land in $TMP.
mkdir -p "$TMP/examples"
cp "$REPO/examples/gcp.yml" "$TMP/examples/"
ln -s "$REPO/pkg" "$TMP/pkg"
(cd "$TMP/examples" && lk build gcp.yml) 2>"$TMP/build.err" || die "lk build: $(tail -5 "$TMP/build.err")"
check build-outputs sh -c "cd '$TMP/examples' && test -s gcp-kernel && test -s gcp-initrd.img && test -s gcp-cmdline && test -s gcp.img.tar.gz"

ssh-keygen -q -t ed25519 -N "" -C lk-test -f "$TMP/key" || die "ssh-keygen"
python3 - "$TMP/key.pub" >"$TMP/user-data.json" <<'PY'
import json, sys
key = open(sys.argv[1]).read()
print(json.dumps({"ssh": {"entries": {"authorized_keys": {"perm": "0600", "content": key}}},
                  "hostname": {"content": "lk-gcp-local"}}))
PY
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ssh_port=$(free_port); http_port=$(free_port)
log="$TMP/console.log"
lk-run qemu --publish "$ssh_port:22" --publish "$http_port:80" --timeout 400 --data-file "$TMP/user-data.json" \
  --qemu-arg=-cpu --qemu-arg=max \
  "$TMP/examples/gcp" </dev/null >"$log" 2>&1 &
vm=$!

code=""
for _ in $(seq 1 600); do  # at most 300 s (plus curl's own 3 s bound)
  code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/" 2>/dev/null) && [ "$code" = 200 ] && break
  kill -0 $vm 2>/dev/null || break
  sleep 0.5
done
check nginx-http-200 test "$code" = 200
check metadata-found-the-cd grep -aq 'lk-metadata: CDROM /dev/sr[0-9]: found user-data' "$log"
check metadata-wrote-the-keys grep -aq 'lk-metadata: wrote /run/config: provider, userdata, .*ssh/authorized_keys' "$log"
check metadata-set-hostname grep -aq 'lk-metadata: host name set to lk-gcp-local' "$log"
check sysctl-applied grep -aq 'lk-sysctl: [0-9]* setting(s) applied from 1 file(s) in /etc/sysctl.d' "$log"

# sshd makes its host keys on first start: a few tries, each bounded. sshd shares the
# host's PID namespace, so the host's /run is /proc/1/root/run.
remote() {
  timeout 40 ssh -q -i "$TMP/key" -p "$ssh_port" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 root@127.0.0.1 "$@"
}
bb=/bin/busybox
out=""
for _ in $(seq 1 12); do
  out=$(remote "$bb cat /proc/1/root/run/config/provider; echo; $bb hostname; $bb cat /proc/sys/vm/max_map_count; $bb ps" \
        2>"$TMP/ssh.err") && break
  kill -0 $vm 2>/dev/null || break
  sleep 5
done
line() { printf '%s\n' "$out" | grep -qx -- "$1"; }
check ssh-with-the-metadata-key test -n "$out"
check provider-is-the-cd line 'CDROM /dev/sr[0-9]'
check hostname-from-user-data line lk-gcp-local
check sysctl-value-holds line 262144
check rngd-running sh -c "printf '%s\n' \"\$1\" | grep -q '/usr/sbin/[r]ngd'" _ "$out"
keys=$(remote "$bb cat /proc/1/root/run/config/ssh/authorized_keys" 2>/dev/null)
check authorized-keys-are-the-key test "$keys" = "$(cat "$TMP/key.pub")"
# Compute Engine and EC2 have no virtio-rng: rngd then feeds from the CPU (RDRAND, which
# -cpu max has). Its own binary, without the hardware RNG, must keep running.
rng=$(remote "$bb grep -c -w rdrand /proc/cpuinfo; $bb timeout 5 $bb chroot /proc/\$($bb pidof rngd)/root \
  /usr/sbin/rngd -f -r /dev/no-hwrng >/dev/null 2>&1; echo status \$?" 2>/dev/null)
check rngd-runs-on-rdrand-alone sh -c "printf '%s\n' \"\$1\" | grep -qxE 'status (124|143)'" _ "$rng"
printf "%s\n" "$out" | sed "s/^/guest: /"
[ -n "$out" ] || { echo "--- ssh ---"; cat "$TMP/ssh.err"; echo "--- console ---"; tail -60 "$log"; }

kill -TERM $vm 2>/dev/null
status=124
for _ in $(seq 1 225); do kill -0 $vm 2>/dev/null || break; sleep 0.2; done
kill -0 $vm 2>/dev/null || { wait $vm; status=$?; }
kill -KILL $vm 2>/dev/null; wait $vm 2>/dev/null
check sigterm-clean-poweroff test "$status" = 0
check metadata-no-warnings sh -c "! grep -aq 'lk-metadata: warning' '$log'"
[ "$code" = 200 ] || tail -60 "$log"
