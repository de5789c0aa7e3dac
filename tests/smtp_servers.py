"""Real SMTP servers on 127.0.0.1 (aiosmtpd), each misbehaving in one known way.

:class:`SmtpServer` runs one in a thread of the test process; the tool under
test (in process, or in a subprocess) talks SMTP to it over loopback. The
server keeps what it received, so tests read the headers, both parts and the
envelope, and count the messages per ``X-Pixely-Delivery``.

The ways to misbehave, all optional: answer slowly (``delay`` before each
reply to the text); refuse some recipients; require AUTH; hang up at the Nth
``MAIL`` (before any text: nothing received) or right after receiving the Nth
text, without answering (the message *was* received: the window of doubt);
and :class:`Gate`, which holds the Nth ``MAIL``/``RCPT``/``DATA``/``QUIT``
until the test lets it go, so that a test can kill the client at a known step
without relying on timing.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

GATE_SECONDS = 30.0
"""A held step goes on by itself after this long, so a failing test never hangs."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (right now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Received:
    """One message as the server got it."""

    mail_from: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def delivery(self) -> str | None:
        value = self.message["X-Pixely-Delivery"]
        return None if value is None else str(value)


@dataclass
class Gate:
    """Holds the ``number``-th ``command`` of the server until :meth:`release`."""

    command: str
    number: int
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


class Handler:
    """The aiosmtpd handler: records messages and misbehaves as asked."""

    def __init__(
        self,
        *,
        delay: float = 0.0,
        refuse: tuple[str, ...] = (),
        drop_at_mail: tuple[int, ...] = (),
        drop_after_text: tuple[int, ...] = (),
        gate: Gate | None = None,
    ) -> None:
        self.delay = delay
        self.refuse = {a.lower() for a in refuse}
        self.drop_at_mail = drop_at_mail
        self.drop_after_text = drop_after_text
        self.gate = gate
        self.received: list[Received] = []
        self.counts: Counter[str] = Counter()
        self.logins: list[str] = []

    async def _step(self, command: str) -> None:
        self.counts[command] += 1
        gate = self.gate
        if gate and gate.command == command and gate.number == self.counts[command]:
            gate.reached.set()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, gate.released.wait, GATE_SECONDS)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        await self._step("MAIL")
        if self.counts["MAIL"] in self.drop_at_mail:
            server.transport.close()
            return "421 4.3.2 Cerrando la conexión"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        await self._step("RCPT")
        if address.lower() in self.refuse:
            return "550 5.1.1 Buzón inexistente"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await self._step("DATA")
        if self.delay:
            await asyncio.sleep(self.delay)
        data = envelope.original_content or envelope.content
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), data)
        )
        if self.counts["DATA"] in self.drop_after_text:
            server.transport.close()  # received, but the client never hears so
        return "250 2.0.0 Recibido"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        await self._step("QUIT")
        return "221 Hasta luego"


class Authenticator:
    """Accepts one user and password (AUTH PLAIN or LOGIN, without TLS)."""

    def __init__(self, handler: Handler, user: str, password: str) -> None:
        self.handler = handler
        self.user = user.encode()
        self.password = password.encode()

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login == self.user and auth_data.password == self.password
        if ok:
            self.handler.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 in a thread: ``with SmtpServer() as server``."""

    def __init__(
        self, *, user: str | None = None, password: str | None = None, **misbehave: Any
    ) -> None:
        self.handler = Handler(**misbehave)
        self.port = free_port()
        options: dict[str, Any] = {}
        if user is not None and password is not None:
            options = {
                "auth_required": True,
                "auth_require_tls": False,
                "authenticator": Authenticator(self.handler, user, password),
            }
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **options
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handler.gate is not None:
            self.handler.gate.release()
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def deliveries(self) -> Counter[str | None]:
        """How many messages arrived per ``X-Pixely-Delivery``."""
        return Counter(r.delivery for r in self.received)

    def env(self, **extra: str) -> dict[str, str]:
        """The settings that point pixely at this server."""
        return {
            "PIXELY_SMTP_HOST": "127.0.0.1",
            "PIXELY_SMTP_PORT": str(self.port),
            "PIXELY_SMTP_SECURITY": "none",
            "PIXELY_MAIL_FROM": "Pixely <hola@pixely.pe>",
            "PIXELY_MAIL_REPLY_TO": "Equipo Pixely <equipo@pixely.pe>",
            **extra,
        }
