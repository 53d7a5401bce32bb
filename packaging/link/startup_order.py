#!/usr/bin/env python3
"""Writes packaging/link/nazoratd.order: the functions nazoratd runs while it starts and
serves, in the order callgrind first saw them, for lld's --symbol-ordering-file.

Why: the kernel maps 64 KiB around every page of code a process touches (fault-around), so
the 1.5 MiB that runs at start, spread over a 22 MB text segment, kept 15 MiB resident.
Linked in this order (with per-function sections) those functions sit together. A stale
entry (a function renamed or gone) is skipped by the linker: the order degrades, the build
never breaks. Regenerate after large changes: `make order-file` (BENCHMARKS.md, RSS).

The run: nazoratd (release build, debug info stripped for valgrind) under callgrind on the
simulated polling station until READY=1, the control API's main reads, a SIGHUP reload, and
a clean stop."""
import os
import re
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Benchmarks", "scripts"))
from bench_common import STATION, Notify, child_named, config  # noqa: E402

READS = ["/v1/status", "/v1/devices", "/v1/alarms", "/v1/events?after=0", "/v1/status"]


def profile(products, scratch):
    """Runs the station start under callgrind; returns the path of its output."""
    binary = os.path.join(scratch, "nazoratd")
    subprocess.run(["strip", "--strip-debug", "-o", binary, os.path.join(products, "nazoratd")], check=True)
    out = os.path.join(scratch, "callgrind.out")
    notify = Notify(scratch)
    valgrind = ["/usr/bin/valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={out}"]
    with open(os.path.join(scratch, "daemon.log"), "w") as log:
        sim = subprocess.Popen([os.path.join(products, "nazorat-station-sim"), "--station", STATION, "--"] + valgrind
                               + [binary, "--config", config(scratch, ""), "--log-target", "stderr"],
                               stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, NOTIFY_SOCKET=notify.path))
        if not notify.ready.wait(300):
            sys.exit("nazoratd under callgrind did not get ready in 300 s: see " + log.name)
        daemon = child_named(sim.pid, "")  # valgrind's process, which is nazoratd's
        for path in READS:
            subprocess.run(["curl", "-sf", "-o", "/dev/null", "--unix-socket", os.path.join(scratch, "control.sock"),
                            "http://station" + path], check=True)
        os.kill(daemon, signal.SIGHUP)
        os.kill(daemon, signal.SIGTERM)
        sim.wait(timeout=120)
    return out


NAMED = re.compile(r"\((\d+)\)(?: (.*))?$")


def functions(callgrind_out, binary_name):
    """The functions of `binary_name` in callgrind's output, in first-seen order."""
    names, objects, order, seen = {}, {}, [], set()

    def resolve(table, text):
        match = NAMED.match(text)
        if not match:
            return text
        if match.group(2) is not None:
            table[match.group(1)] = match.group(2)
        return table.get(match.group(1))

    current, callee_object = None, None
    with open(callgrind_out) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("ob="):
                current = resolve(objects, line[3:])
            elif line.startswith("cob="):
                callee_object = resolve(objects, line[4:])
            elif line.startswith(("fn=", "cfn=")):
                key, _, text = line.partition("=")
                name = resolve(names, text)
                owner = callee_object if key == "cfn" and callee_object else current
                if owner and os.path.basename(owner) == binary_name and name not in seen:
                    seen.add(name)
                    order.append(name)
                callee_object = None
    return order


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: startup_order.py PRODUCTS ORDER_FILE")
    products, order_file = sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="nazorat-order-") as scratch:
        order = functions(profile(products, scratch), "nazoratd")
    if len(order) < 1000:
        sys.exit(f"only {len(order)} functions seen: the profile is not of a whole start")
    with open(order_file, "w") as f:
        f.write("\n".join(order) + "\n")
    print(f"{order_file}: {len(order)} functions")


if __name__ == "__main__":
    main()
