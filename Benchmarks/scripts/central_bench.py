#!/usr/bin/env python3
"""make bench-central: nazorat-central (release) under simulated stations' load, written
into BENCHMARKS.md between its markers. Each scenario gets a central of its own: a fresh
state directory with the national list enrolled from CSV, so that every station's sequence
starts at 1. Figures only: nothing here passes or fails on a number.

    central_bench.py RELEASE_DIR BENCH_RELEASE_DIR BENCHMARKS.md [--quick]
"""
import datetime
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

STATIONS = 11_000
BEGIN = "<!-- central: written by Benchmarks/scripts/central_bench.py (make bench-central); edits here are lost -->"
END = "<!-- end of central -->"


class Central:
    """nazorat-central on a loopback port with the list enrolled in a state directory of its own."""

    def __init__(self, release, load, stations, csv):
        self.directory = tempfile.mkdtemp(prefix="nazorat-bench-central-")
        started = time.monotonic()
        subprocess.run([f"{release}/nazorat-central", "enroll", "--state-dir", self.directory, "--csv", csv],
                       check=True, stdout=subprocess.DEVNULL)
        self.enrol_seconds = time.monotonic() - started
        self.process = subprocess.Popen([f"{release}/nazorat-central", "--listen", "127.0.0.1:0", "--state-dir",
                                         self.directory], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        self.port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        self.load = load

    def run(self, *arguments):
        out = subprocess.run([f"{self.load}/nazorat-central-load", *map(str, arguments)], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)

    def get(self, path, times=5):
        """Median seconds and bytes of `times` GETs of `path`."""
        seconds, size = [], 0
        for _ in range(times):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            started = time.monotonic()
            connection.request("GET", path)
            body = connection.getresponse().read()
            seconds.append(time.monotonic() - started)
            size = len(body)
            connection.close()
        return {"median_s": statistics.median(seconds), "max_s": max(seconds), "bytes": size}

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.directory, ignore_errors=True)


def main():
    release, load, document = sys.argv[1], sys.argv[2], sys.argv[3]
    quick = "--quick" in sys.argv
    seconds = 20 if quick else 60
    work = tempfile.mkdtemp(prefix="nazorat-bench-list-")
    csv = os.path.join(work, "stations.csv")
    with open(csv, "w") as f:
        f.write(subprocess.run([f"{load}/nazorat-central-load", "csv", str(STATIONS)], check=True, capture_output=True,
                               text=True).stdout)
    results = {"stations": STATIONS, "seconds": seconds, "store": "sqlite"}

    central = Central(release, load, STATIONS, csv)
    results["enrol_s"] = central.enrol_seconds
    results["national_rate"] = central.run("steady", central.port, STATIONS, 733, seconds, 64)
    results["metrics"] = central.get("/metrics")
    results["stations_list"] = central.get("/v1/stations")
    results["regions"] = central.get("/v1/regions")
    central.stop()

    central = Central(release, load, STATIONS, csv)
    results["after_outage_rate"] = central.run("steady", central.port, STATIONS, 2200, seconds, 64)
    central.stop()

    results["ramp"] = []
    for rate in [1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000]:
        central = Central(release, load, STATIONS, csv)
        step = central.run("steady", central.port, STATIONS, rate, 20, 64)
        central.stop()
        results["ramp"].append(step)
        if step["achieved_per_s"] < 0.98 * rate or step["p99_ms"] > 1000 or step["refused"]:
            break

    central = Central(release, load, STATIONS, csv)
    results["catch_up"] = central.run("backlog", central.port, 2000, 240, 16)
    central.stop()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(".build", exist_ok=True)
    with open(".build/bench-central.json", "w") as f:
        json.dump(results, f, indent=2)
    write(document, render(results))


def render(r):
    def steady_row(name, s):
        refused = ", ".join(s["refused"]) or "none"
        return (f"| {name} | {s['offered_per_s']:.0f} | {s['achieved_per_s']:.0f} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} "
                f"| {s['max_ms']:.0f} | {refused} |")
    sustained = [s for s in r["ramp"] if s["achieved_per_s"] >= 0.98 * s["offered_per_s"] and s["p99_ms"] <= 1000
                 and not s["refused"]]
    lines = [
        f"Measured {datetime.date.today().isoformat()}: nazorat-central (release, SQLite store) and the load generator "
        f"(`Benchmarks/Tools/nazorat-central-load`) on the same 2-core machine, {r['stations']:,} stations enrolled "
        f"from CSV, one heartbeat per request, 64 keep-alive connections, loopback; latency from when an envelope "
        f"was due to central's 200 (open loop, so a central that falls behind shows). {r['seconds']} s per rate.",
        "",
        "| load | offered /s | achieved /s | p50 ms | p99 ms | max ms | refused |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        steady_row("11,000 stations, one heartbeat per 15 s", r["national_rate"]),
        steady_row("three times that, after an outage", r["after_outage_rate"]),
    ]
    lines += [steady_row(f"ramp, 20 s", s) for s in r["ramp"]]
    lines += [
        "",
        f"- Highest sustained rate (≥ 98 % of the offered rate achieved, p99 ≤ 1 s, nothing refused): "
        f"{max((s['offered_per_s'] for s in sustained), default=0):.0f} envelopes/s (SQLite).",
        f"- Enrolling the 11,000-station list: {r['enrol_s']:.2f} s (one process, one transaction).",
        f"- Catch-up: 2,000 stations back from a one-hour outage at once (240 heartbeats each, batches of 100, "
        f"16 connections): {r['catch_up']['seconds']:.1f} s ({r['catch_up']['envelopes_per_s']:.0f} envelopes/s), "
        f"{r['catch_up']['refused_batches']} batches refused.",
        f"- `GET /metrics` with 11,000 stations: {r['metrics']['median_s'] * 1000:.0f} ms median "
        f"({r['metrics']['bytes'] / 1e6:.1f} MB); `GET /v1/stations`: {r['stations_list']['median_s'] * 1000:.0f} ms "
        f"({r['stations_list']['bytes'] / 1e6:.1f} MB); `GET /v1/regions`: {r['regions']['median_s'] * 1000:.0f} ms.",
    ]
    return "\n".join(lines)


def write(path, section):
    document = open(path).read()
    if BEGIN not in document:
        document = document.replace("## Targets", "## Central under load\n\n" + BEGIN + "\n" + END + "\n\n## Targets", 1)
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n\n" + section + "\n\n" + END + tail)


if __name__ == "__main__":
    main()
