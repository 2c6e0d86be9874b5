# lk-parse on generated specs of 5,000 and 50,000 services: time, peak memory, and
# the 10x ratio (linear means at most 12x; the 5,000 case must stay under a second).
set -euo pipefail
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
gen() {
  python3 - "$1" >"$2" <<'PY'
import sys
n = int(sys.argv[1])
print("kernel:\n  image: linuxkit/kernel:6.6.13\n  cmdline: console=ttyS0\ninit:\n  - linuxkit/init:v1\nservices:")
for i in range(n):
    print(f"""  - name: svc{i}
    image: example.org/team/svc{i}:v1
    capabilities: [CAP_NET_ADMIN, CAP_SYS_ADMIN]
    binds: ["/var/svc{i}:/data:rw"]
    env: ["ID={i}", "MODE=prod"]
    net: host
    rlimits: ["nofile,1024,4096"]
    sysctl: {{net.core.somaxconn: "1024"}}""")
PY
}
gen 5000 "$TMP/s5k.yml"
gen 50000 "$TMP/s50k.yml"
read -r t5 r5 < <(python3 "$LK_TEST_DIR/bench/measure.py" 5 lk-parse "$TMP/s5k.yml")
read -r t50 r50 < <(python3 "$LK_TEST_DIR/bench/measure.py" 3 lk-parse "$TMP/s50k.yml")
printf 'parse  5,000 services (%s KiB spec): %.3f s, peak RSS %d MiB\n' "$(($(stat -c %s "$TMP/s5k.yml") / 1024))" "$t5" $((r5 / 1024))
printf 'parse 50,000 services (%s KiB spec): %.3f s, peak RSS %d MiB\n' "$(($(stat -c %s "$TMP/s50k.yml") / 1024))" "$t50" $((r50 / 1024))
python3 -c "import sys; r=$t50/$t5; print(f'time ratio 50k/5k: {r:.2f}x (linear: <= 12x) ' + ('OK' if r <= 12 else 'NOT LINEAR')); print('5k under 1 s: ' + ('OK' if $t5 < 1 else 'TOO SLOW'))"
