"""Where a process's resident memory is: /proc/PID/smaps summed by mapping (the binary's
code, read-only data and relocations, data; each shared library; the heap, stacks and
anonymous memory), in KiB."""
import os
import re

FIELDS = ["Rss", "Pss", "Private_Dirty", "Private_Clean", "Shared_Clean"]
HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ (\S{4}) \S+ \S+ \S+\s*(.*)$")


def group(path, perms, binary):
    if path == binary:
        return {"r-xp": "the binary: code", "r--p": "the binary: read-only data, relocated tables",
                "rw-p": "the binary: data"}.get(perms, "the binary: " + perms)
    if path in ("[heap]", "[stack]"):
        return path
    if not path:
        return "anonymous (malloc arenas, thread stacks, .bss)"
    name = os.path.basename(path)
    return name.split(".so")[0]


def breakdown(pid):
    """{group: {field: KiB}} for the live process `pid`."""
    binary = os.path.realpath(f"/proc/{pid}/exe")
    groups = {}
    current = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            match = HEADER.match(line)
            if match:
                current = groups.setdefault(group(match.group(2).strip(), match.group(1), binary),
                                            dict.fromkeys(FIELDS, 0))
                continue
            key, _, rest = line.partition(":")
            if current is not None and key in FIELDS:
                current[key] += int(rest.split()[0])
    return groups
