#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets that are made, not copied: the descriptors
and strings of every recorded fixture device, configurations (the shipped ones and the
interface policy), control-socket requests, and envelope batches for central.

Run from the repository root: python3 Fuzz/seeds.py. The seeds are committed; libFuzzer's
own corpus grows in .build/fuzz/NAME.
"""
import base64
import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Fuzz" / "Corpus"


def write(target, seeds):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("seed-*"):
        old.unlink()
    for index, seed in enumerate(seeds):
        (directory / f"seed-{index:02}").write_bytes(seed)


def umockdev_value(text):
    """An umockdev `A:` value: C escapes (\\n, \\xHH, \\\\) to bytes."""
    return re.sub(rb"\\(x[0-9a-fA-F]{2}|n|\\)",
                  lambda m: {b"n": b"\n", b"\\": b"\\"}.get(m.group(1)) or bytes([int(m.group(1)[1:], 16)]),
                  text.encode("latin-1"))


def descriptor_seeds():
    seeds = {}
    for fixture in sorted((ROOT / "Tests" / "Fixtures").glob("*.umockdev")):
        for block in fixture.read_text(encoding="latin-1").split("\n\n"):
            fields = {}
            for line in block.splitlines():
                match = re.match(r"([AH]): (\w+)=(.*)", line)
                if match:
                    fields[match.group(2)] = (match.group(1), match.group(3))
            if "descriptors" not in fields:
                continue
            def attribute(name):
                return umockdev_value(fields[name][1]).rstrip(b"\n")[:255] if name in fields else b""
            product, serial = attribute("product"), attribute("serial")
            descriptors = bytes.fromhex(fields["descriptors"][1])
            # One seed per distinct descriptor blob: the storms repeat one device a thousand times.
            seeds.setdefault(descriptors, bytes([len(product)]) + product + bytes([len(serial)]) + serial + descriptors)
    return sorted(seeds.values())


INTERFACES = """
[[interfaces]]
allow = ["08:06:50"]
devices = "id 04b8:0e28"

[[interfaces]]
block = ["03:*:*", "e0:01:*"]
except-roles = ["keyboard", "ups"]
roles = ["printer", "ballot-scanner"]
"""


def configuration_seeds():
    files = [ROOT / "systemd" / "nazorat.toml", ROOT / "dev" / "demo.toml", ROOT / "dev" / "nazorat.toml"]
    seeds = [path.read_bytes() for path in files]
    seeds.append(seeds[0] + INTERFACES.encode())
    seeds.append(b'station = "TSH-1"\n[uplink]\ncentral = "https://127.0.0.1:8443"\nheartbeat = "15s"\n')
    seeds.append(b'station = "TSH-1"\n[[interfaces]]\nblock = ["08:*"]\n')
    return seeds


def request(method, target, body=b"", extra=""):
    head = f"{method} {target} HTTP/1.1\r\nHost: localhost\r\n{extra}"
    if body or method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def control_request_seeds():
    return [
        request("GET", "/v1/status"),
        request("GET", "/v1/devices") + request("GET", "/v1/alarms"),
        request("POST", "/v1/devices/1-3/allow", b'{"permanent": true}'),
        request("POST", "/v1/alarms/3/ack", b'{"note": "seal checked"}'),
        request("POST", "/v1/scanners/1-1.1/counters", b'{"public": 12, "protective": 4031}'),
        request("POST", "/v1/results", b'{"contests": [{"contest": "president", "totals": {"A": 3}}]}'),
        request("POST", "/v1/outbox/ack", b'{"through": 41}'),
        b"POST /v1/outbox/ack HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"thr\r\n0\r\n\r\n",
        request("POST", "/v1/devices/1-3/block", b"x" * 600),
        b"GET /v1/status HTTP/1.1\r\nHost: \x1b[31m\r\n\r\n",
    ]


def envelope(seq, kind, body, station="FUZZ-1"):
    payload = dict(station=station, seq=seq, kind=kind, createdUsec=1_700_000_000_000_000 + seq, **body)
    text = json.dumps(payload, separators=(",", ":")).encode()
    return {"payloadType": f"application/vnd.nazorat.{kind}+json",
            "payload": base64.b64encode(text).decode(),
            "signatures": [{"keyid": "sign-me", "sig": ""}]}


def central_batch_seeds():
    heartbeat = {"phase": "open", "mode": "enforce", "uptimeSeconds": 60.5, "bootId": "b1", "version": "0.2.0",
                 "devices": {"present": 4, "sealed": 2, "missing": 0, "blocked": 1},
                 "alarms": [{"kind": "drift.missing", "severity": "critical", "port": "1-1.1", "state": "open"}],
                 "counters": [{"port": "1-1.1", "public": 12, "protective": 4031}],
                 "log": {"seq": 40, "hash": "ab" * 32},
                 "realtimeUsec": 1_700_000_000_000_000, "monotonicUsec": 5_000_000}
    genesis = hashlib.sha256(b"nazorat-genesis-v1FUZZ-1").hexdigest()
    events = {"events": [{"seq": 1, "realtimeUsec": 1_700_000_000_000_000, "monotonicUsec": 1, "bootId": "b1",
                          "type": "daemon.started", "severity": "notice", "subject": "", "message": "started",
                          "payload": "{}", "prevHash": genesis, "hash": "0" * 64}]}
    batches = [
        [envelope(1, "heartbeat", heartbeat)],
        [envelope(1, "heartbeat", heartbeat), envelope(2, "heartbeat", heartbeat), envelope(3, "thinned", {})],
        [envelope(1, "events", events)],
        [envelope(2, "heartbeat", heartbeat)],
        [envelope(1, "final-report", {"scanners": [{"port": "1-1.1", "public": 12, "protective": 4031}]}),
         envelope(1, "final-report", {"scanners": []})],
        [envelope(1, "heartbeat", heartbeat, station="OTHER")],
    ]
    seeds = [json.dumps({"envelopes": batch}).encode() for batch in batches]
    seeds.append(b'{"envelopes": []}')
    return seeds


if __name__ == "__main__":
    write("descriptors", descriptor_seeds())
    write("configuration", configuration_seeds())
    write("control-request", control_request_seeds())
    write("central-batch", central_batch_seeds())
    for target in ["descriptors", "configuration", "control-request", "central-batch"]:
        print(target, len(list((CORPUS / target).glob("seed-*"))), "seeds")
