# lk-rootfs on generated images: LinuxKit's layout, config.json/runtime.json, edits,
# the files section, whiteouts and hard links.
. "$LK_TEST_DIR/lib.sh"
plan 94
cd "$REPO"
export LK_BIN
GEN="python3 test/rootfs/gen.py"
C=$TMP/cache
py() { python3 -c "import json,sys; $1" "${@:2}"; }
names() { tar tf "$1" | sed 's,/$,,'; }
has() { names "$1" | grep -qx -- "$2"; }
export -f names has  # for the checks that run under bash -c

$GEN basic "$C" "$TMP/basic" || fail gen-basic "generator failed"
lk-rootfs --cache "$C" <"$TMP/basic/lock.json" >"$TMP/basic.tar" 2>"$TMP/err"
check basic-exit test $? -eq 0
T=$TMP/basic.tar
mkdir -p "$TMP/x" && tar xf "$T" -C "$TMP/x"
X=$TMP/x

# Kernel: the named files only, under boot/; kernel.tar unpacked at /.
check kernel-first test "$(names "$T" | head -4 | tr '\n' ' ')" = "boot boot/cmdline boot/kernel boot/ucode.cpio "
check kernel-cmdline test "$(cat "$X/boot/cmdline")" = "console=ttyS0 quiet"
check kernel-mode-kept test "$(tar tvf "$T" boot/kernel | cut -c1-10)" = "-rw-------"
check kernel-tar-unpacked test -f "$X/lib/modules/6.1.0/modules.dep"
check kernel-other-files-dropped bash -c "! tar tf '$T' | grep -q kernel-headers"

# Init images: flattened at /, later ones winning, whatever their layer compression.
check init-later-wins test "$(cat "$X/etc/issue")" = "runc wins"
check init-zstd-layer test -f "$X/usr/bin/runc"
check init-setuid-kept test "$(tar tvf "$T" usr/bin/su | cut -c1-10)" = "-rwsr-xr-x"
check init-apk-dbs-merged test "$(grep '^P:' "$X/lib/apk/db/installed" | tr '\n' ' ')" = "P:init P:runc "
check init-no-duplicate-files test -z "$(tar tf "$T" | grep -v "/$" | sort | uniq -d)"

# Edits LinuxKit users rely on.
check excluded-dockerenv bash -c "! tar tf '$T' | grep -qE '(^|/)(\.dockerenv|Dockerfile)$'"
check excluded-dev-console bash -c "! tar tf '$T' | grep -q 'dev/console'"
check excluded-etc-hostname bash -c "! tar tf '$T' | grep -q 'etc/hostname'"
check hosts-replaced grep -q '^127.0.0.1 *localhost$' "$X/etc/hosts"
check init-resolv-symlink test "$(readlink "$X/etc/resolv.conf")" = /run/resolvconf/resolv.conf
check container-resolv-file grep -q 'no resolv.conf configured' "$X/containers/services/web/lower/etc/resolv.conf"
check mtab-symlink test "$(readlink "$X/etc/mtab")" = /proc/mounts
for d in dev dev/pts dev/shm proc sys; do check "touched-$d" test -d "$X/$d"; done
check touched-in-bundles test -d "$X/containers/onboot/000-dhcpcd/lower/proc"

# Bundles: numbered onboot/onshutdown, named services, overlay or readonly layout.
B=$X/containers
for d in onboot/000-dhcpcd onshutdown/000-bye services/web services/web2 services/ro; do
  check "bundle-$d" test -f "$B/$d/config.json" -a -f "$B/$d/runtime.json" -a -d "$B/$d/rootfs"
done
check overlay-layout test -d "$B/services/web/lower/srv" -a -d "$B/services/web/tmp"
check readonly-no-tmp test ! -e "$B/services/ro/tmp"
check dedup-stored-once test "$(names "$T" | grep -c 'srv/index.html$')" = 1
check dedup-onboot-onshutdown test ! -e "$B/onshutdown/000-bye/lower"
check dedup-lowerdir-points-to-first grep -q '"lowerdir=/containers/services/web/lower"' "$B/services/web2/runtime.json"
check readonly-bind-to-first grep -q '"source": "/containers/services/web/lower"' "$B/services/ro/runtime.json"
check runtime-overlay-first test "$(py 'r=json.load(open(sys.argv[1])); print(r["mounts"][2]["type"], len(r["bindNS"]), r["namespace"]=="")' "$B/services/web/runtime.json")" = "overlay 7 True"
check config-label-and-add test "$(py 'c=json.load(open(sys.argv[1])); print(c["process"]["capabilities"]["effective"], [n["type"] for n in c["linux"]["namespaces"]])' "$B/onboot/000-dhcpcd/config.json")" = "['CAP_NET_ADMIN', 'CAP_NET_RAW'] ['network', 'pid', 'mount']"
check config-image-args test "$(py 'c=json.load(open(sys.argv[1])); print(c["process"]["args"], c["process"]["cwd"], c["process"]["user"])' "$B/services/web/config.json")" = "['/bin/web'] /srv {'uid': 100, 'gid': 0}"
check config-yaml-command test "$(py 'print(json.load(open(sys.argv[1]))["process"]["args"])' "$B/onshutdown/000-bye/config.json")" = "['/sbin/dhcpcd', '--release']"
check config-readonly test "$(py 'print(json.load(open(sys.argv[1]))["root"])' "$B/services/ro/config.json")" = "{'path': 'rootfs', 'readonly': True}"
check config-4-space-indent grep -q '^    "ociVersion"' "$B/services/web/config.json"
check docker-media-type test -f "$B/services/web/lower/srv/extra"

# Volumes.
check volume-lower test -f "$B/volumes/vol/lower/data/seed" -a -d "$B/volumes/vol/tmp" -a -d "$B/volumes/vol/merged"
check volume-blank test -d "$B/volumes/blank/lower"
check volume-resolv-symlink test -L "$B/volumes/vol/lower/etc/resolv.conf"
check volume-readonly-no-tmp test -f "$B/volumes/rovol/lower/data/seed" -a ! -e "$B/volumes/rovol/tmp" -a -d "$B/volumes/rovol/merged"
# A volume's name in a bind (or a bind mount) becomes the folder the guest mounts it on.
mounts_of() { py 'print(" ".join(m["destination"] + "=" + m["source"] + ":" + ",".join(m.get("options", [])) for m in json.load(open(sys.argv[1]))["mounts"] if m["type"] == "bind"))' "$1"; }
check volume-binds-rewritten test "$(mounts_of "$B/services/web2/config.json")" = "/blank=/containers/volumes/blank/merged: /data=/containers/volumes/vol/merged:rw,rbind,rshared /ro=/containers/volumes/rovol/merged:ro,rbind"

# files section.
check files-contents test "$(cat "$X/etc/motd")" = welcome
check files-mode test "$(tar tvf "$T" etc/motd | cut -c1-10)" = "-rw-r--r--"
check files-leading-dirs test "$(tar tvf "$T" var/lib/x | head -1 | cut -c1-10)" = "drwx------"
check files-existing-dir-untouched test "$(names "$T" | grep -cx etc)" = 1
check files-source-relative-to-spec test "$(cat "$X/etc/src")" = "from the host"
check files-uid-by-name test "$(tar tvf "$T" etc/src | awk '{print $2}')" = "102/0"
check files-directory test "$(tar tvf "$T" opt/dir | cut -c1-10)" = "drwxr-x---"
check files-symlink test "$(readlink "$X/etc/link")" = /etc/motd
check files-metadata-yaml grep -q '^kernel:' "$X/etc/lk.yml"
check files-metadata-json test "$(py 'print(json.load(open(sys.argv[1]))["kernel"]["image"])' "$X/etc/lk.json")" = lk/kernel:1
check files-optional-skipped test ! -e "$X/etc/none"
check generated-mtime-epoch test "$(tar tvf "$T" etc/motd | awk '{print $4}')" = 1970-01-01

# Whiteouts and hard links.
$GEN whiteouts "$C" "$TMP/wh" || fail gen-whiteouts "generator failed"
lk-rootfs --cache "$C" <"$TMP/wh/lock.json" >"$TMP/wh.tar" 2>"$TMP/err"
check whiteouts-exit test $? -eq 0
W=$TMP/wh.tar
check wh-file-hidden bash -c "! names '$W' | grep -qx a/gone"
check wh-dir-and-below-hidden bash -c "! names '$W' | grep -qx a/sub/deep"
check wh-recreated-above test -n "$(names "$W" | grep -x a/sub/again)"
check wh-kept-sibling test -n "$(names "$W" | grep -x a/keep)"
check opaque-hides-lower bash -c "! names '$W' | grep -qE '^opq/(old|olddir)'"
check opaque-keeps-own test -n "$(names "$W" | grep -x opq/new)"
check file-over-dir-hides-children bash -c "! names '$W' | grep -qx d2f/child"
check dir-over-file test -n "$(names "$W" | grep -x f2d/inside)"
check whiteout-after-files-in-layer bash -c "! names '$W' | grep -qx late"
check whiteouts-never-written bash -c "! tar tf '$W' | grep -q '\.wh\.'"
check hardlink-kept test "$(tar tvf "$W" linked2 | cut -c1)" = h
check hardlink-to-lower-layer test "$(tar tvf "$W" link3 | awk '{print $NF}')" = linked
mkdir -p "$TMP/w" && tar xf "$W" -C "$TMP/w"
check hardlink-target-replaced-above test "$(cat "$TMP/w/perl")/$(cat "$TMP/w/perl2")" = "new perl/old perl"
check hardlink-group-kept-without-target test "$(tar tvf "$W" perl3 | awk '{print $1, $NF}')" = "hrw-r--r-- perl2"
check parents-before-children py '
seen=set()
import subprocess
for n in subprocess.run(["tar","tf",sys.argv[1]],capture_output=True,text=True).stdout.split():
    n=n.rstrip("/"); p=n.rsplit("/",1)[0] if "/" in n else ""
    assert p=="" or p in seen, n
    seen.add(n)' "$W"

# A name listed twice in one layer: the last entry wins, as Docker and containerd
# extract; a layer's tar ends at its first end-of-archive marker, as Go's tar reader.
$GEN dup_entries "$C" "$TMP/dup" || fail gen-dup "generator failed"
lk-rootfs --cache "$C" <"$TMP/dup/lock.json" >"$TMP/dup.tar" 2>"$TMP/err"
check dup-exit test $? -eq 0
D=$TMP/dup.tar
mkdir -p "$TMP/d" && tar xf "$D" -C "$TMP/d"
check dup-each-name-once test -z "$(names "$D" | sort | uniq -d)"
check dup-dir-last-mode-wins test "$(tar tvf "$D" --no-recursion d | awk '{print $1, $2}')" = "drwxr-x--- 2/0"
check dup-dir-keeps-children test "$(cat "$TMP/d/d/f")" = "in d"
check dup-file-last-content-wins test "$(cat "$TMP/d/a")" = two
check dup-file-last-mode-wins test "$(tar tvf "$D" a | cut -c1-10)" = "-rw-------"
check dup-hardlink-keeps-earlier-data test "$(cat "$TMP/d/l")/$(cat "$TMP/d/f")" = "old/new"
check dup-file-to-symlink test "$(readlink "$TMP/d/s")" = /etc/shadow
check dup-file-to-symlink-link-keeps-data test "$(cat "$TMP/d/s2")" = "was a file"
check dup-symlink-to-dir test -d "$TMP/d/t" -a ! -L "$TMP/d/t" -a "$(cat "$TMP/d/t/inside" 2>/dev/null)" = "t is a directory by now"
check appended-tar-first-archive-only test "$(cat "$TMP/d/x")" = "first archive"
check appended-tar-rest-ignored test ! -e "$TMP/d/y"
lk-rootfs --cache "$C" <"$TMP/dup/lock.json" | cmp -s - "$D"
check dup-reproducible test $? -eq 0

# Bad input: not a lock, missing blob.
echo '{"schema":"lk.plan/v1"}' | lk-rootfs --cache "$C" >/dev/null 2>"$TMP/err"
check not-a-lock-exit-2 test $? -eq 2
check not-a-lock-message grep -q 'expected lk.lock/v1' "$TMP/err"
lk-rootfs --cache "$TMP/empty" <"$TMP/wh/lock.json" >/dev/null 2>"$TMP/err"
check missing-blob-exit-1 test $? -eq 1
check missing-blob-message grep -q 'is not in the cache' "$TMP/err"
lk-rootfs --cache "$C" -i "$TMP/wh/lock.json" -o "$TMP/o.tar"
check output-file cmp -s "$TMP/o.tar" "$W"
LK_CACHE="$C" lk-rootfs <"$TMP/wh/lock.json" | cmp -s - "$W"
check cache-from-env test $? -eq 0
