"""Helpers for the mail tests: raw messages as mail clients write them, and real SMTP servers."""

import email.policy
import email.utils
import socket
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from gehoord.inbound import pipeline
from gehoord.mail.models import InboundMail


# Real mails (clients, helpdesks, bounces, auto-replies) with what each should become: manifest.json.
CORPUS = Path(__file__).parent / "corpus"


def free_port() -> int:
    # aiosmtpd's Controller cannot listen on port 0: ask the system for a free port first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_mail(
    *,
    sender: str = "Carol de Vries <carol@example.nl>",
    to: str = "klachten@acme.example",
    subject: str = "Klacht",
    body: str = "De boxspring is nog steeds niet gerepareerd.",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    html: str = "",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=True)
    message["Message-ID"] = message_id or email.utils.make_msgid(domain="mail.example.nl")
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = references or f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, content_type, payload in attachments:
        maintype, _, subtype = content_type.partition("/")
        if maintype == "message":
            inner = email.message_from_bytes(payload, policy=email.policy.default)
            message.add_attachment(inner, filename=filename)
        else:
            message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def deliver_raw(raw: bytes, **kwargs) -> InboundMail:
    """Through the whole pipeline, as a door does it: store, then process (inline in tests)."""
    received = pipeline.receive(raw, source=kwargs.pop("source", "file"), enqueue=False, **kwargs)
    pipeline.process(received.inbound.pk)
    received.inbound.refresh_from_db()
    return received.inbound


class Sink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (the platform's outbound relay)."""

    def __init__(self, refuse: dict[str, str] | None = None) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse or {}  # recipient → SMTP reply, e.g. "550 5.1.1 User unknown"
        self.received = threading.Condition()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="sink.test")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.received:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
            self.received.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        with self.received:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} mails at the sink, got {len(self.messages)}")
                self.received.wait(left)
            return list(self.messages)

    def parsed(self) -> list:
        return [email.message_from_bytes(raw, policy=email.policy.default) for _, _, raw in self.messages]
