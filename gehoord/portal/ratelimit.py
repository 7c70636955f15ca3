"""Rate limits for the consumer pages, counted in Django's cache.

Fixed windows: a counter per (limit, key, window) that expires with its window. That lets a burst
of up to twice the limit through across a window's edge, which is fine for spam and guessing;
it never locks out a person for long. The keys are hashed, so any text (an address, an IP) is a
valid cache key. The cache is shared by every web process (settings.CACHES: a database table).
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    period: int  # seconds

    def _key(self, key: str) -> str:
        window = int(time.time() // self.period)
        digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
        return f"gehoord:ratelimit:{self.name}:{digest}:{window}"

    def exceeded(self, key: str) -> bool:
        """Whether the limit is used up for `key` in the current window (does not count)."""
        return (cache.get(self._key(key)) or 0) >= self.limit

    def hit(self, key: str) -> int:
        """Count one use for `key`; returns the count in the current window."""
        cache_key = self._key(key)
        cache.add(cache_key, 0, timeout=self.period)
        try:
            return cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=self.period)
            return 1


# Filing: counted per complaint actually filed, so typing mistakes never use up the limit.
FILING_PER_EMAIL = Limit("filing-email", 5, 3600)
FILING_PER_IP = Limit("filing-ip", 20, 3600)
# Tracking: every attempt per IP, and failed attempts per reference (guessing the address).
TRACKING_PER_IP = Limit("tracking-ip", 20, 900)
TRACKING_FAILURES_PER_REFERENCE = Limit("tracking-reference", 10, 3600)
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
