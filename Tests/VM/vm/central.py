"""nazorat-central on the host's loopback, reached from the guest only through QEMU's
guestfwd (restrict=on: the guest has no other way out), over TLS with a test CA."""
import json
import pathlib
import socket
import subprocess
import threading
import time

from . import log
from .station import ScenarioFailure

GUEST_ADDRESS = "10.0.2.100"
GUEST_PORT = 443


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Central:
    def __init__(self, binary: pathlib.Path, work: pathlib.Path):
        self.binary = binary
        self.dir = work / "central"
        subprocess.run(["rm", "-rf", str(self.dir)], check=True)
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.process = None
        self._certificates()

    def forward(self):
        """QEMU's guestfwd: each guest connection to 10.0.2.100:443 runs socat to central."""
        return (GUEST_PORT, f"cmd:socat - TCP:127.0.0.1:{self.port}")

    def _certificates(self):
        d = self.dir
        def openssl(*args):
            subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=Nazorat VM test CA", "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"))
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=central",
                "-keyout", str(d / "server.key"), "-out", str(d / "server.csr"))
        (d / "ext.cnf").write_text(f"subjectAltName=IP:{GUEST_ADDRESS},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", str(d / "ext.cnf"), "-out", str(d / "server.pem"))

    @property
    def ca_pem(self):
        return (self.dir / "ca.pem").read_text()

    def enroll(self, station, key):
        subprocess.run([str(self.binary), "enroll", "--state-dir", str(self.dir / "state"), station, key], check=True,
                       stdout=subprocess.DEVNULL)

    def start(self):
        """Starts central and waits for its first line, which names the port it listens on: a
        central that cannot start fails here with its own words, not as a silent uplink later."""
        self.log = open(self.dir / "central.log", "w")
        self.process = subprocess.Popen([str(self.binary), "--listen", f"127.0.0.1:{self.port}",
                                         "--state-dir", str(self.dir / "state"),
                                         "--tls-cert", str(self.dir / "server.pem"),
                                         "--tls-key", str(self.dir / "server.key"), "--grace", "120"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        first = self.process.stdout.readline()
        self.log.write(first)
        self.log.flush()
        threading.Thread(target=self._copy_output, daemon=True).start()
        if "listening on" not in first:
            self.process.wait(timeout=30)
            raise ScenarioFailure(f"nazorat-central did not start (exit {self.process.returncode}):\n{self.log_tail()}")
        log.saw(first.strip())

    def _copy_output(self):
        for line in self.process.stdout:
            self.log.write(line)
            self.log.flush()

    def log_tail(self, lines=40):
        """The last lines central printed (its warnings say why it refused an envelope)."""
        return "\n".join((self.dir / "central.log").read_text(errors="replace").splitlines()[-lines:])

    def station(self, station):
        out = subprocess.run(["curl", "-sf", "--cacert", str(self.dir / "ca.pem"),
                              f"https://127.0.0.1:{self.port}/v1/stations"], capture_output=True, text=True)
        if out.returncode != 0:
            return None
        return next((s for s in json.loads(out.stdout)["stations"] if s["station"] == station), None)

    def until(self, station, condition, what, seconds=300):
        """Central offers no push: its station view is read every half second, up to a bound."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            view = self.station(station)
            if view is not None and condition(view):
                return view
            time.sleep(0.5)
        log.saw(f"central's view of {station}: {self.station(station)}")
        return None

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)
