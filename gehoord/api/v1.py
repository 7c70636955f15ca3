"""The JSON API, version 1: token auth per organisation and one JSON shape for every error."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from gehoord.organisations.models import ApiToken
from gehoord.errors import DomainError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = ApiToken.objects.authenticate(token)
        if api_token is not None:
            now = timezone.now()
            # At most one write a minute per token: a busy integration must not turn reads into writes.
            if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
                ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token


api = NinjaAPI(
    title="Gehoord API",
    version="1",
    description="Complaints of one organisation, authenticated with that organisation's bearer token.",
    auth=TokenAuth(),
    urls_namespace="api-v1",
)


def _error(request, status: int, code: str, message: str, errors: dict | None = None):
    return api.create_response(request, {"code": code, "message": message, "errors": errors or {}}, status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.errors)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = {}
    for problem in exc.errors:
        # Drop ninja's location prefix ("body", "query", "path") and the wrapper name of the body.
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        errors[".".join(location) or "body"] = problem.get("msg", "invalid")
    first = next(iter(errors.items()))
    return _error(request, 422, "invalid", f"{first[0]}: {first[1]}", errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, 401, "unauthorized", "A valid bearer token is required (Authorization: Bearer …).")


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    # Django refuses to read the body; left alone this would be an HTML page, not our JSON.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
    return _error(request, 413, "too_large", f"The request body is larger than {limit} MB.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


from gehoord.api import complaints, public  # noqa: E402  (the routers register themselves on `api`)

api.add_router("/", complaints.router)
api.add_router("/public/", public.router)
