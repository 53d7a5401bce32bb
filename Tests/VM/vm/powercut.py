"""Early boot (a stick present at power-on, under the kernel parameter) and power cuts while
counter reports stream in. Each cut is the QEMU process killed: no shutdown, the guest's
page cache lost. "Acknowledged" is recorded outside the guest that dies: each 2xx answer
is streamed to the host as it happens."""
import json
import random
import socket

from .station import ScenarioFailure, expect, sh

# Hardwired devices (ports the firmware declares internal) are authorized by the kernel at
# once; everything else waits for nazoratd from the first instant of boot (README).
KERNEL_PARAMETER = "usbcore.authorized_default=2"
QEMU_STICK = "46f4:0001"      # QEMU's usb-storage
QEMU_KEYBOARD = "0627:0001"   # QEMU's usb-kbd
REPORTS = """
    systemctl is-system-running --wait >/dev/null || true
    port=$(vm-gadget port scanner1)
    i=$(nazoratctl counters --json | grep -o "{[^{}]*\\"port\\":\\"$port\\"[^{}]*}" | grep -o '"public":[0-9]*' | cut -d: -f2)
    i=${i:-0}
    echo "START $i"
    while true; do
        i=$((i + 1))
        code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /run/nazorat/control.sock -X PUT \\
            -H 'Content-Type: application/json' -d "{\\"public\\":$i,\\"protective\\":$((100000 + i))}" \\
            "http://nazoratd/v1/scanners/$port/counters")
        [ "$code" = 200 ] && echo "ACK $i" || echo "REFUSED $i $code"
    done
"""


def early_boot_fail_closed(m):
    out = sh(m, f"""
        systemctl is-system-running --wait >/dev/null || true
        echo "parameter=$(cat /sys/module/usbcore/parameters/authorized_default)"
        stick=$(usbport {QEMU_STICK}); kbd=$(usbport {QEMU_KEYBOARD})
        echo "stick=$stick authorized=$(cat /sys/bus/usb/devices/$stick/authorized) interfaces=$(ls -d /sys/bus/usb/devices/$stick:* 2>/dev/null | wc -l)"
        echo "usb-storage-this-boot=$(journalctl -k -b -q | grep -c 'usb-storage' || true) disks=$(ls /dev/sd* 2>/dev/null | wc -l)"
        journalctl -b -q -o json NAZORAT_EVENT=policy.decision NAZORAT_SUBJECT=$stick | field MESSAGE | tail -n 1
        echo "keyboard=$kbd authorized=$(cat /sys/bus/usb/devices/$kbd/authorized) connect_type=$(cat /sys/bus/usb/devices/$kbd/port/connect_type)"
        echo "ps2=$(grep -c 'AT Translated Set 2 keyboard' /proc/bus/input/devices)"
    """).splitlines()
    expect(out[0] == "parameter=2", "the kernel runs with usbcore.authorized_default=2 (internal devices only)", out[0])
    expect(out[1].endswith("authorized=0 interfaces=0") and out[2] == "usb-storage-this-boot=0 disks=0",
           "QEMU's usb-storage, present at power-on, was never authorized nor bound to usb-storage", out[1] + "; " + out[2])
    expect("block" in out[3], "nazoratd decided it once up", out[3])
    expect("authorized=0" in out[4] and out[5] == "ps2=1",
           "QEMU's USB keyboard (its port is not declared hardwired) waits like any device; the PS/2 keyboard "
           "works", out[4] + "; " + out[5])


def qmp_hotplug_stick(m):
    """QEMU's usb-storage hot-plugged with device_add over QMP: a second real USB path."""
    c = sh(m, "jcursor").strip()
    qmp = socket.socket(socket.AF_UNIX)
    qmp.connect(str(m.qmp_path))
    stream = qmp.makefile("rw")
    stream.readline()
    for command in [{"execute": "qmp_capabilities"},
                    {"execute": "device_add", "arguments": {"driver": "usb-storage", "id": "hotstick",
                                                           "drive": "hotstick", "bus": "xhci.0",
                                                           "serial": "HOTSTICK01"}}]:
        stream.write(json.dumps(command) + "\n")
        stream.flush()
        while True:
            answer = json.loads(stream.readline())
            if "return" in answer or "error" in answer:
                break
        expect("return" in answer, f"QMP {command['execute']}", answer)
    out = sh(m, f"""
        nazwait "{c}" 300 policy.decision | field MESSAGE
        port=$(journalctl -q -o json --cursor="{c}" NAZORAT_EVENT=policy.decision | field NAZORAT_SUBJECT | head -n1)
        echo "authorized=$(cat /sys/bus/usb/devices/$port/authorized) disks=$(ls /dev/sd* 2>/dev/null | wc -l)"
    """).splitlines()
    qmp.close()
    expect("block" in out[0] and out[1] == "authorized=0 disks=0", "the hot-plugged QEMU stick blocked, no disk",
           out[0] + "; " + out[1])


def report_until_cut(m, rng):
    """Streams counter reports; kills QEMU after a random number of acknowledgements.
    Returns the last acknowledged value."""
    cut_after = rng.randint(5, 60)
    seen = {"start": None, "acks": 0, "last": None}

    def on_line(line):
        if line.startswith("START "):
            seen["start"] = int(line.split()[1])
        elif line.startswith("ACK "):
            seen["acks"] += 1
            seen["last"] = int(line.split()[1])
            return seen["acks"] < cut_after
        elif line.startswith("REFUSED "):
            raise ScenarioFailure(f"a counter report was refused: {line}")
        return True

    m.stream(REPORTS, on_line)
    m.power_cut()
    return seen


def after_the_cut(m, acknowledged):
    out = sh(m, """
        systemctl is-system-running --wait >/dev/null || true
        set +e; nazoratd verify-log --db /var/lib/nazorat/state.db 2>/dev/null | head -n 1; echo "verify-exit=${PIPESTATUS[0]}"; set -e
        port=$(vm-gadget port scanner1)
        nazoratctl counters --json | grep -o "{[^{}]*\\"port\\":\\"$port\\"[^{}]*}" | grep -o '"public":[0-9]*' | cut -d: -f2
    """).splitlines()
    expect(out[-2] == "verify-exit=0", "nazoratd verify-log passes after the power cut", out[0])
    stored = int(out[-1])
    expect(stored >= acknowledged, "every acknowledged counter report is in the database",
           f"last acknowledged {acknowledged}, stored {stored}")


def rng_for_run():
    seed = random.SystemRandom().randrange(1 << 30)
    return seed, random.Random(seed)
