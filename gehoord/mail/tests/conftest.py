import pytest

from gehoord.mail.tests.support import Sink


@pytest.fixture
def sink(settings):
    """A real SMTP sink on 127.0.0.1, with Django's SMTP backend pointed at it."""
    server = Sink()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.controller.stop()
