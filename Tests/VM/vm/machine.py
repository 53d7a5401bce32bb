"""One QEMU process running the station image, and the agent on its virtio-serial port.

The guest runs /usr/local/sbin/vm-agent (Tests/VM/guest): the host sends a shell script,
the agent answers with its status and output. Every wait is a blocking read of the
agent's socket (a line, the next boot's greeting) with a bound, never a sleep."""
import atexit
import base64
import os
import pathlib
import signal
import socket
import subprocess

from . import log

BOOT_TIMEOUT = 600      # a boot under TCG while the other core builds: minutes, not seconds
COMMAND_TIMEOUT = 900


class GuestError(Exception):
    pass


class Machine:
    def __init__(self, image, kernel, initrd, work: pathlib.Path, name, append="", usb_devices=(), forwards=()):
        self.work = work
        self.name = name
        self.console = work / f"console-{name}.log"
        self.agent_path = work / f"agent-{name}.sock"
        self.qmp_path = work / f"qmp-{name}.sock"
        for p in (self.agent_path, self.qmp_path):
            p.unlink(missing_ok=True)
        accel = ["-accel", "kvm"] if _kvm_works() else ["-accel", "tcg"]
        # restrict=on: the guest reaches nothing outside; each forward is one explicit way out
        # (10.0.2.100:PORT in the guest to TARGET, a QEMU chardev such as cmd:socat ...).
        netdev = "user,id=n0,restrict=on" + "".join(f",guestfwd=tcp:10.0.2.100:{port}-{target}"
                                                    for port, target in forwards)
        # QEMU's own USB controller and devices, present from power-on (the early-boot case).
        usb = ["-device", "qemu-xhci,id=xhci"] + [a for d in usb_devices for a in d] if usb_devices else []
        self.argv = (["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-machine", "q35", "-smp", "2", "-m", "1536",
                      "-display", "none", "-vga", "none", "-serial", f"file:{self.console}"] + accel
                     + ["-kernel", str(kernel), "-initrd", str(initrd),
                        "-append", f"console=ttyS0 root=/dev/vda rw panic=-1 audit=1 {append}".strip(),
                        "-drive", f"file={image},format=raw,if=virtio,cache=writeback",
                        "-netdev", netdev, "-device", "virtio-net-pci,netdev=n0",
                        "-device", "virtio-serial-pci",
                        "-chardev", f"socket,id=agent,path={self.agent_path},server=off",
                        "-device", "virtserialport,chardev=agent,name=org.nazorat.agent",
                        "-qmp", f"unix:{self.qmp_path},server=on,wait=off"] + usb)
        self.process = None
        self.sock = None
        self.reader = None
        self.boot_id = None

    def start(self):
        """Starts QEMU and blocks until the guest's agent greets; returns (boot id, uptime)."""
        log.step(f"{self.name}: booting the station image under QEMU ({self.argv[self.argv.index('-accel') + 1]})")
        # The harness listens and QEMU connects to it as it starts: no waiting for a socket.
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.agent_path))
        listener.listen(1)
        listener.settimeout(60)
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=open(self.work / f"qemu-{self.name}.log", "w"))
        # A harness that dies (an exception, Ctrl-C) must not leave a VM holding the image.
        atexit.register(self.process.kill)
        try:
            self.sock, _ = listener.accept()
        except socket.timeout:
            self.process.kill()
            raise GuestError(f"QEMU did not start: {(self.work / f'qemu-{self.name}.log').read_text()}")
        finally:
            listener.close()
            self.agent_path.unlink(missing_ok=True)
        self.reader = self.sock.makefile("rb")
        return self.wait_boot()

    def wait_boot(self):
        """Blocks until the next boot's agent says hello; returns (boot id, uptime s)."""
        self.sock.settimeout(BOOT_TIMEOUT)
        while True:
            line = self._readline("the guest's agent greeting (boot)")
            if line.startswith(b"HELLO "):
                _, boot_id, uptime = line.decode().split()
                self.boot_id = boot_id
                log.saw(f"{self.name}: agent up, boot {boot_id[:8]}, {uptime} s after the kernel started")
                return boot_id, float(uptime)

    def _readline(self, what):
        try:
            line = self.reader.readline()
        except socket.timeout:
            raise GuestError(f"no answer from the guest within the timeout, waiting for {what}")
        if not line:
            raise GuestError(f"the guest's agent closed the connection, waiting for {what}")
        return line.rstrip(b"\n")

    def run(self, script, check=True, timeout=COMMAND_TIMEOUT):
        """Runs `script` (bash) in the guest as root; returns (status, output)."""
        self._send("run", script)
        self.sock.settimeout(timeout)
        while True:
            line = self._readline(f"the answer to: {script.strip().splitlines()[0][:80]}")
            if line.startswith(b"R "):
                parts = line.split(b" ", 2)
                status = int(parts[1])
                out = base64.b64decode(parts[2]).decode("utf-8", "backslashreplace") if len(parts) > 2 else ""
                if check and status != 0:
                    raise GuestError(f"exit {status} from:\n{script.strip()}\n--- output ---\n{out}")
                return status, out

    def stream(self, script, on_line, timeout=COMMAND_TIMEOUT):
        """Runs `script`, handing each output line to on_line as it arrives; on_line returns
        False to stop listening (the caller then usually kills the machine)."""
        self._send("stream", script)
        self.sock.settimeout(timeout)
        while True:
            line = self._readline("streamed output")
            if line.startswith(b"O "):
                if on_line(base64.b64decode(line[2:]).decode("utf-8", "backslashreplace")) is False:
                    return None
            elif line.startswith(b"R "):
                return int(line.split(b" ")[1])

    def _send(self, mode, script):
        self.sock.sendall(mode.encode() + b" " + base64.b64encode(script.encode()) + b"\n")

    def reboot(self):
        self._send("run", "systemctl reboot")
        return self.wait_boot()

    def power_cut(self):
        """Kills QEMU: the guest loses its page cache; what it flushed to the disk stays."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.close()

    def poweroff(self):
        try:
            self._send("run", "systemctl poweroff")
        except OSError:
            pass
        try:
            self.process.wait(timeout=BOOT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.close()

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def console_tail(self, lines=60):
        try:
            return "\n".join(self.console.read_text(errors="backslashreplace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no console log)"


def _kvm_works():
    """KVM only where the CPU has virtualization (this machine has /dev/kvm without vmx)."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    flags = pathlib.Path("/proc/cpuinfo").read_text()
    return " vmx" in flags or " svm" in flags
