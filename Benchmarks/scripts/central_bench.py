#!/usr/bin/env python3
"""make bench-central: nazorat-central (release) under simulated stations' load, written
into BENCHMARKS.md between its markers, side by side for three set-ups: the embedded SQLite
store, PostgreSQL with one central process, and PostgreSQL with two processes sharing the
database (the load spread over both). Each scenario gets a central of its own: a fresh state
directory or database with the national list enrolled from CSV, so that every station's
sequence starts at 1. Figures only: nothing here passes or fails on a number.

Runs under Tests/Support/postgres.sh run (make bench-central does so), which starts the
PostgreSQL server and names its socket directory in NAZORAT_TEST_POSTGRES.

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
import urllib.request

STATIONS = 11_000
# The generator's lanes: one connection each, closed-loop (a lane's next heartbeat waits for
# the answer to the one before). In the field every station has its own connection and waits
# for nobody, so too few lanes measure the generator's queue, not central: by Little's law 64
# lanes carry at most 64 / latency, 2,130/s when a group commit answers in 30 ms (PostgreSQL
# with one process reached 2,070/s with 64 lanes, 2,197/s with 256, measured).
CONNECTIONS = 256
BEGIN = "<!-- central: written by Benchmarks/scripts/central_bench.py (make bench-central); edits here are lost -->"
END = "<!-- end of central -->"


SETUPS = [("sqlite", 1), ("postgres", 1), ("postgres", 2)]


def setup_name(store, processes):
    return "SQLite" if store == "sqlite" else f"PostgreSQL, {processes} process{'es' if processes > 1 else ''}"


class Central:
    """nazorat-central on loopback ports (`processes` of them on one store) with the list enrolled."""

    def __init__(self, release, load, csv, store="sqlite", processes=1):
        self.directory = tempfile.mkdtemp(prefix="nazorat-bench-central-")
        self.database = None
        if store == "sqlite":
            arguments = ["--state-dir", self.directory]
        else:
            self.database = f"bench_{os.getpid()}_{int(time.monotonic() * 1000)}"
            psql("postgres", f"CREATE DATABASE {self.database}")
            arguments = ["--database", f"postgresql://postgres@/{self.database}?host={os.environ['NAZORAT_TEST_POSTGRES']}"]
        self.arguments = arguments
        started = time.monotonic()
        subprocess.run([f"{release}/nazorat-central", "enroll", *arguments, "--csv", csv], check=True,
                       stdout=subprocess.DEVNULL)
        self.enrol_seconds = time.monotonic() - started
        self.processes, self.ports = [], []
        for _ in range(processes):
            process = subprocess.Popen([f"{release}/nazorat-central", "--listen", "127.0.0.1:0", *arguments],
                                       stdout=subprocess.PIPE, text=True)
            self.ports.append(int(re.search(r"127\.0\.0\.1:(\d+)", process.stdout.readline()).group(1)))
            self.processes.append(process)
        self.port = self.ports[0]
        self.load = load

    def run(self, mode, *arguments):
        ports = ",".join(map(str, self.ports))
        out = subprocess.run([f"{self.load}/nazorat-central-load", mode, ports, *map(str, arguments)], check=True,
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
        for process in self.processes:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(self.directory, ignore_errors=True)
        if self.database:
            psql("postgres", f"DROP DATABASE {self.database}")


def psql(database, sql):
    subprocess.run(["psql", "-h", os.environ["NAZORAT_TEST_POSTGRES"], "-U", "postgres", "-d", database, "-v",
                    "ON_ERROR_STOP=1", "-qAtc", sql], check=True, stdout=subprocess.DEVNULL)


def first_paint(release, central, arguments):
    """Milliseconds from the start of loading the dashboard (signed in) to the overview drawn
    with every station, in headless Chromium: the median of 5 loads."""
    subprocess.run([f"{release}/nazorat-central", "account", *arguments, "--role", "viewer", "bench"],
                   input="bench passphrase 2026\n", text=True, check=True, stdout=subprocess.DEVNULL)
    port = 29_000 + os.getpid() % 1000
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        def call(method, path, body=None):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                             data=json.dumps(body).encode() if body is not None else None,
                                             headers={"Content-Type": "application/json"})
            return json.load(urllib.request.urlopen(request, timeout=120))["value"]
        session = call("POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium", "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1100"]}}}})
        session = session["sessionId"]
        run = lambda script: call("POST", f"/session/{session}/execute/sync", {"script": script, "args": []})
        base = f"http://127.0.0.1:{central.port}/dashboard/"
        call("POST", f"/session/{session}/url", {"url": base})
        run("document.querySelector('#name').value = 'bench'; document.querySelector('#password').value = "
            "'bench passphrase 2026'; document.querySelector('#login button').click();")
        # Signed in (the cookie set) before the page is loaded again.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and run("return document.body.dataset.role || null") is None:
            time.sleep(0.05)
        drawn = "const m = performance.getEntriesByName('nazorat-overview')[0]; return m ? m.startTime : null;"
        times = []
        for _ in range(5):
            call("POST", f"/session/{session}/url", {"url": base})
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and run(drawn) is None:
                time.sleep(0.05)
            times.append(run(drawn))
        call("DELETE", f"/session/{session}")
        return {"median_ms": statistics.median(times), "max_ms": max(times)}
    finally:
        driver.terminate()
        driver.wait(timeout=30)


def measure(release, load, csv, store, processes, seconds):
    """Every figure of one set-up."""
    results = {"store": store, "processes": processes}
    central = Central(release, load, csv, store, processes)
    results["enrol_s"] = central.enrol_seconds
    results["national_rate"] = central.run("steady", STATIONS, 733, seconds, CONNECTIONS)
    results["metrics"] = central.get("/metrics")
    results["stations_list"] = central.get("/v1/stations")
    results["regions"] = central.get("/v1/regions")
    results["first_paint"] = first_paint(release, central, central.arguments)
    central.stop()

    central = Central(release, load, csv, store, processes)
    results["after_outage_rate"] = central.run("steady", STATIONS, 2200, seconds, CONNECTIONS)
    central.stop()

    results["ramp"] = []
    for rate in [1000, 1500, 2000, 2200, 2500, 3000, 4000, 5000, 6000]:
        central = Central(release, load, csv, store, processes)
        step = central.run("steady", STATIONS, rate, 20, CONNECTIONS)
        central.stop()
        results["ramp"].append(step)
        if step["achieved_per_s"] < 0.98 * rate or step["p99_ms"] > 1000 or step["refused"]:
            break

    central = Central(release, load, csv, store, processes)
    results["catch_up"] = central.run("backlog", 2000, 240, 16)
    central.stop()
    return results


def main():
    release, load, document = sys.argv[1], sys.argv[2], sys.argv[3]
    quick = "--quick" in sys.argv
    seconds = 20 if quick else 60
    work = tempfile.mkdtemp(prefix="nazorat-bench-list-")
    csv = os.path.join(work, "stations.csv")
    with open(csv, "w") as f:
        f.write(subprocess.run([f"{load}/nazorat-central-load", "csv", str(STATIONS)], check=True, capture_output=True,
                               text=True).stdout)
    results = {"stations": STATIONS, "seconds": seconds,
               "setups": [measure(release, load, csv, store, processes, seconds) for store, processes in SETUPS]}
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(".build", exist_ok=True)
    with open(".build/bench-central.json", "w") as f:
        json.dump(results, f, indent=2)
    write(document, render(results))


def sustained(setup):
    return max((s["offered_per_s"] for s in setup["ramp"] if s["achieved_per_s"] >= 0.98 * s["offered_per_s"]
                and s["p99_ms"] <= 1000 and not s["refused"]), default=0)


def render(r):
    def steady_row(setup, name, s):
        refused = ", ".join(s["refused"]) or "none"
        return (f"| {setup_name(setup['store'], setup['processes'])} | {name} | {s['offered_per_s']:.0f} "
                f"| {s['achieved_per_s']:.0f} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | {s['max_ms']:.0f} | {refused} |")
    lines = [
        f"Measured {datetime.date.today().isoformat()}: nazorat-central (release) and the load generator "
        f"(`Benchmarks/Tools/nazorat-central-load`) on the same 2-core machine, {r['stations']:,} stations enrolled "
        f"from CSV, one heartbeat per request, {CONNECTIONS} keep-alive connections (each a lane of stations that waits "
        f"for its answers; in the field each station has its own), loopback; latency from when an envelope "
        f"was due to central's 200 (open loop, so a central that falls behind shows). {r['seconds']} s per rate. "
        f"PostgreSQL 15 (Debian's) runs on the same machine with its default settings, over its Unix socket; "
        f"with two processes, the connections alternate between them.",
        "",
        "| store | load | offered /s | achieved /s | p50 ms | p99 ms | max ms | refused |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for setup in r["setups"]:
        lines.append(steady_row(setup, "11,000 stations, one heartbeat per 15 s", setup["national_rate"]))
        lines.append(steady_row(setup, "three times that, after an outage", setup["after_outage_rate"]))
        lines += [steady_row(setup, "ramp, 20 s", s) for s in setup["ramp"]]
    lines += ["", "| store | highest sustained /s | catch-up, 2,000 × 240 | enrol 11,000 | /metrics | /v1/stations "
                  "| /v1/regions | dashboard first paint |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for setup in r["setups"]:
        catch = setup["catch_up"]
        lines.append(
            f"| {setup_name(setup['store'], setup['processes'])} | {sustained(setup):.0f} "
            f"| {catch['seconds']:.1f} s ({catch['envelopes_per_s']:.0f}/s, {catch['refused_batches']} refused) "
            f"| {setup['enrol_s']:.2f} s | {setup['metrics']['median_s'] * 1000:.0f} ms "
            f"({setup['metrics']['bytes'] / 1e6:.1f} MB) | {setup['stations_list']['median_s'] * 1000:.0f} ms "
            f"({setup['stations_list']['bytes'] / 1e6:.1f} MB) | {setup['regions']['median_s'] * 1000:.0f} ms "
            f"| {setup['first_paint']['median_ms']:.0f} ms |")
    lines += [
        "",
        "- Highest sustained rate: the highest rate of the ramp with ≥ 98 % of the offered rate achieved, p99 ≤ 1 s "
        "and nothing refused.",
        "- Catch-up: 2,000 stations back from a one-hour outage at once (240 heartbeats each, batches of 100, "
        "16 connections), until central held them all.",
        "- Enrolment: the 11,000-station list in one process, one transaction. The GETs: median of 5.",
        "- Dashboard first paint: headless Chromium, signed in, from the start of loading `/dashboard/` to the "
        "overview of all 11,000 stations drawn (the page's `nazorat-overview` performance mark), median of 5 loads.",
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
