"""``POST /api/v1/inbound-mail``: a raw MIME message, as mail providers' inbound hooks deliver it.

The body is the message itself (``Content-Type: message/rfc822`` or any other); the caller proves
itself with the shared secret of GEHOORD_INBOUND_SECRET in the ``X-Gehoord-Inbound-Secret``
header. The answer comes once the raw bytes are stored: 202 for a new message, 200 when the same
Message-ID was stored before (a provider retrying is harmless). Without a configured secret the
endpoint accepts nothing.

Not in the OpenAPI document of the organisations' API: it is the installation's own mail route.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from gehoord.mail import inbound


class InboundSecret(APIKeyHeader):
    param_name = "X-Gehoord-Inbound-Secret"

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        expected = settings.GEHOORD_INBOUND_SECRET
        if expected and key and constant_time_compare(key, expected):
            return "inbound-mail"
        return None


class StoredOut(Schema):
    message_id: str
    duplicate: bool
    state: str


def inbound_mail(request: HttpRequest):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HttpError(400, "Content-Length is not a number") from None
    if length > inbound.max_bytes():
        raise HttpError(413, f"The message is larger than {inbound.max_bytes() // 2**20} MB.")
    # Read the stream ourselves: request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE, meant for forms.
    raw = request.read(inbound.max_bytes() + 1)
    if not raw.strip():
        raise HttpError(400, "The body must be the raw message.")
    try:
        received = inbound.receive(raw, source="http")
    except inbound.TooLarge as problem:
        raise HttpError(413, str(problem)) from None
    stored = received.inbound
    stored.refresh_from_db(fields=["state"])
    return Status(200 if received.duplicate else 202, {
        "message_id": stored.message_id,
        "duplicate": received.duplicate,
        "state": stored.state,
    })


def build_router() -> Router:
    """A router with the endpoint (a ninja router belongs to one API; tests mount their own)."""
    built = Router(tags=["inbound mail"])
    built.post(
        "/inbound-mail",
        auth=InboundSecret(),
        response={200: StoredOut, 202: StoredOut},
        include_in_schema=False,
        summary="Receive one raw MIME message",
    )(inbound_mail)
    return built


router = build_router()
