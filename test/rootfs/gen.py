#!/usr/bin/env python3
"""Test images for lk-rootfs: OCI layouts with generated layers, and lock files.

    gen.py SCENARIO CACHE_DIR OUT_DIR   writes OUT_DIR/lock.json (and spec.yml)

Layers are built in memory with tarfile (entries in the given order, so a whiteout
may come after the files it hides); blobs go to CACHE_DIR/blobs/sha256/<hex>. The
lock is lk-parse's plan of the scenario's spec plus reference/digest/platform on
every image object, as lk-pull writes it.
"""
import gzip, hashlib, io, json, os, subprocess, sys, tarfile

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
            "none": "application/vnd.oci.image.layer.v1.tar"}


class Cache:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')

    def blob(self, data):
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.root, "blobs", "sha256", h), "wb") as f:
            f.write(data)
        return "sha256:" + h, len(data)

    def image(self, layers, config=None, labels=None, compression="gzip", docker=False):
        """layers: list of entry lists (see tar_bytes) or raw bytes (already a blob)."""
        descs = []
        for layer in layers:
            comp = compression
            if isinstance(layer, tuple):
                layer, comp = layer
            raw = layer if isinstance(layer, bytes) else tar_bytes(layer)
            if comp == "gzip" and not isinstance(layer, bytes):
                raw = gzip.compress(raw, mtime=0)
            elif comp == "zstd" and not isinstance(layer, bytes):
                raw = subprocess.run(["zstd", "-q", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
            d, n = self.blob(raw)
            mt = MT_LAYER[comp] if not docker else "application/vnd.docker.image.rootfs.diff.tar.gzip"
            descs.append({"mediaType": mt, "digest": d, "size": n})
        cfg = dict(config or {})
        if labels:
            cfg["Labels"] = labels
        cblob = json.dumps({"architecture": "amd64", "os": "linux", "config": cfg,
                            "rootfs": {"type": "layers", "diff_ids": []}}, sort_keys=True).encode()
        cd, cn = self.blob(cblob)
        manifest = {"schemaVersion": 2,
                    "mediaType": "application/vnd.docker.distribution.manifest.v2+json" if docker else MT_MANIFEST,
                    "config": {"mediaType": MT_CONFIG, "digest": cd, "size": cn}, "layers": descs}
        md, _ = self.blob(json.dumps(manifest, sort_keys=True).encode())
        return md


def tar_bytes(entries):
    """entries: dicts {name, type: file|dir|symlink|hardlink|char|fifo, data, mode, uid, gid, link, mtime, size}."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            kind = e.get("type", "file")
            ti.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                       "hardlink": tarfile.LNKTYPE, "char": tarfile.CHRTYPE, "fifo": tarfile.FIFOTYPE}[kind]
            ti.mode = e.get("mode", 0o755 if kind == "dir" else 0o644)
            ti.uid, ti.gid = e.get("uid", 0), e.get("gid", 0)
            ti.uname, ti.gname = e.get("uname", ""), e.get("gname", "")
            ti.mtime = e.get("mtime", 1500000000)
            ti.linkname = e.get("link", "")
            if kind == "char":
                ti.devmajor, ti.devminor = e.get("major", 1), e.get("minor", 3)
            data = e.get("data", b"")
            if isinstance(data, str):
                data = data.encode()
            if kind == "file":
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    return buf.getvalue()


def F(name, data="", **kw):
    return dict(name=name, type="file", data=data, **kw)


def D(name, **kw):
    return dict(name=name, type="dir", **kw)


def L(name, link, **kw):
    return dict(name=name, type="symlink", link=link, **kw)


def H(name, link, **kw):
    return dict(name=name, type="hardlink", link=link, **kw)


def lock_from_spec(spec_text, images, out_dir, platform="linux/amd64"):
    """Runs lk-parse on SPEC_TEXT and pins each image reference to IMAGES[ref]."""
    os.makedirs(out_dir, exist_ok=True)
    spec = os.path.join(out_dir, "spec.yml")
    with open(spec, "w") as f:
        f.write(spec_text)
    lk_parse = os.path.join(os.environ.get("LK_BIN", "bin"), "lk-parse")
    plan = json.loads(subprocess.run([lk_parse, "-q", spec], stdout=subprocess.PIPE, check=True).stdout)

    def pin(obj):
        ref = obj["image"]
        obj["reference"] = ref if "/" in ref else "docker.io/library/" + ref
        obj["digest"] = images[ref]
        obj["platform"] = platform

    if plan.get("kernel"):
        pin(plan["kernel"])
    for section in ("init", "onboot", "onshutdown", "services", "volumes"):
        for obj in plan.get(section, []):
            if "image" in obj:
                pin(obj)
    plan["schema"] = "lk.lock/v1"
    with open(os.path.join(out_dir, "lock.json"), "w") as f:
        json.dump(plan, f, indent=2, sort_keys=True)
    return plan


if __name__ == "__main__":
    sys.dont_write_bytecode = True  # keep the tree clean: no __pycache__ beside the tests
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scenarios
    name, cache_dir, out_dir = sys.argv[1:4]
    getattr(scenarios, name.replace("-", "_"))(Cache(cache_dir), out_dir)
