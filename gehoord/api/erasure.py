"""The API's part of an erasure (platform/privacy.py): stored answers to repeated POSTs that name
the person (a filed complaint's JSON holds its contact fields). Forgetting one only means a repeat
of that old request is no longer recognised."""

from django.db.models import Q

from gehoord.api.models import IdempotencyKey


def erase(erasure) -> None:
    naming = Q(pk__in=[])
    for trace in (*erasure.person.emails, *erasure.person.phones):
        naming |= Q(response_body__icontains=trace)
    IdempotencyKey.objects.filter(naming).delete()
