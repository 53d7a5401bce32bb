"""Coldplug and hot-plug storms: nazoratd and usbguard-daemon on the same umockdev devices,
the same rule file, both enforcing, measured in the same run."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from bench_common import Notify, STATION, boottime, child_named, config, process_stats, rss_now, started

USBGUARD = "/usr/sbin/usbguard-daemon"
PRELOAD = "libumockdev-preload.so.0"
STORM_GAP_MS = 2


def usbguard_config(directory, backend):
    path = os.path.join(directory, "usbguard-daemon.conf")
    with open(path, "w") as f:
        f.write(f"RuleFile={directory}/rules.conf\nImplicitPolicyTarget=block\nPresentDevicePolicy=apply-policy\n"
                "PresentControllerPolicy=apply-policy\nInsertedDevicePolicy=apply-policy\n"
                f"RestoreControllerDeviceState=false\nDeviceManagerBackend={backend}\nIPCAllowedUsers=root\n"
                f"AuditBackend=FileAudit\nAuditFilePath={directory}/audit.log\n")
    return path


# nazoratd's console line of a policy.decision event: "policy: PORT ID (ROLE) allowed by ...".
DECISION = re.compile(r"^\S+ \S+ +policy: \S+ \S+ \(", re.M)


def nazoratd_decisions(log):
    with open(log, errors="replace") as f:
        return len(DECISION.findall(f.read()))


DECIDED = re.compile(r"device\.system_name='([^']*)' target\.new=")


class AuditTail:
    """The devices USBGuard has decided, from its audit file, read incrementally (it logs a
    block twice: the decision and the deauthorization)."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = ""
        self.devices = set()

    def decided(self):
        try:
            with open(self.path, errors="replace") as f:
                f.seek(self.offset)
                chunk = f.read()
                self.offset = f.tell()
        except FileNotFoundError:
            return 0
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        self.devices.update(name for line in lines for name in DECIDED.findall(line))
        return len(self.devices)


def wait_until(condition, limit, what):
    deadline = boottime() + limit
    while not condition():
        if boottime() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.002)
    return boottime()


def nazoratd_command(products, directory):
    conf = config(directory, extra="")
    with open(conf) as f:
        text = f.read().replace('mode = "monitor"', 'mode = "enforce"')
    with open(conf, "w") as f:
        f.write(text)
    return [os.path.join(products, "nazoratd"), "--config", conf, "--log-target", "stderr"]


def coldplug(products, fixture_path, daemon, devices):
    """One coldplug run: start with `devices` present; time to READY=1 and to the last decision."""
    directory = tempfile.mkdtemp(prefix="nazorat-bench-")
    notify = Notify(directory)
    log = os.path.join(directory, "daemon.log")
    if daemon == "nazoratd":
        command = nazoratd_command(products, directory)
        decided = lambda: nazoratd_decisions(log)  # noqa: E731
    else:
        config(directory)
        command = [USBGUARD, "-k", "-P", "-c", usbguard_config(directory, "uevent")]
        decided = AuditTail(os.path.join(directory, "audit.log")).decided
    with open(log, "w") as out:
        sim = subprocess.Popen([os.path.join(products, "nazorat-station-sim"), "--station", fixture_path, "--"] + command,
                               stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, NOTIFY_SOCKET=notify.path))
        pid = child_named(sim.pid, "nazoratd" if daemon == "nazoratd" else "usbguard-daemon")
        start = started(pid)
        last = wait_until(lambda: decided() >= devices, 300, f"{daemon}'s coldplug decisions")
        if daemon == "nazoratd":
            notify.ready.wait(60)
        cpu, peak = process_stats(pid)
        os.kill(pid, signal.SIGKILL)
        sim.wait()
    shutil.rmtree(directory, ignore_errors=True)
    ready = notify.ready_at - start if notify.ready_at else None
    return {"ready_s": ready, "last_decision_s": last - start, "cpu_s": cpu, "rss_kib": peak}


def hotplug_nazoratd(products, storm_path, count):
    """`count` devices plugged one by one by the simulator into nazoratd on the polling station."""
    directory = tempfile.mkdtemp(prefix="nazorat-bench-")
    notify = Notify(directory)
    log = os.path.join(directory, "daemon.log")
    with open(log, "w") as out:
        sim = subprocess.Popen([os.path.join(products, "nazorat-station-sim"), "--station", STATION, "--storm", storm_path,
                                "--storm-gap", str(STORM_GAP_MS), "--"] + nazoratd_command(products, directory),
                               stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, NOTIFY_SOCKET=notify.path))
        pid = child_named(sim.pid, "nazoratd")
        notify.ready.wait(60)
        present = nazoratd_decisions(log)
        rss_started = rss_now(pid)
        wait_until(lambda: "storm: plugging" in open(log, errors="replace").read(), 60, "the storm")
        cpu_before, _ = process_stats(pid)
        sim_before, _ = process_stats(sim.pid)
        first = boottime()
        last = wait_until(lambda: nazoratd_decisions(log) >= present + count, 600, "nazoratd's storm decisions")
        result = storm_result(pid, first, last, nazoratd_decisions(log) - present, cpu_before, rss_started)
        # What umockdev's adds cost the simulator: USBGuard's own process pays this (below).
        result["simulator_cpu_s_per_1000"] = (process_stats(sim.pid)[0] - sim_before) * 1000 / count
        with open(log, errors="replace") as f:
            result["lost"] = f.read().count("events were lost while storage was failing")
        os.kill(pid, signal.SIGKILL)
        sim.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return result


def hotplug_usbguard(count, files):
    """The same devices into usbguard-daemon's umockdev backend: it loads each umockdev file that
    appears in its device directory and plugs the device into its own testbed (its uevent
    backend ignores the libudev-format messages umockdev sends). Files appear by hard link, so
    each is complete when inotify reports it.

    Closed loop: the next file appears once the previous device is decided. The backend reads
    one inotify event and one uevent per turn of its loop, so a faster storm overflows the
    umockdev uevent queue it sends to itself (seen with a 2 ms gap)."""
    directory = tempfile.mkdtemp(prefix="nazorat-bench-")
    config(directory)
    devices = os.path.join(directory, "devices")
    os.mkdir(devices)
    shutil.copy(STATION, devices)
    audit = AuditTail(os.path.join(directory, "audit.log"))
    env = dict(os.environ, USBGUARD_UMOCKDEV_DEVICEDIR=devices, LD_PRELOAD=PRELOAD)
    env.pop("UMOCKDEV_DIR", None)
    with open(os.path.join(directory, "daemon.log"), "w") as out:
        daemon = subprocess.Popen([USBGUARD, "-k", "-P", "-c", usbguard_config(directory, "umockdev")],
                                  stdout=out, stderr=subprocess.STDOUT, env=env)
        wait_until(lambda: audit.decided() > 0, 60, "usbguard's start")
        time.sleep(1)  # the station's decisions settle
        present = audit.decided()
        rss_started = rss_now(daemon.pid)
        cpu_before, _ = process_stats(daemon.pid)
        first = boottime()
        for index, path in enumerate(files[:count]):
            os.link(path, os.path.join(devices, os.path.basename(path)))
            last = wait_until(lambda: audit.decided() >= present + index + 1, 60, "usbguard's storm decisions")
        result = storm_result(daemon.pid, first, last, audit.decided() - present, cpu_before, rss_started)
        result["lost"] = 0 if result["decisions"] == count else count - result["decisions"]
        daemon.kill()
        daemon.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return result


def storm_result(pid, first, last, decided, cpu_before, rss_started):
    cpu = process_stats(pid)[0] - cpu_before
    return {"decisions": decided, "decisions_per_s": decided / (last - first), "cpu_s": cpu,
            "cpu_s_per_1000": cpu * 1000 / max(decided, 1), "rss_kib_started": rss_started, "rss_kib_after": rss_now(pid)}
