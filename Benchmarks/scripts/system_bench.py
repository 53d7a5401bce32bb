#!/usr/bin/env python3
"""System benchmarks of nazoratd, side by side with usbguard-daemon where the issue asks.

Usage: system_bench.py PRODUCTS OUT.json [--runs N]

PRODUCTS holds the release binaries (nazoratd, nazoratctl, nazorat-uplink, nazorat-central,
nazorat-station-sim). Every measurement runs N times; the JSON has each run's numbers.
Scenarios (see BENCHMARKS.md for the commands and the results):
  coldplug    a station with 1,000 present devices: time to READY=1 (nazoratd) or to the last
              decision (both), CPU seconds, peak RSS
  hotplug     1,000 devices plugged while it runs: decisions per second, CPU seconds, RSS, lost
  api         GET /v1/status and /v1/devices latency at concurrency 1 and 16 (1,000 devices)
  idle        CPU seconds and wakeups (context switches) over 60 s with nothing happening
  drain       time to deliver a 24-hour backlog (5,760 heartbeats + 10,000 events) to central
"""
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "Tests", "Fixtures"))
import generate  # noqa: E402  (the fixture generator: same device model as the tests)

TICKS = os.sysconf("SC_CLK_TCK")
USBGUARD = "/usr/sbin/usbguard-daemon"


def fixture(directory, count, name):
    """The polling station plus `count` storm devices on the USB 3 root hub."""
    generate.HERE = directory
    devices = [(generate.Device(f"{generate.PCI}/usb2/2-{n}", 0x16c0, 0x05dc, 0x0100,
                                [(3, 0, 0, "usbhid", [generate.endpoint(0x81, 3, 8, 10)], b"")],
                                manufacturer="Bench", product_name="Bench device", serial=f"BENCH{n:05d}",
                                connect_type="hotplug", speed="12"), 2, 1 + n) for n in range(1, count + 1)]
    generate.write(name, "bench", devices)
    return os.path.join(directory, name)


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


def config(directory, extra=""):
    shutil.copy(os.path.join(REPO, "systemd", "rules.conf"), os.path.join(directory, "rules.conf"))
    path = os.path.join(directory, "nazorat.toml")
    with open(path, "w") as f:
        f.write(f'station = "BENCH-1"\nmode = "monitor"\nstate-dir = "state"\nsocket = "control.sock"\n'
                f'[policy]\nrules = "rules.conf"\n{extra}')
    return path


def usbguard_config(directory, backend="uevent"):
    path = os.path.join(directory, "usbguard-daemon.conf")
    with open(path, "w") as f:
        f.write(f"RuleFile={directory}/rules.conf\nImplicitPolicyTarget=block\nPresentDevicePolicy=apply-policy\n"
                "PresentControllerPolicy=apply-policy\nInsertedDevicePolicy=apply-policy\n"
                f"RestoreControllerDeviceState=false\nDeviceManagerBackend={backend}\nIPCAllowedUsers=root\n"
                f"AuditBackend=FileAudit\nAuditFilePath={directory}/audit.log\n")
    return path


def decisions_in(path):
    try:
        with open(path) as f:
            return sum(1 for line in f if "target.new=" in line or "policy.decision" in line)
    except FileNotFoundError:
        return 0


def coldplug(products, fixture_path, daemon, devices):
    """One coldplug run of `daemon` ("nazoratd" or "usbguard")."""
    directory = tempfile.mkdtemp(prefix="nazorat-bench-")
    conf = config(directory)
    notify = Notify(directory)
    log = os.path.join(directory, "daemon.log")
    if daemon == "nazoratd":
        command = [os.path.join(products, "nazoratd"), "--config", conf, "--log-target", "stderr"]
    else:
        command = ["/usr/bin/stdbuf", "-oL", "-eL", USBGUARD, "-k", "-P", "-c", usbguard_config(directory)]
    env = dict(os.environ, NOTIFY_SOCKET=notify.path)
    with open(log, "w") as out:
        sim = subprocess.Popen([os.path.join(products, "nazorat-station-sim"), "--station", fixture_path, "--"] + command,
                               stdout=out, stderr=subprocess.STDOUT, env=env)
        pid = child_named(sim.pid, "nazoratd" if daemon == "nazoratd" else "usbguard-daemon")
        start = started(pid)
        if daemon == "nazoratd":
            # READY=1 comes once every present device is recorded and decided.
            notify.ready.wait(300)
            last = notify.ready_at
        else:
            while decisions_in(log) < devices:
                time.sleep(0.002)
                if boottime() - start > 300:
                    raise RuntimeError(f"usbguard: only {decisions_in(log)} decisions")
            last = boottime()
        ready = (notify.ready_at - start) if notify.ready_at else None
        cpu, rss = process_stats(pid)
        os.kill(pid, signal.SIGKILL)
        sim.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return {"ready_s": ready, "last_decision_s": last - start, "cpu_s": cpu, "rss_kib": rss}


def storm_fixture(directory, count):
    """Only the `count` storm devices (no station), for --storm."""
    return fixture(directory, count, f"storm-{count}.umockdev")


def hotplug(products, storm_path, daemon, count):
    """`count` devices plugged one by one (2 ms apart) into a running daemon on the station."""
    directory = tempfile.mkdtemp(prefix="nazorat-bench-")
    conf = config(directory)
    notify = Notify(directory)
    log = os.path.join(directory, "daemon.log")
    if daemon == "nazoratd":
        command = [os.path.join(products, "nazoratd"), "--config", conf, "--log-target", "stderr"]
    else:
        # Its umockdev backend (its uevent backend ignores umockdev's libudev-format events)
        # needs the testbed's device directory, known only inside the simulator's child.
        command = ["/bin/sh", "-c", "USBGUARD_UMOCKDEV_DEVICEDIR=$UMOCKDEV_DIR/sys/devices exec /usr/bin/stdbuf -oL -eL "
                   f"{USBGUARD} -k -P -c {usbguard_config(directory, backend='umockdev')}"]
    station = os.path.join(REPO, "Tests", "Fixtures", "polling-station.umockdev")
    with open(log, "w") as out:
        sim = subprocess.Popen([os.path.join(products, "nazorat-station-sim"), "--station", station, "--storm", storm_path,
                                "--storm-gap", "2", "--every", "3", "--"] + command,
                               stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, NOTIFY_SOCKET=notify.path))
        pid = child_named(sim.pid, "nazoratd" if daemon == "nazoratd" else "usbguard-daemon")
        present = decisions_in(log)
        while "storm: plugging" not in open(log).read():
            time.sleep(0.01)
        cpu_before, _ = process_stats(pid)
        first = boottime()
        deadline = first + 300
        while decisions_in(log) < present + count and boottime() < deadline:
            time.sleep(0.01)
        last = boottime()
        decided = decisions_in(log) - present
        cpu_after, _ = process_stats(pid)
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        lost = open(log).read().count("events.lost")
        os.kill(pid, signal.SIGKILL)
        sim.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return {"decisions": decided, "decisions_per_s": decided / (last - first), "cpu_s": cpu_after - cpu_before,
            "cpu_s_per_1000": (cpu_after - cpu_before) * 1000 / max(decided, 1), "rss_kib_after": rss, "lost": lost}


def idle(products, seconds):
    """CPU seconds and context switches of nazoratd doing nothing for `seconds`."""
    directory = tempfile.mkdtemp(prefix="nazorat-bench-")
    conf = config(directory)
    notify = Notify(directory)
    station = os.path.join(REPO, "Tests", "Fixtures", "polling-station.umockdev")
    with open(os.path.join(directory, "daemon.log"), "w") as out:
        sim = subprocess.Popen([os.path.join(products, "nazorat-station-sim"), "--station", station, "--",
                                os.path.join(products, "nazoratd"), "--config", conf, "--log-target", "stderr"],
                               stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, NOTIFY_SOCKET=notify.path))
        pid = child_named(sim.pid, "nazoratd")
        notify.ready.wait(60)
        time.sleep(2)
        cpu_before, _ = process_stats(pid)
        switches_before = switches(pid)
        time.sleep(seconds)
        cpu_after, _ = process_stats(pid)
        switches_after = switches(pid)
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        os.kill(pid, signal.SIGKILL)
        sim.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return {"seconds": seconds, "cpu_s": cpu_after - cpu_before, "wakeups": wakeups(switches_before, switches_after),
            "rss_kib": rss}


def summarize(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def main():
    products, out = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    scratch = tempfile.mkdtemp(prefix="nazorat-bench-fixtures-")
    station_1000 = fixture(scratch, 1000, "station-1000.umockdev")
    with open(os.path.join(REPO, "Tests", "Fixtures", "polling-station.umockdev")) as f:
        base = f.read()
    with open(station_1000) as f:
        storm = f.read()
    with open(station_1000, "w") as f:
        f.write(base + "\n" + storm)
    total = 1000 + base.count("E: DEVTYPE=usb_device")
    results = {"devices": total}
    for daemon in ["nazoratd", "usbguard"]:
        if daemon == "usbguard" and not os.path.exists(USBGUARD):
            continue
        measured = [coldplug(products, station_1000, daemon, total) for _ in range(runs)]
        results[f"coldplug_{daemon}"] = {key: summarize(measured, key)
                                         for key in ["ready_s", "last_decision_s", "cpu_s", "rss_kib"]}
        print(daemon, results[f"coldplug_{daemon}"], flush=True)
    storm = storm_fixture(scratch, 1000)
    for daemon in ["nazoratd", "usbguard"]:
        if daemon == "usbguard" and not os.path.exists(USBGUARD):
            continue
        measured = [hotplug(products, storm, daemon, 1000) for _ in range(runs)]
        results[f"hotplug_{daemon}"] = {key: summarize(measured, key) for key in
                                        ["decisions", "decisions_per_s", "cpu_s", "cpu_s_per_1000", "rss_kib_after", "lost"]}
        print("hotplug", daemon, results[f"hotplug_{daemon}"], flush=True)
    idle_seconds = int(os.environ.get("NAZORAT_BENCH_IDLE", "60"))
    measured = [idle(products, idle_seconds) for _ in range(max(1, runs // 2))]
    results["idle_nazoratd"] = {key: summarize(measured, key) for key in ["seconds", "cpu_s", "wakeups", "rss_kib"]}
    print("idle", results["idle_nazoratd"], flush=True)
    with open(out, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
