"""systemd for real: the watchdog, socket activation, the catalog, the exposure on the
running system, who may talk to the socket, and a daemon that fails behind its socket."""
import re

from .station import expect, sh


def watchdog_restarts_a_stopped_daemon(m):
    out = sh(m, """
        c=$(jcursor)
        pid=$(systemctl show -p MainPID --value nazoratd)
        kill -STOP $pid
        jwait "$c" 120 'Watchdog timeout' _PID=1 UNIT=nazoratd.service | field MESSAGE
        started "$c" 300 nazoratd.service >/dev/null
        echo "$pid $(systemctl show -p MainPID --value nazoratd) $(systemctl show -p NRestarts --value nazoratd)"
        nazwait "$c" 60 daemon.started | field MESSAGE
    """).splitlines()
    old, new, restarts = out[1].split()
    expect("Watchdog timeout" in out[0], "systemd saw the stopped nazoratd miss its watchdog", out[0])
    expect(old != new and restarts == "1", "restarted by systemd under a new pid", f"pid {old} -> {new}, NRestarts={restarts}")
    expect("started" in out[2], "the restart is in nazoratd's log", out[2])


def socket_activation(m):
    out = sh(m, """
        systemctl stop nazoratd.service 2>/dev/null
        echo "$(systemctl is-active nazoratd.service || true) $(systemctl is-active nazoratd.socket)"
        c=$(jcursor)
        set +e; nazoratctl status --timeout 300 >/dev/null; echo "status-exit=$?"; set -e
        started "$c" 10 nazoratd.service | field MESSAGE
        systemctl show -p TriggeredBy --value nazoratd.service
    """).splitlines()
    expect(out[0] == "inactive active", "nazoratd stopped, its socket still listening", out[0])
    expect(out[1] in ("status-exit=0", "status-exit=1"), "nazoratctl status answered by the daemon the socket started",
           out[1])
    expect("nazoratd.socket" in out[3], "started through nazoratd.socket", out[2] + " / TriggeredBy=" + out[3])


def catalog_in_the_journal(m):
    out = sh(m, "journalctl -x -q -b -u nazoratd NAZORAT_EVENT=daemon.started -n 1 --no-pager")
    expect("░░ Subject: nazoratd started" in out, "journalctl -x -u nazoratd shows the catalog text",
           [l for l in out.splitlines() if "░░" in l][:2])


def exposure_online_equals_offline(m):
    out = sh(m, """
        systemd-analyze security nazoratd.service | tail -n 1
        systemd-analyze security --offline=true /lib/systemd/system/nazoratd.service | tail -n 1
    """).splitlines()
    online, offline = (float(re.search(r"exposure level for [^:]+: ([0-9.]+)", l).group(1)) for l in out)
    expect(online == offline and online <= 1.5, "the exposure on the running system agrees with the offline score "
           "and is at most 1.5", f"online {online}, offline {offline}")


def technician_and_stranger(m):
    out = sh(m, """
        id tech >/dev/null 2>&1 || useradd -M -G nazorat tech
        id stranger >/dev/null 2>&1 || useradd -M stranger
        set +e
        runuser -u tech -- nazoratctl status >/dev/null; echo "tech=$?"
        runuser -u stranger -- nazoratctl status 2>&1; echo "stranger=$?"
    """).splitlines()
    expect(out[0] in ("tech=0", "tech=1"), "a technician in group nazorat gets nazoratctl status", out[0])
    expect(out[-1] == "stranger=2" and "Permission denied" in out[-2].replace("permission denied", "Permission denied"),
           "a stranger is refused (exit 2)", out[-2])


def failing_daemon_behind_its_socket(m):
    """nazoratd crash-loops (a configuration error at start); the technician's nazoratctl
    gives up within seconds; a stick plugged meanwhile stays unauthorized; the keyboards."""
    out = sh(m, """
        cp /etc/nazorat/nazorat.toml /root/good.toml
        echo 'no-such-key = 1' >> /etc/nazorat/nazorat.toml
        c=$(jcursor)
        systemctl restart nazoratd.service 2>/dev/null || true
        jwait "$c" 120 'Main process exited' _PID=1 UNIT=nazoratd.service >/dev/null
        jwait "$c" 120 'Scheduled restart job' _PID=1 UNIT=nazoratd.service >/dev/null
        t0=$(date +%s%N); set +e; nazoratctl status 2>&1 | head -n 1; echo "exit=${PIPESTATUS[0]}"; set -e
        echo "seconds=$(( ($(date +%s%N) - t0) / 1000000000 ))"
        stick=$(vm-gadget add stick2); kbd=$(vm-gadget add keyboard2)
        echo "stick2=$(cat /sys/bus/usb/devices/$stick/authorized) $(bound $stick | wc -l)"
        echo "keyboard2=$(cat /sys/bus/usb/devices/$kbd/authorized)"
        k=$(vm-gadget port keyboard)
        echo "commissioned-keyboard=$(cat /sys/bus/usb/devices/$k/authorized) $(bound $k | tr '\\n' ' ')"
        echo "ps2=$(grep -c 'AT Translated Set 2 keyboard' /proc/bus/input/devices)"
        install -m 0640 -g nazorat-uplink /root/good.toml /etc/nazorat/nazorat.toml
        c=$(jcursor)
        systemctl reset-failed nazoratd.service; systemctl restart nazoratd.service
        nazwait "$c" 300 policy.decision NAZORAT_SUBJECT=$stick | field MESSAGE
        vm-gadget del stick2; vm-gadget del keyboard2
    """).splitlines()
    expect("did not answer" in out[0] and out[1] == "exit=2" and int(out[2].split("=")[1]) <= 10,
           "nazoratctl status gives up on the crash-looping daemon with exit 2 within seconds",
           f"{out[0]} ({out[1]}, {out[2]})")
    expect(out[3] == "stick2=0 0", "a stick plugged while nazoratd is down stays unauthorized (udev's enforce rule)",
           out[3])
    expect(out[4] == "keyboard2=0", "so does a new USB keyboard (fail closed: a BadUSB keyboard is an attack)", out[4])
    expect(out[5].startswith("commissioned-keyboard=1") and "usbhid" in out[5] and out[6] == "ps2=1",
           "the commissioned keyboard stays authorized and bound (a dying nazoratd deauthorizes nothing), "
           "and the PS/2 keyboard is not USB at all", out[5] + " " + out[6])
    expect("block" in out[7], "the stick decided once nazoratd is back", out[7])


def syscall_filter_killed_nothing(m):
    """Every boot runs with audit=1: a syscall outside a unit's filter leaves a seccomp
    record (type=1326) naming the binary and the syscall, before it kills the process."""
    out = sh(m, "dmesg | grep 'type=1326' | grep -E 'exe=\"/usr/bin/nazorat' || true")
    expect(out.strip() == "", "no seccomp record of nazoratd or nazorat-uplink on this boot "
           "(their syscall filters hold everything they did)", out.strip() or "none")
