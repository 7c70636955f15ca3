"""`Idempotency-Key` on the API's POST operations: a retried request is answered again, not run again.

An integration that lost the answer to a POST (a timeout, a dropped connection) repeats it with the
same key. The first request with a key runs; its answer (status and body) is kept per organisation
and key for at least a day; a repeat of the same request gets that answer back, marked with
`Idempotent-Replayed: true`, and changes nothing. The same key on a different request is a conflict.
Only answers that did something (2xx) are kept: a refused request changed nothing, so its repeat is
simply judged again.
"""

import datetime
import functools
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from gehoord.api.models import IdempotencyKey
from gehoord.errors import DomainError, InvalidInput

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_FOR = datetime.timedelta(hours=24)
# Visible ASCII: a header value every client can send and every proxy passes on unchanged.
KEY_PATTERN = r"^[!-~]{1,255}$"

DOCUMENTED_HEADER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
    "description": (
        "A key of your choice (e.g. a UUID) that makes a retry safe: the first request with it runs and its "
        "answer is kept for 24 hours; repeating the same request with the same key returns that answer "
        "(with the header Idempotent-Replayed: true) without doing anything again. The same key with a "
        "different request is a 409 (code idempotency_key_reused). Answers that were errors are not kept."
    ),
}


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 409  # a conflict with an earlier request, like a second complaint about one order


def idempotent(view):
    """Make the decorated operation honour `Idempotency-Key` (put it below `@router.post`)."""

    @functools.wraps(view)
    def answered_once(request, *args, **kwargs):
        # Runs after ninja has authenticated the token and validated the body.
        key = request.headers.get(HEADER)
        if key is None:
            return view(request, *args, **kwargs)
        claimed = _claim(request, key)
        if isinstance(claimed, HttpResponse):
            return claimed
        request.claimed_idempotency_key = claimed
        return view(request, *args, **kwargs)

    contribute_operation_callback(answered_once, _document)
    return decorate_view(_in_one_transaction)(answered_once)


def _document(operation) -> None:
    extra = operation.openapi_extra or {}
    operation.openapi_extra = {**extra, "parameters": [*extra.get("parameters", []), DOCUMENTED_HEADER]}


def _in_one_transaction(run):
    """The key's row, the operation's work and its kept answer commit together, or not at all."""

    @functools.wraps(run)
    def run_and_keep_the_answer(request, **kwargs):
        if HEADER not in request.headers:
            return run(request, **kwargs)
        with transaction.atomic():
            response = run(request, **kwargs)
            claimed = getattr(request, "claimed_idempotency_key", None)
            if claimed is not None:
                _keep(claimed, response)
        return response

    return run_and_keep_the_answer


def _claim(request, key: str) -> IdempotencyKey | HttpResponse:
    """The new row for `key`, or the kept answer of an earlier identical request; raises for a reused key."""
    if not re.fullmatch(KEY_PATTERN, key):
        raise InvalidInput({HEADER: _("Give 1 to 255 visible ASCII characters.")})
    organisation = request.auth.organisation
    fingerprint = _fingerprint(request)
    for _attempt in range(3):
        try:
            # A concurrent request with the same key waits here until the first one commits.
            with transaction.atomic():
                return IdempotencyKey.objects.create(organisation=organisation, key=key, fingerprint=fingerprint)
        except IntegrityError:
            earlier = IdempotencyKey.objects.filter(organisation=organisation, key=key).first()
        if earlier is not None:
            break
        # Else the row expired and was swept between the two statements: claim the key anew.
    else:
        raise RuntimeError(f"Could not claim the idempotency key {key!r}")
    if earlier.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was used for a different request; use a new key for a new request."),
            errors={HEADER: _("Already used for a different request.")},
        )
    replay = HttpResponse(earlier.response_body, status=earlier.status_code, content_type="application/json; charset=utf-8")
    replay[REPLAYED_HEADER] = "true"
    return replay


def _fingerprint(request) -> str:
    # The parsed body, so that a client re-serialising it (other key order, spacing) repeats the same request.
    body = json.dumps(json.loads(request.body), sort_keys=True) if request.body else ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _keep(claimed: IdempotencyKey, response) -> None:
    if 200 <= response.status_code < 300:
        claimed.status_code = response.status_code
        claimed.response_body = response.content.decode()
        claimed.save(update_fields=["status_code", "response_body"])
    else:
        claimed.delete()


def forget_expired() -> int:
    """Delete the answers kept longer than KEPT_FOR; run by `gehoord sweep`. Returns how many went."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted
