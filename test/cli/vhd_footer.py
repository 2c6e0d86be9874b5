"""vhd_footer.py FILE TYPE TIMESTAMP: FILE is a VHD of disk type TYPE (2 fixed, 3 dynamic)
whose footer (and, dynamic, its copy at the start) has a right checksum, the given
timestamp, a whole number of MiB and a version-8 UUID. Exits 1 saying what is wrong."""
import struct
import sys

path, want_type, want_time = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
footers = [data[-512:]] + ([data[:512]] if want_type == 3 else [])
for f in footers:
    problems = []
    if f[:8] != b"conectix":
        problems.append("no conectix cookie")
    (checksum,) = struct.unpack(">I", f[64:68])
    if (~sum(f[:64] + b"\0\0\0\0" + f[68:])) & 0xFFFFFFFF != checksum:
        problems.append("bad checksum")
    if struct.unpack(">I", f[60:64])[0] != want_type:
        problems.append("disk type %d" % struct.unpack(">I", f[60:64]))
    if struct.unpack(">I", f[24:28])[0] != want_time:
        problems.append("timestamp %d" % struct.unpack(">I", f[24:28]))
    if struct.unpack(">Q", f[48:56])[0] % (1 << 20):
        problems.append("size not whole MiB")
    if f[74] >> 4 != 8:
        problems.append("UUID not version 8")
    if problems:
        sys.exit("%s: %s" % (path, ", ".join(problems)))
if want_type == 3 and footers[0] != footers[1]:
    sys.exit(path + ": the footer and its copy differ")
