# make bench: pull a generated 200 MB, 8-layer image from a local registry into an
# empty cache, lk-pull and `skopeo copy docker://... oci:...` alternately, 5 rounds
# each; prints the median wall time of each, the ratio lk/skopeo (goal <= 0.8) and
# lk-pull's peak RSS (goal < 32 MB). BENCH_PULL_MB and BENCH_ROUNDS change the size.
set -uo pipefail
TMP=$(mktemp -d)
. "$LK_TEST_DIR/registry/lib.sh"
if ! reg_have_tools; then echo "pull: skipped (docker-registry/skopeo missing)"; exit 0; fi
mb=${BENCH_PULL_MB:-200}
rounds=${BENCH_ROUNDS:-5}
start_registry bench plain || exit 1
echo "generating a ${mb} MB image of 8 layers..."
mkimage "$TMP/img" big --layers 8 --size $((mb * 1000000 / 8)) --seed bench >/dev/null
push_layout "$TMP/img" big "$REG/bench/big:v1" || exit 1
rm -rf "$TMP/img"

# run CMD...: prints "SECONDS MAXRSS_KB" for one run of CMD.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
dt = time.monotonic() - t
if rc != 0:
    sys.exit("command failed: %s" % " ".join(sys.argv[1:]))
print("%.3f %d" % (dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}
lk_times=() sk_times=() rss=0
for ((r = 1; r <= rounds; r++)); do
  rm -rf "$TMP/lk" "$TMP/sk"
  read -r t m < <(measure lk-pull -q --cache "$TMP/lk" "$REG/bench/big:v1") || exit 1
  lk_times+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
  read -r s _ < <(measure skopeo copy -q --src-tls-verify=false "docker://$REG/bench/big:v1" "oci:$TMP/sk:big") || exit 1
  sk_times+=("$s")
  echo "round $r: lk-pull ${t}s (peak RSS $((m / 1024)) MB), skopeo ${s}s"
done
python3 - "${lk_times[*]}" "${sk_times[*]}" "$rss" "$mb" <<'PY'
import statistics, sys
lk = statistics.median(map(float, sys.argv[1].split()))
sk = statistics.median(map(float, sys.argv[2].split()))
rss = int(sys.argv[3]) / 1024
print("pull %s MB: lk-pull median %.2fs, skopeo median %.2fs, ratio lk/skopeo %.2f (goal <= 0.8); lk-pull peak RSS %.1f MB (goal < 32)"
      % (sys.argv[4], lk, sk, lk / sk, rss))
PY
