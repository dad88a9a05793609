import os
import signal
import subprocess
import sys

SCRIPT = "from appkit.faults import crash_point\ncrash_point('here')\nprint('survived')"


def run(faults: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SETLEDGER_FAULTS": faults, "SETLEDGER_FAULT_SEED": "1"}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )


def test_a_crash_point_kills_the_process_when_armed() -> None:
    assert run("here=1").returncode == -signal.SIGKILL


def test_a_crash_point_does_nothing_when_not_armed() -> None:
    for faults in ("", "elsewhere=1", "here=0"):
        done = run(faults)
        assert (done.returncode, done.stdout.strip()) == (0, "survived")
