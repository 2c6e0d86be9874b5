# lk-parse on good specs: merging, templates, the 2017 form, output handling, determinism.
. "$LK_TEST_DIR/lib.sh"
plan 27
cd "$REPO"
G=test/parse/good
jq_py() { python3 -c "import json,sys; p=json.load(open(sys.argv[1])); print($2)" "$1"; }

lk-parse $G/base.yml $G/extra.yml >"$TMP/plan.json" 2>"$TMP/err"
check merge-exit test $? -eq 0
check merge-cmdline-overridden test "$(jq_py "$TMP/plan.json" 'p["kernel"]["cmdline"]')" = "console=ttyS0 quiet"
check merge-tar-none test "$(jq_py "$TMP/plan.json" 'p["kernel"]["tar"]')" = "None"
check merge-services-appended test "$(jq_py "$TMP/plan.json" '",".join(s["name"] for s in p["services"])')" = "web,sshd"
check merge-source-positions test "$(jq_py "$TMP/plan.json" 'p["services"][1]["at"]')" = "$G/extra.yml:5:5"
check uid-by-name test "$(jq_py "$TMP/plan.json" 'p["services"][0]["config"]["uid"], p["services"][0]["config"]["additionalGids"]')" = "101 [100, 7]"
check rlimit-normalised test "$(jq_py "$TMP/plan.json" 'p["onboot"][0]["config"]["rlimits"][0]["hard"]')" = "18446744073709551615"
check sysctl-list-to-map test "$(jq_py "$TMP/plan.json" 'p["onboot"][0]["config"]["sysctl"]')" = "{'net.ipv4.ip_forward': '1'}"
check file-mode-octal test "$(jq_py "$TMP/plan.json" 'oct(p["files"][0]["mode"]), p["files"][0]["path"]')" = "0o644 etc/motd"
check trust-warning grep -q 'trust: ignored' "$TMP/err"
check schema test "$(jq_py "$TMP/plan.json" 'p["schema"]')" = "lk.plan/v1"

# @pkg: resolves to the package's content-hash tag, which follows the folder's content.
tag1=$(jq_py "$TMP/plan.json" 'p["init"][1]["image"]')
check pkg-template-resolved bash -c "[[ '$tag1' =~ ^lk/hello:[0-9a-f]{40}$ ]]"
cp -r $G "$TMP/g"
lk-parse "$TMP/g/base.yml" >"$TMP/p2.json" 2>/dev/null
check pkg-tag-stable-across-copies test "$(jq_py "$TMP/p2.json" 'p["init"][1]["image"]')" = "$tag1"
echo 'echo changed' >"$TMP/g/pkg/hello/hello.sh"
lk-parse "$TMP/g/base.yml" >"$TMP/p3.json" 2>/dev/null
check pkg-tag-follows-content test "$(jq_py "$TMP/p3.json" 'p["init"][1]["image"]')" != "$tag1"

# Canonical: the same input gives the same bytes.
lk-parse $G/base.yml $G/extra.yml 2>/dev/null >"$TMP/again.json"
check deterministic cmp -s "$TMP/plan.json" "$TMP/again.json"

# --dry-run prints the merged spec, which parses back to the same images.
lk-parse --dry-run $G/base.yml $G/extra.yml >"$TMP/merged.yml" 2>/dev/null
(cd $G && lk-parse - <"$TMP/merged.yml" >"$TMP/round.json" 2>/dev/null)
check dry-run-round-trip test "$(jq_py "$TMP/round.json" '[s["image"] for s in p["services"]], p["kernel"]["cmdline"]')" = \
  "$(jq_py "$TMP/plan.json" '[s["image"] for s in p["services"]], p["kernel"]["cmdline"]')"
check print-yaml-alias cmp -s <(lk-parse --print-yaml $G/base.yml $G/extra.yml 2>/dev/null) "$TMP/merged.yml"

# stdin, and the 2017 moby form with its outputs section.
lk-parse - <$G/moby2017.yml >"$TMP/moby.json"
check moby2017-formats test "$(jq_py "$TMP/moby.json" '",".join(p["formats"])')" = "kernel+initrd,iso-bios,iso-efi,gcp-img"
check moby2017-bzImage test "$(jq_py "$TMP/moby.json" '",".join(p["kernel"]["binaries"])')" = "kernel,bzImage"
check moby2017-stdin-name test "$(jq_py "$TMP/moby.json" 'p["specs"][0]')" = "<stdin>"

# -o writes atomically; a failed parse leaves no file behind.
lk-parse -o "$TMP/out.json" $G/moby2017.yml
check output-file cmp -s "$TMP/out.json" <(lk-parse $G/moby2017.yml)
lk-parse -o "$TMP/none.json" test/parse/bad/03-bad-capability.yml 2>/dev/null
check failed-parse-no-output test ! -e "$TMP/none.json"
check no-temp-files-left test -z "$(ls "$TMP" | grep tmp- || true)"

# Usage errors exit 2, --help and --version 0.
lk-parse >/dev/null 2>&1; check no-args-exit-2 test $? -eq 2
lk-parse --bogus x.yml >/dev/null 2>&1; check bad-flag-exit-2 test $? -eq 2
lk-parse "$TMP/missing.yml" >/dev/null 2>"$TMP/e"; rc=$?
check missing-file-exit-2 test $rc -eq 2
check missing-file-named grep -q "missing.yml: No such file" "$TMP/e"
check help lk-parse --help >/dev/null
check version lk-parse --version >/dev/null
