#!/usr/bin/env python3
"""Writes the measured part of BENCHMARKS.md from `make bench`'s results.

Usage: report.py SYSTEM.json MICRO.md BENCHMARKS.md

Only the text between the two markers is replaced; the analysis around it is written by
hand and says what bounds each number.
"""
import datetime
import json
import re
import sys

BEGIN = "<!-- measured: written by Benchmarks/scripts/report.py (make bench); edits here are lost -->"
END = "<!-- end of measured -->"


def cell(summary, scale=1.0, digits=2, unit=""):
    """'median (min–max)' of a summary, scaled."""
    if not summary:
        return "n/a"
    median, low, high = (summary[key] * scale for key in ("median", "min", "max"))
    text = f"{median:,.{digits}f}{unit}"
    if summary["runs"] > 1 and (round(low, digits) != round(high, digits)):
        text += f" ({low:,.{digits}f}–{high:,.{digits}f})"
    return text


def ratio(a, b):
    if not a or not b or not b["median"]:
        return "n/a"
    return f"{a['median'] / b['median']:.2f}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def coldplug(results):
    n, u = results["coldplug_nazoratd"]["summary"], results["coldplug_usbguard"]["summary"]
    rows = [
        ["time to READY=1", cell(n["ready_s"], unit=" s"), "(no READY)", "", ""],
        ["time to the last decision", cell(n["last_decision_s"], unit=" s"), cell(u["last_decision_s"], unit=" s"),
         ratio(n["last_decision_s"], u["last_decision_s"]), "≤ 0.5"],
        ["CPU", cell(n["cpu_s"], unit=" s"), cell(u["cpu_s"], unit=" s"), ratio(n["cpu_s"], u["cpu_s"]), ""],
        ["peak RSS", cell(n["rss_kib"], 1 / 1024, 1, " MiB"), cell(u["rss_kib"], 1 / 1024, 1, " MiB"),
         ratio(n["rss_kib"], u["rss_kib"]), "≤ 1"],
    ]
    return (f"### Coldplug: {results['coldplug_devices']:,} devices present at start\n\n"
            + table(["", "nazoratd", "usbguard-daemon", "ratio", "target"], rows))


def hotplug(results):
    n, u = results["hotplug_nazoratd"]["summary"], results["hotplug_usbguard"]["summary"]
    rows = [
        ["devices decided", cell(n["decisions"], digits=0), cell(u["decisions"], digits=0), "", ""],
        ["events lost", cell(n["lost"], digits=0), cell(u["lost"], digits=0), "", "0"],
        ["decisions per second", cell(n["decisions_per_s"], digits=0), cell(u["decisions_per_s"], digits=0), "", ""],
        ["CPU per 1,000 decisions", cell(n["cpu_s_per_1000"], unit=" s"), cell(u["cpu_s_per_1000"], unit=" s"),
         ratio(n["cpu_s_per_1000"], u["cpu_s_per_1000"]), "≤ 0.5"],
        ["the simulator's CPU per 1,000 plugs", cell(n["simulator_cpu_s_per_1000"], unit=" s"), "(its backend plugs them)", "", ""],
        ["RSS after start (station only)", cell(n["rss_kib_started"], 1 / 1024, 1, " MiB"),
         cell(u["rss_kib_started"], 1 / 1024, 1, " MiB"), ratio(n["rss_kib_started"], u["rss_kib_started"]), "≤ 1"],
        ["RSS after the storm", cell(n["rss_kib_after"], 1 / 1024, 1, " MiB"), cell(u["rss_kib_after"], 1 / 1024, 1, " MiB"),
         ratio(n["rss_kib_after"], u["rss_kib_after"]), ""],
    ]
    return ("### Hot-plug storm: 1,000 devices plugged into a running daemon\n\n"
            + table(["", "nazoratd", "usbguard-daemon", "ratio", "target"], rows))


def api(results):
    rows = []
    for key in sorted(k for k in results if k.startswith("api /v1/")):
        s = results[key]["summary"]
        rows.append([f"`GET {key[4:].replace(' c=', '` at concurrency ')}", cell(s["p50_us"], digits=0),
                     cell(s["p90_us"], digits=0), cell(s["p99_us"], digits=0), cell(s["max_us"], digits=0),
                     cell(s["requests_per_s"], digits=0), cell(s["server_cpu_ms_per_request"], digits=3)])
    text = ("### Control API: 1,000 devices present, closed loop over the Unix socket\n\n"
            + table(["request", "p50 µs", "p90 µs", "p99 µs", "max µs", "requests/s", "daemon CPU ms/request"], rows))
    if "api nazoratctl status" in results:
        s = results["api nazoratctl status"]["summary"]
        text += (f"\n\n`nazoratctl status` (hyperfine, 50 runs after 5 warm-ups, per benchmark run): median "
                 f"{cell(s['median_ms'], unit=' ms')}, mean {cell(s['mean_ms'], unit=' ms')}, "
                 f"σ {cell(s['stddev_ms'], unit=' ms')}.")
    return text


def idle(results):
    rows = []
    for key, name in [("idle_nazoratd", "nazoratd (polling station, no watchdog, no uplink)"),
                      ("idle_swift_floor", "a Swift program awaiting one AsyncStream (Benchmarks/scripts/idle_floor.swift)")]:
        if key in results:
            s = results[key]["summary"]
            seconds = s["seconds"]["median"]
            rows.append([name, f"{seconds:.0f} s", cell(s["cpu_s"], unit=" s"), cell(s["wakeups"], digits=0),
                         cell(s["wakeups"], 1 / seconds, 2), cell(s["rss_kib"], 1 / 1024, 1, " MiB")])
    text = "### Idle\n\n" + table(["process", "window", "CPU", "wakeups", "wakeups/s", "RSS"], rows)
    for key, name in [("idle_nazoratd", "nazoratd"), ("idle_swift_floor", "the Swift floor program")]:
        if key in results and "smaps" in results[key]["runs"][-1]:
            text += "\n\n" + memory_map(name, results[key]["runs"][-1]["smaps"])
    return text


def memory_map(name, groups, shown=12):
    """Where the resident memory is, by mapping (/proc/PID/smaps, Benchmarks/scripts/smaps.py), KiB."""
    ordered = sorted(groups.items(), key=lambda item: -item[1]["Rss"])
    rest = {field: sum(values[field] for _, values in ordered[shown:]) for field in ordered[0][1]} if ordered else {}
    rows = [[group] + [f"{values[field]:,}" for field in values] for group, values in ordered[:shown]]
    if len(ordered) > shown:
        rows.append([f"{len(ordered) - shown} other mappings"] + [f"{rest[field]:,}" for field in rest])
    total = {field: sum(values[field] for _, values in ordered) for field in ordered[0][1]} if ordered else {}
    rows.append(["**total**"] + [f"**{total[field]:,}**" for field in total])
    fields = list(ordered[0][1]) if ordered else []
    return (f"Resident memory of {name} at the end of its idle window, by mapping (KiB):\n\n"
            + table(["mapping"] + [field.replace("_", " ") for field in fields], rows))


def drain(results):
    backlog, s = results["drain_backlog"], results["drain"]["summary"]
    rows = [
        ["time to central's last acceptance", cell(s["seconds"], unit=" s")],
        ["envelopes per second", cell(s["envelopes_per_s"], digits=0)],
        ["nazorat-uplink CPU", cell(s["uplink_cpu_s"], unit=" s")],
        ["nazorat-central CPU", cell(s["central_cpu_s"], unit=" s")],
        ["nazoratd CPU (serving the outbox)", cell(s["nazoratd_cpu_s"], unit=" s")],
        ["envelopes central refused", cell(s["rejections"], digits=0)],
    ]
    return (f"### Uplink: a 24-hour outage drained into nazorat-central on loopback\n\n"
            f"Backlog: {backlog['heartbeats']:,} heartbeats (every 15 s for 24 h) and {backlog['events']:,} events in "
            f"{backlog['envelopes']:,} envelopes, {backlog['bytes'] / 1e6:.1f} MB (made by nazorat-backlog in "
            f"{backlog['generation_s']:.0f} s).\n\n" + table(["", "median (min–max)"], rows))


def yearlog(results):
    s = results["yearlog"]["summary"]
    rows = [
        ["start to READY=1 (from the last checkpoint)", cell(s["ready_s"], unit=" s"), "< 1 s"],
        ["the whole-log audit after READY=1", cell(s["audit_s"], unit=" s"), ""],
        ["`nazoratd verify-log`", cell(s["verify_s"], unit=" s"), ""],
        ["verify-log peak RSS", cell(s["verify_rss_kib"], 1 / 1024, 1, " MiB"), "does not grow with the log"],
    ]
    if "export_s" in s:
        rows += [
            ["`nazoratd export-log` (NIST SP 1500-101) of every event", cell(s["export_s"], unit=" s"), ""],
            ["its peak RSS", cell(s["export_rss_kib"], 1 / 1024, 1, " MiB"), "does not grow with the log"],
            ["its document", cell(s["export_bytes"], 1 / 1e6, 0, " MB"), ""],
            ["export-log of the last 20,000 events: time, peak RSS",
             cell(s["export_tail_s"], unit=" s") + ", " + cell(s["export_tail_rss_kib"], 1 / 1024, 1, " MiB"), ""],
        ]
    return (f"### A year-long log: {s['events']['median']:,.0f} events\n\n"
            f"Made by `nazorat-backlog --year` in {s['made_s']['median']:.0f} s; {s['bytes']['median'] / 1e6:,.0f} MB "
            f"on disk ({s['bytes']['median'] / s['events']['median']:,.0f} bytes per event).\n\n"
            + table(["", "median (min–max)", "target"], rows))


def micro(text):
    """package-benchmark's markdown, without its banner and warnings."""
    start = text.find("## NazoratBenchmarks")
    body = re.sub(r"^### ", "#### ", text[start:] if start >= 0 else text, flags=re.M)
    heading = "### Micro benchmarks (package-benchmark; one row per metric, percentiles over the samples)"
    return re.sub(r"^## NazoratBenchmarks", heading, body, flags=re.M).strip()


def main():
    results = json.load(open(sys.argv[1]))
    micro_text = open(sys.argv[2]).read()
    machine = results["machine"]
    sections = [
        f"Measured {datetime.date.today().isoformat()} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB, Linux {machine['kernel']}; {machine['swift']}; usbguard {machine['usbguard']}. "
        f"Each scenario ran {results['runs']} times (idle and drain fewer); cells are median (min–max).",
    ]
    for name, render in [("coldplug_nazoratd", coldplug), ("hotplug_nazoratd", hotplug), ("api /v1/status c=1", api),
                         ("idle_nazoratd", idle), ("drain", drain), ("yearlog", yearlog)]:
        if name in results:
            sections.append(render(results))
    sections.append(micro(micro_text))
    path = sys.argv[3]
    document = open(path).read()
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n\n" + "\n\n".join(sections) + "\n\n" + END + tail)


if __name__ == "__main__":
    main()
