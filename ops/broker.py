"""Run a Mosquitto broker of our own, with the project's configuration.

Used by the demo (``make run``) and by the tests: each gets its own port,
data folder and log, never the machine's shared broker on 1883. The tests
stop, kill and restart it (same port, same persistence folder) to prove
that nothing is lost when the broker goes away.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_TEMPLATE = (
    Path(__file__).resolve().parents[1] / "provisioning" / "broker" / "mosquitto.conf.in"
)


def find_mosquitto() -> str:
    found = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()), None
    )
    if found is None:
        raise FileNotFoundError(
            "mosquitto is not installed. Run: sudo apt-get install -y mosquitto"
        )
    return found


def free_port() -> int:
    """A TCP port nothing listens on right now (for demos and tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def auth_block(password_file: Path | None, acl_file: Path | None) -> str:
    if password_file is None:
        return "# Anonymous, loopback only: unit tests of the transport, never a deployment.\nallow_anonymous true"
    lines = ["allow_anonymous false", f"password_file {password_file.resolve()}"]
    if acl_file is not None:
        lines.append(f"acl_file {acl_file.resolve()}")
    return "\n".join(lines)


def write_config(
    directory: Path,
    port: int,
    *,
    password_file: Path | None = None,
    acl_file: Path | None = None,
    bind: str = "127.0.0.1",
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    data.mkdir(exist_ok=True)
    text = (
        CONFIG_TEMPLATE.read_text()
        .replace("@PORT@", str(port))
        .replace("@BIND@", bind)
        .replace("@DATA_DIR@", str(data.resolve()))
        .replace("@LOG_FILE@", str((directory / "mosquitto.log").resolve()))
        .replace("@AUTH@", auth_block(password_file, acl_file))
        .replace("@USER@", getpass.getuser())
    )
    config = directory / "mosquitto.conf"
    config.write_text(text)
    return config


@dataclass
class Broker:
    """One Mosquitto process on a fixed port and persistence folder."""

    directory: Path
    port: int
    password_file: Path | None = None
    acl_file: Path | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> Broker:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is already in use; choose another broker port")
        config = write_config(
            self.directory, self.port, password_file=self.password_file, acl_file=self.acl_file
        )
        log = (self.directory / "mosquitto.stdout").open("ab")
        self.proc = subprocess.Popen(
            [find_mosquitto(), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"mosquitto exited with {self.proc.returncode}; see {self.directory / 'mosquitto.log'}"
                )
            if port_open(self.port):
                return self
            time.sleep(0.05)
        self.proc.kill()
        raise TimeoutError(f"mosquitto did not listen on {self.port} within {timeout}s")

    def reload(self) -> None:
        """Re-read the password file and ACL (SIGHUP), e.g. after a device is added or revoked."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGHUP)

    def stop(self, timeout: float = 10.0) -> None:
        """A clean stop: Mosquitto saves its persistence file on SIGTERM."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._wait_port_closed()

    def kill(self) -> None:
        """SIGKILL: whatever was only in memory is gone, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._wait_port_closed()

    def restart(self) -> None:
        self.stop()
        self.start()

    def _wait_port_closed(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)


def start_broker(directory: Path, port: int, timeout: float = 10.0) -> subprocess.Popen[bytes]:
    """Start mosquitto on ``port`` and wait until it accepts connections."""
    broker = Broker(directory, port).start(timeout)
    assert broker.proc is not None
    return broker.proc
