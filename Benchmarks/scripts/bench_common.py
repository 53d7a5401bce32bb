"""What every benchmark scenario shares: fixtures, configurations, process statistics
from /proc, the notify socket, and summaries over runs."""
import os
import shutil
import socket
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "Tests", "Fixtures"))
import generate  # noqa: E402  (the fixture generator: same device model as the tests)

TICKS = os.sysconf("SC_CLK_TCK")
STATION = os.path.join(REPO, "Tests", "Fixtures", "polling-station.umockdev")


def storm_device(n):
    """The `n`th benchmark device: a HID device on port 2-`n` of the USB 3 root hub."""
    return (generate.Device(f"{generate.PCI}/usb2/2-{n}", 0x16c0, 0x05dc, 0x0100,
                            [(3, 0, 0, "usbhid", [generate.endpoint(0x81, 3, 8, 10)], b"")],
                            manufacturer="Bench", product_name="Bench device", serial=f"BENCH{n:05d}",
                            connect_type="hotplug", speed="12"), 2, 1 + n)


def fixture(directory, count, name, with_station=False):
    """`count` benchmark devices in one umockdev file, after the polling station if asked."""
    generate.HERE = directory
    generate.write(name, "bench", [storm_device(n) for n in range(1, count + 1)])
    path = os.path.join(directory, name)
    if with_station:
        with open(STATION) as f:
            station = f.read()
        with open(path) as f:
            devices = f.read()
        with open(path, "w") as f:
            f.write(station + "\n" + devices)
    return path


def device_files(directory, count):
    """One umockdev file per benchmark device (USBGuard's umockdev backend loads each new file)."""
    generate.HERE = directory
    for n in range(1, count + 1):
        generate.write(f"bench-{n:05d}.umockdev", "bench", [storm_device(n)])
    return [os.path.join(directory, f"bench-{n:05d}.umockdev") for n in range(1, count + 1)]


def station_devices():
    """How many USB devices (hubs included) the polling-station fixture has."""
    with open(STATION) as f:
        return f.read().count("E: DEVTYPE=usb_device")


def process_stats(pid):
    """CPU seconds (user + system) and peak RSS (KiB) of a live process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1])
    return cpu, rss


def switches(pid):
    """Voluntary plus involuntary context switches per thread: its wakeups."""
    counts = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                counts[task] = sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        except FileNotFoundError:
            pass
    return counts


def wakeups(before, after):
    """Switches in between, per thread (a thread that ended in between counts what it had)."""
    return sum(count - before.get(task, 0) for task, count in after.items())


def boottime():
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def started(pid):
    """When the process started, in CLOCK_BOOTTIME seconds (1/TICKS resolution)."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[19]) / TICKS


def child_named(parent, name, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        stat = f.read()
                    ppid = int(stat.rsplit(")", 1)[1].split()[1])
                    comm = stat[stat.index("(") + 1:stat.rindex(")")]
                except (FileNotFoundError, ValueError, ProcessLookupError):
                    continue
                if ppid == parent and comm.startswith(name[:15]):
                    return int(entry)
        time.sleep(0.01)
    raise RuntimeError(f"no {name} under {parent}")


class Notify:
    """A NOTIFY_SOCKET that records when READY=1 arrived."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.ready = threading.Event()
        self.ready_at = None
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            data = self.sock.recv(4096)
            if data.startswith(b"READY=1") and self.ready_at is None:
                self.ready_at = boottime()
                self.ready.set()


def rss_now(pid):
    """Resident set size now, KiB."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def config(directory, extra=""):
    shutil.copy(os.path.join(REPO, "systemd", "rules.conf"), os.path.join(directory, "rules.conf"))
    path = os.path.join(directory, "nazorat.toml")
    with open(path, "w") as f:
        f.write(f'station = "BENCH-1"\nmode = "monitor"\nstate-dir = "state"\nsocket = "control.sock"\n'
                f'[policy]\nrules = "rules.conf"\n{extra}')
    return path


def summarize(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}
