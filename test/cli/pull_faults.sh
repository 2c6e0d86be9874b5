# lk-pull under faults, through a fault-injecting proxy in front of a real registry:
# 500s, truncated and stalled bodies (resumed with Range), wrong bytes (refused, nothing
# cached), redirects (no Authorization to the other host), kill -9 mid-pull then a
# resuming run, and two processes pulling into one cache at once, round after round.
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/registry/lib.sh"
plan 29
cd "$REPO"
need docker-registry skopeo python3
start_registry plain plain || die "docker-registry did not start"
UP=$REG
start_proxy "$UP" || die "fault proxy did not start"
validate() { python3 "$LK_TEST_DIR/registry/validate_layout.py" "$1" && lk-pull -q --cache "$1" --verify; }
rules() { echo "$1" >"$PROXY_RULES"; : >"$PROXY_LOG"; }
mkimage "$TMP/img" big --layers 4 --size 400000 --seed faults >/dev/null
for i in 1 2 3; do mkimage "$TMP/img" "i$i" --layers 3 --size 30000 --seed "c$i" >/dev/null; done
push_layout "$TMP/img" big "$UP/lk/big:v1"
for i in 1 2 3; do push_layout "$TMP/img" "i$i" "$UP/lk/i$i:v1"; done
IMG=$PROXY/lk/big:v1
# The truth comes from skopeo, not from lk-pull.
skopeo inspect --raw --tls-verify=false "docker://$UP/lk/big:v1" >"$TMP/big.manifest"
top=sha256:$(sha256sum <"$TMP/big.manifest" | cut -d' ' -f1)
layer=$(python3 -c "import json; print(json.load(open('$TMP/big.manifest'))['layers'][0]['digest'])")
pull() { lk-pull --cache "$TMP/c-$CASE" "$@"; }

CASE=retry500; rules '[{"match":"/blobs/","kind":"500","count":3},{"match":"/manifests/","kind":"500","count":1}]'
check retry-500 test "$(pull "$IMG" 2>&1)" = "$IMG $top"
check retry-500-happened test "$(grep -c -- '-> 500' "$PROXY_LOG")" = 4
check retry-500-valid validate "$TMP/c-$CASE"

CASE=truncate; rules '[{"match":"/blobs/","kind":"truncate","count":2}]'
check resume-truncated test "$(pull "$IMG" 2>&1)" = "$IMG $top"
check resume-used-range grep -q 'bytes=[1-9][0-9]*-' "$PROXY_LOG"
check resume-valid validate "$TMP/c-$CASE"

CASE=stall; rules '[{"match":"'$layer'","kind":"stall","count":1}]'
check stall-timeout-retry test "$(pull --stall-timeout 2 "$IMG" 2>&1)" = "$IMG $top"
check stall-resumed grep -q 'bytes=[1-9][0-9]*-' "$PROXY_LOG"
check stall-valid validate "$TMP/c-$CASE"

CASE=corrupt; rules '[{"match":"/blobs/","kind":"corrupt","count":1000}]'
pull "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check corrupt-fails test $rc -eq 1
check corrupt-names-image-and-blob grep -q "$IMG: blob sha256:[0-9a-f]*: digest mismatch" "$TMP/err"
check corrupt-nothing-cached test -z "$(python3 -c "
import json,sys; m=json.load(open('$TMP/c-$CASE/index.json'))['manifests']; print(len(m) or '')")"
check corrupt-no-bad-blob validate "$TMP/c-$CASE"

CASE=bounded; rules '[{"match":"/blobs/","kind":"500","count":1000}]'
pull --retries 2 "$IMG" >/dev/null 2>"$TMP/err"; rc=$?
check retries-bounded bash -c "test $rc -eq 1 && grep -q 'gave up after 3 attempts' '$TMP/err'"
check retries-counted test "$(grep -c -- '-> 500' "$PROXY_LOG")" -le 15  # 5 blobs, 3 attempts each

# http_proxy and no_proxy are honoured (libcurl reads them).
rules '[]'
http_proxy=http://$PROXY lk-pull -q --cache "$TMP/c-env" "$UP/lk/i1:v1" >/dev/null
check http-proxy-env grep -q "GET http://$UP/v2/lk/i1/manifests/v1" "$PROXY_LOG"
: >"$PROXY_LOG"
http_proxy=http://$PROXY no_proxy=127.0.0.1 lk-pull -q --cache "$TMP/c-env2" "$UP/lk/i1:v1" >/dev/null
check no-proxy-env test ! -s "$PROXY_LOG"

# Redirects to another host (blob storage): followed, without the Authorization header.
start_registry auth htpasswd || die "docker-registry (htpasswd) did not start"
AUTHREG=$REG
push_layout "$TMP/img" i1 "$AUTHREG/lk/i1:v1" --dest-creds alice:s3cret
start_proxy "$AUTHREG" alice:s3cret
export DOCKER_CONFIG=$TMP/docker; mkdir -p "$DOCKER_CONFIG"
echo "{\"auths\":{\"$PROXY\":{\"auth\":\"$(printf alice:s3cret | base64 -w0)\"}}}" >"$DOCKER_CONFIG/config.json"
CASE=redirect; rules '[{"match":"/blobs/","kind":"redirect","count":1000}]'
pull "$PROXY/lk/i1:v1" >/dev/null 2>"$TMP/err"
check redirect-followed test $? -eq 0
check redirect-happened grep -q 'redirected .* auth=no' "$PROXY_LOG"
check redirect-no-auth-leak bash -c "! grep -q 'auth=yes' '$PROXY_LOG'"
check redirect-valid validate "$TMP/c-$CASE"
unset DOCKER_CONFIG

# kill -9 in the middle of a blob, then a second run that resumes and completes.
start_proxy "$UP"
IMG=$PROXY/lk/big:v1
rules '[{"match":"'$layer'","kind":"stall","count":1}]'
lk-pull -q --cache "$TMP/ck" -j 1 "$IMG" >/dev/null 2>&1 &
pid=$!
for ((i = 0; i < 100; i++)); do
  [ -n "$(find "$TMP/ck/ingest" -name '*.partial' -size +1k 2>/dev/null)" ] && break
  sleep 0.1
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
check kill-left-partial test -n "$(find "$TMP/ck/ingest" -name '*.partial' -size +1k)"
check kill-cache-still-valid validate "$TMP/ck"
: >"$PROXY_LOG"
check kill-second-run test "$(lk-pull --cache "$TMP/ck" "$IMG" 2>&1)" = "$IMG $top"
check kill-resumed-with-range grep -q 'bytes=[1-9][0-9]*-' "$PROXY_LOG"
check kill-valid validate "$TMP/ck"
check kill-no-partials test -z "$(ls "$TMP/ck/ingest")"
check kill-skopeo skopeo inspect "oci:$TMP/ck:$IMG" >/dev/null

# Two processes, overlapping images, one cache: fresh caches and a shared one (--pull
# rewrites its index.json every time).
rounds=20
[ "${LK_SANITIZE:-}" = 1 ] && rounds=5
bad=0
for ((r = 1; r <= rounds; r++)); do
  C=$TMP/cc$r
  lk-pull -q --cache "$C" "$UP/lk/i1:v1" "$UP/lk/i2:v1" "$UP/lk/big:v1" >/dev/null 2>"$TMP/e1" &
  p1=$!
  lk-pull -q --cache "$C" "$UP/lk/i2:v1" "$UP/lk/i3:v1" "$UP/lk/big:v1" >/dev/null 2>"$TMP/e2" &
  p2=$!
  lk-pull -q --pull --cache "$TMP/shared" "$UP/lk/i1:v1" "$UP/lk/i2:v1" >/dev/null 2>"$TMP/e3" &
  p3=$!
  lk-pull -q --pull --cache "$TMP/shared" "$UP/lk/i3:v1" "$UP/lk/i2:v1" >/dev/null 2>"$TMP/e4" &
  p4=$!
  wait $p1 && wait $p2 && wait $p3 && wait $p4 || { bad=1; cat "$TMP"/e[1-4]; }
  python3 "$LK_TEST_DIR/registry/validate_layout.py" "$C" || bad=1
  python3 "$LK_TEST_DIR/registry/validate_layout.py" "$TMP/shared" || bad=1
  skopeo inspect "oci:$C:$UP/lk/i$((r % 3 + 1)):v1" >/dev/null 2>&1 || bad=1
  [ "$(python3 -c "import json; print(len(json.load(open('$TMP/shared/index.json'))['manifests']))")" = 3 ] || bad=1
  [ $bad = 0 ] || { echo "round $r failed"; break; }
  rm -rf "$C"
done
check "concurrent-$rounds-rounds" test $bad = 0
check concurrent-shared-verify lk-pull -q --cache "$TMP/shared" --verify
