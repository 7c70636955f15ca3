"""Rate limits for the public pages, counted in the database, one statement a count.

Fixed windows: a counter row per (limit, key, window). That lets a burst of up to twice the limit
through across a window's edge, which is fine for spam and guessing; it never locks out a person
for long. The keys are hashed, so any text (an address, an IP) is a valid key and none is stored.

`take` counts and checks in one conditional upsert: concurrent requests queue on the row's unique
key and each sees the count the one before it left, so fifteen filings at once cannot pass a limit
of five together (the database cache the limits used before read, then wrote). Expired rows are
removed by the sweep (`forget_expired`).
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from gehoord.portal.models import RateCount

_TABLE = RateCount._meta.db_table
_UPSERT = """INSERT INTO "{table}" ("limit_name", "digest", "window_start", "expires_at", "count")
    VALUES (%s, %s, %s, %s, 1)
    ON CONFLICT ("limit_name", "digest", "window_start") DO UPDATE SET "count" = "{table}"."count" + 1{condition}
    RETURNING "count"
"""
_TAKE_SQL = _UPSERT.format(table=_TABLE, condition=f' WHERE "{_TABLE}"."count" < %s')
_HIT_SQL = _UPSERT.format(table=_TABLE, condition="")


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    period: int  # seconds

    def _window(self, key: str) -> tuple[str, str, datetime.datetime]:
        start = int(timezone.now().timestamp() // self.period) * self.period
        digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
        return self.name, digest, datetime.datetime.fromtimestamp(start, tz=datetime.UTC)

    def _upsert(self, sql: str, key: str, *extra) -> tuple | None:
        name, digest, window_start = self._window(key)
        adapt = connection.ops.adapt_datetimefield_value
        expires_at = window_start + datetime.timedelta(seconds=self.period)
        with connection.cursor() as cursor:
            cursor.execute(sql, [name, digest, adapt(window_start), adapt(expires_at), *extra])
            return cursor.fetchone()

    def take(self, key: str) -> bool:
        """Count one use for `key` if the window has room; False, counting nothing, when it is used up."""
        return self._upsert(_TAKE_SQL, key, self.limit) is not None

    def hit(self, key: str) -> int:
        """Count one use for `key` whatever the limit (a failure, say); returns the window's count."""
        return self._upsert(_HIT_SQL, key)[0]

    def exceeded(self, key: str) -> bool:
        """Whether the window is used up for `key` (counts nothing)."""
        name, digest, window_start = self._window(key)
        count = (
            RateCount.objects.filter(limit_name=name, digest=digest, window_start=window_start)
            .values_list("count", flat=True)
            .first()
        )
        return (count or 0) >= self.limit


def forget_expired() -> int:
    """Remove the counts of windows that have ended (run by the sweep)."""
    return RateCount.objects.filter(expires_at__lt=timezone.now()).delete()[0]


# Filing: every attempt per client address (an invalid form too: it costs the server as much), and
# per e-mail address every filing tried with it.
FILING_ATTEMPTS_PER_IP = Limit("filing-attempts-ip", 30, 3600)
FILING_PER_EMAIL = Limit("filing-email", 5, 3600)
# Tracking: every attempt per client address; failures per client address and per reference from
# that address (a limit per reference alone let anyone lock the real consumer out).
TRACKING_PER_IP = Limit("tracking-ip", 20, 900)
TRACKING_FAILURES_PER_IP = Limit("tracking-failures-ip", 10, 3600)
TRACKING_FAILURES_PER_REFERENCE_AND_IP = Limit("tracking-failures-reference-ip", 5, 3600)
# Fresh tracking links asked for an address: per client address and per e-mail address.
LINK_REQUESTS_PER_IP = Limit("link-requests-ip", 10, 3600)
LINK_REQUESTS_PER_EMAIL = Limit("link-requests-email", 3, 3600)
# The company registry: searches per client address; adding a company, every attempt per client
# address and every company added per account.
REGISTRY_SEARCHES_PER_IP = Limit("registry-searches-ip", 300, 300)
REGISTRY_ADD_ATTEMPTS_PER_IP = Limit("registry-add-attempts-ip", 30, 3600)
REGISTRY_ADDS_PER_ACCOUNT = Limit("registry-adds-account", 5, 86400)
# Messages and evidence a consumer adds to one complaint.
MESSAGES_PER_COMPLAINT = Limit("messages-complaint", 30, 3600)


def client_ip(request) -> str:
    """The consumer's address: REMOTE_ADDR, or behind GEHOORD_PROXY_COUNT trusted proxies the address
    the outermost of them saw. Only the entries our own proxies appended count: anything to their
    left in X-Forwarded-For came from the client and can be forged."""
    proxies = settings.GEHOORD_PROXY_COUNT
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
