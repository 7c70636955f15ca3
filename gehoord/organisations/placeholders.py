"""The placeholders of reply templates: `{naam}`, `{reference}` and the like, in Dutch or English.

A deliberately tiny syntax: a name between curly braces, substituted from a fixed list of keys and
nothing else. Staff text is never run as a Django template (no attribute lookups, no tags, no
filters), so a template cannot reach anything beyond the four values a complaint fills in.
Any other text in braces is left exactly as written.
"""

import re

# Each value has a Dutch and an English name; both work in either language's text.
NAME = "name"
REFERENCE = "reference"
EXPECTED_DATE = "expected_date"
HANDLER = "handler"

KEYS: dict[str, str] = {
    "naam": NAME,
    "name": NAME,
    "referentie": REFERENCE,
    "reference": REFERENCE,
    "verwachte_datum": EXPECTED_DATE,
    "expected_date": EXPECTED_DATE,
    "behandelaar": HANDLER,
    "handler": HANDLER,
}

# A placeholder-like word in braces: what `unknown` checks and `fill` replaces.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def unknown(text: str) -> list[str]:
    """The placeholders in `text` that are not known keys, each once, in order of appearance."""
    return list(dict.fromkeys(f"{{{name}}}" for name in PLACEHOLDER.findall(text) if name.lower() not in KEYS))


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder replaced by its value in `values` (keyed by NAME,
    REFERENCE, ...). Unknown placeholders, and known ones without a value, stay visible as typed,
    so the person sending the text sees what is missing."""

    def substitute(match: re.Match) -> str:
        value = values.get(KEYS.get(match.group(1).lower(), ""), "")
        return value if value else match.group(0)

    return PLACEHOLDER.sub(substitute, text)
