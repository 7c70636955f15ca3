"""Complaint references such as KL-26-7QF3MX.

Short enough to read over the phone, without characters that look alike (0/O, 1/I/L) or the U,
and random: 30**6 ≈ 729 million codes a year, so that together with the complainant's e-mail
address a reference works as a tracking credential. Uniqueness is the database's job (a unique
constraint); the caller retries on the rare collision.
"""

import re
import secrets
import unicodedata

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 6
PREFIX = "KL"
PATTERN = re.compile(rf"{PREFIX}-\d{{2}}-[{ALPHABET}]{{{CODE_LENGTH}}}")


def new_reference(year: int) -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{PREFIX}-{year % 100:02d}-{code}"


def new_tracking_code() -> str:
    """The second factor beside an order-number reference: 30**6 codes, typed from the confirmation."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def looks_like_reference(text: str) -> bool:
    return PATTERN.fullmatch(text.strip().upper()) is not None


# What a stored reference and order number look like: safe in a URL path segment and in a mail
# header (no "/", no line breaks), starting with a letter or digit. A database constraint holds it.
SAFE_IDENTIFIER = r"[A-Z0-9][A-Z0-9._-]*"
ORDER_NUMBER_LENGTH = 64


def normalise_order_number(text: str) -> str:
    """An order number as stored and compared: trimmed, full-width forms folded (NFKC), upper case.

    `bo-55501 ` and `BO-55501` are one order; whether the result is acceptable is `is_order_number`'s.
    """
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def is_order_number(normalised: str) -> bool:
    return len(normalised) <= ORDER_NUMBER_LENGTH and re.fullmatch(SAFE_IDENTIFIER, normalised) is not None


def order_reference(order_number: str, earlier_count: int) -> str:
    """The order number itself; a later complaint about the same (closed) order gets a suffix."""
    return order_number if earlier_count == 0 else f"{order_number}-{earlier_count + 1}"
