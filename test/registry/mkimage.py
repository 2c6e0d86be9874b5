#!/usr/bin/env python3
"""Writes an OCI image layout holding one generated image (or a multi-platform index).

mkimage.py DIR TAG [--layers N] [--size BYTES] [--platforms linux/amd64,linux/arm64]
           [--seed S] [--plain] [--docker]
Layers are tar archives of one file of pseudo-random bytes each (gzip'ed unless --plain),
different per seed, layer and platform. --docker writes Docker schema2 media types.
"""
import argparse, gzip, hashlib, io, json, os, random, tarfile

def blob(root, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)

def layer_bytes(seed, size):
    rnd = random.Random(seed)
    payload = rnd.randbytes(size)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo("data/%s.bin" % hashlib.sha256(seed.encode()).hexdigest()[:12])
        info.size, info.mtime, info.mode = size, 0, 0o644
        t.addfile(info, io.BytesIO(payload))
    return buf.getvalue()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir"); ap.add_argument("tag")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--platforms", default="")
    ap.add_argument("--seed", default="lk")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--docker", action="store_true")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.dir, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(a.dir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    if a.docker:
        mt_manifest = "application/vnd.docker.distribution.manifest.v2+json"
        mt_index = "application/vnd.docker.distribution.manifest.list.v2+json"
        mt_config = "application/vnd.docker.container.image.v1+json"
        mt_layer = "application/vnd.docker.image.rootfs.diff.tar" + ("" if a.plain else ".gzip")
    else:
        mt_manifest = "application/vnd.oci.image.manifest.v1+json"
        mt_index = "application/vnd.oci.image.index.v1+json"
        mt_config = "application/vnd.oci.image.config.v1+json"
        mt_layer = "application/vnd.oci.image.layer.v1.tar" + ("" if a.plain else "+gzip")
    plats = [p for p in a.platforms.split(",") if p] or ["linux/amd64"]
    manifests = []
    for plat in plats:
        os_, arch, *var = plat.split("/")
        layers, diffs = [], []
        for i in range(a.layers):
            raw = layer_bytes("%s/%s/%d" % (a.seed, plat, i), a.size)
            diffs.append("sha256:" + hashlib.sha256(raw).hexdigest())
            data = raw if a.plain else gzip.compress(raw, compresslevel=1, mtime=0)
            d, n = blob(a.dir, data)
            layers.append({"mediaType": mt_layer, "digest": d, "size": n})
        cfg = {"architecture": arch, "os": os_, "config": {"Cmd": ["/bin/true"]},
               "rootfs": {"type": "layers", "diff_ids": diffs}, "created": "1970-01-01T00:00:00Z"}
        if var:
            cfg["variant"] = var[0]
        cd, cn = blob(a.dir, json.dumps(cfg, sort_keys=True).encode())
        m = {"schemaVersion": 2, "mediaType": mt_manifest,
             "config": {"mediaType": mt_config, "digest": cd, "size": cn}, "layers": layers}
        md, mn = blob(a.dir, json.dumps(m, sort_keys=True).encode())
        p = {"os": os_, "architecture": arch}
        if var:
            p["variant"] = var[0]
        manifests.append({"mediaType": mt_manifest, "digest": md, "size": mn, "platform": p})
    if a.platforms:
        ix = {"schemaVersion": 2, "mediaType": mt_index, "manifests": manifests}
        d, n = blob(a.dir, json.dumps(ix, sort_keys=True).encode())
        top = {"mediaType": mt_index, "digest": d, "size": n}
    else:
        top = dict(manifests[0]); del top["platform"]
    top["annotations"] = {"org.opencontainers.image.ref.name": a.tag}
    path = os.path.join(a.dir, "index.json")
    index = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(path):
        index = json.load(open(path))
    index["manifests"] = [m for m in index["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != a.tag] + [top]
    with open(path, "w") as f:
        json.dump(index, f)
    print(top["digest"], " ".join(m["digest"] for m in manifests))

main()
