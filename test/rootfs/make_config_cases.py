#!/usr/bin/env python3
"""Writes the config.json golden inputs (test/rootfs/config/*.in.json).

Each case: a spec whose entry named "t" is checked, the image config (Entrypoint,
Cmd, Env, WorkingDir, Labels with org.mobyproject.config), and, for failures, the
expected error text. Expected outputs are NAME.config.json / NAME.runtime.json,
written once with LK_UPDATE_GOLDEN=1 and reviewed by hand.
"""
import json, os, sys

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "config")
BASE_IMG = {"Entrypoint": ["/bin/app"], "Cmd": ["--serve"], "Env": ["PATH=/usr/bin:/bin", "A=image"], "WorkingDir": "/srv"}

def svc(body, section="services", extra=""):
    lines = "".join("    " + l + "\n" for l in body.strip("\n").split("\n")) if body.strip() else ""
    return extra + f"{section}:\n  - name: t\n    image: lk/t:1\n" + lines

def img(label=None, **over):
    d = dict(BASE_IMG)
    d.update(over)
    d = {k: v for k, v in d.items() if v is not None}
    if label is not None:
        d["Labels"] = {"org.mobyproject.config": label if isinstance(label, str) else json.dumps(label)}
    return d

cases = {
 "01-image-defaults": dict(spec=svc(""), image=img()),
 "02-empty-image-config": dict(spec=svc(""), image={}),
 "03-command-yaml-over-label": dict(spec=svc("command: [/bin/yaml, a]"), image=img({"command": ["/bin/label"]})),
 "04-command-label-over-image": dict(spec=svc(""), image=img({"command": ["/bin/label", "x"]})),
 "05-env-yaml-replaces-image": dict(spec=svc("env: [B=yaml]"), image=img({"env": ["C=label"]})),
 "06-env-empty-list-wipes": dict(spec=svc("env: []\ncommand: []"), image=img({"env": ["C=label"]})),
 "07-cwd-label-over-workdir": dict(spec=svc(""), image=img({"cwd": "/label"})),
 "08-caps-yaml-replaces-label": dict(spec=svc("capabilities: [CAP_SYS_ADMIN, CAP_CHOWN]\ncapabilities.add: [CAP_KILL]"),
                                     image=img({"capabilities": ["CAP_NET_ADMIN"]})),
 "09-caps-add-merged-deduplicated": dict(spec=svc("capabilities.add: [CAP_NET_RAW, CAP_KILL]"),
                                         image=img({"capabilities": ["CAP_NET_ADMIN", "CAP_NET_RAW"], "capabilities.add": ["CAP_NET_ADMIN", "CAP_BPF"]})),
 "10-caps-all": dict(spec=svc("capabilities: [all]"), image=img()),
 "11-caps-none-wipes-label": dict(spec=svc("capabilities: [none]"), image=img({"capabilities": ["all"]})),
 "12-ambient-joins-bounding": dict(spec=svc("ambient: [CAP_NET_BIND_SERVICE]"), image=img({"capabilities": ["CAP_SYS_TIME"]})),
 "13-namespaces-new": dict(spec=svc("net: new\nipc: new\nuts: new\npid: host"), image=img()),
 "14-namespaces-paths": dict(spec=svc("net: /run/netns/x\nipc: /proc/1/ns/ipc\npid: /proc/1/ns/pid\nuserns: new"), image=img()),
 "15-net-none-from-label": dict(spec=svc("ipc: host"), image=img({"net": "none", "ipc": "new", "pid": "root"})),
 "16-readonly-from-label": dict(spec=svc(""), image=img({"readonly": True})),
 "17-readonly-yaml-overrides-label": dict(spec=svc("readonly: false"), image=img({"readonly": True})),
 "18-binds-add-merged": dict(spec=svc("binds.add: [/var:/var, \"/etc/ssl:/etc/ssl:ro\"]"),
                             image=img({"binds": ["/var:/var", "/dev:/dev"], "binds.add": ["/lib/modules:/lib/modules"]})),
 "19-binds-yaml-replaces": dict(spec=svc("binds: [\"/run:/run:rshared,rbind\"]\nbinds.add: [/x:/x]"), image=img({"binds": ["/dev:/dev"]})),
 "20-tmpfs-and-mounts": dict(spec=svc("tmpfs: [\"/tmp:size=1m,mode=1777\", /run]\nmounts:\n  - source: proc\n  - type: cgroup\n    options: [rw]\n  - destination: /dev\n    options: [rw]\n  - type: bind\n    source: /data\n    destination: /proc"), image=img()),
 "21-uid-gid-by-name": dict(spec=svc("uid: other\nadditionalGids: [other, 7]", extra="onboot:\n  - name: other\n    image: lk/o:1\n"),
                            image=img({"gid": "other", "uid": 5})),
 "22-rlimits": dict(spec=svc("rlimits: [\"nofile,1024,4096\", \"RLIMIT_CORE,unlimited,unlimited\"]"), image=img({"rlimits": ["nproc,1,2"]})),
 "23-sysctl-yaml-replaces-label": dict(spec=svc("sysctl:\n  net.core.somaxconn: '1024'"), image=img({"sysctl": {"kernel.x": "1"}})),
 "24-sysctl-list-in-label": dict(spec=svc(""), image=img({"sysctl": ["net.ipv4.ip_forward=1", "a.b=2"]})),
 "25-devices": dict(spec=svc("devices:\n  - path: /dev/kvm\n    type: c\n    major: 10\n    minor: 232\n    mode: '0666'\n  - path: all\n    type: b"), image=img()),
 "26-resources-and-device-rules": dict(spec=svc("resources:\n  memory:\n    limit: 1048576\n  cpu:\n    shares: 512\n  pids:\n    limit: 100\n  blockio:\n    weight: 10\n  devices:\n    - allow: false\n      access: rwm\ndevices:\n  - path: /dev/fuse\n    type: c\n    major: 10\n    minor: 229"), image=img()),
 "27-masked-readonly-paths": dict(spec=svc("maskedPaths: [/proc/kcore]"), image=img({"maskedPaths": ["/label"], "readonlyPaths": ["/proc/sys"]})),
 "28-hostname-annotations-oom-nnp": dict(spec=svc("hostname: box\nuts: new\noomScoreAdj: -800\nnoNewPrivileges: true\nannotations:\n  z: '1'\n  a: '2'"),
                                         image=img({"cgroupsPath": "/lk/t", "rootfsPropagation": "shared", "oomScoreAdj": 100})),
 "29-runtime-merged-per-field": dict(spec=svc("runtime:\n  mkdir: [/var/lib/t]\n  bindNS:\n    net: /run/netns/t\n  namespace: custom"),
                                     image=img({"runtime": {"cgroups": ["t"], "mkdir": ["/label"], "bindNS": {"ipc": "/run/ipc"},
                                                            "mounts": [{"type": "bind", "source": "/a", "destination": "/b", "options": ["bind"]}],
                                                            "interfaces": [{"name": "eth1", "add": "veth", "peer": "veth-t"}]}})),
 "30-id-mappings": dict(spec=svc("uidMappings:\n  - hostID: 1000\n    containerID: 0\n    size: 1"), image=img({"gidMappings": [{"hostID": 2000, "containerID": 0, "size": 10}]})),
 "31-label-as-yaml": dict(spec=svc(""), image=img("capabilities:\n  - CAP_SYS_ADMIN\nnet: new\nbinds:\n  - /dev:/dev\n")),
 "32-disable-oom-killer-2017": dict(spec=svc("disableOOMKiller: true"), image=img()),
 "33-onboot-entry-same-rules": dict(spec=svc("pid: host\nnet: host", section="onboot"), image=img({"capabilities": ["CAP_NET_ADMIN"]})),
 "34-error-bad-label": dict(spec=svc(""), image=img({"capabilities": ["CAP_BOGUS"]}), error="CAP_BOGUS"),
 "35-error-label-unknown-uid": dict(spec=svc(""), image=img({"uid": "nobody-here"}), error="unknown user or group \"nobody-here\""),
 "36-error-mount-without-type": dict(spec=svc("mounts:\n  - source: /x\n    destination: /y"), image=img(), error="has no type"),
 "37-error-label-name-forbidden": dict(spec=svc(""), image=img({"name": "x"}), error="unknown key"),
}

os.makedirs(here, exist_ok=True)
for name, c in cases.items():
    with open(os.path.join(here, name + ".in.json"), "w") as f:
        json.dump(c, f, indent=2, sort_keys=True)
        f.write("\n")
print(f"{len(cases)} cases in {here}", file=sys.stderr)
