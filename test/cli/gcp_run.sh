# lk-run gcp against the fake GCE server: instance, serial console, cleanup, Ctrl-C,
# up-front checks, and pushing a local tarball first.
. "$LK_TEST_DIR/lib.sh"
. "$LK_TEST_DIR/gcp/helpers.sh"
plan 45
IMG="$TMP/lkimg.img.tar.gz"
make_image "$IMG" 4
run() { bounded 60 lk-run gcp --keys "$KEY" --project "$PROJECT" --zone "$ZONE" "$@"; }
printf 'console=ttyS0\nhello from user-data\n' >"$TMP/user-data"

start_fake
bounded 60 lk-push gcp --keys "$KEY" --project "$PROJECT" --bucket "$BUCKET" "$IMG" >/dev/null 2>&1
check setup-push test $? -eq 0

# The console arrives whole, each line once and in order, then the instance goes away.
run --data "$TMP/user-data" lkimg >"$TMP/console" 2>"$TMP/err"; rc=$?
check run-exit-0 test $rc -eq 0
printf 'SeaBIOS (version 1.8.2)\r\nBooting from Hard Disk 0...\r\n[    0.000000] Linux version 6.1.0-lk (lk@fake) #1 SMP\r\nmetadata: user-data=console=ttyS0\nhello from user-data\n\r\nWelcome to lk on g1-small\r\nreboot: Power down\r\n' >"$TMP/expected"
check console-exact cmp -s "$TMP/console" "$TMP/expected"
check_state console-offsets-follow-next 's["serial_starts"] == sorted(s["serial_starts"]) and s["serial_starts"][0] == 0' True
check_state instance-deleted 's["instances_deleted"]' "['lkimg']"
check_state user-data-metadata '{i["key"]: i["value"] for i in s["instances"]["lkimg"]["body"]["metadata"]["items"]}' \
  "{'serial-port-enable': 'true', 'user-data': 'console=ttyS0\\nhello from user-data\\n'}"
check_state machine-default 's["instances"]["lkimg"]["body"]["machineType"]' "zones/$ZONE/machineTypes/g1-small"
check_state boot-disk 's["instances"]["lkimg"]["body"]["disks"][0]["initializeParams"]["sourceImage"]' \
  "projects/$PROJECT/global/images/lkimg"
check_state run-no-violations 's["violations"]' "[]"
check run-logs-status grep -q 'instance lkimg is TERMINATED' "$TMP/err"
check data-path-warns grep -q -- "--data $TMP/user-data: reading the file, as lk's --data did" "$TMP/err"

# --skip-cleanup leaves it; --name, --machine and --disk-size reach the request.
run --skip-cleanup --name kept --machine e2-small --disk-size 10 lkimg >"$TMP/console" 2>/dev/null; rc=$?
check skip-cleanup-exit-0 test $rc -eq 0
check_state skip-cleanup-kept 's["instances"]["kept"]["status"], s["instances_deleted"]' "('TERMINATED', ['lkimg'])"
check_state machine-flag 's["instances"]["kept"]["body"]["machineType"]' "zones/$ZONE/machineTypes/e2-small"
check_state disk-size-flag 's["instances"]["kept"]["body"]["disks"][0]["initializeParams"]["diskSizeGb"]' 10
check console-machine grep -q 'Welcome to lk on e2-small' "$TMP/console"

# An instance of that name already exists: GCE's own message, and nothing deleted.
run --name kept lkimg >/dev/null 2>"$TMP/err"; rc=$?
check exists-exit-1 test $rc -eq 1
check exists-gce-message grep -q "instances.insert: HTTP 409: The resource 'projects/$PROJECT/zones/$ZONE/instances/kept' already exists (alreadyExists)" "$TMP/err"
check_state exists-not-deleted 's["instances"]["kept"]["status"]' TERMINATED

# --data is the user-data itself, as in LinuxKit; --data-file a file; not both.
user_data() { state "{i['key']: i['value'] for i in s['instances']['$1']['body']['metadata']['items']}['user-data']"; }
run --data 'hello, guest' --name ds lkimg >/dev/null 2>"$TMP/err"
check data-string-exit-0 test $? -eq 0
check data-string-is-user-data test "$(user_data ds)" = 'hello, guest'
run --data-file "$TMP/user-data" --name df lkimg >/dev/null 2>"$TMP/err"
check data-file-is-user-data test "$(user_data df)" = "$(printf 'console=ttyS0\nhello from user-data')"
run --data x --data-file "$TMP/user-data" lkimg >/dev/null 2>"$TMP/err"
check data-and-data-file-exit-2 test $? -eq 2

# Up-front checks.
run --zone mars-east1-a lkimg >/dev/null 2>"$TMP/err"; rc=$?
check bad-zone-exit-2 test $rc -eq 2
check bad-zone-message grep -q 'zone "mars-east1-a" does not exist in project "lk-test-project"' "$TMP/err"
run nosuchimage >/dev/null 2>"$TMP/err"; rc=$?
check bad-image-exit-2 test $rc -eq 2
check bad-image-message grep -q 'image "nosuchimage" does not exist in project "lk-test-project"; push it' "$TMP/err"
run --project other lkimg >/dev/null 2>"$TMP/err"; rc=$?
check bad-project-exit-2 test $rc -eq 2
CLOUDSDK_COMPUTE_ZONE=mars-east1-a bounded 30 lk-run gcp --keys "$KEY" --project "$PROJECT" lkimg >/dev/null 2>"$TMP/err"
check zone-from-env grep -q 'zone "mars-east1-a"' "$TMP/err"
stop_fake

# A file instead of an image name: pushed first (as `moby run gcp x.img.tar.gz` did).
start_fake --fail instances.getSerialPortOutput:1:503
cp "$IMG" "$TMP/fresh.img.tar.gz"
run --bucket "$BUCKET" "$TMP/fresh.img.tar.gz" >"$TMP/console" 2>"$TMP/err"; rc=$?
check file-run-exit-0 test $rc -eq 0
check file-run-pushed cmp -s "$FAKE_STATE/objects/$BUCKET/fresh.img.tar.gz" "$IMG"
check_state file-run-instance 's["instances_deleted"]' "['fresh']"
check file-run-console-after-503 grep -q 'reboot: Power down' "$TMP/console"
run "$TMP/fresh.img.tar.gz" >/dev/null 2>"$TMP/err"; rc=$?
check file-run-needs-bucket test $rc -eq 2
stop_fake

# Ctrl-C: the console stops, the instance is deleted anyway, exit status 130.
start_fake --console-endless
bounded 60 lk-push gcp --keys "$KEY" --project "$PROJECT" --bucket "$BUCKET" "$IMG" >/dev/null 2>&1
lk-run gcp --keys "$KEY" --project "$PROJECT" --zone "$ZONE" lkimg >"$TMP/console" 2>"$TMP/err" &
pid=$!
for i in $(seq 200); do grep -q 'tick 3' "$TMP/console" 2>/dev/null && break; sleep 0.05; done
kill -INT $pid
for i in $(seq 200); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
kill -0 $pid 2>/dev/null && { kill -KILL $pid; fail ctrl-c-stops "still running after 10 s"; }
wait $pid; rc=$?
check ctrl-c-exit-130 test $rc -eq 130
check_state ctrl-c-deleted 's["instances_deleted"]' "['lkimg']"
check ctrl-c-console-shown grep -q 'tick 3' "$TMP/console"
stop_fake

# The dispatcher.
lk-run --help >"$TMP/help"; check help-exit-0 test $? -eq 0
check help-lists-gcp grep -q '^  gcp' "$TMP/help"
lk-run nosuch >/dev/null 2>"$TMP/err"; check unknown-subcommand-exit-2 test $? -eq 2
check unknown-subcommand-lists grep -q '^  gcp' "$TMP/err"
lk-run >/dev/null 2>&1; check no-subcommand-exit-2 test $? -eq 2
lk-run gcp --help >"$TMP/help"; check gcp-help-exit-0 test $? -eq 0
check gcp-help-env grep -q CLOUDSDK_COMPUTE_ZONE "$TMP/help"
lk-run gcp --keys "$KEY" >/dev/null 2>&1; check gcp-no-image-exit-2 test $? -eq 2
