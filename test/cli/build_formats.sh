# lk build's LinuxKit formats that need no boot: tar (the root filesystem, as lk-rootfs
# writes it), docker (that filesystem as an image docker load reads, checked with
# skopeo since no Docker daemon runs here), tar-kernel-initrd (lk-initrd's bundle: kernel, initrd.img, cmdline), vhd and
# vmdk beside kernel+initrd, all byte-identical when built again; two formats that would
# write one file are refused before anything is built.
. "$LK_TEST_DIR/lib.sh"
plan 20
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
cd "$REPO"
need skopeo python3
formats=tar,docker,tar-kernel-initrd,kernel+initrd,vhd,vmdk
lk build --dir "$TMP/a" --format "$formats" examples/nginx.yml 2>"$TMP/a.err" || die "lk build: $(tail -5 "$TMP/a.err")"
ok build
check outputs sh -c "cd '$TMP/a' && ls nginx.tar nginx.docker nginx-initrd.tar nginx-kernel nginx-initrd.img nginx-cmdline nginx.vhd nginx.vmdk"
check tar-is-the-rootfs sh -c "lk-rootfs < '$TMP/a/.nginx.lock.json' | cmp -s - '$TMP/a/nginx.tar'"
check tar-has-the-system sh -c "tar -tf '$TMP/a/nginx.tar' | grep -qx 'containers/services/nginx/config.json'"
check bundle-members sh -c "[ \"\$(tar -tf '$TMP/a/nginx-initrd.tar' | tr '\n' ' ')\" = 'kernel initrd.img cmdline ' ]"
skopeo inspect "docker-archive:$TMP/a/nginx.docker" >"$TMP/inspect.json" 2>"$TMP/inspect.err"
check docker-archive-reads test -s "$TMP/inspect.json"
check docker-layer-is-the-rootfs python3 -c "import json,sys,hashlib; j=json.load(open(sys.argv[1])); h=hashlib.sha256(open(sys.argv[2],'rb').read()).hexdigest(); sys.exit(j['Layers']!=['sha256:'+h] or j['Architecture']!='amd64')" "$TMP/inspect.json" "$TMP/a/nginx.tar"
check docker-tagged sh -c "tar -xOf '$TMP/a/nginx.docker' manifest.json | grep -q '\"RepoTags\":\[\"lk/nginx:latest\"\]'"
check docker-runs-init sh -c "skopeo inspect --config 'docker-archive:$TMP/a/nginx.docker' | grep -q '\"/init\"'"
mkdir "$TMP/x" && tar -xf "$TMP/a/nginx-initrd.tar" -C "$TMP/x"
check bundle-kernel-is-kernel cmp -s "$TMP/x/kernel" "$TMP/a/nginx-kernel"
check bundle-initrd-is-initrd cmp -s "$TMP/x/initrd.img" "$TMP/a/nginx-initrd.img"
check bundle-cmdline-is-cmdline cmp -s "$TMP/x/cmdline" "$TMP/a/nginx-cmdline"
check vhd-from-bundle sh -c "lk-disk --format vhd -i '$TMP/a/nginx' | cmp -s - '$TMP/a/nginx.vhd'"
sleep 1
lk build --dir "$TMP/b" --format "$formats" examples/nginx.yml 2>"$TMP/b.err" || die "lk build again: $(tail -5 "$TMP/b.err")"
check reproducible sh -c "cd '$TMP/a' && for f in nginx*; do cmp \$f '$TMP/b/'\$f >&2 || exit 1; done"
lk build --dir "$TMP/c" --format vhd,dynamic-vhd examples/nginx.yml 2>"$TMP/c.err"
check same-file-refused test $? -eq 2
check same-file-says-why grep -q 'formats vhd and dynamic-vhd both write nginx.vhd' "$TMP/c.err"
check same-file-nothing-built test -z "$(ls -A "$TMP/c" 2>/dev/null | grep -v '^\.nginx\.plan\.json$')"
printf 'kernel:\n  image: a/k:1\noutputs:\n  - format: vhd\n  - format: tar-kernel-initrd\n  - format: dynamic-vhd\n' >"$TMP/o.yml"
check spec-outputs-accepted sh -c "lk-parse '$TMP/o.yml' | grep -q '\"tar-kernel-initrd\"'"
lk build --dir "$TMP/d" --format kernel+squashfs examples/nginx.yml 2>"$TMP/d.err"
check linuxkit-format-refused test $? -eq 2
check linuxkit-format-says-why grep -q 'format "kernel+squashfs" is not one lk builds: root on squashfs' "$TMP/d.err"
