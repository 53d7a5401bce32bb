"""The uplink from the VM: nazorat-uplink.service, as user nazorat-uplink, delivers the
station's envelopes to nazorat-central on the host; a stick plugged in the VM becomes an
alarm at central."""
from .central import GUEST_ADDRESS
from .station import expect, sh

STATION = "TSH-0001"


def uplink_to_central(m, central):
    key = sh(m, "nazoratd key --config /etc/nazorat/nazorat.toml").strip().splitlines()[-1]
    central.enroll(STATION, key)
    central.start()
    out = sh(m, f"""
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
    """).splitlines()
    expect("delivered seq" in out[0] and out[1].strip() == "nazorat-uplink",
           "nazorat-uplink.service, as user nazorat-uplink, delivered to central", f"{out[0]} (user {out[1].strip()})")
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
