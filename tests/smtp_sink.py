"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests and the
alerts benchmark. `down()` makes it refuse connections until `up()`."""

import email
import email.policy
import logging
import socket
import threading

from aiosmtpd.controller import Controller

# The sink's own conversation log names every recipient; the portal's logs are what tests read.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    def __init__(self, keep: bool = True):
        self.keep = keep  # the benchmark only counts
        self.count = 0
        self.messages = []
        self._lock = threading.Lock()
        self.controller = None
        self.port = _free_port()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.count += 1
            if self.keep:
                self.messages.append(
                    email.message_from_bytes(envelope.content, policy=email.policy.default)
                )
        return "250 OK"

    def up(self) -> "Sink":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]
