import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gehoord.organisations.models import Organisation

TOKEN_PREFIX = "ghd_"


def digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)

    def authenticate(self, plaintext: str) -> "ApiToken | None":
        if not plaintext.startswith(TOKEN_PREFIX):
            return None
        return self.active().select_related("organisation").filter(digest=digest(plaintext)).first()


class ApiToken(models.Model):
    """A bearer token of one organisation. Only its SHA-256 is stored; the token is shown once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters, to tell tokens apart in lists and to revoke one by it.
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, organisation: Organisation, name: str, created_by=None) -> tuple["ApiToken", str]:
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            organisation=organisation,
            name=name,
            prefix=plaintext[: len(TOKEN_PREFIX) + 8],
            digest=digest(plaintext),
            created_by=created_by,
        )
        return token, plaintext

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
