#!/usr/bin/env bash
# lk-init outside a VM: help, version, refusing to act as init when not PID 1, and the
# lk-service argument checks (argv[0] and `lk-init service`). The boot itself is init_boot.
source "$LK_TEST_DIR/lib.sh"
plan 12
T=init_cli
bin=$LK_BIN/lk-init

out=$("$bin" --help); rc=$?
check ${T}_help test $rc -eq 0
check ${T}_help_names_service grep -q 'lk-service list' <<<"$out"
check ${T}_help_names_layout grep -q '/containers/onboot/NNN-NAME/' <<<"$out"
check ${T}_version grep -q '^lk-init [0-9]' <<<"$("$bin" --version)"

"$bin" >/dev/null 2>"$TMP/err"; rc=$?
check ${T}_not_pid1_exit2 test $rc -eq 2
check ${T}_not_pid1_message grep -q 'not PID 1' "$TMP/err"

ln -s "$bin" "$TMP/lk-service"
check ${T}_service_help "$TMP/lk-service" --help
"$TMP/lk-service" >/dev/null 2>&1; check ${T}_service_no_args_exit2 test $? -eq 2
"$TMP/lk-service" frobnicate x >/dev/null 2>&1; check ${T}_service_bad_verb_exit2 test $? -eq 2
"$TMP/lk-service" -t soon stop x >/dev/null 2>"$TMP/err"; rc=$?
check ${T}_service_bad_timeout_exit2 test $rc -eq 2
check ${T}_service_bad_timeout_message grep -q -- '-t wants seconds' "$TMP/err"
"$bin" service restart >/dev/null 2>&1; check ${T}_subcommand_missing_name_exit2 test $? -eq 2
