"""Enforcement on the real kernel, under the installed hardened unit (the commissioned
station's boot: enforce mode, the station's equipment plugged before nazoratd starts)."""
from .station import expect, sh

STATION = {"scanner1": "none", "scanner2": "none", "printer": "usblp", "keyboard": "usbhid", "ups": "usbhid"}


def ready_after_boot(m):
    out = sh(m, """
        systemctl is-system-running --wait >/dev/null || true
        for p in Type ActiveState SubState NRestarts; do printf '%s ' "$(systemctl show -p $p --value nazoratd.service)"; done; echo
        systemctl show -p ActiveEnterTimestampMonotonic --value nazoratd.service
        systemctl show -p ExecMainStartTimestampMonotonic --value nazoratd.service
        systemd-analyze 2>&1 | head -n 1
    """).splitlines()
    expect(out[0].split() == ["notify", "active", "running", "0"],
           "nazoratd active (running) after boot, Type=notify, never restarted", out[0])
    ready, started = int(out[1]) / 1e6, int(out[2]) / 1e6
    expect(0 < started <= ready, f"READY=1 {ready:.1f} s after boot (started at {started:.1f} s, "
           f"{ready - started:.1f} s to enumerate, decide and listen)", out[3] if len(out) > 3 else "")


def station_equipment_works(m):
    out = sh(m, "for n in " + " ".join(STATION) + """; do
            p=$(vm-gadget port $n)
            echo "$n $p authorized=$(cat /sys/bus/usb/devices/$p/authorized) $(bound $p | tr '\\n' ' ')"
        done""").splitlines()
    for line, (name, driver) in zip(out, STATION.items()):
        fields = line.split()
        interfaces = [f for f in fields[3:] if "=" in f]
        expect(fields[2] == "authorized=1" and interfaces and all(i.endswith("=" + driver) for i in interfaces),
               f"{name} authorized, its interfaces " + ("present (vendor class: no kernel driver; the scanner "
               "software uses usbfs)" if driver == "none" else f"bound to {driver}"), line)


def stick_never_becomes_a_disk(m):
    out = sh(m, """
        c=$(jcursor)
        plug stick; port=$PORT
        echo "authorized=$(cat /sys/bus/usb/devices/$port/authorized)"
        echo "interfaces=$(ls -d /sys/bus/usb/devices/$port:* 2>/dev/null | wc -l)"
        echo "usb-storage=$(journalctl -k -q --cursor="$c" | grep -c 'usb-storage' || true)"
        echo "disks=$(ls /dev/sd* 2>/dev/null | wc -l)"
        echo "role=$(udevadm info -q property -p /sys/bus/usb/devices/$port | sed -n 's/^NAZORAT_ROLE=//p')"
    """).splitlines()
    expect("block" in out[0] and "not applied" not in out[0], "the stick blocked", out[0])
    expect(out[1:5] == ["authorized=0", "interfaces=0", "usb-storage=0", "disks=0"],
           "the stick stays unauthorized: no interface, usb-storage never bound, no /dev/sd*", " ".join(out[1:5]))
    expect(out[5] == "role=storage", "udev's role hint for the unauthorized stick (from its descriptors)", out[5])


def ethernet_gets_no_interface(m):
    out = sh(m, """
        plug ethernet; port=$PORT
        host=$(readlink -f /sys/bus/usb/devices/$port)
        echo "authorized=$(cat $host/authorized)"
        echo "host-side-links=$(for i in /sys/class/net/*; do readlink -f $i; done | grep -c "^$host" || true)"
        echo "cdc_ether=$(ls /sys/bus/usb/drivers/cdc_ether 2>/dev/null | grep -c "^$port:" || true)"
    """).splitlines()
    expect("block" in out[0], "the ethernet adapter blocked", out[0])
    expect(out[1:] == ["authorized=0", "host-side-links=0", "cdc_ether=0"],
           "no network interface on the station's side, cdc_ether never bound", " ".join(out[1:]))


def lookalike_rejected(m):
    out = sh(m, """
        c=$(jcursor)
        port=$(vm-gadget port lookalike)
        vm-gadget add lookalike wait=removed >/dev/null
        nazwait "$c" 300 policy.decision NAZORAT_SUBJECT=$port | field MESSAGE
        echo "present=$([ -e /sys/bus/usb/devices/$port ] && echo yes || echo no)"
        echo "keyboards=$(journalctl -k -q --cursor="$c" | grep -c 'input: .*BS-200' || true)"
        vm-gadget del lookalike
    """).splitlines()
    expect("reject" in out[0], "the scanner look-alike with a keyboard interface rejected", out[0])
    expect(out[1:] == ["present=no", "keyboards=0"], "gone from the bus; it never became an input device",
           " ".join(out[1:]))


def hostile_strings_escaped(m):
    out = sh(m, """
        c=$(jcursor)
        plug hostile >/dev/null; port=$PORT
        raw() { grep -c -P '[\\x00-\\x08\\x0b-\\x1f\\x7f]|\\xe2\\x80\\xae' || true; }
        echo "journal-raw=$(journalctl -q -o cat --cursor="$c" SYSLOG_IDENTIFIER=nazoratd | raw)"
        echo "journal-fields-raw=$(journalctl -q -o verbose --cursor="$c" SYSLOG_IDENTIFIER=nazoratd | raw)"
        echo "devices-raw=$(nazoratctl devices | raw)"
        nazoratctl devices $port | grep -i -m1 serial
        journalctl -q -o cat --cursor="$c" NAZORAT_EVENT=device.added NAZORAT_SUBJECT=$port
        vm-gadget del hostile
    """).splitlines()
    expect(out[0:3] == ["journal-raw=0", "journal-fields-raw=0", "devices-raw=0"],
           "no raw control byte or bidi override in the journal (messages and fields) or nazoratctl devices",
           " ".join(out[0:3]))
    expect("\\x1b" in out[3] and "\\x1b" in out[4], "the hostile serial escaped", out[3].strip() + " | " + out[4])
