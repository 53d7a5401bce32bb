"""A year-long log: a station database with a million events (nazorat-backlog --year, the
daemon's own event log and checkpoints). nazoratd's start to READY=1 on it (the start
verifies from the last signed checkpoint), the whole-log audit that follows READY, and
`nazoratd verify-log` over it: time and peak memory, and the size on disk."""
import json
import os
import resource
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


def verify(products, directory):
    """nazoratd verify-log over the database, piped: seconds and peak RSS."""
    began = boottime()
    process = subprocess.Popen([os.path.join(products, "nazoratd"), "verify-log", "--db",
                                os.path.join(directory, "state", "state.db")],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0 or "intact" not in output:
        raise RuntimeError(f"verify-log did not find the year-long log intact: {output}")
    return {"verify_s": boottime() - began, "verify_rss_kib": usage.ru_maxrss}


def year_log(products, tools, runs):
    """The log made once; the start and verify-log measured `runs` times each."""
    directory = tempfile.mkdtemp(prefix="nazorat-bench-year-")
    try:
        made = make(tools, directory)
        measured = [dict(made, **start(products, directory), **verify(products, directory)) for _ in range(runs)]
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return measured


if __name__ == "__main__":
    import sys
    print(json.dumps(year_log(sys.argv[1], sys.argv[2], 1), indent=1))
