"""Integrity on real hardware events: a scanner re-created with another serial or firmware,
and a sealed scanner unplugged while the polls are open."""
from .station import expect, sh


def alarm_after(m, action, kind, port_of="scanner1", seconds=300):
    return sh(m, f"""
        c=$(jcursor)
        port=$(vm-gadget port {port_of})
        {action}
        nazwait "$c" {seconds} alarm.raised NAZORAT_ALARM={kind} NAZORAT_SUBJECT=$port | field MESSAGE
        journalctl -q -o json --cursor="$c" NAZORAT_EVENT=alarm.raised NAZORAT_ALARM={kind} | field PRIORITY | head -n1
    """).splitlines()


def drift_alarms(m):
    out = alarm_after(m, "vm-gadget del scanner1; vm-gadget add scanner1 serial=BS200-9999 >/dev/null",
                      "device.serial-changed")
    expect("serial" in out[0], "scanner 1 re-created with another serial raises device.serial-changed", out[0])
    out = alarm_after(m, "vm-gadget del scanner1; vm-gadget add scanner1 bcd=0x0200 >/dev/null",
                      "device.firmware-changed")
    expect("firmware" in out[0] or "bcdDevice" in out[0],
           "scanner 1 re-created with another bcdDevice raises device.firmware-changed", out[0])
    out = sh(m, """
        c=$(jcursor)
        port=$(vm-gadget port scanner1)
        vm-gadget del scanner1; vm-gadget add scanner1 >/dev/null
        nazwait "$c" 300 alarm.cleared NAZORAT_SUBJECT=$port | field MESSAGE
        cat /sys/bus/usb/devices/$port/authorized
    """).splitlines()
    expect(out[-1] == "1", "the commissioned scanner 1 back: allowed again, its alarm cleared", out[0])


def unplugged_scanner_while_polls_open(m):
    out = sh(m, """
        rc=0; nazoratctl polls open >/dev/null 2>&1 || rc=$?; echo "before the counters: exit $rc"
        for s in scanner1 scanner2; do
            curl -s -o /dev/null -w '%{http_code}\\n' --unix-socket /run/nazorat/control.sock -X PUT \\
                -H 'Content-Type: application/json' -d '{"public":0,"protective":0}' \\
                "http://nazoratd/v1/scanners/$(vm-gadget port $s)/counters"
        done
        nazoratctl report zero > /tmp/zero.txt; echo "widest=$(awk '{ if (length > w) w = length } END { print w }' /tmp/zero.txt)"
        grep -c '^READY$' /tmp/zero.txt || true
        nazoratctl polls open >/dev/null && nazoratctl polls --json
    """).splitlines()
    expect(out[0] == "before the counters: exit 1", "opening is refused while the scanners have not reported", out[0])
    expect(out[1:3] == ["200", "200"] and out[3] == "widest=42" and out[4] == "1",
           "with both scanners at 0 the zero report says READY, on 42 columns", "; ".join(out[1:5]))
    expect('"open"' in out[-1], "the polls opened", out[-1].strip())
    out = alarm_after(m, "vm-gadget del scanner2", "device.missing", port_of="scanner2")
    expect(out[1] == "2", "scanner 2 unplugged while the polls are open raises a critical device.missing (PRIORITY=2)",
           out[0] + f" (PRIORITY={out[1]})")
    out = sh(m, """
        c=$(jcursor); port=$(vm-gadget port scanner2)
        vm-gadget add scanner2 >/dev/null
        nazwait "$c" 300 alarm.cleared NAZORAT_SUBJECT=$port NAZORAT_ALARM=device.missing | field MESSAGE
    """)
    expect("cleared" in out, "scanner 2 back: the missing alarm cleared", out.strip())
