"""``POST /api/v1/inbound-mail``: a raw MIME message, as mail providers' inbound hooks deliver it.

The body is the message itself (``Content-Type: message/rfc822`` or any other); the caller proves
itself with the shared secret of GEHOORD_INBOUND_SECRET in the ``X-Gehoord-Inbound-Secret``
header. The answer comes once the raw bytes are stored: 202 for a new message, 200 when the same
Message-ID was stored before (a provider retrying is harmless). Without a configured secret the
endpoint accepts nothing. Errors answer in the API's JSON shape (code, message, errors).

Not part of the organisations' API or its OpenAPI document: it is the installation's own mail
route, mounted beside the API by the site's URLs.
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gehoord.inbound import pipeline


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "errors": {}}, status=status)


def _authorised(request: HttpRequest) -> bool:
    expected = settings.GEHOORD_INBOUND_SECRET
    given = request.headers.get("X-Gehoord-Inbound-Secret", "")
    return bool(expected and given and constant_time_compare(given, expected))


@csrf_exempt  # a machine's POST, authenticated by the shared secret, not a browser's
@require_POST
def inbound_mail(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return _error(401, "unauthorized", "The X-Gehoord-Inbound-Secret header must carry the inbound secret.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "bad_request", "Content-Length is not a number.")
    if length > pipeline.max_bytes():
        return _error(413, "too_large", f"The message is larger than {pipeline.max_bytes() // 2**20} MB.")
    # Read the stream ourselves: request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE, meant for forms.
    raw = request.read(pipeline.max_bytes() + 1)
    if not raw.strip():
        return _error(400, "bad_request", "The body must be the raw message.")
    try:
        received = pipeline.receive(raw, source="http")
    except pipeline.TooLarge as problem:
        return _error(413, "too_large", str(problem))
    stored = received.inbound
    stored.refresh_from_db(fields=["state"])
    return JsonResponse(
        {"message_id": stored.message_id, "duplicate": received.duplicate, "state": stored.state},
        status=200 if received.duplicate else 202,
    )
