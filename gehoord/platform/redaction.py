"""Personal data out of public text: what public pages and the public API show instead of the stored text.

`redact(text)` replaces e-mail addresses, phone numbers (Dutch, Belgian and international) and
IBANs with a marker in the reader's language. The stored text is never changed: moderators, the
company and the consumer see it whole.

What it does not catch (documented, tested as such): an address written out to dodge filters
("jan at example dot com") and bank account numbers without a valid IBAN checksum. The moderation
screen is where people look at those; this is the last line before publication, not the first.

Consumer names: public pages show a first name and the initial of the last name ("Carol M."),
never the full name (`public_name`).
"""

import re

import phonenumbers
from django.utils.translation import gettext as _
from stdnum import iban

# Liberal on purpose: a false positive costs a word, a miss publishes an address.
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Two letters, two check digits, then 10–30 letters or digits, with optional single spaces
# between groups; the checksum decides.
_IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}\b", re.IGNORECASE)
_PHONE_REGIONS = ("NL", "BE")
# Phone numbers and IBANs hold at least eight digits; text without such a run (most of it) skips the
# phone matcher, which costs a tenth of a millisecond a text even when it finds nothing.
_MANY_DIGITS = re.compile(r"\d(?:[\s()./-]{0,3}\d){7,}")


def _iban_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _IBAN_CANDIDATE.finditer(text):
        candidate = match.group(0)
        # The pattern is greedy across spaces; try the longest valid prefix ending on a group edge.
        for end in range(len(candidate), 11, -1):
            if end < len(candidate) and candidate[end] != " ":
                continue
            piece = candidate[:end].rstrip()
            if iban.is_valid(piece, check_country=False):
                spans.append((match.start(), match.start() + len(piece)))
                break
    return spans


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for region in _PHONE_REGIONS:
        # VALID: the number must exist in the numbering plan, so order numbers and amounts pass.
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            spans.append((match.start, match.end))
    return spans


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, marker in sorted(spans):
        if merged and start < merged[-1][1]:
            previous = merged[-1]
            merged[-1] = (previous[0], max(previous[1], end), previous[2])
        else:
            merged.append((start, end, marker))
    return merged


def redact(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and IBANs replaced by a marker."""
    if not text:
        return text
    spans = [(m.start(), m.end(), _("[e-mail address removed]")) for m in _EMAIL.finditer(text)] if "@" in text else []
    if not _MANY_DIGITS.search(text):
        return _replace(text, spans)
    # IBANs before phones: a Dutch IBAN holds digit runs the phone matcher could take for a number.
    spans += [(start, end, _("[bank account removed]")) for start, end in _iban_spans(text)]
    taken = [(start, end) for start, end, _marker in spans]
    for start, end in _phone_spans(text):
        if not any(start < t_end and t_start < end for t_start, t_end in taken):
            spans.append((start, end, _("[phone number removed]")))
    return _replace(text, spans)


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    pieces = []
    position = 0
    for start, end, marker in _merge(spans):
        pieces.append(text[position:start])
        pieces.append(marker)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def public_name(full_name: str) -> str:
    """A consumer's name as public pages show it: first name and the initial of the last ("Carol M."),
    or "a consumer" when there is no usable name."""
    full_name = full_name or ""
    words = [word for word in full_name.split() if word[:1].isalpha()]
    # A "name" holding an address or number is no name to show.
    if not words or redact(full_name) != full_name:
        return _("a consumer")
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0].upper()}."
