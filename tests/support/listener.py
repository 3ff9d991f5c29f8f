"""Helpers shared by several test modules (from test_sandbox_walls.py)."""

from __future__ import annotations

import socket
import threading


class Listener:
    """A loopback TCP listener on the host that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with self._changed:
                self.accepted += 1
                self._changed.notify_all()
            conn.close()

    def wait_accepted(self, count: int, timeout: float = 120) -> bool:
        """Whether `count` connections were accepted: a client that connected may finish
        before this thread has taken its connection from the backlog (a loaded machine)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.accepted >= count, timeout=timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()
