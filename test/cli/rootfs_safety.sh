# Malicious or damaged layers: each is a clear error naming the image and layer, exit 1.
. "$LK_TEST_DIR/lib.sh"
plan 120
cd "$REPO"
export LK_BIN
C=$TMP/cache
bad() {  # bad SCENARIO EXPECTED-MESSAGE
  local s=$1 msg=$2
  python3 test/rootfs/gen.py "$s" "$C" "$TMP/$s" || { fail "$s" "generator failed"; return; }
  lk-rootfs --cache "$C" <"$TMP/$s/lock.json" >"$TMP/$s.tar" 2>"$TMP/$s.err"
  local rc=$?
  check "$s-exit-1" test $rc -eq 1
  check "$s-message" grep -q -- "$msg" "$TMP/$s.err"
  check "$s-names-image-and-layer" grep -q 'image lk/bad:1@sha256:[0-9a-f]* layer [0-9] (sha256:' "$TMP/$s.err"
}
bad bad_traversal 'leaves the root'
bad bad_absolute 'has an absolute path'
bad bad_symlink_escape 'lies below "evil", which is a symlink'
bad bad_dup_dir_to_symlink 'entry "d/f" lies below "d", which is a symlink'
bad bad_absurd_size 'claims an absurd size'
bad bad_truncated 'Truncated'
bad bad_gzip 'gzip'
bad bad_hardlink 'hard link "l" points to "nowhere"'
# kernel.tar is unpacked at / like a layer, with the same checks, naming the image and member.
kbad() {  # kbad SCENARIO EXPECTED-MESSAGE
  local s=$1 msg=$2
  python3 test/rootfs/gen.py "$s" "$C" "$TMP/$s" || { fail "$s" "generator failed"; return; }
  lk-rootfs --cache "$C" <"$TMP/$s/lock.json" >"$TMP/$s.tar" 2>"$TMP/$s.err"
  local rc=$?
  check "$s-exit-1" test $rc -eq 1
  check "$s-message" grep -qF -- "$msg" "$TMP/$s.err"
  check "$s-names-image-and-member" grep -q 'image lk/kbad:1@sha256:[0-9a-f]* kernel.tar: ' "$TMP/$s.err"
  check "$s-no-complete-tar" bash -c "! tar tf '$TMP/$s.tar' >/dev/null 2>&1 || ! tar tf '$TMP/$s.tar' | grep -q ."
}
kbad kbad_symlink_dir 'entry "lib/modules/etc/X" lies below "lib/modules", which is a symlink'
kbad kbad_relative_escape 'entry "usr/X" lies below "usr", which is a symlink'
kbad kbad_hardlink_missing 'hard link "lib/m.ko" points to "lib/nowhere.ko"'
kbad kbad_dotdot 'entry "lib/../../x" leaves the root'
kbad kbad_absolute 'entry "/etc/passwd" has an absolute path'
# A normal kernel image still unpacks.
python3 test/rootfs/gen.py tree "$C" "$TMP/good" && lk-rootfs --cache "$C" <"$TMP/good/lock.json" >"$TMP/good.tar"
check kernel-good-exit test $? -eq 0
check kernel-good-modules bash -c "tar tf '$TMP/good.tar' | grep -qx lib/modules/6.1.0/m.ko"
# lk's own entries (bundles, etc/hosts, files) never go through a link an image made.
python3 test/rootfs/gen.py bad_layout_link "$C" "$TMP/ll" && lk-rootfs --cache "$C" <"$TMP/ll/lock.json" >/dev/null 2>"$TMP/ll.err"
check layout-link-exit-1 test $? -eq 1
check layout-link-message grep -qF 'entry "containers/services/svc" lies below "containers", which is a symlink' "$TMP/ll.err"
python3 test/rootfs/gen.py bad_touch_link "$C" "$TMP/tl" && lk-rootfs --cache "$C" <"$TMP/tl/lock.json" >/dev/null 2>"$TMP/tl.err"
check touch-link-exit-1 test $? -eq 1
check touch-link-message grep -qF 'init images: entry "etc/hosts" lies below "etc", which is a symlink' "$TMP/tl.err"
python3 test/rootfs/gen.py bad_files_link "$C" "$TMP/fl" && lk-rootfs --cache "$C" <"$TMP/fl/lock.json" >/dev/null 2>"$TMP/fl.err"
check files-link-exit-2 test $? -eq 2
check files-link-message grep -qE 'spec.yml:[0-9]+:[0-9]+: files: entry "var/run/x" lies below "var/run", which is a symlink' "$TMP/fl.err"
# A failed build writes nothing with -o.
lk-rootfs --cache "$C" -i "$TMP/bad_traversal/lock.json" -o "$TMP/out.tar" 2>/dev/null
check failed-build-no-output test ! -e "$TMP/out.tar" -a -z "$(ls "$TMP" | grep 'out.tar.tmp')"

# A hand-edited lock: container and volume names must be runc ids (one plain path
# component), every field lk-rootfs reads must have its type; exit 2 naming the lock
# and the field, and nothing on stdout.
python3 test/rootfs/gen.py basic "$C" "$TMP/basic" || fail gen-basic "generator failed"
badlock() {  # badlock NAME PYTHON-EDIT EXPECTED-MESSAGE (the edit changes p, the lock)
  local name=$1 edit=$2 msg=$3 L=$TMP/lock-$1.json
  python3 -c "import json,sys; p=json.load(open(sys.argv[1])); $edit; json.dump(p, open(sys.argv[2], 'w'))" \
    "$TMP/basic/lock.json" "$L" || { fail "$name" "edit failed"; return; }
  lk-rootfs --cache "$C" -i "$L" >"$TMP/$name.out" 2>"$TMP/$name.err"
  local rc=$?
  check "lock-$name-exit-2" test $rc -eq 2
  check "lock-$name-message" grep -qF -- "lk-rootfs: $L: $msg" "$TMP/$name.err"
  check "lock-$name-no-output" test ! -s "$TMP/$name.out"
}
badlock name-escape 'p["services"][0]["name"]="../../x"' 'services[0].name: container name "../../x" has the character "/"; it must be a runc container id'
badlock name-dot 'p["onboot"][0]["name"]="."' 'onboot[0].name: container name "." means the folder itself'
badlock name-dotdot 'p["onshutdown"][0]["name"]=".."' 'onshutdown[0].name: container name ".." means the parent folder'
badlock name-slash 'p["volumes"][0]["name"]="a/b"' 'volumes[0].name: volume name "a/b" has the character "/"'
badlock name-empty 'p["services"][1]["name"]=""' 'services[1].name: container name "" is empty'
badlock name-twice 'p["services"][1]["name"]=p["services"][0]["name"]' 'services[1].name: "web" is used twice in services'
badlock name-number 'p["services"][0]["name"]=5' 'services[0].name: expected a string, got a number'
badlock name-missing 'del p["volumes"][0]["name"]' 'volumes[0].name: missing'
badlock section-number 'p["services"]=5' 'services: expected a list, got a number'
badlock command-string 'p["services"][0]["config"]["command"]="x"' 'services[0].config.command: expected a list of strings, got a string'
badlock env-numbers 'p["onboot"][0]["config"]["env"]=[1]' 'onboot[0].config.env[0]: expected a string (in a list of strings), got a number'
badlock devices-not-objects 'p["services"][0]["config"]["devices"]=["/dev/null"]' 'services[0].config.devices[0]: expected an object, got a string'
badlock interface-flag 'p["services"][0]["config"]["runtime"]={"interfaces":[{"name":"eth0","createInRoot":"yes"}]}' 'services[0].config.runtime.interfaces[0].createInRoot: expected a boolean, got a string'
badlock uid-name 'p["services"][0]["config"]["uid"]="web"' 'services[0].config.uid: expected a number, got a string'
badlock file-mode-string 'p["files"][0]["mode"]="0644"' 'files[0].mode: expected a number, got a string'
badlock file-path-missing 'del p["files"][0]["path"]' 'files[0].path: missing'
badlock kernel-cmdline-list 'p["kernel"]["cmdline"]=["a"]' 'kernel.cmdline: expected a string, got a list'
badlock volume-format 'p["volumes"][0]["format"]=1' 'volumes[0].format: expected a string, got a number'
badlock image-reference 'p["init"][0]["reference"]=None' 'init[0].reference: expected a string, got null'
badlock volume-undefined 'p["services"][1]["config"]["binds"].append("nosuch:/x")' 'services[1].config.binds[2]: bind "nosuch:/x" names volume "nosuch", which the spec does not define'
badlock volume-ro-mounted-rw 'p["services"][1]["config"]["mounts"][0]["source"]="rovol"' 'services[1].config.mounts[0]: volume "rovol" is read-only, so its bind mount needs the option ro'
badlock schema-number 'p["schema"]=1' 'not a lock file (schema is 1'
lk-rootfs --cache "$C" -i "$TMP/basic/lock.json" >/dev/null
check lock-good-still-builds test $? -eq 0
