"""The SMTP door: an aiosmtpd server that stores every message it accepts through `pipeline.receive`.

It answers 250 only once the raw message is committed to the database; if that fails it answers
451, so the sending server keeps the mail and tries again later: nothing is accepted and lost.
Recipients are checked at RCPT time: the reply domain's addresses and the organisations'
complaint addresses are ours, anything else is refused (550) unless `accept_any` is set (when an
MTA in front already filters).
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from gehoord.inbound import pipeline
from gehoord.mail import outbound
from gehoord.organisations.models import Organisation

logger = logging.getLogger(__name__)


class _Server(SMTP):
    # RFC 5321 allows 1000 octets a line; some senders write longer HTML lines. Keep their mail.
    line_length_limit = 256 * 1024


class InboundHandler:
    def __init__(self, *, accept_any: bool = False) -> None:
        self.accept_any = accept_any

    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address: str, rcpt_options):
        if not self.accept_any and not await sync_to_async(accepts)(address):
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        try:
            received = await sync_to_async(_store)(bytes(raw), envelope.mail_from or "", list(envelope.rcpt_tos))
        except pipeline.TooLarge:
            return "552 5.3.4 Message too big"
        except Exception:
            logger.exception("An inbound message from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 Temporary failure; please try again later"
        return f"250 2.0.0 Stored as {received.inbound.pk}{' (already stored)' if received.duplicate else ''}"


def accepts(address: str) -> bool:
    pipeline.drop_stale_connections()
    address = address.strip().strip("<>").lower()
    domain = address.rpartition("@")[2]
    ours = {outbound.reply_domain().lower(), settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].lower()}
    return domain in ours or Organisation.objects.filter(complaint_email__iexact=address).exists()


def _store(raw: bytes, mail_from: str, rcpt_tos: list[str]):
    pipeline.drop_stale_connections()  # a long-running server: drop connections the database closed
    return pipeline.receive(raw, source="smtp", envelope_from=mail_from, envelope_to=rcpt_tos)


class Receiver(Controller):
    """``Receiver(host, port).start()`` listens in a thread; ``.stop()`` ends it."""

    def __init__(self, host: str, port: int, *, accept_any: bool = False, data_size_limit: int | None = None):
        super().__init__(
            InboundHandler(accept_any=accept_any),
            hostname=host,
            port=port,
            data_size_limit=data_size_limit or pipeline.max_bytes(),
            decode_data=False,
            # Named explicitly: the default asks the resolver for this machine's FQDN.
            server_hostname=outbound.reply_domain(),
        )

    def factory(self):
        return _Server(self.handler, **self.SMTP_kwargs)

    def stop(self, no_assert: bool = False):
        # The handlers' database connections live in asgiref's worker thread: close them there.
        if self.loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(sync_to_async(connections.close_all)(), self.loop).result(timeout=5)
            except Exception:
                logger.warning("Could not close the SMTP receiver's database connections", exc_info=True)
        super().stop(no_assert=no_assert)
