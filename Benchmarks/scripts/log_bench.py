"""A year-long log: a station database with a million events (nazorat-backlog --year, the
daemon's own event log and checkpoints). nazoratd's start to READY=1 on it (the start
verifies from the last signed checkpoint), the whole-log audit that follows READY, and
`nazoratd verify-log` over it, and `nazoratd export-log` (the election event log format) of
all of it and of its last 20,000 events: time and peak memory, and the size on disk."""
import json
import os
import shutil
import signal
import subprocess
import tempfile

from bench_common import STATION, Notify, boottime, child_named, config, started

YEAR_EVENTS = int(os.environ.get("NAZORAT_BENCH_YEAR_EVENTS", "1000000"))


def make(tools, directory):
    """The state directory of a station that recorded YEAR_EVENTS events over a year."""
    state = os.path.join(directory, "state")
    began = boottime()
    subprocess.run([os.path.join(tools, "nazorat-backlog"), "--year", state, "BENCH-1", str(YEAR_EVENTS)],
                   check=True, capture_output=True)
    size = sum(os.path.getsize(os.path.join(state, name)) for name in os.listdir(state))
    return {"events": YEAR_EVENTS, "bytes": size, "made_s": boottime() - began}


def start(products, directory):
    """nazoratd on the polling station with the year's state: READY=1, then the audit's end."""
    # Each run binds the notify socket again in the same directory.
    if os.path.exists(os.path.join(directory, "notify.sock")):
        os.unlink(os.path.join(directory, "notify.sock"))
    notify = Notify(directory)
    log_path = os.path.join(directory, "daemon.log")
    with open(log_path, "w") as log:
        sim = subprocess.Popen([os.path.join(products, "nazorat-station-sim"), "--station", STATION, "--",
                                os.path.join(products, "nazoratd"), "--config", config(directory), "--log-target",
                                "stderr"], stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ, NOTIFY_SOCKET=notify.path))
        pid = child_named(sim.pid, "nazoratd")
        began = started(pid)
        if not notify.ready.wait(300):
            raise RuntimeError("nazoratd did not get ready on the year-long log")
        ready = notify.ready_at - began
        while "the whole log verifies" not in open(log_path, errors="replace").read():
            if sim.poll() is not None or boottime() - began > 600:
                raise RuntimeError("nazoratd's audit of the year-long log did not end (see its log)")
            notify.ready.wait(0.05)
        audit = boottime() - notify.ready_at
        os.kill(pid, signal.SIGTERM)
        sim.wait()
    return {"ready_s": ready, "audit_s": audit}


def peak_run(argv, stdout):
    """Runs `argv` to completion: its exit status and peak RSS (KiB).

    Through GNU time, whose own small process forks the command: the peak the kernel reports
    for a child of this Python process would be Python's own, from before the exec, whenever
    the command stays below it (and every measurement of verify-log until 2026-12-01 was)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        status = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak.name] + argv, stdout=stdout,
                                stderr=subprocess.DEVNULL).returncode
        return status, int(peak.read().split()[-1])


def verify(products, directory):
    """nazoratd verify-log over the database, piped: seconds and peak RSS."""
    began = boottime()
    with tempfile.TemporaryFile() as output:
        status, peak = peak_run([os.path.join(products, "nazoratd"), "verify-log", "--db",
                                 os.path.join(directory, "state", "state.db")], output)
        output.seek(0)
        text = output.read().decode()
    if status != 0 or "intact" not in text:
        raise RuntimeError(f"verify-log did not find the year-long log intact: {text}")
    return {"verify_s": boottime() - began, "verify_rss_kib": peak}


def export(products, directory):
    """nazoratd export-log of the whole log, and of its last 20,000 events (the same peak memory
    for both is what "does not grow with the log" means): seconds, peak RSS, document size."""
    measured = {}
    for name, after in (("export", 0), ("export_tail", max(0, YEAR_EVENTS - 20_000))):
        document = os.path.join(directory, name + ".json")
        began = boottime()
        with open(document, "wb") as out:
            status, peak = peak_run([os.path.join(products, "nazoratd"), "export-log", "--db",
                                     os.path.join(directory, "state", "state.db"), "--after", str(after)], out)
        if status != 0:
            raise RuntimeError(f"export-log failed on the year-long log (status {status})")
        measured.update({name + "_s": boottime() - began, name + "_rss_kib": peak,
                         name + "_bytes": os.path.getsize(document)})
        os.unlink(document)
    return measured


def year_log(products, tools, runs):
    """The log made once; the start and verify-log measured `runs` times each."""
    directory = tempfile.mkdtemp(prefix="nazorat-bench-year-")
    try:
        made = make(tools, directory)
        measured = [dict(made, **start(products, directory), **verify(products, directory), **export(products, directory))
                    for _ in range(runs)]
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return measured


if __name__ == "__main__":
    import sys
    print(json.dumps(year_log(sys.argv[1], sys.argv[2], 1), indent=1))
