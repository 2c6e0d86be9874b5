#!/bin/sh
# getty.sh: a shell (INSECURE=true) or a login prompt on each serial console, respawned.
tty=${TTY:-ttyS0}
while true; do
  if [ "$INSECURE" = true ]; then
    setsid -c sh -l <"/dev/$tty" >"/dev/$tty" 2>&1
  else
    getty -L 115200 "$tty" vt100
  fi
  sleep 1
done
