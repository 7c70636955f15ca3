"""Text as people submit it, made safe to store."""

import re

# NUL is refused by PostgreSQL text columns; lone surrogates cannot be encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(value: str | None) -> str | None:
    """The text stripped of surrounding white space, or None when it cannot be stored."""
    text = (value or "").strip()
    return None if _UNSTORABLE.search(text) else text
