# lk-metadata and lk-sysctl as the binaries the guest runs, on the host: every provider
# end to end (the clouds against test/metadata/fake_server.py on 127.0.0.1, discs made
# by xorriso, files), what lands in the config folder, exit statuses; pkg/dhcpcd's lease
# script on Compute Engine's lease; `lk run qemu --data` refusing what it cannot do. Never the host's own /run/config, host name or
# /proc/sys: every run names a folder under $TMP and --no-sethostname.
. "$LK_TEST_DIR/lib.sh"
plan 52
need xorriso python3
FAKE_PIDS=()
cleanup() {
  local p
  for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${FAKE_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# start MODE: a fake metadata server; sets PORT.
start() {
  local out="$TMP/fake-$1.port"
  FAKE_LOG="$TMP/fake-$1.log" python3 "$LK_TEST_DIR/metadata/fake_server.py" "$1" >"$out" 2>"$TMP/fake-$1.err" &
  FAKE_PIDS+=($!)
  for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
  PORT=$(cat "$out")
  [ -n "$PORT" ] || die "fake $1 server did not start: $(cat "$TMP/fake-$1.err")"
}

# meta NAME ARGS...: lk-metadata into $TMP/NAME, its stderr in $TMP/NAME.err ('/' in NAME
# made '_'), status in ST.
meta() {
  local name=$1; shift
  lk-metadata --config-dir "$TMP/$name" --no-sethostname --net-wait 2 "$@" >/dev/null 2>"$TMP/${name//\//_}.err"
  ST=$?
}
has() { [ -f "$TMP/$1" ] && [ "$(cat "$TMP/$1")" = "$2" ]; }
mode() { stat -c %a "$TMP/$1"; }

# Arguments.
meta bad1 hetzner
check refuses-linuxkit-only-provider sh -c "[ $ST = 2 ] && grep -q 'one of LinuxKit' '$TMP/bad1.err'"
meta bad2 nosuch
check refuses-unknown-provider sh -c "[ $ST = 2 ] && grep -q 'unknown metadata provider' '$TMP/bad2.err'"
meta bad3 --server metadata.google.internal gcp
check refuses-a-server-name sh -c "[ $ST = 2 ] && grep -q 'not an IPv4 address' '$TMP/bad3.err'"
check refused-before-writing test ! -e "$TMP/bad3"

# Compute Engine: project and instance keys (the expired one dropped), user-data's tree.
start gce
meta gce --server "127.0.0.1:$PORT" aws gcp
check gce-exit-0 test "$ST" = 0
check gce-provider has gce/provider GCP
check gce-hostname has gce/hostname vm-1.c.lk-test.internal
check gce-keys has gce/ssh/authorized_keys "$(printf 'ssh-rsa AAAAproject bob\nssh-ed25519 AAAAinstance alice')"
check gce-keys-0600 test "$(mode gce/ssh/authorized_keys)" = 600
check gce-userdata sh -c "grep -q 'hello from gce' '$TMP/gce/userdata'"
check gce-tree-file has gce/greeting "hello from gce"
check gce-tree-perm test "$(mode gce/ssh/sshd_config)" = 600
check gce-says-hostname grep -q 'host name vm-1.c.lk-test.internal (not set: --no-sethostname)' "$TMP/gce.err"
check gce-aws-tried-first sh -c "head -1 '$TMP/fake-gce.log' | grep -q '^PUT /latest/api/token'"
check gce-flavor-sent grep -q 'GET /computeMetadata/v1/instance/hostname Metadata-Flavor: Google' "$TMP/fake-gce.log"

# EC2 with IMDSv2: every GET carries the session token.
start aws
meta aws --server "127.0.0.1:$PORT"  aws
check aws-provider has aws/provider AWS
check aws-values sh -c "[ \"\$(cat '$TMP/aws/instance_id' '$TMP/aws/availability_zone' '$TMP/aws/public_ipv4')\" = \"\$(printf 'i-0009zone-a203.0.113.9')\" ]"
check aws-all-keys has aws/ssh/authorized_keys "$(printf 'ssh-rsa AAAAfirst first\nssh-ed25519 AAAAsecond second')"
check aws-tree has aws/greeting "hello from aws"
check aws-token-on-every-get sh -c "! grep '^GET' '$TMP/fake-aws.log' | grep -qv 'X-aws-ec2-metadata-token: tok-123'"

# OpenStack's EC2-compatible service: no token; the AWS provider does not take it.
start openstack
meta os --server "127.0.0.1:$PORT" aws openstack
check openstack-provider has os/provider openstack
check openstack-hostname has os/hostname ip-10-0-0-9.ec2.internal
check openstack-local-hostname has os/local_hostname ip-10-0-0-9
check openstack-tree has os/greeting "hello from openstack"

# Discs: LinuxKit's `run --data` layout, a cidata disc, a config drive; never mounted.
mkdir -p "$TMP/d1" "$TMP/d2" "$TMP/d3/openstack/latest"
printf '%s' '{"hostname": {"content": "from-the-disc"}, "x": {"entries": {"y": {"content": "z"}}}}' >"$TMP/d1/config"
xorriso -as mkisofs -quiet -V config -r -J -o "$TMP/data.iso" "$TMP/d1" 2>/dev/null
meta cd "cdrom=$TMP/data.iso"
check cdrom-provider has cd/provider "CDROM $TMP/data.iso"
check cdrom-tree has cd/x/y z
check cdrom-hostname-from-tree grep -q 'host name from-the-disc' "$TMP/cd.err"
printf '#cloud-config\n' >"$TMP/d2/user-data"; printf 'instance-id: i\n' >"$TMP/d2/meta-data"
xorriso -as mkisofs -quiet -V cidata -J -o "$TMP/cidata.iso" "$TMP/d2" 2>/dev/null
meta ci "cdrom=$TMP/cidata.iso"
check cidata-userdata has ci/userdata "#cloud-config"
check cidata-not-json-is-fine sh -c "[ $ST = 0 ] && grep -q 'not JSON' '$TMP/ci.err'"
printf 'echo hi\n' >"$TMP/d3/openstack/latest/user_data"
printf '%s' '{"hostname": "cfg-drive", "public_keys": {"k": "ssh-rsa AAAAdrive k"}}' \
  >"$TMP/d3/openstack/latest/meta_data.json"
xorriso -as mkisofs -quiet -V config-2 -r -o "$TMP/cfg2.iso" "$TMP/d3" 2>/dev/null
meta cfg "cdrom=$TMP/cfg2.iso"
check config-drive-keys has cfg/ssh/authorized_keys "ssh-rsa AAAAdrive k"
check config-drive-hostname has cfg/hostname cfg-drive
check config-drive-userdata has cfg/userdata "echo hi"

# Files, and the order: the network first, then discs, then files.
printf '%s' '{"from": {"content": "file"}}' >"$TMP/ud.json"
meta file "file=$TMP/ud.json" "cdrom=$TMP/data.iso"
check disc-before-file has file/provider "CDROM $TMP/data.iso"
meta file2 "file=$TMP/ud.json"
check file-provider has file2/provider "$TMP/ud.json"
check file-tree has file2/from file

# A hostile user-data writes nothing outside the folder.
mkdir -p "$TMP/jail"
printf '%s' '{"../escaped": {"content": "x"}, "a/b": {"content": "x"}, "..": {"entries": {"e": {"content": "x"}}},
  "ok": {"content": "inside"}}' >"$TMP/hostile.json"
meta jail/config "file=$TMP/hostile.json"
check hostile-kept-inside sh -c "[ \"\$(ls -A '$TMP/jail')\" = config ] && [ ! -e '$TMP/escaped' ]"
check hostile-rest-written has jail/config/ok inside
check hostile-noted sh -c "[ \$(grep -c 'not a plain file name' '$TMP/jail_config.err') = 3 ]"

# Nothing found; an unusable folder.
meta none "file=$TMP/missing" "cdrom=$TMP/ud.json"
check nothing-found-exit-0 sh -c "[ $ST = 0 ] && grep -q 'no metadata or user-data found' '$TMP/none.err'"
check nothing-found-nothing-written test -z "$(ls -A "$TMP/none")"
: >"$TMP/afile"
meta afile/config "file=$TMP/ud.json"
check unusable-folder-exit-1 sh -c "[ $ST = 1 ] && grep -q 'afile/config: Not a directory' '$TMP/afile_config.err'"

# A server that answers nothing useful is not waited for (a refused port).
start gce; stop=$PORT; kill "${FAKE_PIDS[-1]}"; wait "${FAKE_PIDS[-1]}" 2>/dev/null
t0=$(date +%s)
meta refused --server "127.0.0.1:$stop" gcp aws openstack
check refused-not-waited sh -c "[ $ST = 0 ] && [ \$(( \$(date +%s) - $t0 )) -lt 5 ]"

# lk-sysctl: into a stand-in for /proc/sys, files in order, failures warned.
mkdir -p "$TMP/sd" "$TMP/proc/net/ipv4/conf/eth0.100" "$TMP/proc/vm"
: >"$TMP/proc/vm/max_map_count"; : >"$TMP/proc/net/ipv4/conf/eth0.100/rp_filter"
printf 'vm.max_map_count = 1\n' >"$TMP/sd/00-a.conf"
printf '# later wins\nvm.max_map_count = 262144\nnet/ipv4/conf/eth0.100/rp_filter=2\nno.such.key = 1\n-also.missing = 1\n' \
  >"$TMP/sd/10-b.conf"
printf 'vm.max_map_count = 7\n' >"$TMP/sd/README"
lk-sysctl --config-dir "$TMP/sd" --sysctl-dir "$TMP/proc" 2>"$TMP/sysctl.err"
ST=$?
check sysctl-exit-0 test "$ST" = 0
check sysctl-applied-in-order has proc/vm/max_map_count 262144
check sysctl-slashed-key has proc/net/ipv4/conf/eth0.100/rp_filter 2
check sysctl-failure-warned sh -c "grep -q 'no.such.key' '$TMP/sysctl.err' && ! grep -q 'also.missing' '$TMP/sysctl.err'"
check sysctl-summary grep -q '3 setting(s) applied from 2 file(s)' "$TMP/sysctl.err"
lk-sysctl --config-dir "$TMP/nowhere" 2>/dev/null
check sysctl-no-folder-exit-1 test "$?" = 1

# pkg/dhcpcd's lease script on Compute Engine's lease (a /32, its gateway off the subnet,
# classless routes, MTU 1460), with busybox replaced by a recorder.
printf '#!/bin/sh\necho "$*" >>"%s/bb.log"\n[ "$1" = mkdir ] && shift && mkdir "$@"\nexit 0\n' "$TMP" >"$TMP/bb"
chmod +x "$TMP/bb"
sed -e "s|^bb=/bin/busybox|bb=$TMP/bb|" -e "s|/run/resolvconf|$TMP/resolvconf|g" "$REPO/pkg/dhcpcd/udhcpc.script" >"$TMP/lease.sh"
interface=eth0 ip=10.128.0.5 mask=32 router=10.128.0.1 mtu=1460 dns=169.254.169.254 \
  staticroutes="10.128.0.1/32 0.0.0.0 0.0.0.0/0 10.128.0.1" sh "$TMP/lease.sh" bound >"$TMP/lease.out"
check dhcp-gce-lease sh -c "grep -qx 'ip link set dev eth0 mtu 1460' '$TMP/bb.log' &&
  grep -qx 'ip route replace 10.128.0.1/32 dev eth0' '$TMP/bb.log' &&
  grep -qx 'ip route replace 0.0.0.0/0 via 10.128.0.1 dev eth0' '$TMP/bb.log' && grep -q 'mtu 1460' '$TMP/lease.out'"
: >"$TMP/bb.log"
interface=eth0 ip=10.0.2.15 mask=24 router=10.0.2.2 dns=10.0.2.3 sh "$TMP/lease.sh" bound >/dev/null
check dhcp-router-lease sh -c "grep -qx 'ip route replace default via 10.0.2.2 dev eth0' '$TMP/bb.log' &&
  ! grep -q mtu '$TMP/bb.log' && grep -qx 'nameserver 10.0.2.3' '$TMP/resolvconf/resolv.conf'"

# lk run qemu --data: what it refuses before any qemu starts.
: >"$TMP/x-kernel"; : >"$TMP/x-initrd.img"
lk-run qemu --data a --data-file "$TMP/ud.json" "$TMP/x" >"$TMP/r1.err" 2>&1
check run-data-and-file-refused sh -c "[ $? = 2 ] && grep -q 'cannot be used together' '$TMP/r1.err'"
lk-run qemu --data-file "$TMP/missing" "$TMP/x" >"$TMP/r2.err" 2>&1
check run-data-file-missing sh -c "[ $? = 2 ] && grep -q 'not a readable file' '$TMP/r2.err'"
