"""The control API's latency, nazoratctl's wall time, idle wakeups, and the uplink draining
a 24-hour outage backlog into nazorat-central."""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

import smaps
from bench_common import (HERE, Notify, STATION, boottime, child_named, config, process_stats, rss_now, switches,
                          wakeups)


class Station:
    """nazoratd under the simulator on `fixture_path`, READY, with its control socket."""

    def __init__(self, products, fixture_path, extra="", state=None):
        self.directory = tempfile.mkdtemp(prefix="nazorat-bench-")
        if state:
            shutil.copytree(state, os.path.join(self.directory, "state"))
        self.config = config(self.directory, extra)
        self.socket = os.path.join(self.directory, "control.sock")
        notify = Notify(self.directory)
        self.log = open(os.path.join(self.directory, "daemon.log"), "w")
        self.sim = subprocess.Popen([os.path.join(products, "nazorat-station-sim"), "--station", fixture_path, "--",
                                     os.path.join(products, "nazoratd"), "--config", self.config, "--log-target", "stderr"],
                                    stdout=self.log, stderr=subprocess.STDOUT,
                                    env=dict(os.environ, NOTIFY_SOCKET=notify.path))
        self.pid = child_named(self.sim.pid, "nazoratd")
        if not notify.ready.wait(300):
            raise RuntimeError("nazoratd did not get ready")

    def stop(self):
        os.kill(self.pid, signal.SIGKILL)
        self.sim.wait()
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def api(products, tools, fixture_path):
    """Closed-loop latency of GET /v1/status and /v1/devices with 1,000 devices present."""
    station = Station(products, fixture_path)
    results = {}
    try:
        for path, per_connection in [("/v1/status", 5000), ("/v1/devices", 400)]:
            for concurrency in [1, 16]:
                requests = max(per_connection // concurrency, 50)
                cpu_before, _ = process_stats(station.pid)
                out = subprocess.run([os.path.join(tools, "nazorat-api-load"), station.socket, path, str(concurrency),
                                      str(requests)], check=True, capture_output=True, text=True).stdout
                load = json.loads(out)
                load["server_cpu_ms_per_request"] = (process_stats(station.pid)[0] - cpu_before) * 1000 / load["requests"]
                results[f"{path} c={concurrency}"] = load
        results["nazoratctl status"] = nazoratctl_status(products, station.socket)
        results["rss_kib_after"] = rss_now(station.pid)
    finally:
        station.stop()
    return results


def nazoratctl_status(products, socket_path):
    """`nazoratctl status` wall time (hyperfine; it exits 1 or 2 when devices are missing or
    alarms are open, hence --ignore-failure)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(["hyperfine", "--shell=none", "--ignore-failure", "--warmup", "5", "--runs", "50",
                        "--export-json", export.name, f"{os.path.join(products, 'nazoratctl')} --socket {socket_path} status"],
                       check=True, capture_output=True)
        run = json.load(open(export.name))["results"][0]
    return {"median_ms": run["median"] * 1000, "min_ms": run["min"] * 1000, "max_ms": run["max"] * 1000,
            "mean_ms": run["mean"] * 1000, "stddev_ms": run["stddev"] * 1000, "runs": len(run["times"])}


def idle(products, seconds):
    """CPU seconds and wakeups of nazoratd on the polling station with nothing happening
    (no watchdog, no uplink: no timer of its own should fire)."""
    station = Station(products, STATION)
    try:
        time.sleep(2)
        return measure_idle(station.pid, seconds)
    finally:
        station.stop()


def idle_floor(scratch, seconds):
    """The same measurement of a six-line Swift program that only awaits an AsyncStream: the
    wakeups the Swift runtime itself makes, with no code of ours."""
    binary = os.path.join(scratch, "idle-floor")
    subprocess.run(["swiftc", "-O", os.path.join(HERE, "idle_floor.swift"), "-o", binary], check=True,
                   capture_output=True)
    process = subprocess.Popen([binary])
    try:
        time.sleep(2)
        return measure_idle(process.pid, seconds)
    finally:
        process.kill()
        process.wait()


def measure_idle(pid, seconds):
    cpu_before, _ = process_stats(pid)
    switches_before = switches(pid)
    time.sleep(seconds)
    cpu_after, _ = process_stats(pid)
    return {"seconds": seconds, "cpu_s": cpu_after - cpu_before,
            "wakeups": wakeups(switches_before, switches(pid)), "rss_kib": rss_now(pid), "smaps": smaps.breakdown(pid)}


def make_backlog(tools, scratch):
    """A station's state directory after a 24-hour outage (made once, copied for each run)."""
    state = os.path.join(scratch, "backlog-state")
    began = time.monotonic()
    out = subprocess.run([os.path.join(tools, "nazorat-backlog"), state, "BENCH-1", "24", "15", "10000"],
                         check=True, capture_output=True, text=True).stdout
    backlog = json.loads(out)
    backlog["generation_s"] = time.monotonic() - began
    return state, backlog


def drain(products, state, backlog):
    """Central enrolled, nazoratd started on the backlog, then nazorat-uplink: the time until
    central accepted the backlog's last envelope, and what it cost each process."""
    central_dir = tempfile.mkdtemp(prefix="nazorat-bench-central-")
    central_bin = os.path.join(products, "nazorat-central")
    subprocess.run([central_bin, "enroll", "--state-dir", central_dir, "BENCH-1", backlog["public_key"]],
                   check=True, capture_output=True)
    central_log = open(os.path.join(central_dir, "central.log"), "w+")
    central = subprocess.Popen([central_bin, "--listen", "127.0.0.1:0", "--state-dir", central_dir],
                               stdout=central_log, stderr=subprocess.STDOUT)
    port = None
    while port is None:
        central_log.seek(0)
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", central_log.read())
        port = match and int(match.group(1))
        time.sleep(0.01)
    station = Station(products, STATION, extra=f'[uplink]\nurl = "http://127.0.0.1:{port}/v1/envelopes"\n', state=state)
    database = sqlite3.connect(f"file:{central_dir}/central.db?mode=ro", uri=True)

    def accepted():
        row = database.execute("SELECT accepted_seq FROM stations WHERE station = 'BENCH-1'").fetchone()
        return row[0] if row else 0

    try:
        daemon_before, _ = process_stats(station.pid)
        began = boottime()
        uplink = subprocess.Popen([os.path.join(products, "nazorat-uplink"), "--config", station.config],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        progress, progressed_at = 0, began
        while (now := accepted()) < backlog["last_seq"]:
            if now > progress:
                progress, progressed_at = now, boottime()
            if uplink.poll() is not None or boottime() - progressed_at > 60:
                raise RuntimeError(f"the drain stalled at seq {now} (see nazorat-uplink's log)")
            time.sleep(0.05)
        elapsed = boottime() - began
        result = {"seconds": elapsed, "envelopes": backlog["last_seq"], "envelopes_per_s": backlog["last_seq"] / elapsed,
                  "uplink_cpu_s": process_stats(uplink.pid)[0], "central_cpu_s": process_stats(central.pid)[0],
                  "nazoratd_cpu_s": process_stats(station.pid)[0] - daemon_before,
                  "rejections": database.execute("SELECT count(*) FROM rejections").fetchone()[0]}
        uplink.kill()
        uplink.wait()
    finally:
        database.close()
        station.stop()
        central.kill()
        central.wait()
        shutil.rmtree(central_dir, ignore_errors=True)
    return result
