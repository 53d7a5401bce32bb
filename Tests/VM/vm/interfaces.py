"""Per-interface authorization on the real kernel (enforce mode, the commissioned station):
an allowed device keeps the interfaces the interface policy allows, and the kernel never
binds a driver to the others."""
from .station import expect, sh

# New equipment the technician allows by id, with its role in the label (USBGuard's syntax).
RULES = ('allow id 0519:0004 label "role=printer"\\n'
         'allow id 1209:0001 label "role=other"\\n')


def allow_the_new_equipment(m):
    out = sh(m, f"""
        systemctl is-system-running --wait >/dev/null || true
        c=$(jcursor)
        {{ printf '{RULES}'; cat /etc/nazorat/rules.conf; }} >/etc/nazorat/rules.conf.new
        mv /etc/nazorat/rules.conf.new /etc/nazorat/rules.conf
        systemctl reload nazoratd
        nazwait "$c" 60 config.reloaded | field MESSAGE
        cat /sys/bus/usb/devices/usb1/interface_authorized_default
    """).splitlines()
    expect("configuration reloaded" in out[0], "the rules for the new printer and terminal loaded", out[0])
    expect(out[1] == "0", "root hubs: interface_authorized_default=0 (interfaces wait to be decided)", out[1])


def printer_prints_without_its_disk(m):
    out = sh(m, """
        c=$(jcursor)
        plug printer2 >/dev/null; port=$PORT
        nazwait "$c" 300 interface.decision NAZORAT_SUBJECT=$port | field MESSAGE
        jwait "$c" 300 ':1\\.0/authorized=1' SYSLOG_IDENTIFIER=nazoratd NAZORAT_EVENT=enforcement.write \
            NAZORAT_SUBJECT=$port >/dev/null
        udevadm settle
        echo "$(bound $port | tr '\\n' ' ')"
        echo "usb-storage=$(ls /sys/bus/usb/drivers/usb-storage 2>/dev/null | grep -c "^$port:" || true)"
        echo "disks=$(ls /dev/sd* 2>/dev/null | wc -l)"
        nazoratctl devices $port | grep 'interfaces cut'
        echo "kernel: $(journalctl -k -q -o cat --cursor="$c" | grep -m1 'usb-storage' || echo nothing)"
        vm-gadget del printer2
    """).splitlines()
    expect("08:06:50" in out[0] and "cut by the shipped interface policy" in out[0],
           "the printer's storage interface cut", out[0])
    drivers = [entry.split(":", 1)[1] for entry in out[1].split()]
    expect(drivers == ["1.0=usblp", "1.1=none"], "usblp bound to the printer interface, nothing to the storage one",
           out[1])
    expect(out[2:4] == ["usb-storage=0", "disks=0"], "usb-storage never bound, no /dev/sd*", " ".join(out[2:4]))
    expect("08:06:50" in out[4], "nazoratctl devices shows the cut interface", out[4].strip())
    expect("usb-storage" not in out[5] or "not authorized" in out[5],
           "the kernel refused usb-storage the cut interface, if it tried", out[5])


def terminal_keeps_its_vendor_interface_not_its_keyboard(m):
    out = sh(m, """
        c=$(jcursor)
        before=$(ls /dev/input/event* 2>/dev/null | wc -l)
        plug composite >/dev/null; port=$PORT
        nazwait "$c" 300 interface.decision NAZORAT_SUBJECT=$port | field MESSAGE
        jwait "$c" 300 ':1\\.0/authorized=1' SYSLOG_IDENTIFIER=nazoratd NAZORAT_EVENT=enforcement.write \
            NAZORAT_SUBJECT=$port >/dev/null
        udevadm settle
        echo "vendor=$(cat /sys/bus/usb/devices/$port:1.0/authorized) keyboard=$(cat /sys/bus/usb/devices/$port:1.1/authorized)"
        echo "new-input-devices=$(( $(ls /dev/input/event* 2>/dev/null | wc -l) - before ))"
        echo "input-lines=$(journalctl -k -q --cursor="$c" | grep -c 'input: .*VT-10' || true)"
        vm-gadget del composite
    """).splitlines()
    expect("03:01:01" in out[0] and "(other) cut by the shipped interface policy (HID)" in out[0],
           "the terminal's keyboard interface cut", out[0])
    expect(out[1:] == ["vendor=1 keyboard=0", "new-input-devices=0", "input-lines=0"],
           "its vendor interface authorized; the keyboard never became an input device", " ".join(out[1:]))
