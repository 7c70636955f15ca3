import pytest

from gehoord.inbound.smtpd import Receiver
from gehoord.mail.tests.conftest import sink  # noqa: F401  (the SMTP sink our outgoing mail reaches)
from gehoord.mail.tests.support import free_port


@pytest.fixture
def receiver():
    """The platform's own SMTP receiver (`gehoord smtpd`) on a free port of 127.0.0.1."""
    server = Receiver("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()
