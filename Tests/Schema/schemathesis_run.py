#!/usr/bin/env python3
"""schemathesis against docs/openapi.yaml and a running nazoratd.

What it proves: on the simulated polling station of `make demo` (policy generated, devices
sealed, enforce mode, an [uplink] table so that the outbox answers), every request that
schemathesis makes from the document, valid ones and invalid ones, in the coverage, fuzzing
and stateful phases, gets an answer that the document describes: no 5xx; a documented
status, content type and headers; a body valid against its schema; invalid input refused
with a 4xx and valid input not refused; a method that a path lacks answered 405 with an
`Allow` header. The daemon runs as root here, so every permission is granted.

The control API lives on a Unix socket, which schemathesis cannot reach: a small bridge in
this process forwards a loopback TCP port (ephemeral) to it. The run's settings are in
Tests/Schema/schemathesis.toml; its output and JUnit report go to .build/schemathesis/.

Usage, from the repository's root after `swift build`:
    python3 Tests/Schema/schemathesis_run.py [SCHEMATHESIS RUN OPTIONS, e.g. --seed 7]
It installs Tests/Schema/requirements.txt into .build/schema-venv the first time (PyPI).
Exit status: 0 when schemathesis found nothing, 1 otherwise.
"""
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "Tests/Schema"
VENV = ROOT / ".build/schema-venv"
REPORTS = ROOT / ".build/schemathesis"
NAZORATD = ROOT / ".build/debug/nazoratd"
SIMULATOR = [str(ROOT / ".build/debug/nazorat-station-sim"),
             "--station", str(ROOT / "Tests/Fixtures/polling-station.umockdev"), "--"]
READY_TIMEOUT = 60

CONFIG = """\
station = "SCHEMA-0001"
mode = "enforce"
state-dir = "state"
socket = "control.sock"
log-level = "info"

[policy]
rules = "rules.conf"
implicit = "block"

# nazoratd only makes the envelopes; no nazorat-uplink runs, so nothing goes anywhere.
[uplink]
url = "http://127.0.0.1:9"
heartbeat-interval = "1s"
"""


def schemathesis() -> Path:
    """The pinned schemathesis, installed into .build/schema-venv when missing."""
    executable = VENV / "bin/schemathesis"
    if not executable.exists():
        print(f"installing {HERE / 'requirements.txt'} into {VENV}", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(VENV / "bin/pip"), "install", "--quiet", "-r", str(HERE / "requirements.txt")],
                           check=True)
        except (OSError, subprocess.CalledProcessError):
            shutil.rmtree(VENV, ignore_errors=True)
            sys.exit("schemathesis is missing and pip could not install it (is PyPI reachable?): "
                     "`python3 -m venv .build/schema-venv && .build/schema-venv/bin/pip install "
                     "-r Tests/Schema/requirements.txt` installs it, then run this again.")
    return executable


def commission(directory: Path) -> Path:
    """What `make demo` does, in `directory`: the policy, the config, the seal."""
    generated = subprocess.run(SIMULATOR + [str(NAZORATD), "generate-policy"], check=True,
                               stdout=subprocess.PIPE, text=True).stdout
    (directory / "rules.conf").write_text(generated + (ROOT / "systemd/rules.conf").read_text())
    config = directory / "nazorat.toml"
    config.write_text(CONFIG)
    subprocess.run(SIMULATOR + [str(NAZORATD), "seal", "--config", str(config)], check=True)
    return config


def start_daemon(config: Path, log: Path) -> subprocess.Popen:
    """nazoratd on the simulated station; returns once it told READY=1 (sd_notify)."""
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify_path = config.parent / "notify.sock"
    notify.bind(str(notify_path))
    notify.settimeout(1)
    with log.open("w") as output:
        daemon = subprocess.Popen(SIMULATOR + [str(NAZORATD), "--config", str(config)],
                                  env={**os.environ, "NOTIFY_SOCKET": str(notify_path)},
                                  stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(READY_TIMEOUT):
            if daemon.poll() is not None:
                raise RuntimeError(f"nazoratd exited with status {daemon.returncode} before READY=1; see {log}")
            try:
                if b"READY=1" in notify.recv(4096).split(b"\n"):
                    return daemon
            except socket.timeout:
                continue
        raise RuntimeError(f"nazoratd did not tell READY=1 within {READY_TIMEOUT} s; see {log}")
    except BaseException:
        stop(daemon)
        raise
    finally:
        notify.close()


def stop(daemon: subprocess.Popen) -> None:
    """SIGTERM to the simulator (it stops nazoratd), SIGKILL to both after 15 s."""
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()


async def bridge(socket_path: str) -> asyncio.AbstractServer:
    """A TCP server on 127.0.0.1 (an ephemeral port) relaying each connection to the Unix socket."""
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError):
            writer.close()

    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            daemon_reader, daemon_writer = await asyncio.open_unix_connection(socket_path)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, daemon_writer), pipe(daemon_reader, client_writer))
        client_writer.close()
        daemon_writer.close()

    return await asyncio.start_server(relay, "127.0.0.1", 0)


async def run_schemathesis(executable: Path, port: int, options: list[str]) -> int:
    """schemathesis against the bridge; its output goes to the terminal and to REPORTS/output.txt."""
    command = [str(executable), "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
               "run", str(ROOT / "docs/openapi.yaml"), "--url", f"http://127.0.0.1:{port}",
               "--report", "junit", "--report-junit-path", str(REPORTS / "junit.xml"), *options]
    process = await asyncio.create_subprocess_exec(*command, cwd=REPORTS, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    try:
        with (REPORTS / "output.txt").open("wb") as output:
            while chunk := await process.stdout.read(65536):
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
                output.write(chunk)
        return await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test(executable: Path, socket_path: str, options: list[str]) -> int:
    server = await bridge(socket_path)
    async with server:
        port = server.sockets[0].getsockname()[1]
        print(f"bridge: 127.0.0.1:{port} -> {socket_path}", flush=True)
        return await run_schemathesis(executable, port, options)


def main() -> int:
    for binary in (NAZORATD, Path(SIMULATOR[0])):
        if not binary.exists():
            sys.exit(f"{binary} is missing: run `swift build` first.")
    executable = schemathesis()
    REPORTS.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="nazorat-schema-"))
    daemon = None
    try:
        config = commission(directory)
        daemon = start_daemon(config, REPORTS / "nazoratd.log")
        status = asyncio.run(test(executable, str(directory / "control.sock"), sys.argv[1:]))
        if daemon.poll() is not None:
            print(f"nazoratd exited during the run (status {daemon.returncode}); see {REPORTS / 'nazoratd.log'}")
            status = status or 1
        return 1 if status else 0
    finally:
        if daemon is not None:
            stop(daemon)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
