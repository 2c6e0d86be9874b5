# lk-pull against a real local registry (Debian's docker-registry, plain http):
# REF and plan modes, the lock, the cache as an OCI layout (skopeo reads it),
# platforms, digests, offline mode, re-resolving tags, errors.
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/registry/lib.sh"
plan 53
cd "$REPO"
need docker-registry skopeo python3
start_registry plain plain || die "docker-registry did not start"
C=$TMP/cache
validate() { python3 "$LK_TEST_DIR/registry/validate_layout.py" "$1" && lk-pull -q --cache "$1" --verify; }

read -r one_top _ < <(mkimage "$TMP/img" one --layers 3 --size 50000 --seed one)
read -r multi_top multi_amd multi_arm _ < <(mkimage "$TMP/img" multi --layers 2 --platforms linux/amd64,linux/arm64/v8,linux/s390x --seed multi)
mkimage "$TMP/img" dock --layers 2 --seed dock >/dev/null
push_layout "$TMP/img" one "$REG/lk/one:v1"
push_layout "$TMP/img" multi "$REG/lk/multi:v1"
push_layout "$TMP/img" one "$REG/lk/nested/path/one:v1"
push_layout "$TMP/img" dock "$REG/lk/dock:v1" --format v2s2

# REF mode: one line per reference, normalised, pinned to the platform manifest.
lk-pull --cache "$C" "$REG/lk/one:v1" "$REG/lk/multi:v1" >"$TMP/out" 2>"$TMP/err"
check ref-mode-exit test $? -eq 0
check ref-mode-lines test "$(cat "$TMP/out")" = "$REG/lk/one:v1 $one_top
$REG/lk/multi:v1 $multi_amd"
check quiet-in-pipe test ! -s "$TMP/err"
check cache-valid validate "$C"
check index-names-image test "$(py "$C/index.json" '[m["annotations"]["org.opencontainers.image.ref.name"] for m in p["manifests"]]')" = "['$REG/lk/one:v1', '$REG/lk/multi:v1']"
check index-keeps-multiarch-index test "$(py "$C/index.json" 'p["manifests"][1]["digest"]')" = "$multi_top"
check skopeo-reads-image skopeo inspect "oci:$C:$REG/lk/one:v1" >/dev/null
check skopeo-reads-index skopeo inspect "oci:$C:$REG/lk/multi:v1" >/dev/null
check skopeo-digest test "$(skopeo inspect "oci:$C:$REG/lk/one:v1" | py /dev/stdin 'p["Digest"]')" = "$one_top"
check umoci-lists-names bash -c "umoci ls --layout '$C' | grep -qx '$REG/lk/one:v1'"
check no-partials-left test -z "$(ls "$C/ingest")"
check oci-layout-file test "$(py "$C/oci-layout" 'p["imageLayoutVersion"]')" = "1.0.0"

# Other platforms of the same index; variant matching; a platform it lacks.
check arm64-is-v8 test "$(lk-pull --cache "$C" --platform linux/arm64 "$REG/lk/multi:v1" 2>&1)" = "$REG/lk/multi:v1 $multi_arm"
check arm64-v8 test "$(lk-pull --cache "$C" --platform linux/arm64/v8 "$REG/lk/multi:v1" 2>&1)" = "$REG/lk/multi:v1 $multi_arm"
lk-pull --cache "$C" --platform linux/mips64 "$REG/lk/multi:v1" >/dev/null 2>"$TMP/err"; rc=$?
check missing-platform-exit test $rc -eq 2
check missing-platform-lists grep -q "offers: linux/amd64, linux/arm64/v8, linux/s390x" "$TMP/err"
lk-pull --cache "$C" --platform linux/arm64 "$REG/lk/one:v1" >/dev/null 2>"$TMP/err"; rc=$?
check single-platform-mismatch bash -c "test $rc -ne 0 && grep -q 'for linux/amd64, not linux/arm64' '$TMP/err'"

# Digest references: a platform manifest, an index; the digest is checked.
check digest-ref test "$(lk-pull --cache "$TMP/c2" "$REG/lk/one@$one_top" 2>&1)" = "$REG/lk/one@$one_top $one_top"
check digest-ref-index test "$(lk-pull --cache "$TMP/c2" "$REG/lk/multi@$multi_top" 2>&1)" = "$REG/lk/multi@$multi_top $multi_amd"
check digest-ref-with-tag test "$(lk-pull --cache "$TMP/c2" "$REG/lk/one:whatever@$one_top" 2>&1)" = "$REG/lk/one@$one_top $one_top"
check nested-path test "$(lk-pull --cache "$TMP/c2" "$REG/lk/nested/path/one:v1" 2>&1)" = "$REG/lk/nested/path/one:v1 $one_top"
check docker-schema2 test "$(lk-pull --cache "$TMP/c2" "$REG/lk/dock:v1" 2>&1 | cut -d' ' -f1)" = "$REG/lk/dock:v1"
check docker-schema2-type grep -q "application/vnd.docker.distribution.manifest.v2+json" "$TMP/c2/index.json"
check cache2-valid validate "$TMP/c2"

# Plan mode: the lock is the plan plus reference, digest and platform on each image.
cat >"$TMP/spec.yml" <<YML
kernel:
  image: $REG/lk/one:v1
  cmdline: console=ttyS0
init:
  - $REG/lk/multi:v1
onboot:
  - name: a
    image: $REG/lk/one:v1
services:
  - name: b
    image: $REG/lk/multi@$multi_top
YML
lk-parse "$TMP/spec.yml" >"$TMP/plan.json"
lk-pull --cache "$C" <"$TMP/plan.json" >"$TMP/lock.json" 2>"$TMP/err"
check lock-exit test $? -eq 0
check lock-schema test "$(py "$TMP/lock.json" 'p["schema"]')" = "lk.lock/v1"
check lock-kernel test "$(py "$TMP/lock.json" 'p["kernel"]["digest"], p["kernel"]["platform"], p["kernel"]["reference"]')" = "$one_top linux/amd64 $REG/lk/one:v1"
check lock-init test "$(py "$TMP/lock.json" 'p["init"][0]["digest"]')" = "$multi_amd"
check lock-service-digest-ref test "$(py "$TMP/lock.json" 'p["services"][0]["reference"], p["services"][0]["digest"]')" = "$REG/lk/multi@$multi_top $multi_amd"
check lock-keeps-plan test "$(py "$TMP/lock.json" 'p["kernel"]["cmdline"], p["onboot"][0]["name"], p["services"][0]["image"]')" = "console=ttyS0 a $REG/lk/multi@$multi_top"
check lock-digests-in-cache bash -c "for d in \$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(\" \".join(x[\"digest\"][7:] for x in [p[\"kernel\"]]+p[\"init\"]+p[\"onboot\"]+p[\"services\"]))' '$TMP/lock.json'); do test -f '$C/blobs/sha256/'\$d || exit 1; done"
lk-pull --cache "$C" -i "$TMP/plan.json" -o "$TMP/lock2.json"
check lock-file-output cmp -s "$TMP/lock.json" "$TMP/lock2.json"

# Offline: from the cache only; a missing image is named.
lk-pull --offline --cache "$C" <"$TMP/plan.json" >"$TMP/lock3.json" 2>"$TMP/err"
check offline-from-cache cmp -s "$TMP/lock.json" "$TMP/lock3.json"
lk-pull --offline --cache "$C" "$REG/lk/one:v1" "$REG/lk/absent:v9" >/dev/null 2>"$TMP/err"; rc=$?
check offline-missing-exit test $rc -eq 1
check offline-names-missing grep -q "offline: $REG/lk/absent:v9 (linux/amd64) is missing from the cache" "$TMP/err"
check offline-only-missing test "$(grep -c offline "$TMP/err")" = 1
lk-pull --offline --cache "$C" --platform linux/s390x "$REG/lk/multi:v1" >/dev/null 2>"$TMP/err"
check offline-missing-platform grep -q "its linux/s390x manifest" "$TMP/err"

# Mirrors: tried in order before the registry itself; the names stay the registry's.
check mirror test "$(lk-pull --cache "$TMP/c3" --mirror "http://127.0.0.1:1" --mirror "http://$REG" lk/one:v1 2>/dev/null)" = "docker.io/lk/one:v1 $one_top"
check mirror-named-in-cache grep -q '"docker.io/lk/one:v1"' "$TMP/c3/index.json"
check umoci-stat umoci stat --image "$TMP/c3:docker.io/lk/one:v1"
check mirror-for-registry test "$(lk-pull --cache "$TMP/c3" --mirror "example.com=http://$REG" example.com/lk/one:v1 2>/dev/null)" = "example.com/lk/one:v1 $one_top"

# On a terminal: a progress display (per-blob bytes, total, rate); in a pipe nothing.
if command -v script >/dev/null; then
  script -qec "lk-pull --cache '$TMP/c6' '$REG/lk/one:v1' >/dev/null" /dev/null >"$TMP/tty" 2>&1
  check progress-on-tty grep -q 'total .*B/s .*blobs' "$TMP/tty"
  script -qec "lk-pull -q --cache '$TMP/c7' '$REG/lk/one:v1' >/dev/null" /dev/null >"$TMP/tty" 2>&1
  check progress-quiet-on-tty test ! -s "$TMP/tty"
fi

# A moved tag: the cache answers until --pull asks the registry.
read -r two_top _ < <(mkimage "$TMP/img" two --layers 1 --seed two)
push_layout "$TMP/img" two "$REG/lk/one:v1"
check cached-tag-kept test "$(lk-pull --cache "$C" "$REG/lk/one:v1" | cut -d' ' -f2)" = "$one_top"
check pull-re-resolves test "$(lk-pull --pull --cache "$C" "$REG/lk/one:v1" | cut -d' ' -f2)" = "$two_top"
check moved-tag-in-index test "$(py "$C/index.json" '[m["digest"] for m in p["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"]=="'$REG/lk/one:v1'"]')" = "['$two_top']"
check cache-valid-after-move validate "$C"

# Errors: unknown image, bad reference (exit 2), bad plan, bad platform.
lk-pull --cache "$C" "$REG/lk/nothing:v1" >/dev/null 2>"$TMP/err"; rc=$?
check unknown-image bash -c "test $rc -eq 1 && grep -q 'lk/nothing:v1: not found' '$TMP/err'"
lk-pull --cache "$C" "Bad/Ref" "x@sha256:12" >/dev/null 2>"$TMP/err"; rc=$?
check bad-ref-exit-2 test $rc -eq 2
check bad-refs-all-named test "$(grep -c 'invalid image reference' "$TMP/err")" = 2
echo '{"schema":"nope"}' | lk-pull --cache "$C" >/dev/null 2>&1; check bad-plan-exit-2 test $? -eq 2
lk-pull --cache "$C" --platform amd64 x >/dev/null 2>&1; check bad-platform-exit-2 test $? -eq 2
lk-pull --cache "$C" -j 0 x >/dev/null 2>&1; check bad-jobs-exit-2 test $? -eq 2
check help lk-pull --help >/dev/null
LK_CACHE="$TMP/envcache" lk-pull "$REG/lk/one:v1" >/dev/null 2>&1
check env-cache test -f "$TMP/envcache/index.json"
XDG_CACHE_HOME="$TMP/xdg" lk-pull "$REG/lk/one:v1" >/dev/null 2>&1
check xdg-cache test -f "$TMP/xdg/lk/index.json"
