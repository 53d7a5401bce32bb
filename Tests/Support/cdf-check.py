#!/usr/bin/env python3
"""Checks an election event log document (NIST SP 1500-101, JSON) as an auditor would,
without nazorat's code: it validates against the schema, then recomputes the hash chain
from the document alone (docs/cdf-export.md says how each input is carried).

Usage: cdf-check.py SCHEMA DOCUMENT
Prints one JSON line: the document's root type, its events, first and last Sequence and the
last Hash; exits 1 with one line per problem on stderr.
"""
import calendar
import hashlib
import json
import re
import sys
import unicodedata

import jsonschema

TIMESTAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})Z$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


def microseconds(stamp):
    """The microseconds since the epoch of an RFC 3339 UTC time with six fraction digits."""
    match = TIMESTAMP.match(stamp)
    if not match:
        raise ValueError(f"{stamp!r} is not an RFC 3339 UTC time with microseconds")
    y, mo, d, h, mi, s, fraction = (int(g) for g in match.groups())
    return calendar.timegm((y, mo, d, h, mi, s)) * 1_000_000 + fraction


def length_prefixed(fields):
    out = b""
    for field in fields:
        data = field.encode("utf-8")
        out += len(data).to_bytes(4, "big") + data
    return out


def unsafe(text):
    """The first character a terminal or a reader could be fooled by, if any."""
    for ch in text:
        if ord(ch) < 0x20 or ord(ch) == 0x7F or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn"):
            return ch
    return None


def check_device(device, problems):
    previous = None
    events = device.get("Event", [])
    for index, event in enumerate(events):
        where = f"event {index} (Sequence {event.get('Sequence')})"
        seq = int(event["Sequence"])
        details = json.loads(event["Details"])
        if set(details) != {"payload", "subject", "bootId", "monotonicUSec", "prevHash"}:
            problems.append(f"{where}: Details has {sorted(details)}")
            continue
        if previous is not None and seq != previous[0] + 1:
            problems.append(f"{where}: follows Sequence {previous[0]}: a gap or a reordering")
        if seq == 1:
            expected_prev = hashlib.sha256(b"nazorat-genesis-v1" + device["Id"].encode()).hexdigest()
        else:
            expected_prev = previous[1] if previous else details["prevHash"]
        if details["prevHash"] != expected_prev:
            problems.append(f"{where}: prevHash {details['prevHash'][:12]}… does not link to the event before")
        try:
            realtime = microseconds(event["TimeStamp"])
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        fields = ["nazorat-event-v1", str(seq), str(realtime), details["monotonicUSec"],
                  details["bootId"], event["Id"], event["Severity"], details["subject"], event["Description"],
                  details["payload"]]
        digest = hashlib.sha256(bytes.fromhex(details["prevHash"]) + length_prefixed(fields)).hexdigest()
        if digest != event["Hash"]:
            problems.append(f"{where}: Hash does not match the event's fields")
        previous = (seq, event["Hash"])
    return events


def main():
    schema = json.load(open(sys.argv[1]))
    text = open(sys.argv[2], encoding="utf-8").read()
    document = json.loads(text)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    problems = [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
    # The document's own text (not the strings it decodes to): nothing a terminal or a reader
    # could be fooled by appears raw. Newlines are layout (the documentation is pretty-printed,
    # the log ends with one); JSON has them escaped inside strings.
    bad = unsafe(text.replace("\n", ""))
    if bad is not None:
        problems.append(f"the document holds the raw character U+{ord(bad):04X}")
    summary = {"type": document.get("@type")}
    if not problems and summary["type"] == "EventLogging.ElectionEventLog":
        if not TIMESTAMP.match(document["GeneratedTime"]):
            problems.append(f"GeneratedTime {document['GeneratedTime']!r} is not an RFC 3339 UTC time")
        events = [e for device in document.get("Device", []) for e in check_device(device, problems)]
        summary.update(events=len(events), first=int(events[0]["Sequence"]) if events else None,
                       last=int(events[-1]["Sequence"]) if events else None,
                       lastHash=events[-1]["Hash"] if events else None,
                       ids=sorted({e["Id"] for e in events}))
    elif not problems:
        if not DATE.match(document["GeneratedDate"]):
            problems.append(f"GeneratedDate {document['GeneratedDate']!r} is not a date")
        summary.update(ids=sorted(d["Id"] for d in document["EventIdDescription"]),
                       types=sorted(d["Type"] for d in document["EventTypeDescription"]))
    for problem in problems:
        print(problem, file=sys.stderr)
    print(json.dumps(summary))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
