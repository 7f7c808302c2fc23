#!/usr/bin/env python3
"""Opens non-persistent TUN devices and execs a command that inherits their fds.

usage: tun-open.py NAME [NAME ...] -- COMMAND [ARG ...]

Node has no ioctl, so this does TUNSETIFF (IFF_TUN | IFF_NO_PI) and then
replaces itself with COMMAND (same pid), passing WB_TUN_FDS=name=fd,...
The devices vanish when the last fd closes, so a killed emulator leaves
no interface behind.
"""
import fcntl
import os
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main() -> None:
    if "--" not in sys.argv:
        sys.exit("tun-open.py: expected NAME ... -- COMMAND ...")
    split = sys.argv.index("--")
    names, command = sys.argv[1:split], sys.argv[split + 1 :]
    if not names or not command:
        sys.exit("tun-open.py: expected at least one NAME and a COMMAND")
    pairs = []
    for name in names:
        if not name.startswith("wb-") or len(name) > 15:
            sys.exit(f"tun-open.py: expected a wb- name of at most 15 characters, got {name!r}")
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
        os.set_inheritable(fd, True)
        pairs.append(f"{name}={fd}")
    os.environ["WB_TUN_FDS"] = ",".join(pairs)
    os.execvp(command[0], command)


main()
