"""Subject tags, foreign helpdesk ticket tags and plus-address tokens.

Every mail we send carries the complaint's reference in the subject (``[KL-26-7QF3MX]``) and a
Reply-To address ``reply+<token>@…``. These helpers find them again in what comes back, together
with the ticket tags other helpdesks add, so a thread survives a changed subject.
"""

import re
from collections.abc import Iterable
from email.utils import parseaddr

# Our reference alphabet leaves out look-alikes (I/1/L, O/0, U/V) so references survive being
# read aloud or typed over from paper.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
DEFAULT_REFERENCE_PREFIX = "KL"


def _reference_pattern(prefix: str) -> str:
    return rf"{re.escape(prefix)}-\d{{2}}-[{REFERENCE_ALPHABET}]{{6}}"


def find_reference_tags(subject: str, *, prefix: str = DEFAULT_REFERENCE_PREFIX) -> list[str]:
    """Our references in ``[...]`` tags of a subject, upper-cased, in order, without duplicates."""
    pattern = re.compile(rf"\[\s*({_reference_pattern(prefix)})\s*\]", re.IGNORECASE)
    return _unique(match.group(1).upper() for match in pattern.finditer(subject))


def find_bare_references(text: str, *, prefix: str = DEFAULT_REFERENCE_PREFIX) -> list[str]:
    """Our references anywhere in a text (a consumer typing "KL-26-7QF3MX" in a new mail)."""
    pattern = re.compile(rf"(?<![\w-])({_reference_pattern(prefix)})(?![\w-])", re.IGNORECASE)
    return _unique(match.group(1).upper() for match in pattern.finditer(text))


def find_bracket_tokens(subject: str) -> list[str]:
    """The content of every ``[...]`` token in a subject, stripped, in order, without duplicates.

    Organisations that use their own order numbers as references get them tagged as
    ``[<reference>]``; the caller checks these candidates against the database.
    """
    return _unique(token.strip() for token in re.findall(r"\[([^\[\]]{1,64})\]", subject) if token.strip())


# Other helpdesks' ticket tags, most specific first. Numeric ids of the Zendesk, Freshdesk,
# osTicket and Help Scout kind share one namespace ("generic:#<n>"): one company often shows the
# same ticket as "[#48213]" in one mail and "Request #48213" in the next.
_FOREIGN_TAG_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[\s*Ticket\s*#\s*(\d{4,})\s*\]", re.IGNORECASE), "zammad:{}"),
    (re.compile(r"\[JIRA\]\s*\(?\s*([A-Z][A-Z0-9_]{0,15}-\d+)\s*\)?"), "jira:{}"),
    (re.compile(r"\bref:\s*(_[0-9A-Za-z]+\._[0-9A-Za-z]+):ref\b"), "salesforce:{}"),
    (re.compile(r"\[\s*#\s*(\d{3,})\s*\]"), "generic:#{}"),
    (
        re.compile(
            r"\b(?:Request|Ticket|Case|Issue|Verzoek|Aanvraag|Melding|Zaak|Dossier)\s*#\s*(\d{3,})\b",
            re.IGNORECASE,
        ),
        "generic:#{}",
    ),
    (re.compile(r"(?<![\w#&/])#(\d{3,})\b"), "generic:#{}"),
)


def find_foreign_ticket_tags(subject: str) -> list[str]:
    """Other helpdesks' ticket tags in a subject, normalised (``zammad:1234567``, ``generic:#12345``).

    Numbers shorter than three digits are ignored: "#1" in a subject is rarely a ticket.
    """
    found: list[str] = []
    remaining = subject
    for pattern, template in _FOREIGN_TAG_PATTERNS:
        found.extend(template.format(match.group(1)) for match in pattern.finditer(remaining))
        # Blank out what matched so "[Ticket#123456]" is not found again as "#123456".
        remaining = pattern.sub(lambda match: " " * len(match.group(0)), remaining)
    return _unique(found)


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{4,128}$")


def plus_token(address: str, local_prefix: str = "reply", *, domain: str | None = None) -> str | None:
    """The token of a ``reply+<token>@domain`` address, lower-cased, or None.

    Accepts a bare address or "Name <address>". Mail servers and clients may change the case of
    the local part, so tokens must be generated case-insensitively (lower-case base32) and are
    returned lower-cased. With ``domain`` given, other domains are ignored.
    """
    _, addr_spec = parseaddr(address)
    local, at, address_domain = (addr_spec or address).strip().strip("<>").rpartition("@")
    if not at or not local:
        return None
    if domain is not None and address_domain.lower() != domain.lower():
        return None
    local = local.strip('"')
    prefix, plus, token = local.partition("+")
    if not plus or prefix.lower() != local_prefix.lower() or not _TOKEN.match(token):
        return None
    return token.lower()


def find_plus_tokens(
    addresses: Iterable[str], local_prefix: str = "reply", *, domain: str | None = None
) -> list[str]:
    """Plus-address tokens among recipient addresses (To, Cc, Delivered-To…), without duplicates."""
    return _unique(
        token for address in addresses if (token := plus_token(address, local_prefix, domain=domain))
    )


_REPLY_PREFIXES = r"re|aw|antw|sv|vs"
_FORWARD_PREFIXES = r"fwd?|doorst|wg|tr|rv"
# "Re[2]:" and "RE (2):" are counted-reply forms some clients write.
_PREFIX = re.compile(
    rf"^\s*(?P<kind>{_REPLY_PREFIXES}|{_FORWARD_PREFIXES})\s*(?:\[\d+\]|\(\d+\))?\s*:\s*",
    re.IGNORECASE,
)
_TAG_FOR_DISPLAY = re.compile(
    rf"\[\s*{_reference_pattern(DEFAULT_REFERENCE_PREFIX)}\s*\]"
    r"|\[\s*Ticket\s*#\s*\d+\s*\]|\[\s*#\s*\d+\s*\]|\[JIRA\]\s*\([A-Z][A-Z0-9_]*-\d+\)",
    re.IGNORECASE,
)


def normalise_subject(subject: str, *, drop_tags: bool = False) -> str:
    """The subject without its reply and forward prefixes (Re:, FW:, Antw:, Doorst:, WG:, AW:, TR:…).

    With ``drop_tags`` our reference tags and known ticket tags go too, for display in a list.
    """
    text = " ".join(subject.split())
    if drop_tags:
        text = " ".join(_TAG_FOR_DISPLAY.sub(" ", text).split())
    while match := _PREFIX.match(text):
        text = text[match.end() :]
        if drop_tags:
            text = " ".join(_TAG_FOR_DISPLAY.sub(" ", text).split())
    return text.strip()


def is_forward_subject(subject: str) -> bool:
    """Whether the outermost subject prefix marks a forward (Fwd:, FW:, Doorst:, WG:, TR:)."""
    text = subject.strip()
    while True:
        # Our tag or a helpdesk tag may come before the prefix: "[KL-26-7QF3MX] FW: …".
        tag = re.match(r"^\[[^\[\]]{1,64}\]\s*", text)
        if not tag:
            break
        text = text[tag.end() :]
    match = _PREFIX.match(text)
    return bool(match) and re.fullmatch(_FORWARD_PREFIXES, match.group("kind"), re.IGNORECASE) is not None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
