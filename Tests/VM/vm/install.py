"""Install, monitor mode and commissioning on the fresh image (the first boot)."""
from .station import expect, sh

DEB = "/root/nazorat.deb"


def install(m):
    out = sh(m, f"apt-get -o DPkg::Lock::Timeout=300 install -y -q {DEB} 2>&1 | grep -E '^(Setting up|E:)' || true")
    expect("Setting up nazorat" in out, "apt-get install ./nazorat_*.deb sets the package up", out.strip())
    groups = sh(m, "getent group nazorat nazorat-admin nazorat-scanner | cut -d: -f1 | tr '\\n' ' '").split()
    expect(groups == ["nazorat", "nazorat-admin", "nazorat-scanner"], "groups nazorat, nazorat-admin, nazorat-scanner",
           groups)
    uplink = sh(m, "getent passwd nazorat-uplink | cut -d: -f6,7; id -nG nazorat-uplink").split()
    expect(uplink == ["/nonexistent:/usr/sbin/nologin", "nazorat-uplink", "nazorat"],
           "user nazorat-uplink without a home or shell, in group nazorat", uplink)
    modes = sh(m, "stat -c '%n %a %U:%G' /var/lib/nazorat /etc/nazorat /etc/nazorat/nazorat.toml "
                  "/etc/nazorat/rules.conf /run/nazorat /run/nazorat/control.sock").splitlines()
    expect(modes == ["/var/lib/nazorat 700 root:root", "/etc/nazorat 750 root:nazorat-uplink",
                     "/etc/nazorat/nazorat.toml 640 root:nazorat-uplink", "/etc/nazorat/rules.conf 640 root:root",
                     "/run/nazorat 755 root:root", "/run/nazorat/control.sock 660 root:nazorat"],
           "the directories and files with their modes", "; ".join(modes))
    enabled = sh(m, "systemctl is-enabled nazoratd.service nazoratd.socket nazorat-uplink.service || true").split()
    expect(enabled == ["enabled", "enabled", "disabled"],
           "nazoratd.service and nazoratd.socket enabled, the uplink left to the administrator", enabled)
    state = sh(m, "systemctl show -p Type -p ActiveState -p SubState --value nazoratd.service").split()
    expect(state == ["notify", "active", "running"], "nazoratd active (running), Type=notify", state)


def monitor_writes_nothing(m):
    out = sh(m, """
        plug stick
        echo "authorized=$(cat /sys/bus/usb/devices/$PORT/authorized)"
        bound $PORT
        echo "writes=$(journalctl -q -o cat NAZORAT_EVENT=enforcement.write | wc -l)"
        echo "mode=$(nazoratctl status --json | sed -n 's/.*"mode":"\\([a-z]*\\)".*/\\1/p')"
        vm-gadget del stick
    """)
    lines = out.splitlines()
    expect("not applied" in lines[0], "monitor mode decides the stick and says it is not applied", lines[0])
    expect("authorized=1" in lines, "the stick stays authorized (monitor mode writes nothing)", lines[1])
    expect(any(l.endswith("=usb-storage") for l in lines), "the stick's interface bound to usb-storage", lines[2])
    expect("writes=0" in lines and "mode=monitor" in lines, "no enforcement.write event in monitor mode",
           " ".join(lines[-2:]))


def commission(m):
    """The station's equipment plugged, its policy generated and sealed, enforce switched on:
    what an administrator does once, before the election (README: Commissioning)."""
    out = sh(m, """
        c=$(jcursor)
        systemctl enable --now vm-station.service >/dev/null 2>&1
        nazwait "$c" 300 policy.decision NAZORAT_SUBJECT=$(vm-gadget port ups) >/dev/null
        nazoratd generate-policy > /root/station.rules
        cat /root/station.rules /etc/nazorat/rules.conf > /root/rules.conf
        install -m 0640 /root/rules.conf /etc/nazorat/rules.conf
        sed -i 's/^mode = .*/mode = "enforce"/' /etc/nazorat/nazorat.toml
        ln -sf /usr/share/nazorat/71-nazorat-enforce.rules /etc/udev/rules.d/71-nazorat-enforce.rules
        nazoratd --check-config /etc/nazorat/nazorat.toml
        nazoratctl seal
        grep -c -E 'label "role=(ballot-scanner|printer|keyboard|ups)"' /root/station.rules
    """)
    expect(out.strip().splitlines()[-1] == "5", "a generated rule for each of the five station devices (and the hubs)",
           out.strip().splitlines()[-1])
    expect("sealed" in out.lower(), "the inventory sealed", out.strip().splitlines()[-2])


def remove_then_purge(m):
    """Remove keeps the evidence and the configuration; purge deletes them; the system
    users stay (Debian policy: files elsewhere may still carry their ids)."""
    out = sh(m, """
        apt-get remove -y -q nazorat >/dev/null 2>&1
        echo "removed: bin=$(ls /usr/bin/nazoratd 2>/dev/null | wc -l) state=$(ls /var/lib/nazorat | tr '\\n' ,) conf=$(ls /etc/nazorat | tr '\\n' ,)"
        apt-get purge -y -q nazorat >/dev/null 2>&1
        echo "purged: state=$(ls -d /var/lib/nazorat 2>/dev/null | wc -l) conf=$(ls -d /etc/nazorat 2>/dev/null | wc -l) units=$(ls /lib/systemd/system/nazorat* /etc/systemd/system/*/nazorat* 2>/dev/null | wc -l) udev=$(ls /lib/udev/rules.d/*nazorat* /etc/udev/rules.d/*nazorat* 2>/dev/null | wc -l) status=$(dpkg-query -W -f='${db:Status-Abbrev}' nazorat 2>/dev/null || echo none)"
        echo "users: $(getent passwd nazorat-uplink | cut -d: -f1) $(getent group nazorat | cut -d: -f1)"
    """).splitlines()
    expect(out[0].startswith("removed: bin=0 state=") and "state.db" in out[0] and "nazorat.toml" in out[0],
           "apt-get remove: binaries gone, the event log and the configuration kept", out[0])
    expect(out[1] == "purged: state=0 conf=0 units=0 udev=0 status=none" or out[1].endswith("status=un "),
           "apt-get purge: state, configuration, units and udev rules gone", out[1])
    expect(out[2] == "users: nazorat-uplink nazorat", "the system users and groups stay", out[2])
