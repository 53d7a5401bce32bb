"""The uplink from the VM: nazorat-uplink.service, as user nazorat-uplink, delivers the
station's envelopes to nazorat-central on the host; a stick plugged in the VM becomes an
alarm at central."""
from . import log
from .central import GUEST_ADDRESS
from .station import ScenarioFailure, expect, sh

STATION = "TSH-0001"


def uplink_to_central(m, central):
    key = sh(m, "nazoratd key --config /etc/nazorat/nazorat.toml").strip().splitlines()[-1]
    central.enroll(STATION, key)
    central.start()
    out = _with_both_sides(m, central, f"""
        cat > /etc/nazorat/central-ca.pem <<'PEM'
{central.ca_pem.strip()}
PEM
        chmod 0644 /etc/nazorat/central-ca.pem
        cat >> /etc/nazorat/nazorat.toml <<'TOML'
[uplink]
url = "https://{GUEST_ADDRESS}/v1/envelopes"
heartbeat-interval = 5
ca = "/etc/nazorat/central-ca.pem"
TOML
        nazoratd --check-config /etc/nazorat/nazorat.toml >/dev/null
        c=$(jcursor)
        systemctl restart nazoratd.service
        started "$c" 300 nazoratd.service >/dev/null
        systemctl enable --now nazorat-uplink.service 2>/dev/null
        jwait "$c" 300 'delivered seq' _SYSTEMD_UNIT=nazorat-uplink.service | field MESSAGE
        ps -o user= -p $(systemctl show -p MainPID --value nazorat-uplink.service)
        journalctl -b --no-pager -o short-monotonic --after-cursor="$c" -u nazorat-uplink.service | tail -n 12
    """).splitlines()
    expect("delivered seq" in out[0] and out[1].strip() == "nazorat-uplink",
           "nazorat-uplink.service, as user nazorat-uplink, delivered to central", f"{out[0]} (user {out[1].strip()})")
    log.saw("nazorat-uplink's journal until then:\n" + "\n".join(out[2:]))
    view = central.until(STATION, lambda v: v["acceptedSeq"] > 0 and v["phase"] is not None, "a heartbeat")
    expect(view is not None, "central holds the station's heartbeat", view and
           f"acceptedSeq {view['acceptedSeq']}, phase {view['phase']}, overdue {view['overdue']}")
    port = sh(m, """
        c=$(jcursor); port=$(vm-gadget add stick2)
        nazwait "$c" 300 alarm.raised NAZORAT_SUBJECT=$port >/dev/null
        echo $port
    """).strip()
    view = central.until(STATION, lambda v: any(a["port"] == port for a in v["openAlarms"]), "the stick's alarm")
    expect(view is not None, f"the stick plugged at {port} in the VM is an open alarm at central",
           view and [a for a in view["openAlarms"] if a["port"] == port])
    sh(m, "vm-gadget del stick2")


def _with_both_sides(m, central, script):
    """Runs script; if it fails, the failure also says what the uplink and central logged."""
    try:
        return sh(m, script)
    except ScenarioFailure as failure:
        _, uplink = sh(m, "journalctl -b --no-pager -n 8 -o cat -u nazorat-uplink.service", check=False)
        # Both sides first: the summary under the tally repeats a failure's first lines only.
        raise ScenarioFailure(f"nazorat-uplink's journal (last lines):\n{uplink.strip()}\n"
                              f"nazorat-central's log (last lines):\n{central.log_tail(8)}\n{failure}") from None
