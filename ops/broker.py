"""Run a Mosquitto broker of our own, with the project's configuration.

Used by the demo (``make run``) and by the tests: each gets its own port,
data folder and log, never the machine's shared broker on 1883.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
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


def write_config(directory: Path, port: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    data.mkdir(exist_ok=True)
    text = (
        CONFIG_TEMPLATE.read_text()
        .replace("@PORT@", str(port))
        .replace("@DATA_DIR@", str(data.resolve()))
        .replace("@LOG_FILE@", str((directory / "mosquitto.log").resolve()))
    )
    config = directory / "mosquitto.conf"
    config.write_text(text)
    return config


def free_port() -> int:
    """A TCP port nothing listens on right now (for demos and tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def start_broker(directory: Path, port: int, timeout: float = 10.0) -> subprocess.Popen[bytes]:
    """Start mosquitto on ``port`` and wait until it accepts connections."""
    if port_open(port):
        raise RuntimeError(f"port {port} is already in use; choose another broker port")
    config = write_config(directory, port)
    log = (directory / "mosquitto.stdout").open("ab")
    proc = subprocess.Popen(
        [find_mosquitto(), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"mosquitto exited with {proc.returncode}; see {directory / 'mosquitto.log'}"
            )
        if port_open(port):
            return proc
        time.sleep(0.05)
    proc.kill()
    raise TimeoutError(f"mosquitto did not listen on {port} within {timeout}s")
