"""The station image: a cached Debian 12 root (debootstrap) and, per run, an ext4 image of it
with the package and the test harness's guest files added (mkfs.ext4 -d: no loop mount)."""
import hashlib
import os
import pathlib
import shutil
import subprocess

from . import log

# What a polling-station computer runs besides Nazorat: systemd as PID 1, udev, journald,
# and the few tools the scenarios use (curl for the control socket, iproute2 for links).
PACKAGES = ["systemd", "systemd-sysv", "udev", "dbus", "kmod", "libsqlite3-0", "libudev1", "libsystemd0",
            "curl", "iproute2", "e2fsprogs", "procps", "ca-certificates", "util-linux", "sqlite3"]
MIRROR = "http://deb.debian.org/debian"
# Kernel module trees a station image does not need (the image stays small and mkfs fast).
MODULE_EXCLUDES = ["drivers/gpu", "drivers/media", "drivers/net/wireless", "drivers/net/ethernet",
                   "drivers/infiniband", "sound", "drivers/staging", "drivers/bluetooth", "drivers/isdn",
                   "drivers/iio", "fs/btrfs", "fs/xfs", "fs/ocfs2", "net/mac80211", "net/wireless"]
GUEST = pathlib.Path(__file__).resolve().parent.parent / "guest"


def kernel_release():
    """The newest Debian kernel installed on the host (linux-image-amd64)."""
    releases = sorted(p.name[len("vmlinuz-"):] for p in pathlib.Path("/boot").glob("vmlinuz-*"))
    if not releases:
        raise SystemExit("vm-test: no /boot/vmlinuz-*: install linux-image-amd64 (make vm-deps)")
    return releases[-1]


def base_root(cache: pathlib.Path) -> pathlib.Path:
    """The debootstrapped root, built once per package list and kernel, then reused."""
    release = kernel_release()
    key = hashlib.sha256(" ".join(PACKAGES + [release, MIRROR]).encode()).hexdigest()[:12]
    root = cache / f"base-{key}"
    if (root / ".complete").exists():
        log.step(f"base image: cached {root.name}")
        return root
    for stale in cache.glob("base-*"):
        shutil.rmtree(stale, ignore_errors=True)
    partial = cache / f"base-{key}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    log.step(f"base image: debootstrap bookworm ({len(PACKAGES)} packages) into {partial}")
    subprocess.run(["debootstrap", "--variant=minbase", "--include=" + ",".join(PACKAGES), "bookworm",
                    str(partial), MIRROR], check=True, stdout=subprocess.DEVNULL)
    modules = partial / "lib/modules" / release
    modules.mkdir(parents=True, exist_ok=True)
    subprocess.run(["rsync", "-a"] + [f"--exclude=/kernel/{e}" for e in MODULE_EXCLUDES]
                   + [f"/lib/modules/{release}/", f"{modules}/"], check=True)
    subprocess.run(["depmod", "-b", str(partial), release], check=True)
    (partial / "var/cache/apt/archives").mkdir(parents=True, exist_ok=True)
    subprocess.run(["chroot", str(partial), "apt-get", "clean"], check=True)
    (partial / ".complete").write_text(release + "\n")
    partial.rename(root)
    return root


def station_image(base: pathlib.Path, work: pathlib.Path, deb: pathlib.Path) -> pathlib.Path:
    """A fresh ext4 image of the base root with the package in /root (installed by the
    install scenario, as an administrator would) and the harness's guest files."""
    root = work / "root"
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(["cp", "-a", str(base), str(root)], check=True)
    (root / ".complete").unlink()
    shutil.copy(deb, root / "root" / "nazorat.deb")
    for name in ["vm-agent", "vm-gadget", "vm-lib.sh"]:
        target = root / "usr/local/sbin" / name
        shutil.copy(GUEST / name, target)
        target.chmod(0o755)
    units = root / "etc/systemd/system"
    for name in ["vm-agent.service", "vm-station.service"]:
        shutil.copy(GUEST / name, units / name)
    wants = units / "multi-user.target.wants"
    wants.mkdir(exist_ok=True)
    os.symlink("/etc/systemd/system/vm-agent.service", wants / "vm-agent.service")
    # agetty on the serial console would hang up other writers of it; the console log is
    # the kernel's and systemd's only.
    os.symlink("/dev/null", units / "serial-getty@ttyS0.service")
    # No unattended apt runs: they hold dpkg's lock when the install scenario runs (and a
    # polling station is not updated behind the commission's back either).
    for timer in ["apt-daily.timer", "apt-daily-upgrade.timer", "dpkg-db-backup.timer"]:
        os.symlink("/dev/null", units / timer)
    (root / "etc/hostname").write_text("station-tsh-0001\n")
    # The station's network, for the uplink: QEMU's user network, static (no DHCP wait).
    # 10.0.2.100 (central, through guestfwd) is on the link; there is no gateway.
    (root / "etc/systemd/network").mkdir(parents=True, exist_ok=True)
    (root / "etc/systemd/network/10-station.network").write_text(
        "[Match]\nName=en*\n\n[Network]\nAddress=10.0.2.15/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n")
    os.symlink("/lib/systemd/system/systemd-networkd.service", wants / "systemd-networkd.service")
    (root / "etc/fstab").write_text("/dev/vda / ext4 rw,errors=remount-ro 0 1\n")
    (root / "etc/modprobe.d/nazorat-vm.conf").write_text(
        "# fourteen dummy USB host controllers, one per gadget (vm-gadget)\noptions dummy_hcd num=14\n")
    subprocess.run(["chroot", str(root), "sh", "-c", "echo root:station | chpasswd"], check=True)
    image = work / "station.img"
    image.unlink(missing_ok=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "station", "-d", str(root), str(image), "3G"], check=True)
    shutil.rmtree(root)
    return image
