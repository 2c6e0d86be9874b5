#!/usr/bin/env python3
"""validate_layout.py CACHE: an independent check of an OCI layout cache.
Every blob hashes to its name; every index.json entry names a present blob whose
manifest's config and layers are present (for an index: its present children, and at
least one). No temp file is left in blobs/. Prints problems; exit 1 if any."""
import hashlib, json, os, sys

root = sys.argv[1]
problems = []
blobs = os.path.join(root, "blobs", "sha256")
for name in os.listdir(blobs):
    h = hashlib.sha256()
    with open(os.path.join(blobs, name), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    if h.hexdigest() != name:
        problems.append("blob %s hashes to %s" % (name, h.hexdigest()))

def present(d):
    return os.path.exists(os.path.join(blobs, d.split(":", 1)[1]))

def walk(desc, where):
    if not present(desc["digest"]):
        problems.append("%s: %s missing" % (where, desc["digest"]))
        return
    doc = json.load(open(os.path.join(blobs, desc["digest"].split(":", 1)[1])))
    if "manifests" in doc:
        kids = [m for m in doc["manifests"] if present(m["digest"])]
        if not kids:
            problems.append("%s: no child manifest present" % where)
        for k in kids:
            walk(k, where + "/" + k["digest"][:19])
    else:
        for d in [doc["config"]] + doc["layers"]:
            if not present(d["digest"]):
                problems.append("%s: %s missing" % (where, d["digest"]))

index = json.load(open(os.path.join(root, "index.json")))
for m in index["manifests"]:
    walk(m, m.get("annotations", {}).get("org.opencontainers.image.ref.name", m["digest"]))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
