#!/bin/busybox sh
# dhcp.sh: one DHCP lease per ethernet interface, then exit (as dhcpcd -1 does).
bb=/bin/busybox
status=1
for dev in /sys/class/net/*; do
  name=${dev##*/}
  [ "$name" = lo ] && continue
  [ -e "$dev/device" ] || continue
  $bb ip link set "$name" up
  if $bb udhcpc -i "$name" -q -n -t 10 -T 1 -O mtu -O staticroutes -s /udhcpc.script; then status=0; fi
done
exit $status
