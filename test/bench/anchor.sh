#!/usr/bin/env bash
# The anchor workload (../shared/bench-anchor: Debian's kernel with all its modules, an
# init image, busybox services, in a local docker-registry): lk build's wall time and
# peak RSS cold, warm with nothing changed, and warm after one files: entry or one
# service's command changed, for index-wrapped and plain single-manifest images.
# Baselines in the same run: the cold lk build, and `bsdtar --format newc | gzip` of
# the same root tar (the rearrangement and compression alone). With
# LK_BENCH_LINUXKIT=PATH (a linuxkit binary, see the anchor's README) LinuxKit builds
# the same specs beside lk and the goals' ratios are printed against it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
export LK_BIN=${LK_BIN:-$REPO/bin}
export PATH="$LK_BIN:$PATH"
ANCHOR=${LK_BENCH_ANCHOR:-$REPO/../shared/bench-anchor}
RUNS=${LK_BENCH_RUNS:-5}
LKT=${LK_BENCH_LINUXKIT:-}
for t in docker-registry umoci skopeo bsdtar /bin/busybox; do
  command -v "$t" >/dev/null || { echo "anchor: needs $t (scripts/install-deps)"; exit 1; }
done
[ -f "$ANCHOR/make-images.sh" ] || { echo "anchor: no workload at $ANCHOR (set LK_BENCH_ANCHOR)"; exit 1; }
W=$(mktemp -d)
reg_pid=
trap '[ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT

# A registry of our own on a free loopback port, the images built into it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$port
cat >"$W/registry.yml" <<EOF
version: 0.1
storage: {filesystem: {rootdirectory: $W/registry}}
http: {addr: $REG}
log: {level: error}
EOF
docker-registry serve "$W/registry.yml" >"$W/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 1 100); do curl -sf "http://$REG/v2/" >/dev/null && break; sleep 0.1; done
# The kernel .deb is kept between runs (build/bench-anchor/debs); the images are rebuilt.
mkdir -p "$REPO/build/bench-anchor"
ANCHOR_DIR=$REPO/build/bench-anchor bash "$ANCHOR/make-images.sh" "$REG" >"$W/images.log" 2>&1 ||
  { echo "anchor: make-images.sh failed"; tail -5 "$W/images.log"; exit 1; }

measure() {  # LABEL CMD...: prints label, median seconds, peak RSS; echoes the seconds
  local label=$1; shift
  read -r secs rss < <(python3 "$here/measure.py" "$RUNS" "$@")
  printf '%-44s %7.3f s  %6.1f MB peak RSS\n' "$label" "$secs" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" >&2
  echo "$secs"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }

bench_spec() {  # NAME SPEC.yml
  local name=$1 spec=$W/$1.yml d=$W/out-$1
  sed "s/127.0.0.1:5001/$REG/g" "$2" >"$spec"
  # Each "changed" run alternates between two versions of the spec, so every run changes.
  sed 's|contents: "hello\\n"|contents: "hello again\\n"|' "$spec" >"$spec.files"
  sed 's|"/bin/sleep", "infinity"|"/bin/sleep", "86400"|' "$spec" >"$spec.command"
  cat >"$W/flip.sh" <<'EOF'
#!/bin/sh
# flip.sh A B OUT ARGS...: builds A and B in turn (the state file says which is next).
s=$3.next; a=$1; b=$2; out=$3; shift 3
if [ -e "$s" ]; then rm "$s"; spec=$b; else : >"$s"; spec=$a; fi
exec lk build -q --dir "$out" --name x "$@" "$spec"
EOF
  echo "-- $name ($(basename "$2"))" >&2
  local cold warm files cmd
  cold=$(measure "lk cold (empty cache)" sh -c "rm -rf '$W/cache-$name' && LK_CACHE='$W/cache-$name' lk build -q --dir '$d' --name x '$spec'")
  export LK_CACHE=$W/cache-$name
  warm=$(measure "lk warm, nothing changed" lk build -q --dir "$d" --name x "$spec")
  files=$(measure "lk warm, one files: entry changed" sh "$W/flip.sh" "$spec" "$spec.files" "$d")
  cmd=$(measure "lk warm, one service's command changed" sh "$W/flip.sh" "$spec" "$spec.command" "$d")
  lk build -q --dir "$d" --name x "$spec"
  local initrd; initrd=$(stat -c %s "$d/x-initrd.img")
  # The same root as a plain tar, rearranged and compressed by the standard tools.
  lk-rootfs -i "$d/.x.lock.json" -o "$W/root.tar"
  local floor
  floor=$(measure "baseline: bsdtar --format newc | gzip -6" sh -c "bsdtar --format newc -cf - @'$W/root.tar' | gzip -6 > '$W/floor.gz'")
  rm -f "$W/root.tar"
  unset LK_CACHE
  printf '%-44s %7.1f MB (bsdtar | gzip: %.1f MB)\n' "lk initrd" "$(awk -v b="$initrd" 'BEGIN{print b/1e6}')" \
    "$(awk -v b="$(stat -c %s "$W/floor.gz")" 'BEGIN{print b/1e6}')" >&2
  printf 'ratios: warm/cold %s, files/cold %s, command/cold %s; cold/baseline %s, warm/baseline %s\n' \
    "$(ratio "$warm" "$cold")" "$(ratio "$files" "$cold")" "$(ratio "$cmd" "$cold")" \
    "$(ratio "$cold" "$floor")" "$(ratio "$warm" "$floor")" >&2
  if [ -n "$LKT" ]; then
    mkdir -p "$W/lkto"  # linuxkit build wants its --dir to exist
    local lcold lwarm
    lcold=$(measure "linuxkit cold (empty cache)" sh -c "rm -rf '$W/lkt-$name' && '$LKT' build --no-sbom --cache '$W/lkt-$name' --dir '$W/lkto' --name x --format kernel+initrd '$spec' >/dev/null 2>&1")
    lwarm=$(measure "linuxkit warm" sh -c "'$LKT' build --no-sbom --cache '$W/lkt-$name' --dir '$W/lkto' --name x --format kernel+initrd '$spec' >/dev/null 2>&1")
    printf '%-44s %7.1f MB\n' "linuxkit initrd" "$(awk -v b="$(stat -c %s "$W/lkto/x-initrd.img")" 'BEGIN{print b/1e6}')" >&2
    printf 'against LinuxKit: warm %sx (goal 0.1x), files %sx and command %sx (goal 0.2x), cold %sx (goal 0.5x)\n' \
      "$(ratio "$warm" "$lwarm")" "$(ratio "$files" "$lwarm")" "$(ratio "$cmd" "$lwarm")" "$(ratio "$cold" "$lcold")" >&2
  fi
}

bench_spec index "$ANCHOR/anchor-idx.yml"
bench_spec plain "$ANCHOR/anchor.yml"
