# lk-push gcp against the fake GCE server: upload bytes, chunking, resume, image flags,
# up-front checks, and failure injection (503s, operation errors).
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/gcp/helpers.sh"
plan 59
IMG="$TMP/lkimg.img.tar.gz"
make_image "$IMG" 8
SIZE=$(stat -c %s "$IMG")
CHUNKS=$(( (SIZE + 262143) / 262144 ))
push() { bounded 60 lk-push gcp --keys "$KEY" --project "$PROJECT" --bucket "$BUCKET" --chunk-size 256 "$@"; }

# A plain push: the bytes arrive unchanged, in aligned chunks, and become an image.
start_fake
push "$IMG" >"$TMP/out" 2>"$TMP/err"; rc=$?
check push-exit-0 test $rc -eq 0
check push-prints-image-name test "$(cat "$TMP/out")" = lkimg
check push-bytes-equal cmp -s "$FAKE_STATE/objects/$BUCKET/lkimg.img.tar.gz" "$IMG"
check_state push-no-violations 's["violations"]' "[]"
check_state push-chunk-count 'len(s["chunks"])' "$CHUNKS"
check_state push-chunks-contiguous 'all(c["start"] == i * 262144 for i, c in enumerate(s["chunks"]))' True
check_state push-one-jwt-grant 's["grant_types"]' "['urn:ietf:params:oauth:grant-type:jwt-bearer']"
check_state push-image-source 's["images"]["lkimg"]["rawDisk"]' "{'containerType': 'TAR', 'source': '$FAKE_URL/$BUCKET/lkimg.img.tar.gz'}"
check_state push-no-options-in-body 'sorted(s["images"]["lkimg"])' "['kind', 'name', 'rawDisk', 'selfLink', 'status']"
check push-warns-not-gib grep -q 'not a whole number of GiB' "$TMP/err"

# The same name again: refused up front without --replace, replaced with it.
push "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check exists-exit-2 test $rc -eq 2
check exists-message grep -q 'image "lkimg" already exists in project "lk-test-project"; add --replace' "$TMP/err"
check_state exists-nothing-uploaded 's["uploads_started"]' 1
push --replace --family lk-test --uefi --nested-virt --public "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check replace-exit-0 test $rc -eq 0
check_state replace-deleted-old 's["images_deleted"]' "['lkimg']"
check_state flags-family 's["images"]["lkimg"]["family"]' lk-test
check_state flags-uefi 's["images"]["lkimg"]["guestOsFeatures"]' "[{'type': 'UEFI_COMPATIBLE'}]"
check_state flags-nested-virt 's["images"]["lkimg"]["licenses"]' "['projects/vm-options/global/licenses/enable-vmx']"
check_state flags-public 's["public_acl"]' "['publicRead']"
push --name other-name "$IMG" >"$TMP/out" 2>/dev/null
check name-flag test "$(cat "$TMP/out")" = other-name
check_state still-no-violations 's["violations"]' "[]"
stop_fake

# A connection dropped halfway through chunk 2 (of 512 KiB), after the server kept its
# first 256 KiB: the upload asks where to resume and goes on from there, mid-chunk, in
# the same session, and the object is still byte-identical.
start_fake --drop-upload-chunk 2
bounded 60 lk-push gcp -v --keys "$KEY" --project "$PROJECT" --bucket "$BUCKET" --chunk-size 512 "$IMG" \
  >/dev/null 2>"$TMP/err"; rc=$?
check resume-exit-0 test $rc -eq 0
check resume-bytes-equal cmp -s "$FAKE_STATE/objects/$BUCKET/lkimg.img.tar.gz" "$IMG"
check_state resume-one-drop 's["dropped_chunks"], s["chunks"][1]["kept"]' "(1, 262144)"
check_state resume-same-session 's["uploads_started"]' 1
check_state resume-asked-status 's["status_queries"] >= 1' True
check_state resume-mid-chunk '[c["start"] for c in s["chunks"]]' "[0, 524288, 786432]"
check_state resume-no-violations 's["violations"]' "[]"
check resume-logged grep -q 'upload interrupted at byte' "$TMP/err"
stop_fake

# 503s from the upload and from images.insert are retried; the operation error is GCE's own.
start_fake --fail upload.put:1:503 --fail images.insert:2:503 --fail buckets.get:1:429
push "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check retry-503-exit-0 test $rc -eq 0
check_state retry-503-injected 'sorted(s["injected"])' "['buckets.get:429', 'images.insert:503', 'images.insert:503', 'upload.put:503']"
check retry-bytes-equal cmp -s "$FAKE_STATE/objects/$BUCKET/lkimg.img.tar.gz" "$IMG"
check_state retry-no-violations 's["violations"]' "[]"
stop_fake

start_fake --fail images.get:99:500
push --retries 2 "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check retries-bounded-exit-1 test $rc -eq 1
check retries-bounded-message grep -q 'images.get: HTTP 500: Internal error. Please try again. (backendError)' "$TMP/err"
check_state retries-bounded-count 's["injected"].count("images.get:500")' 2
stop_fake

start_fake --op-error "INVALID_IMAGE_TAR:The tar archive is not a valid image."
push "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check op-error-exit-1 test $rc -eq 1
check op-error-names-call grep -q '^lk-push gcp: images.insert: operation operation-[0-9]* failed:$' "$TMP/err"
check op-error-verbatim grep -qx 'lk-push gcp: INVALID_IMAGE_TAR: The tar archive is not a valid image.' "$TMP/err"
stop_fake

# Up-front checks: a clear message and exit 2, before any upload.
start_fake
push --project nope "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check bad-project-exit-2 test $rc -eq 2
check bad-project-message grep -q 'project "nope" does not exist or is not visible' "$TMP/err"
push --bucket nope "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check bad-bucket-exit-2 test $rc -eq 2
check bad-bucket-message grep -q 'bucket "nope" does not exist' "$TMP/err"
push --name Bad_Name "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check bad-name-exit-2 test $rc -eq 2
echo 'not gzip' >"$TMP/plain.img.tar.gz"
push "$TMP/plain.img.tar.gz" >/dev/null 2>"$TMP/err"; rc=$?
check not-gzip-exit-2 test $rc -eq 2
check not-gzip-message grep -q 'plain.img.tar.gz: ' "$TMP/err"
mkdir -p "$TMP/two" && truncate -s 1M "$TMP/two/disk.raw" "$TMP/two/extra"
tar -C "$TMP/two" -czf "$TMP/two.img.tar.gz" disk.raw extra
push "$TMP/two.img.tar.gz" >/dev/null 2>"$TMP/err"; rc=$?
check two-members-exit-2 test $rc -eq 2
check two-members-message grep -q 'holds more than one file ("extra")' "$TMP/err"
tar -C "$TMP/two" -czf "$TMP/wrong.img.tar.gz" extra
push "$TMP/wrong.img.tar.gz" >/dev/null 2>"$TMP/err"; rc=$?
check wrong-member-exit-2 test $rc -eq 2
check wrong-member-message grep -q 'its member is "extra"; GCE wants a single file named disk.raw' "$TMP/err"
head -c 300000 "$IMG" >"$TMP/cut.img.tar.gz"
push "$TMP/cut.img.tar.gz" >/dev/null 2>"$TMP/err"; rc=$?
check truncated-exit-2 test $rc -eq 2
push "$TMP/missing.img.tar.gz" >/dev/null 2>"$TMP/err"; rc=$?
check missing-file-exit-2 test $rc -eq 2
check_state bad-inputs-uploaded-nothing 's["uploads_started"]' 0
bounded 20 lk-push gcp --keys "$KEY" --project "$PROJECT" "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check no-bucket-exit-2 test $rc -eq 2
bounded 20 lk-push gcp --keys "$KEY" --project "$PROJECT" --bucket "$BUCKET" --chunk-size 100 "$IMG" >/dev/null 2>&1
check bad-chunk-exit-2 test $? -eq 2

# The front end.
lk-push gcp --help >"$TMP/help"; check help-exit-0 test $? -eq 0
check help-documents-env grep -q LK_GCP_COMPUTE_URL "$TMP/help"
lk-push nosuch >/dev/null 2>"$TMP/err"; check unknown-target-exit-2 test $? -eq 2
check unknown-target-lists-gcp grep -q '^  gcp' "$TMP/err"
