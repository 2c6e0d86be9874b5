# `format: oci` volumes: lk-pull pins every platform of the image (or the volume's
# `platforms`), lk-rootfs writes the image as an OCI image layout in
# containers/volumes/NAME/lower that skopeo reads, named by its reference.
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/registry/lib.sh"
plan 24
cd "$REPO"
need docker-registry skopeo python3
start_registry plain plain || die "docker-registry did not start"
C=$TMP/cache

read -r top amd arm _ < <(mkimage "$TMP/img" multi --layers 2 --platforms linux/amd64,linux/arm64 --seed vol)
read -r one _ < <(mkimage "$TMP/img" one --layers 1 --seed one)
push_layout "$TMP/img" multi "$REG/lk/multi:v1"
push_layout "$TMP/img" one "$REG/lk/one:v1"
cat >"$TMP/spec.yml" <<EOF
volumes:
  - name: all
    image: $REG/lk/multi:v1
    format: oci
  - name: arm
    image: $REG/lk/multi:v1
    format: oci
    platforms: [linux/arm64]
  - name: single
    image: $REG/lk/one:v1
    format: oci
  - name: flat
    image: $REG/lk/multi:v1
EOF
lk-parse -q "$TMP/spec.yml" >"$TMP/plan.json" && lk-pull -q --cache "$C" <"$TMP/plan.json" >"$TMP/lock.json"
check pull-exit test $? -eq 0
L=$TMP/lock.json
check lock-all-platforms test "$(py "$L" '[m["digest"] for m in p["volumes"][0]["manifests"]]')" = "['$amd', '$arm']"
check lock-names-index test "$(py "$L" 'p["volumes"][0]["digest"]')" = "$top"
check lock-listed-platform test "$(py "$L" '[m["platform"] for m in p["volumes"][1]["manifests"]]')" = "['linux/arm64']"
check lock-single-image test "$(py "$L" '[p["volumes"][2]["digest"]] + [m["digest"] for m in p["volumes"][2]["manifests"]]')" = "['$one', '$one']"
check lock-filesystem-volume test "$(py "$L" 'p["volumes"][3]["digest"]')" = "$amd"
lk-pull -q --offline --cache "$C" <"$TMP/plan.json" >"$TMP/lock2.json"
check offline-same-lock cmp -s "$L" "$TMP/lock2.json"

lk-rootfs --cache "$C" <"$L" >"$TMP/rootfs.tar"
check rootfs-exit test $? -eq 0
lk-rootfs --cache "$C" <"$L" | cmp -s - "$TMP/rootfs.tar"
check rootfs-reproducible test $? -eq 0
X=$TMP/x
mkdir -p "$X" && tar xf "$TMP/rootfs.tar" -C "$X"
V=$X/containers/volumes
for v in all arm single; do
  check "$v-layout-valid" python3 "$LK_TEST_DIR/registry/validate_layout.py" "$V/$v/lower"
  check "$v-volume-dirs" test -d "$V/$v/tmp" -a -d "$V/$v/merged"
done
raw_digest() { skopeo inspect --raw "oci:$1:$2" | sha256sum | cut -c1-64; }
check all-skopeo-reads-index test "sha256:$(raw_digest "$V/all/lower" "$REG/lk/multi:v1")" = "$top"
check all-skopeo-arm64 test "$(skopeo inspect --override-arch arm64 "oci:$V/all/lower:$REG/lk/multi:v1" | py /dev/stdin 'p["Architecture"]')" = arm64
check arm-index-narrowed test "$(skopeo inspect --raw "oci:$V/arm/lower:$REG/lk/multi:v1" | py /dev/stdin '[m["digest"] for m in p["manifests"]]')" = "['$arm']"
check arm-no-amd64-blobs test ! -e "$V/arm/lower/blobs/sha256/${amd#sha256:}"
check single-names-manifest test "sha256:$(raw_digest "$V/single/lower" "$REG/lk/one:v1")" = "$one"
check shared-blob-hard-linked bash -c "tar tvf '$TMP/rootfs.tar' | grep -q 'containers/volumes/arm/lower/blobs/sha256/${arm#sha256:} link to containers/volumes/all/lower/blobs/sha256/${arm#sha256:}'"
check flat-volume-flattened test ! -e "$V/flat/lower/oci-layout" -a -n "$(ls "$V/flat/lower")"

# A lock without the manifests (not made by lk-pull) is bad input.
py "$L" 'json.dumps({**p, "volumes": [{k: v for k, v in p["volumes"][0].items() if k != "manifests"}]})' >"$TMP/bad.json"
lk-rootfs --cache "$C" <"$TMP/bad.json" >/dev/null 2>"$TMP/err"
check bad-lock-exit-2 test $? -eq 2
check bad-lock-says-why grep -q 'volume all.*needs "digest" and "manifests"' "$TMP/err"
