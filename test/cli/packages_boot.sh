# The packages LinuxKit users reach for beyond the basics, proven from inside one boot of
# test/packages/packages.yml: its onboot containers print a PKGCHECK line per case.
# modprobe loads modules onboot; ca-certificates, an init image, puts the bundle in the root.
# The system is built with --compress zstd, twice: the warm build splices every segment's
# frames from the cache, gives the same bytes, and is the one booted.
. "$LK_TEST_DIR/lib.sh"
cases=(modprobe-not-loaded-before modprobe-loaded-xt_conntrack modprobe-loaded-nf_conntrack modprobe-loaded-iptable_nat ca-bundle-in-root)
plan $((${#cases[@]} + 9))
skip_if_sanitize "boot tests run in the normal build only"
need qemu-system-x86_64
export LK_CACHE=${LK_TEST_CACHE:-$REPO/build/test-cache}
cd "$REPO"

if ! lk build --compress zstd --dir "$TMP/cold" --name pkgs test/packages/packages.yml 2>"$TMP/build.err" ||
  ! lk build --compress zstd --dir "$TMP" --name pkgs test/packages/packages.yml 2>"$TMP/build.err"; then
  die "lk build: $(tail -5 "$TMP/build.err")"
fi
ok build
check zstd-warm-same-bytes cmp "$TMP/cold/pkgs-initrd.img" "$TMP/pkgs-initrd.img"
check zstd-initrd test "$(head -c 4 "$TMP/pkgs-initrd.img" | od -An -tx1 | tr -d ' ')" = 28b52ffd
check zstd-archives sh -c "[ \$(zstd -dc '$TMP/pkgs-initrd.img' | grep -ac 'TRAILER!!!') -gt 2 ]"
# The bundle is Debian's certificates, every one of them a certificate OpenSSL reads.
lk-rootfs <"$TMP/.pkgs.lock.json" | tar -xOf - etc/ssl/certs/ca-certificates.crt >"$TMP/ca.crt" 2>"$TMP/ca.err"
n=$(grep -c 'BEGIN CERTIFICATE' "$TMP/ca.crt")
check ca-bundle-has-roots test "$n" -gt 100
check ca-bundle-all-parse sh -c "[ \$(openssl crl2pkcs7 -nocrl -certfile '$TMP/ca.crt' | openssl pkcs7 -print_certs -noout | grep -c '^subject=') = $n ]"

log=$TMP/console.log
lk-run qemu --networking none --timeout 240 "$TMP/pkgs" </dev/null >"$log" 2>&1
rc=$?
failed=0
expect() { console_check "$log" "$1" "$2" || failed=1; }  # expect NAME REGEX
if [ $rc = 0 ]; then ok powers-itself-off; else fail powers-itself-off "lk-run exit $rc (1: timeout)"; failed=1; fi
for c in "${cases[@]}"; do expect "$c" "PKGCHECK $c ok"; done
# A module that does not exist fails its container, and only it.
expect modprobe-missing-says-so "modprobe: FATAL: Module no_such_module not found"
expect modprobe-missing-fails-alone 'lk-init: onboot: 5 container\(s\), 1 failed'
if [ $failed -ne 0 ]; then console_tail "$log" 80; fi
