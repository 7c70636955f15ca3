from django.db import models
from django.utils import timezone

from gehoord.organisations.models import Organisation


class IdempotencyKey(models.Model):
    """The answer to one POST that carried an `Idempotency-Key`, kept to answer its repeats (see idempotency.py).

    The row is inserted first in the request's transaction: the unique constraint makes a concurrent
    request with the same key wait for the first and then find its answer, instead of running again.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the JSON body: a repeat must be the same request.
    fingerprint = models.CharField(max_length=64)
    # Empty only inside the first request's own transaction, before its answer is known.
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="api_idempotency_key_once_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
