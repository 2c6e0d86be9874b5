#!/usr/bin/env python3
"""compare_tree.py ROOTFS.tar DIR: the tree unpacked from the initrd (DIR) must match
the rootfs tar minus boot/: names, types, modes, owners, link targets, hard links,
contents. Prints the differences and exits 1 when there are any."""
import hashlib, os, stat, sys, tarfile


def expected(tar_path):
    model, links = {}, {}
    with tarfile.open(tar_path) as t:
        for m in t:
            name = m.name.rstrip("/")
            if name == "boot" or name.startswith("boot/"):
                continue
            if m.islnk():
                target = m.linkname
                model[name] = dict(model[target])
                links.setdefault(target, {target}).add(name)
                continue
            e = {"mode": m.mode & 0o7777, "uid": m.uid, "gid": m.gid}
            if m.isfile():
                e.update(type="file", sha=hashlib.sha256(t.extractfile(m).read()).hexdigest())
            elif m.isdir():
                e.update(type="dir")
            elif m.issym():
                e.update(type="symlink", link=m.linkname)
                del e["mode"]
            elif m.ischr():
                e.update(type="char", rdev=(m.devmajor, m.devminor))
            elif m.isfifo():
                e.update(type="fifo")
            model[name] = e
    return model, [g for g in links.values()]


def actual(root):
    model, inodes = {}, {}
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            e = {"mode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid}
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    e.update(type="file", sha=hashlib.sha256(f.read()).hexdigest())
                inodes.setdefault(st.st_ino, set()).add(rel)
            elif stat.S_ISDIR(st.st_mode):
                e.update(type="dir")
            elif stat.S_ISLNK(st.st_mode):
                e.update(type="symlink", link=os.readlink(p))
                del e["mode"]
            elif stat.S_ISCHR(st.st_mode):
                e.update(type="char", rdev=(os.major(st.st_rdev), os.minor(st.st_rdev)))
            elif stat.S_ISFIFO(st.st_mode):
                e.update(type="fifo")
            model[rel] = e
    return model, inodes


def main():
    want, groups = expected(sys.argv[1])
    got, inodes = actual(sys.argv[2])
    problems = []
    for name in sorted(set(want) | set(got)):
        if name not in got:
            problems.append("missing " + name)
        elif name not in want:
            problems.append("unexpected " + name)
        elif want[name] != got[name]:
            problems.append("%s: want %s got %s" % (name, want[name], got[name]))
    by_name = {n: frozenset(s) for s in inodes.values() for n in s}
    for g in groups:
        for n in g:
            if by_name.get(n) != frozenset(g):
                problems.append("hard link group %s: %s is linked to %s" % (sorted(g), n, sorted(by_name.get(n, []))))
    for p in problems[:30]:
        print(p)
    sys.exit(1 if problems else 0)


main()
