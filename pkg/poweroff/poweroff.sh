#!/bin/busybox sh
# poweroff.sh [SECONDS]: sleep, then ask PID 1 (lk-init, sharing our pid namespace) to
# power off cleanly: SIGUSR2 is busybox's poweroff signal.
/bin/busybox sleep "${1:-10}"
/bin/busybox echo "poweroff: powering off"
/bin/busybox kill -USR2 1
