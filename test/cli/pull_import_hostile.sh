# lk-pull --import of hostile archives: links that escape the archive, members under
# links, absolute names and links, "..", link loops, blobs that do not match their
# names, oversized JSON. Each is refused (exit 2, or 1 for a blob's bytes), naming the
# archive and the member, with nothing written outside the cache and index.json as it
# was; a docker save whose shared layers are symlinks still imports.
. "$LK_TEST_DIR/lib.sh"
plan 99
cd "$REPO"
need python3
# mktar OUT SPEC...: a tar built with python's tarfile, SPEC being NAME=TEXT (a file),
# NAME@TARGET (a symlink), NAME%TARGET (a hard link) or NAME/ (a directory).
mktar() {
  python3 - "$@" <<'PY'
import io, sys, tarfile
out, specs = sys.argv[1], sys.argv[2:]
with tarfile.open(out, "w") as t:
    for s in specs:
        i = tarfile.TarInfo()
        if "=" in s:
            i.name, text = s.split("=", 1); data = text.encode(); i.size = len(data)
            t.addfile(i, io.BytesIO(data)); continue
        if "@" in s: i.name, i.linkname = s.split("@", 1); i.type = tarfile.SYMTYPE
        elif "%" in s: i.name, i.linkname = s.split("%", 1); i.type = tarfile.LNKTYPE
        else: i.name = s.rstrip("/"); i.type = tarfile.DIRTYPE; i.mode = 0o755
        t.addfile(i)
PY
}
OUTSIDE=$TMP/outside; mkdir -p "$OUTSIDE"
C=$TMP/cache
# A cache with one image in it, whose index.json must survive every attempt below.
layer=$(printf 'layer' | sha256sum | cut -d' ' -f1)
cfg='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
mktar "$TMP/good.tar" "manifest.json=[{\"Config\":\"c.json\",\"RepoTags\":[\"lk/good:v1\"],\"Layers\":[\"l/layer.tar\"]}]" \
  "c.json=$cfg" "l/layer.tar=layer"
lk-pull -q --cache "$C" --import "$TMP/good.tar" >/dev/null
check hostile-setup test -s "$C/index.json"
before=$(sha256sum <"$C/index.json")
zero=$(printf '0%.0s' {1..64})

# hostile NAME WANT-RC MESSAGE-REGEX SPEC...: the archive is refused with WANT-RC and a
# message naming it, nothing appears outside, the cache's index.json is untouched and
# holds no blob that does not hash to its name.
hostile() {
  local name=$1 want=$2 msg=$3; shift 3
  mktar "$TMP/$name.tar" "$@"
  (cd "$OUTSIDE/.." && lk-pull --cache "$C" --import "$TMP/$name.tar" >/dev/null 2>"$TMP/$name.err"); local rc=$?
  check "$name-refused" test $rc -eq "$want"
  check "$name-message" grep -qE "$TMP/$name.tar: .*$msg" "$TMP/$name.err"
  check "$name-nothing-outside" test -z "$(ls -A "$OUTSIDE")"
  check "$name-index-unchanged" test "$(sha256sum <"$C/index.json")" = "$before"
  check "$name-cache-valid" lk-pull -q --cache "$C" --verify
  check "$name-no-leftovers" test -z "$(ls -A "$C/ingest")"
}

# A link out of the archive, then a member written through it.
hostile escape-write 2 'member "a/pwned" lies under "a", which is a link' \
  "a@../../../../../../..$OUTSIDE" "a/pwned=owned" "manifest.json=[]"
# c -> ../.. (the cache itself, from ingest/import-X), then the cache's own files through it.
hostile escape-cache 2 'member "c/index.json" lies under "c"' \
  "c@../.." "c/index.json={\"schemaVersion\":2,\"manifests\":[]}" "c/blobs/sha256/$zero=not zero" "manifest.json=[]"
# The same, the link under a real directory name.
hostile escape-nested 2 'member "blobs/x/evil" lies under "blobs/x"' \
  "blobs/" "blobs/x@../../.." "blobs/x/evil=1" "oci-layout={}" "index.json={}"
# A link whose target is absolute.
hostile absolute-link 2 'member "l" links to the absolute path "/etc/passwd"' \
  "l@/etc/passwd" "manifest.json=[]"
# A member with an absolute name, and one with "..".
hostile absolute-name 2 'member "/tmp/x" has an absolute path' "/tmp/x=1" "manifest.json=[]"
hostile dotdot-name 2 'member "a/../../x" leaves the root' "a/../../x=1" "manifest.json=[]"
hostile dotdot-hardlink 2 'member "h" is a hard link to "../../x", outside the archive' "h%../../x" "manifest.json=[]"
# Manifest paths are resolved in the archive, never on the host.
hostile config-escape 2 "Config names \"../../index.json\", which leads out of the archive" \
  "manifest.json=[{\"Config\":\"../../index.json\",\"RepoTags\":[\"lk/x:v1\"],\"Layers\":[]}]"
hostile layer-via-link 2 "Layers names \"up/index.json\", which leads out of the archive" \
  "c.json=$cfg" "up@.." "manifest.json=[{\"Config\":\"c.json\",\"RepoTags\":[\"lk/x:v1\"],\"Layers\":[\"up/index.json\"]}]"
hostile config-absolute 2 'Config names "/etc/passwd", which is an absolute path' \
  "manifest.json=[{\"Config\":\"/etc/passwd\",\"RepoTags\":[\"lk/x:v1\"],\"Layers\":[]}]"
hostile link-loop 2 'which goes through more than 40 links' \
  "a@b" "b@a" "manifest.json=[{\"Config\":\"a\",\"RepoTags\":[\"lk/x:v1\"],\"Layers\":[]}]"
hostile index-loop 2 'names "index.json", which goes through more than 40 links' "oci-layout={}" "index.json@index.json"
# A blob whose bytes do not match its name: refused, nothing adopted.
hostile blob-mismatch 1 "blob sha256:$zero hashes to sha256:" \
  "oci-layout={}" "blobs/sha256/$zero=not zero" "index.json={\"schemaVersion\":2,\"manifests\":[]}"
# A blob reached through a link must match the name it is listed under as well.
hostile blob-link-mismatch 1 "blob sha256:$zero hashes to sha256:" \
  "oci-layout={}" "data=hello" "blobs/sha256/$zero@../../data" "index.json={\"schemaVersion\":2,\"manifests\":[]}"
# A manifest.json larger than an image list can be.
python3 -c "import sys; open(sys.argv[1],'w').write('['+' '*(5<<20)+']')" "$TMP/big.json"
python3 -c "
import sys, tarfile; t = tarfile.open(sys.argv[1], 'w'); t.add(sys.argv[2], 'manifest.json'); t.close()" "$TMP/bigjson.tar" "$TMP/big.json"
lk-pull --cache "$C" --import "$TMP/bigjson.tar" >/dev/null 2>"$TMP/err"; rc=$?
check json-cap-refused test $rc -eq 2
check json-cap-message grep -q "bigjson.tar: manifest.json is 5242882 bytes; more than the 4 MiB" "$TMP/err"
# Wrongly typed manifest.json fields: an input error, not a crash.
hostile bad-types 2 'manifest.json: Layers is not a list' \
  "c.json=$cfg" "manifest.json=[{\"Config\":\"c.json\",\"Layers\":\"l\"}]"

# What docker save writes for layers two images share: a symlink to the first copy.
mktar "$TMP/shared.tar" "c.json=$cfg" "c2.json={\"os\":\"linux\",\"architecture\":\"arm64\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}" \
  "aaa/layer.tar=layer" "bbb/" "bbb/layer.tar@../aaa/layer.tar" "ccc/layer.tar%aaa/layer.tar" \
  "manifest.json=[{\"Config\":\"c.json\",\"RepoTags\":[\"lk/s1:v1\"],\"Layers\":[\"aaa/layer.tar\"]},{\"Config\":\"c2.json\",\"RepoTags\":[\"lk/s2:v1\"],\"Layers\":[\"./bbb/layer.tar\"]},{\"Config\":\"c2.json\",\"RepoTags\":[\"lk/s3:v1\"],\"Layers\":[\"ccc/layer.tar\"]}]"
lk-pull --cache "$C" --import "$TMP/shared.tar" >"$TMP/out" 2>"$TMP/err"
check shared-imports test $? -eq 0
check shared-named test "$(cut -d' ' -f1 "$TMP/out" | tr '\n' ' ')" = "docker.io/lk/s1:v1 docker.io/lk/s2:v1 docker.io/lk/s3:v1 "
check shared-layer-cached test -f "$C/blobs/sha256/$layer"
check shared-valid lk-pull -q --cache "$C" --verify
check shared-no-leftovers test -z "$(ls -A "$C/ingest")"
check shared-nothing-outside test -z "$(ls -A "$OUTSIDE")"
