"""The IMAP door: read unseen messages from a mailbox into `pipeline.receive`.

A message is flagged \\Seen only after its raw bytes are stored, so a crash in between means it is
read again next time, and the Message-ID makes the second copy harmless. A message that cannot be
fetched or stored stays unseen and the poll goes on with the next one.
"""

import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from gehoord.inbound import pipeline
from gehoord.mail.config import ImapSettings

logger = logging.getLogger(__name__)


@dataclass
class PollResult:
    seen: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def connect(config: ImapSettings) -> imaplib.IMAP4:
    if config.use_ssl:
        client = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=ssl.create_default_context(),
                                   timeout=config.timeout)
    else:
        client = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
        if config.starttls:
            client.starttls(ssl_context=ssl.create_default_context())
    client.login(config.user, config.password)
    return client


def poll(config: ImapSettings, *, should_stop: Callable[[], bool] = lambda: False, limit: int = 500) -> PollResult:
    """One pass over the mailbox's unseen messages (at most `limit`)."""
    result = PollResult()
    client = connect(config)
    try:
        status, _ = client.select(_quoted(config.mailbox))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot select mailbox {config.mailbox!r}")
        status, data = client.search(None, "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error("SEARCH UNSEEN failed")
        numbers = (data[0] or b"").split()[:limit]
        for number in numbers:
            if should_stop():
                break
            result.seen += 1
            try:
                raw = _fetch(client, number)
                pipeline.drop_stale_connections()
                received = pipeline.receive(raw, source="imap")
                # Only now that the bytes are stored may the server forget it is new.
                client.store(number, "+FLAGS", "(\\Seen)")
            except Exception as problem:  # one bad message must not stop the others
                logger.exception("IMAP message %s could not be stored", number)
                result.errors.append(f"{number.decode()}: {type(problem).__name__}: {problem}")
                continue
            if received.duplicate:
                result.duplicates += 1
            else:
                result.stored += 1
    finally:
        try:
            client.logout()
        except Exception:
            pass
    return result


def _fetch(client: imaplib.IMAP4, number: bytes) -> bytes:
    # PEEK: fetching RFC822 or BODY[] sets \Seen at once, and a message whose storing then
    # failed would never be read again.
    status, data = client.fetch(number, "(BODY.PEEK[])")
    if status != "OK":
        raise imaplib.IMAP4.error(f"FETCH {number!r} failed")
    for part in data:
        if isinstance(part, tuple) and len(part) == 2:
            return bytes(part[1])
    raise imaplib.IMAP4.error(f"FETCH {number!r} returned no message")


def _quoted(mailbox: str) -> str:
    return mailbox if re.fullmatch(r"[A-Za-z0-9_.\-/]+", mailbox) else '"' + mailbox.replace('"', '\\"') + '"'
