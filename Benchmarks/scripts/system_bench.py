#!/usr/bin/env python3
"""System benchmarks of nazoratd, side by side with usbguard-daemon where the issue asks.

Usage: system_bench.py PRODUCTS TOOLS OUT.json [--runs N] [--only a,b]

PRODUCTS holds the release binaries (nazoratd, nazoratctl, nazorat-uplink, nazorat-central,
nazorat-station-sim); TOOLS the benchmark tools (nazorat-api-load, nazorat-backlog). Each
scenario runs N times (idle and drain fewer: they take minutes); the JSON has each run's
numbers and their summaries. Scenarios:
  coldplug  1,000 devices present at start: READY=1, last decision, CPU, peak RSS (both daemons)
  hotplug   1,000 devices plugged 2 ms apart: decisions/s, CPU, RSS, lost (both daemons)
  api       GET /v1/status and /v1/devices latency at concurrency 1 and 16, nazoratctl status
Environment: NAZORAT_BENCH_DEVICES (1000) devices for coldplug, hot-plug and the API.
  idle      CPU and wakeups over NAZORAT_BENCH_IDLE (60) seconds, and the Swift runtime's floor
  drain     a 24-hour outage backlog (5,760 heartbeats + 10,000 events) delivered to central
  yearlog   a million-event database: start to READY=1, the audit after it, verify-log (time,
            peak RSS), the size on disk (NAZORAT_BENCH_YEAR_EVENTS changes the count)
"""
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

import devices_bench
import log_bench
import service_bench
from bench_common import device_files, fixture, station_devices, summarize

SCENARIOS = ["coldplug", "hotplug", "api", "idle", "drain", "yearlog"]


def summarized(measured):
    keys = [key for key, value in measured[0].items() if isinstance(value, (int, float))]
    return {"runs": measured, "summary": {key: summarize(measured, key) for key in keys}}


def machine():
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "unknown")
    with open("/proc/meminfo") as f:
        memory = int(f.readline().split()[1]) // 1024 // 1024
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    usbguard = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "usbguard"], capture_output=True, text=True).stdout
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": memory, "kernel": platform.release(),
            "swift": swift[0] if swift else "unknown", "usbguard": usbguard}


def main():
    products, tools, out = sys.argv[1], sys.argv[2], sys.argv[3]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else SCENARIOS
    scratch = tempfile.mkdtemp(prefix="nazorat-bench-fixtures-")
    results = json.load(open(out)) if os.path.exists(out) else {}
    results.update(machine=machine(), runs=runs)
    # NAZORAT_BENCH_DEVICES: fewer devices for a quick try of the scripts (the is 1,000).
    count = int(os.environ.get("NAZORAT_BENCH_DEVICES", "1000"))
    station_1000 = fixture(scratch, count, "station-1000.umockdev", with_station=True)
    total = count + station_devices()

    def record(name, measured):
        results[name] = summarized(measured)
        print(name, json.dumps(results[name]["summary"]), flush=True)
        with open(out, "w") as f:
            json.dump(results, f, indent=2)

    if "coldplug" in only:
        results["coldplug_devices"] = total
        for daemon in ["nazoratd", "usbguard"]:
            record(f"coldplug_{daemon}", [devices_bench.coldplug(products, station_1000, daemon, total)
                                          for _ in range(runs)])
    if "hotplug" in only:
        storm = fixture(scratch, count, "storm-1000.umockdev")
        files_dir = os.path.join(scratch, "files")
        os.mkdir(files_dir)
        files = device_files(files_dir, count)
        record("hotplug_nazoratd", [devices_bench.hotplug_nazoratd(products, storm, count) for _ in range(runs)])
        record("hotplug_usbguard", [devices_bench.hotplug_usbguard(count, files) for _ in range(runs)])
    if "api" in only:
        measured = [service_bench.api(products, tools, station_1000) for _ in range(runs)]
        for key in measured[0]:
            if isinstance(measured[0][key], dict):
                record(f"api {key}", [run[key] for run in measured])
    if "idle" in only:
        seconds = int(os.environ.get("NAZORAT_BENCH_IDLE", "60"))
        record("idle_nazoratd", [service_bench.idle(products, seconds) for _ in range(max(1, runs // 2))])
        record("idle_swift_floor", [service_bench.idle_floor(scratch, seconds)])
    if "drain" in only:
        state, backlog = service_bench.make_backlog(tools, scratch)
        results["drain_backlog"] = backlog
        record("drain", [service_bench.drain(products, state, backlog) for _ in range(max(1, runs // 2))])
    if "yearlog" in only:
        record("yearlog", log_bench.year_log(products, tools, runs))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
