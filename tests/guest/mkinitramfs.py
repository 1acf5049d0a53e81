#!/usr/bin/env python3
"""mkinitramfs.py OUT INIT BUSYBOX MODULE...: a newc cpio archive for the tiny test guest.

Written here so that no root and no cpio tool are needed: every entry is owned by uid 0, the
archive holds /dev/console (so the kernel has a console before devtmpfs is mounted), /init,
/bin/busybox and the modules under /lib/modules/.
"""
import os
import stat
import sys


def entry(out, ino, name, mode, data=b"", rdev=(0, 0)):
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    out.write(b"070701" + b"".join(b"%08X" % f for f in fields))
    out.write(name_bytes)
    out.write(b"\0" * ((4 - (110 + len(name_bytes)) % 4) % 4))
    out.write(data)
    out.write(b"\0" * ((4 - len(data) % 4) % 4))


def main():
    out_path, init, busybox, modules = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    files = [("init", init, 0o755), ("bin/busybox", busybox, 0o755)]
    files += [("lib/modules/" + os.path.basename(m), m, 0o644) for m in modules]
    with open(out_path, "wb") as out:
        ino = 1
        for d in ["bin", "dev", "etc", "lib", "lib/modules", "proc", "sys", "tmp"]:
            entry(out, ino, d, stat.S_IFDIR | 0o755)
            ino += 1
        entry(out, ino, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
        ino += 1
        for name, path, mode in files:
            with open(path, "rb") as f:
                entry(out, ino, name, stat.S_IFREG | mode, f.read())
            ino += 1
        entry(out, ino, "TRAILER!!!", 0)


main()
