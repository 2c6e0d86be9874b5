# lk-pull against a registry whose answers are attacks or faults (hostile_server.py):
# endless manifests, error bodies and token answers are cut at their limits with a
# clear error and little memory; a trickling server trips the stall rule and a slow
# endless one the request deadline, while a slow but flowing blob completes; redirects
# to file:// are refused; absurd numeric flags are usage errors.
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/registry/lib.sh"
plan 42
cd "$REPO"
need python3
PORT=$(free_port)
python3 "$LK_TEST_DIR/registry/hostile_server.py" "$PORT" 2>"$TMP/server.err" &
REG_PIDS+=($!)
wait_port "$PORT" || die "hostile_server.py did not start"
H=127.0.0.1:$PORT
# run NAME ARGS...: lk-pull, bounded by 60 s whatever the code does; sets rc, secs, kb
# (peak RSS) and leaves stderr in $TMP/NAME.err.
run() {
  local name=$1; shift
  local start=$SECONDS
  timeout 60 /usr/bin/time -f %M -o "$TMP/$name.rss" lk-pull --cache "$TMP/c-$name" "$@" >/dev/null 2>"$TMP/$name.err"
  rc=$?
  secs=$((SECONDS - start))
  kb=$(tail -1 "$TMP/$name.rss" 2>/dev/null || echo 999999999)
}

run endless --retries 0 "$H/endless:v1"
check endless-fails test $rc -eq 1
check endless-message grep -q "$H/endless:v1: manifest: GET http://$H/v2/endless/manifests/v1: the answer is larger than 4 MiB" "$TMP/endless.err"
check endless-small-rss test "$kb" -lt 100000
run endless-retries "$H/endless:v1"
check endless-not-retried test "$secs" -lt 10

run errbody --retries 1 "$H/errbody:v1"
check errbody-fails test $rc -eq 1
check errbody-message grep -q "$H/errbody:v1: manifest request to http://$H failed with HTTP 500" "$TMP/errbody.err"
check errbody-small-rss test "$kb" -lt 100000

run tokendless --retries 0 "$H/tokendless:v1"
check token-fails test $rc -eq 1
check token-message grep -q "GET http://$H/token?.*: the answer is larger than 1 MiB" "$TMP/tokendless.err"
check token-small-rss test "$kb" -lt 100000

run trickle --retries 0 --stall-timeout 3 "$H/trickle:v1"
check trickle-fails test $rc -eq 1
check trickle-message grep -q "$H/trickle:v1: manifest: GET http://$H/v2/trickle/manifests/v1: stalled: under 1024 bytes/s for 3 s" "$TMP/trickle.err"
check trickle-bounded test "$secs" -lt 15
run trickle-retried --retries 1 --stall-timeout 3 "$H/trickle:v1"
check trickle-retried-bounded bash -c "test $rc -eq 1 && test $secs -lt 20"

run slow --retries 0 --request-timeout 3 "$H/slow:v1"
check deadline-fails test $rc -eq 1
check deadline-message grep -q "$H/slow:v1: manifest: GET http://$H/v2/slow/manifests/v1: no complete answer within 3 s" "$TMP/slow.err"
check deadline-bounded test "$secs" -lt 15

run blobtrickle --retries 1 --stall-timeout 3 "$H/blobtrickle:v1"
check blob-trickle-fails test $rc -eq 1
check blob-trickle-message grep -q "$H/blobtrickle:v1: blob sha256:[0-9a-f]*: .*stalled: under 1024 bytes/s for 3 s (gave up after 2 attempts)" "$TMP/blobtrickle.err"
check blob-trickle-bounded test "$secs" -lt 20
check blob-trickle-nothing-cached test ! -e "$TMP/c-blobtrickle/blobs/sha256/$(sha256sum </etc/passwd | cut -d' ' -f1)"
# A blob is governed by the stall rule alone: 6 s at 8 KiB/s outlives a 2 s deadline.
run blobslow --retries 0 --request-timeout 2 --stall-timeout 3 "$H/blobslow:v1"
check blob-slow-completes test $rc -eq 0

run redir --retries 0 "$H/redir:v1"
check redirect-file-manifest-fails test $rc -eq 1
check redirect-file-manifest-message grep -q "redirected to file:///etc/passwd; only http and https redirects are followed" "$TMP/redir.err"
run blobredir "$H/blobredir:v1"
check redirect-file-blob-fails test $rc -eq 1
check redirect-file-blob-message grep -q "$H/blobredir:v1: blob sha256:[0-9a-f]*: .*redirected to file:///etc/passwd; only http and https" "$TMP/blobredir.err"
check redirect-file-blob-not-retried test "$secs" -lt 5
check redirect-file-blob-not-cached test ! -e "$TMP/c-blobredir/blobs/sha256/$(sha256sum </etc/passwd | cut -d' ' -f1)"

# Numeric flags out of range are usage errors, before any network.
for flags in "--retries -1" "--retries 1000" "--stall-timeout -5" "--stall-timeout 0" "--request-timeout -1" "--jobs 0" "--jobs 1000"; do
  name=flag${flags// /}
  run "$name" $flags "$H/endless:v1"
  check "$name-exit-2" test $rc -eq 2
  check "$name-message" grep -q "^lk-pull: ${flags% *} ${flags#* }: must be between" "$TMP/$name.err"
done
