# lk-pull --import (docker save and OCI archives, for air-gapped hosts) and
# lk-pull --push (cache -> registry: HEAD check, monolithic and chunked uploads, manifests).
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/registry/lib.sh"
plan 26
cd "$REPO"
need docker-registry skopeo python3
validate() { python3 "$LK_TEST_DIR/registry/validate_layout.py" "$1" && lk-pull -q --cache "$1" --verify; }
read -r one_top _ < <(mkimage "$TMP/img" one --layers 3 --size 20000 --seed imp)
read -r multi_top multi_amd multi_arm < <(mkimage "$TMP/img" multi --layers 2 --platforms linux/amd64,linux/arm64 --seed impm)

# OCI archive as skopeo writes it.
skopeo copy -q "oci:$TMP/img:one" "oci-archive:$TMP/one.tar:lk/imported:v1"
lk-pull --cache "$TMP/c1" --import "$TMP/one.tar" >"$TMP/out" 2>"$TMP/err"
check import-oci-exit test $? -eq 0
check import-oci-named test "$(cat "$TMP/out")" = "docker.io/lk/imported:v1 $one_top"
check import-oci-valid validate "$TMP/c1"
check import-oci-offline test "$(lk-pull --offline --cache "$TMP/c1" lk/imported:v1)" = "docker.io/lk/imported:v1 $one_top"
check import-oci-skopeo skopeo inspect "oci:$TMP/c1:docker.io/lk/imported:v1" >/dev/null
check import-no-leftovers test -z "$(ls "$TMP/c1/ingest")"

# A multi-platform OCI archive.
skopeo copy -q --all "oci:$TMP/img:multi" "oci-archive:$TMP/multi.tar:example.com/lk/multi:v2"
lk-pull -q --cache "$TMP/c1" --import "$TMP/multi.tar" >/dev/null
check import-multi-arm test "$(lk-pull --offline --platform linux/arm64 --cache "$TMP/c1" example.com/lk/multi:v2 | cut -d' ' -f2)" = "$multi_arm"
check import-multi-valid validate "$TMP/c1"

# docker save format (what `docker save` writes; skopeo's docker-archive is the same).
skopeo copy -q "oci:$TMP/img:one" "docker-archive:$TMP/d.tar:lk/dimg:v2"
lk-pull --cache "$TMP/c2" --import "$TMP/d.tar" >"$TMP/out" 2>"$TMP/err"
check import-docker-exit test $? -eq 0
check import-docker-named test "$(cut -d' ' -f1 "$TMP/out")" = "docker.io/lk/dimg:v2"
check import-docker-valid validate "$TMP/c2"
check import-docker-offline lk-pull -q --offline --cache "$TMP/c2" lk/dimg:v2
check import-docker-skopeo skopeo inspect "oci:$TMP/c2:docker.io/lk/dimg:v2" >/dev/null
check import-docker-same-layers test "$(skopeo inspect "oci:$TMP/c2:docker.io/lk/dimg:v2" | py /dev/stdin 'len(p["Layers"])')" = 3

# Damaged archives: nothing is named, nothing bad enters the cache.
mkdir -p "$TMP/bad" && tar -C "$TMP/bad" -xf "$TMP/one.tar"
f=$(ls "$TMP/bad/blobs/sha256" | head -1); printf 'x' >>"$TMP/bad/blobs/sha256/$f"
tar -C "$TMP/bad" -cf "$TMP/bad.tar" .
lk-pull --cache "$TMP/c3" --import "$TMP/bad.tar" >/dev/null 2>"$TMP/err"; rc=$?
check import-bad-blob-fails bash -c "test $rc -eq 1 && grep -q 'hashes to' '$TMP/err'"
check import-bad-nothing-named test "$(py "$TMP/c3/index.json" 'len(p["manifests"])')" = 0
check import-bad-valid validate "$TMP/c3"
head -c 1000 /dev/urandom >"$TMP/junk.tar"
lk-pull --cache "$TMP/c3" --import "$TMP/junk.tar" >/dev/null 2>&1; check import-junk-exit-2 test $? -eq 2
lk-pull --cache "$TMP/c3" --import "$TMP/absent.tar" >/dev/null 2>&1; check import-missing-exit-2 test $? -eq 2

# Push: from the cache to a registry with Basic auth; skopeo and a fresh lk-pull read it back.
start_registry push htpasswd || die "docker-registry did not start"
export DOCKER_CONFIG=$TMP/docker; mkdir -p "$DOCKER_CONFIG"
echo "{\"auths\":{\"$REG\":{\"auth\":\"$(printf alice:s3cret | base64 -w0)\"}}}" >"$DOCKER_CONFIG/config.json"
check push-single test "$(lk-pull --cache "$TMP/c1" --push lk/imported:v1 --to "$REG/lk/pushed:v1" 2>"$TMP/err")" = "$REG/lk/pushed:v1 $one_top"
check push-skopeo-digest test "$(skopeo inspect --creds alice:s3cret --tls-verify=false "docker://$REG/lk/pushed:v1" | py /dev/stdin 'p["Digest"]')" = "$one_top"
check push-pull-back test "$(lk-pull --cache "$TMP/c4" "$REG/lk/pushed:v1" | cut -d' ' -f2)" = "$one_top"
check push-pull-back-valid validate "$TMP/c4"
check push-again-skips-blobs bash -c "lk-pull -vv --cache '$TMP/c1' --push lk/imported:v1 --to '$REG/lk/pushed:v1' 2>&1 >/dev/null | grep -c 'already there' | grep -qx 4"
check push-chunked test "$(lk-pull --cache "$TMP/c1" --chunk-size 7000 --push example.com/lk/multi:v2 --to "$REG/lk/multi:v2" 2>&1)" = "$REG/lk/multi:v2 $multi_top"
check push-chunked-index-read-back test "$(lk-pull --cache "$TMP/c5" --platform linux/arm64 "$REG/lk/multi:v2" | cut -d' ' -f2)" = "$multi_arm"
check push-chunked-valid validate "$TMP/c5"
lk-pull --cache "$TMP/c1" --push lk/not-there:v1 >/dev/null 2>&1; check push-missing-exit-2 test $? -eq 2
