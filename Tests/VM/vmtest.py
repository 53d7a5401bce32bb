#!/usr/bin/env python3
"""make vm-test: the Debian package on a Debian 12 station image, booted under systemd on a
real kernel in QEMU, with real USB devices (gadgets on dummy_hcd, and QEMU's own xhci).
Tests/VM/README.md says what each scenario proves; the closing line is
'vm-test: N passed, N failed'."""
import argparse
import pathlib
import signal
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from vm import image, log, plan  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deb", type=pathlib.Path, help="the package to install (make deb)")
    parser.add_argument("--central", type=pathlib.Path, help="nazorat-central on the host (the uplink scenario)")
    parser.add_argument("--only", action="append", default=[], help="run only the scenarios with this name (repeatable)")
    parser.add_argument("--shell", action="store_true", help="boot a fresh station with the package and give a root shell on it")
    parser.add_argument("--cache", type=pathlib.Path, default=REPO / ".build-vm", help="the image cache (ignored by git)")
    args = parser.parse_args()
    # SIGTERM (CI's timeout, a Ctrl-C'd make) ends the harness through its atexit handlers,
    # which kill the VMs it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.cache.mkdir(parents=True, exist_ok=True)
    work = args.cache / "work"
    work.mkdir(exist_ok=True)
    if not args.deb or not args.deb.exists():
        parser.error("--deb: no package (make deb builds it)")
    base = image.base_root(args.cache)
    if args.shell:
        return plan.shell(base, work, args.deb)
    log.step("station image: the base root, the package in /root, the harness's guest files")
    station = image.station_image(base, work, args.deb)
    plan.run_all(station, work, args)
    return 0 if log.summary() else 1


if __name__ == "__main__":
    sys.exit(main())
