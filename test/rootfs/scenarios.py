"""Scenarios for gen.py: each builds its images in the cache and writes a lock."""
import gzip, io, tarfile
from gen import F, D, L, H, tar_bytes, lock_from_spec

LABEL = '{"capabilities": ["CAP_NET_ADMIN"], "binds": ["/var:/var"], "net": "new"}'


def kernel_image(c, with_ucode=True):
    modules = tar_bytes([D("lib"), D("lib/modules"), D("lib/modules/6.1.0"),
                         F("lib/modules/6.1.0/modules.dep", "m.ko:\n"),
                         F("lib/modules/6.1.0/m.ko", b"\x7fELF" + bytes(range(256)) * 8)])
    entries = [F("kernel", b"MZ-kernel-image" * 100, mode=0o600), F("kernel.tar", modules),
               F("kernel-headers.tar", "unused")]
    if with_ucode:
        entries.append(F("intel-ucode.cpio", "ucode-bytes"))
    return c.image([entries])


def basic(c, out):
    images = {
        "lk/kernel:1": kernel_image(c),
        "lk/init:1": c.image([[D("etc"), F("etc/issue", "init 1\n"), F("etc/hosts", "junk"), D("bin"),
                               F("bin/init", "#!/bin/sh\n", mode=0o755), F(".dockerenv"), D("dev"),
                               dict(name="dev/console", type="char", major=5, minor=1, mode=0o600),
                               F("etc/hostname", "leak"), F("usr/bin/su", "su", mode=0o4755),
                               D("lib"), D("lib/apk"), D("lib/apk/db"), F("lib/apk/db/installed", "P:init\nV:1\n\n")]]),
        "lk/runc:1": c.image([[D("etc"), F("etc/issue", "runc wins\n"), D("usr"), D("usr/bin"),
                               F("usr/bin/runc", "runc", mode=0o755), D("lib"), D("lib/apk"), D("lib/apk/db"),
                               F("lib/apk/db/installed", "P:runc\nV:1\n")]], compression="zstd"),
        "lk/dhcpcd:1": c.image([[D("sbin"), F("sbin/dhcpcd", "dhcpcd", mode=0o755)]],
                               config={"Entrypoint": ["/sbin/dhcpcd"], "Cmd": ["--nobackground"], "Env": ["PATH=/sbin"]},
                               labels={"org.mobyproject.config": LABEL}),
        "lk/web:1": c.image([[D("srv"), F("srv/index.html", "hello\n"), F("Dockerfile", "FROM x")],
                             [F("srv/extra", "layer 2"), F("etc/resolv.conf", "nameserver 1.1.1.1\n")]],
                            config={"Cmd": ["/bin/web"], "WorkingDir": "/srv"}, docker=True),
        "lk/data:1": c.image([[D("data"), F("data/seed", "seed")]], compression="none"),
    }
    spec = """kernel:
  image: lk/kernel:1
  cmdline: "console=ttyS0 quiet"
  ucode: intel-ucode.cpio
init:
  - lk/init:1
  - lk/runc:1
volumes:
  - name: vol
    image: lk/data:1
  - name: blank
  - name: rovol
    image: lk/data:1
    readonly: true
onboot:
  - name: dhcpcd
    image: lk/dhcpcd:1
    capabilities.add: [CAP_NET_RAW]
onshutdown:
  - name: bye
    image: lk/dhcpcd:1
    command: [/sbin/dhcpcd, --release]
services:
  - name: web
    image: lk/web:1
    uid: dhcpcd
  - name: web2
    image: lk/web:1
    binds: ["vol:/data", "rovol:/ro:ro"]
    mounts:
      - {type: bind, source: blank, destination: /blank}
  - name: ro
    image: lk/web:1
    readonly: true
files:
  - path: etc/motd
    contents: "welcome\\n"
    mode: "0644"
  - path: var/lib/x/secret
    contents: "s"
  - path: etc/src
    source: src.txt
    mode: "0640"
    uid: web
  - path: opt/dir
    directory: true
    mode: "0750"
  - path: etc/link
    symlink: /etc/motd
  - path: etc/lk.yml
    metadata: yaml
  - path: etc/lk.json
    metadata: json
  - path: etc/none
    source: missing.txt
    optional: true
"""
    import os
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "src.txt"), "w") as f:
        f.write("from the host\n")
    lock_from_spec(spec, images, out)


def whiteouts(c, out):
    lower = [D("a"), F("a/keep", "keep"), F("a/gone", "gone"), D("a/sub"), F("a/sub/deep", "deep"),
             D("opq"), F("opq/old", "old"), D("opq/olddir"), F("opq/olddir/x", "x"),
             D("d2f"), F("d2f/child", "child"), F("f2d", "file"),
             F("linked", "shared data"), H("linked2", "linked"),
             F("late", "hidden by a whiteout listed after other files"),
             D("keepdir"), F("keepdir/.wh..opq", "a file literally named .wh..opq"),
             F("perl", "old perl"), H("perl2", "perl"), H("perl3", "perl"),
             ]
    upper = [F("late2", "upper file before the whiteout"),
             F("a/.wh.gone"), F("a/.wh.sub"),
             D("opq"), F("opq/.wh..wh..opq"), F("opq/new", "new"),
             F("d2f", "now a file"), D("f2d"), F("f2d/inside", "in"),
             H("link3", "linked"),
             F(".wh.late"),
             F("a/sub2", "fresh"), F("perl", "new perl")]
    top = [F("a/sub/again", "a whiteout hides only lower layers")]  # a/sub was whited out below; recreated here
    images = {"lk/wh:1": c.image([lower, upper, top])}
    lock_from_spec("init:\n  - lk/wh:1\n", images, out)


def _single(c, out, layer, compression="gzip"):
    lock_from_spec("init:\n  - lk/bad:1\n", {"lk/bad:1": c.image([(layer, compression)] if isinstance(layer, bytes) else [layer])}, out)


def bad_traversal(c, out):
    _single(c, out, [D("etc"), F("etc/../../escape", "x")])


def bad_absolute(c, out):
    _single(c, out, [F("/etc/passwd", "root::0:0")])


def bad_symlink_escape(c, out):
    lock_from_spec("init:\n  - lk/bad:1\n", {"lk/bad:1": c.image([[L("evil", "/etc")], [F("evil/passwd", "x")]])}, out)


def bad_duplicate(c, out):
    _single(c, out, [F("a", "one"), F("a", "two")])


def bad_absurd_size(c, out):
    raw = bytearray(tar_bytes([F("big", "x")]))
    # Rewrite the size field (octal, offset 124) to 2 TiB and fix the checksum.
    hdr = raw[:512]
    hdr[124:136] = b"\x80" + (2 << 40).to_bytes(11, "big")  # base-256, as GNU tar writes big sizes
    hdr[148:156] = b" " * 8
    hdr[148:156] = b"%06o\0 " % sum(hdr)
    raw[:512] = hdr
    _single(c, out, gzip.compress(bytes(raw), mtime=0))


def bad_truncated(c, out):
    raw = tar_bytes([F("a", "x" * 5000), F("b", "y" * 5000)])
    _single(c, out, gzip.compress(raw[:3000], mtime=0))


def bad_gzip(c, out):
    _single(c, out, b"\x1f\x8b\x08\x00" + b"not really gzip" * 20)


def bad_hardlink(c, out):
    _single(c, out, [H("l", "nowhere")])


def tree(c, out):
    """A varied tree for the initrd round trip: big and small files, links, devices."""
    import random
    rnd = random.Random(7)
    base = [D("etc"), F("etc/passwd", "root:x:0:0::/root:/bin/sh\n"), D("usr"), D("usr/bin"),
            F("usr/bin/tool", bytes(rnd.getrandbits(8) for _ in range(3 << 20)), mode=0o755),
            F("usr/bin/text", ("line %d\n" * 1 + "") * 1 if False else "".join("line %d\n" % i for i in range(200000))),
            H("usr/bin/tool-link", "usr/bin/tool"), H("usr/bin/tool-link2", "usr/bin/tool"),
            F("usr/bin/empty"), H("usr/bin/empty-link", "usr/bin/empty"),
            L("usr/bin/sh", "busybox"), F("usr/bin/busybox", "bb", mode=0o4755, uid=0, gid=0),
            D("home"), D("home/user", mode=0o700, uid=1000, gid=1000),
            F("home/user/notes", "mine", mode=0o600, uid=1000, gid=1000, uname="user", gname="user"),
            dict(name="dev/null", type="char", major=1, minor=3, mode=0o666), dict(name="run/fifo", type="fifo", mode=0o600),
            D("many")]
    base += [F("many/f%04d" % i, "small %d\n" % i) for i in range(1500)]
    upper = [F("many/.wh.f0001"), F("usr/bin/added", "upper", mode=0o700), D("deep/a/b/c/d"),
             F("deep/a/b/c/d/e", "x" * 70000), F("x" * 150, "long name")]
    images = {"lk/tree:1": c.image([base, upper]), "lk/kernel:1": kernel_image(c, with_ucode=True)}
    lock_from_spec("kernel:\n  image: lk/kernel:1\n  cmdline: console=ttyS0\n  ucode: intel-ucode.cpio\n"
                   "init:\n  - lk/tree:1\nfiles:\n  - path: etc/motd\n    contents: hi\n    mode: \"0644\"\n", images, out)


def bench(c, out):
    """A large rootfs for make bench: LK_BENCH_MB (default 300) of many small files and
    some large ones, in 4 uncompressed layers with whiteouts. Layers stream to disk."""
    import hashlib, os, random, tarfile
    total = int(os.environ.get("LK_BENCH_MB", "300")) << 20
    rnd = random.Random(1)
    # Realistic contents: the host's own programs and libraries (compress like a real
    # rootfs does), with some incompressible data mixed in.
    pool, pool_size = [], 0
    for d in ("/usr/bin", "/usr/lib/x86_64-linux-gnu"):
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            p = os.path.join(d, n)
            if pool_size < (48 << 20) and os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    pool.append(f.read(4 << 20))
                pool_size += len(pool[-1])
    text_block = b"".join(pool) or os.urandom(1 << 20)
    rand_block = os.urandom(4 << 20)

    def content(n, i):
        src = text_block if i % 5 else rand_block
        start = (i * 7919) % max(1, len(src) - n) if n < len(src) else 0
        if n <= len(src):
            return src[start:start + n]
        return (src * (n // len(src) + 1))[:n]

    descs, written, layer_no = [], 0, 0
    per_layer = total // 4
    for layer_no in range(4):
        tmp = os.path.join(c.root, "layer.tmp")
        with open(tmp, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.PAX_FORMAT) as t:
            def add(name, data=None, kind="file"):
                ti = tarfile.TarInfo(name)
                ti.mtime = 1500000000
                if kind == "dir":
                    ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                    t.addfile(ti)
                else:
                    ti.size, ti.mode = len(data), 0o644
                    t.addfile(ti, io.BytesIO(data))
            add("l%d" % layer_no, kind="dir")
            if layer_no:
                add("l%d/.wh.big0" % (layer_no - 1), b"")
                add("l%d/small/.wh.f00001" % (layer_no - 1), b"")
            add("l%d/small" % layer_no, kind="dir")
            n, i = 0, 0
            while n < per_layer * 0.6:  # many small files: 1-64 KiB
                size = rnd.randint(1 << 10, 64 << 10)
                add("l%d/small/f%05d" % (layer_no, i), content(size, i))
                n += size
                i += 1
            j = 0
            while n < per_layer:  # some large ones: 4-16 MiB
                size = rnd.randint(4 << 20, 16 << 20)
                add("l%d/big%d" % (layer_no, j), content(size, j + 1))
                n += size
                j += 1
        h = hashlib.sha256()
        with open(tmp, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        size = os.path.getsize(tmp)
        os.rename(tmp, os.path.join(c.root, "blobs", "sha256", h.hexdigest()))
        descs.append((b"", "sha256:" + h.hexdigest(), size))
    # Assemble the image around the pre-written blobs.
    import json
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    cd, cn = c.blob(cfg)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s} for _, d, s in descs]}
    md, _ = c.blob(json.dumps(manifest).encode())
    images = {"lk/bench:1": md, "lk/kernel:1": kernel_image(c, with_ucode=False)}
    lock_from_spec("kernel:\n  image: lk/kernel:1\n  cmdline: console=ttyS0\ninit:\n  - lk/bench:1\n", images, out)


def _kernel_with_modules(c, out, modules):
    """A kernel image whose kernel.tar holds MODULES (an entry list)."""
    image = c.image([[F("kernel", b"MZ-kernel", mode=0o600), F("kernel.tar", tar_bytes(modules))]])
    lock_from_spec("kernel:\n  image: lk/kbad:1\n  cmdline: console=ttyS0\n", {"lk/kbad:1": image}, out)


def kbad_symlink_dir(c, out):
    _kernel_with_modules(c, out, [D("lib"), L("lib/modules", "/"), F("lib/modules/etc/X", "through the link")])


def kbad_relative_escape(c, out):
    _kernel_with_modules(c, out, [L("usr", "../../../../"), F("usr/X", "out of the root")])


def kbad_hardlink_missing(c, out):
    _kernel_with_modules(c, out, [D("lib"), H("lib/m.ko", "lib/nowhere.ko")])


def kbad_dotdot(c, out):
    _kernel_with_modules(c, out, [D("lib"), F("lib/../../x", "escape")])


def kbad_absolute(c, out):
    _kernel_with_modules(c, out, [F("/etc/passwd", "root::0:0")])


def dup_entries(c, out):
    """Names listed twice in one layer: the last entry wins, as Docker extracts."""
    layer = [D("d", mode=0o700, uid=1), F("d/f", "in d"), D("d", mode=0o750, uid=2),
             F("a", "one"), F("a", "two", mode=0o600),
             F("f", "old"), H("l", "f"), F("f", "new"),          # l keeps the data it was linked to
             F("s", "was a file"), H("s2", "s"), L("s", "/etc/shadow"),  # a file replaced by a symlink
             L("t", "/etc"), D("t"), F("t/inside", "t is a directory by now")]
    appended = tar_bytes([F("x", "first archive")]) + tar_bytes([F("x", "second archive"), F("y", "only in the second")])
    lock_from_spec("init:\n  - lk/dup:1\n", {"lk/dup:1": c.image([layer, appended])}, out)


def bad_dup_dir_to_symlink(c, out):
    """A directory with members below it, then turned into a symlink in the same layer."""
    _single(c, out, [D("d"), F("d/f", "x"), L("d", "/etc")])


def bad_layout_link(c, out):
    """An init image that makes containers/ a symlink: the bundles must not go through it."""
    images = {"lk/bad:1": c.image([[L("containers", "/etc"), D("etc"), F("etc/hosts", "x")]]),
              "lk/svc:1": c.image([[D("bin"), F("bin/svc", "svc", mode=0o755)]], config={"Cmd": ["/bin/svc"]})}
    lock_from_spec("init:\n  - lk/bad:1\nservices:\n  - name: svc\n    image: lk/svc:1\n", images, out)


def bad_touch_link(c, out):
    """An image whose etc is a symlink: lk's etc/hosts must not be written through it."""
    _single(c, out, [L("etc", "/tmp")])


def bad_files_link(c, out):
    """A files entry below a symlink an init image holds."""
    lock_from_spec("init:\n  - lk/bad:1\nfiles:\n  - path: var/run/x\n    contents: y\n",
                   {"lk/bad:1": c.image([[D("var"), L("var/run", "/run"), D("etc"), F("etc/hosts", "x")]])}, out)
