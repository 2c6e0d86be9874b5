#!/usr/bin/env python3
"""mkbundle.py: write an OCI bundle's config.json for the boot test.

  mkbundle.py --runc RUNC --bundle DIR --args JSON_LIST [--hostname H] [--readonly]
              [--host-pid] [--bind SRC:DST[:ro]]...

Starts from `runc spec` (runc's own template, so the config is valid for that runc) and
edits it the way lk-rootfs's generated configs look: no terminal, root.path "rootfs"
(relative), host network, the given command and binds.
"""
import argparse
import json
import os
import subprocess
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--runc", required=True)
ap.add_argument("--bundle", required=True)
ap.add_argument("--args", required=True)
ap.add_argument("--hostname", default="")
ap.add_argument("--readonly", action="store_true")
ap.add_argument("--host-pid", action="store_true")
ap.add_argument("--own-net", action="store_true", help="keep the new network namespace")
ap.add_argument("--bind", action="append", default=[])
ap.add_argument("--privileged", action="store_true", help="every capability, nothing masked")
a = ap.parse_args()

with tempfile.TemporaryDirectory() as t:
    subprocess.run([a.runc, "spec", "--bundle", t], check=True)
    c = json.load(open(os.path.join(t, "config.json")))

p = c["process"]
p["terminal"] = False
p["args"] = json.loads(a.args)
p["env"] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/"]
c["root"] = {"path": "rootfs", "readonly": a.readonly}
if a.hostname:
    c["hostname"] = a.hostname
drop = (set() if a.own_net else {"network"}) | ({"pid"} if a.host_pid else set())
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] not in drop]
for b in a.bind:
    parts = b.split(":")
    opts = ["rbind", "ro" if len(parts) > 2 and parts[2] == "ro" else "rw"]
    c["mounts"].append({"destination": parts[1], "type": "bind", "source": parts[0], "options": opts})
if a.privileged:
    caps = ["CAP_" + n for n in (
        "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE "
        "NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT "
        "SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE "
        "AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ "
        "PERFMON BPF CHECKPOINT_RESTORE").split()]
    p["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
    p.pop("noNewPrivileges", None)
    c["linux"].pop("maskedPaths", None)
    c["linux"].pop("readonlyPaths", None)
os.makedirs(a.bundle, exist_ok=True)
with open(os.path.join(a.bundle, "config.json"), "w") as f:
    json.dump(c, f, indent=4)
