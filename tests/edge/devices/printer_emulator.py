"""A TCP 9100 receipt printer for tests, and a small ESC/POS decoder.

:class:`PrinterEmulator` is a real listening socket on a free port: it
records every byte it is sent and answers the real-time status queries
DLE EOT 1 (printer: bit 3 set when offline), DLE EOT 2 (offline cause:
bit 2 set while the cover is open) and DLE EOT 4 (roll sensor: bits 5-6
set when the paper is out), as Epson's TM series documents them (bits 1
and 4 are always 1); an open cover also makes the printer offline. ``stop()`` closes it (the printer is "down");
``start()`` opens it again on the same port.

:func:`decode` turns ESC/POS bytes into what the slip shows: text lines,
with cuts, drawer kicks and QR payloads (GS ( k, function 180 "store
data") noted as markers. Control sequences it does not know raise, so a
layout change that emits a new command is seen, not skipped.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

DLE_EOT = b"\x10\x04"


class PrinterEmulator:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.paper_out = False
        self.offline = False
        self.cover_open = False
        self.received = bytearray()
        self.connections = 0
        self.active = 0
        """Connections open now: a client's bytes are all in once its connection closed."""
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> PrinterEmulator:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(4)
        self.port = server.getsockname()[1]
        self._server = server
        thread = threading.Thread(target=self._accept, args=(server,), daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []

    def take(self, settle_s: float = 5.0) -> bytes:
        """The bytes received so far (and forget them), once no client is still sending."""
        deadline = time.monotonic() + settle_s
        while self.active and time.monotonic() < deadline:
            time.sleep(0.005)
        with self._lock:
            data = bytes(self.received)
            self.received.clear()
        return data

    def _accept(self, server: socket.socket) -> None:
        server.settimeout(0.05)
        while self._server is server:
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._clients.append(client)
                self.connections += 1
                self.active += 1
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _status(self, n: int) -> bytes:
        value = 0x12
        if n == 1 and (self.offline or self.cover_open):
            value |= 0x08
        if n == 2 and self.cover_open:
            value |= 0x04
        if n == 4 and self.paper_out:
            value |= 0x60
        return bytes([value])

    def _serve(self, client: socket.socket) -> None:
        while True:
            try:
                chunk = client.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            with self._lock:
                self.received.extend(chunk)
            # A status query is sent on its own (3 bytes, one write), so it
            # arrives whole; scan the chunk and answer each one.
            start = 0
            while (at := chunk.find(DLE_EOT, start)) != -1 and at + 2 < len(chunk):
                try:
                    client.sendall(self._status(chunk[at + 2]))
                except OSError:
                    break
                start = at + 3
        client.close()
        with self._lock:
            self.active -= 1


@dataclass
class Slip:
    lines: list[str] = field(default_factory=list)
    cuts: int = 0
    drawer_kicks: list[int] = field(default_factory=list)
    """The pin of each ESC p (0 = pin 2, 1 = pin 5)."""
    qr: list[str] = field(default_factory=list)
    images: int = 0
    status_queries: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# Commands with a fixed number of parameter bytes after the command bytes.
_ESC_FIXED = {
    b"@": 0, b"a": 1, b"E": 1, b"!": 1, b"t": 1, b"d": 1, b"J": 1, b"M": 1, b"-": 1,
    b"G": 1, b"{": 1, b"V": 1, b"2": 0, b"3": 1, b" ": 1, b"p": 3, b"c": 2,
}  # fmt: skip
_GS_FIXED = {b"!": 1, b"B": 1, b"b": 1, b"L": 2, b"W": 2, b"H": 1, b"h": 1, b"w": 1, b"f": 1}


def decode(data: bytes) -> Slip:
    slip = Slip()
    current = bytearray()
    i = 0

    def end_line() -> None:
        slip.lines.append(current.decode("ascii", "replace").rstrip())
        current.clear()

    while i < len(data):
        byte = data[i]
        if byte == 0x0A:
            end_line()
            i += 1
        elif byte == 0x1B:
            cmd = data[i + 1 : i + 2]
            if cmd not in _ESC_FIXED:
                raise ValueError(f"unknown ESC {cmd!r} at {i}")
            if cmd == b"p":
                slip.drawer_kicks.append(data[i + 2])
            i += 2 + _ESC_FIXED[cmd]
        elif byte == 0x1D:
            cmd = data[i + 1 : i + 2]
            if cmd == b"V":
                mode = data[i + 2]
                slip.cuts += 1
                i += 4 if mode >= 65 else 3  # GS V m n for m 65/66, else GS V m
            elif cmd == b"(" and data[i + 2 : i + 3] == b"k":
                size = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5 : i + 5 + size]
                if body[:2] == b"1P":  # cn 49 (QR), fn 80: store data (after m=48)
                    slip.qr.append(body[3:].decode("utf-8"))
                i += 5 + size
            elif cmd == b"v" and data[i + 2 : i + 3] == b"0":
                width = data[i + 4] + 256 * data[i + 5]
                height = data[i + 6] + 256 * data[i + 7]
                slip.images += 1
                i += 8 + width * height
            elif cmd in _GS_FIXED:
                i += 2 + _GS_FIXED[cmd]
            else:
                raise ValueError(f"unknown GS {cmd!r} at {i}")
        elif byte == 0x10 and data[i + 1 : i + 2] == b"\x04":
            slip.status_queries.append(data[i + 2])
            i += 3
        elif byte < 0x20:
            raise ValueError(f"unknown control byte {byte:#04x} at {i}")
        else:
            current.append(byte)
            i += 1
    if current:
        end_line()
    return slip
