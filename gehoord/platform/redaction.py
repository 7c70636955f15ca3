"""Personal data out of public text: what public pages and the public API show instead of the stored text.

`find_personal_data(text)` finds e-mail addresses, phone numbers (Dutch, Belgian and international),
IBANs, BSNs and Belgian national numbers (their checksums decide), postcodes with a house number,
street addresses, customer and order numbers, and the name under a letter's closing ("Met
vriendelijke groet,\\nPieter Jansen"). `redact(text)` replaces what it finds with a marker in the
reader's language; the automatic screening (screening.py) flags texts on the same findings. The
stored text is never changed: moderators, the company and the consumer see it whole.

Left alone, as not a private person's: the address of a shop or office the text names as such
("de winkel aan de Kalverstraat 12"), a department, team or company under a closing ("Team
Klantenservice"), and names the caller passes as `keep` (the company's own).

What it does not catch (documented, tested as such): an address written out to dodge filters
("jan at example dot com"), bank account numbers without a valid IBAN checksum, a postcode without
a house number, and a name that is not under a closing. The moderation screen is where people look
at those; this is the last line before publication, not the first.

Consumer names: public pages show a first name and the initial of the last name ("Carol M."),
never the full name (`public_name`).
"""

import dataclasses
import re
from collections.abc import Iterable

import phonenumbers
from django.utils.translation import gettext as _
from stdnum import iban
from stdnum.be import nn as belgian_national_number
from stdnum.nl import bsn

EMAIL = "email"
PHONE = "phone"
BANK_ACCOUNT = "bank_account"
NATIONAL_NUMBER = "national_number"
POSTCODE = "postcode"
ADDRESS = "address"
CUSTOMER_NUMBER = "customer_number"
NAME = "name"


@dataclasses.dataclass(frozen=True)
class PersonalData:
    kind: str
    start: int
    end: int


# Liberal on purpose: a false positive costs a word, a miss publishes an address.
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Two letters, two check digits, then 10–30 letters or digits, with optional single spaces
# between groups; the checksum decides.
_IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}\b", re.IGNORECASE)
_PHONE_REGIONS = ("NL", "BE")
# Every Dutch mobile number, also one not yet handed out (which the phone matcher's plan check passes).
_DUTCH_MOBILE = re.compile(r"(?<![\w+])(?:\+31 ?|0031 ?|0)6[ -]?(?:\d[ -]?){7}\d(?!\w)")
# Phone numbers and IBANs hold at least eight digits; text without such a run (most of it) skips the
# phone matcher, which costs a tenth of a millisecond a text even when it finds nothing.
_MANY_DIGITS = re.compile(r"\d(?:[\s()./-]{0,3}\d){7,}")
# Nine digits (BSN, "123.456.782" too) or eleven (Belgian "85.07.30-033.28"); checksums decide.
_BSN_CANDIDATE = re.compile(r"(?<![\w.-])(?:\d{3}[. ]?\d{2}[. ]?\d{2}[. ]?\d{2}|\d{4}\.\d{2}\.\d{3}|\d{3}\.\d{3}\.\d{3})(?![\w-]|\.\d)")
_BELGIAN_NN_CANDIDATE = re.compile(r"(?<![\w.-])\d{2}\.?\d{2}\.?\d{2}[ .-]?\d{3}[ .-]?\d{2}(?![\w-]|\.\d)")
# A Dutch postcode (no SA, SD, SS) followed by a house number, or the house number first
# ("12, 1234 AB"). Lower-case letters only right after the digits, so "2024 om 14" stays prose.
_POSTCODE_WITH_NUMBER = re.compile(
    r"\b[1-9]\d{3}(?: ?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})\b,? *(?:(?:nr\.?|huisnummer) *)?\d{1,5}(?: ?[a-zA-Z]\b|-\d+)?"
    r"|\b\d{1,5} *,? +[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b"
)
_DUTCH_STREET = (
    r"(?:[A-Z][\w'’.-]* +(?:(?:van|de|der|den|het|'t|ter|ten|op|aan|in) +){0,2}){0,2}"
    r"[A-Z][\w'’-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|steenweg|dreef|lei|hof|pad|markt|park"
    r"|baan|ring|veld|dam|wal|steeg|dreef|hoek|burg|polder|boulevard|allee|erf|haven|vaart|zijde|berg)"
)
_FRENCH_STREET = (
    r"(?:Rue|Avenue|Av\.|Boulevard|Bd\.?|Chaussée|Place|Chemin|Quai|Allée|Impasse|Square|Drève|Clos|Sentier)"
    r"(?: +[\w'’-]+){1,5}?"
)
_STREET_ADDRESS = re.compile(
    rf"(?:\b{_DUTCH_STREET}|\b{_FRENCH_STREET}) *,? *\d{{1,4}}(?: ?[a-zA-Z]\b|[-/]\d+| bus \d+)?"
    # With the postcode and place that follow: "Rue de la Loi 16, 1000 Brussel".
    r"(?: *,? *[1-9]\d{3}(?: ?[A-Z]{2})? +[A-Z][\w'’-]+)?"
    r"|\b\d{1,4} +(?:[A-Z][a-z]+ +){1,3}(?:Street|Road|Avenue|Lane|Drive|Way|Close|Square|Crescent)\b"
)
# What a text says of an address that is a business's, not the writer's home.
_BUSINESS_PLACE = re.compile(
    r"\b(?:winkel|filiaal|vestiging|kantoor|hoofdkantoor|showroom|balie|magazijn|afhaalpunt|servicepunt"
    r"|zaak|restaurant|garage|bedrijf|store|shop|branch|office|outlet|warehouse|headquarters|magasin|agence)\b"
    r"[^.\n]{0,30}$",
    re.IGNORECASE,
)
# The number after the word is the customer's; the word stays so the reader knows what was removed.
_CUSTOMER_NUMBER = re.compile(
    r"\b(?:(?:klant|order|bestel|dossier|contract|referentie|account|lid|abonnee|abonnement|polis|zending|pakket"
    r"|track ?(?:&|and|en) ?trace|ticket|customer|membership|bsn|burgerservicenummer|rijksregisternummer)"
    r"(?:[ -]?s?(?:nummer|nr\.?|number|no\.?|id|code))?"
    r"|(?:factuur|invoice|reference|tracking)[ -]?(?:nummer|nr\.?|number|no\.?|id|code))"
    r"(?: *[:#.]| +is| +was)? *#? *(?P<number>[A-Z]{0,4}[-/]?\d[\w/-]{2,}|[A-Z][\w-]*\d[\w-]*)",
    re.IGNORECASE,
)
# One of these in the text, or the customer-number matcher has nothing to find.
_NUMBER_WORDS = ("klant", "order", "bestel", "dossier", "contract", "referentie", "account", "lid", "abonne", "polis",
                 "zending", "pakket", "trace", "ticket", "customer", "member", "bsn", "burgerservice", "rijksregister",
                 "factuur", "invoice", "reference", "tracking")
_DIGIT = re.compile(r"\d")
_CLOSING = re.compile(
    r"(?:^|\n)[ \t]*(?:met )?(?:(?:vriendelijke|hartelijke|beste|warme) )?(?:groet(?:en)?|regards|wishes)"
    r"|(?:^|\n)[ \t]*(?:mvg|m\.v\.g\.|hoogachtend|groetjes|sincerely|yours (?:sincerely|faithfully|truly)"
    r"|kind regards|best regards|best|cheers|thanks|thank you|bedankt|alvast bedankt|dank ?je ?wel|met dank)"
    r"[ \t]*[,.!]?[ \t]*(?:\n[ \t]*)*",
    re.IGNORECASE,
)
_CLOSING_WORDS = ("groet", "regards", "wishes", "mvg", "m.v.g", "hoogachtend", "sincerely", "yours", "best,", "best\n",
                  "cheers", "thank", "bedankt", "dank")
# Two to four name words, with the particles of Dutch surnames; the rest of the line must be empty.
_NAME = re.compile(
    r"[,.!]?[ \t]*\n?[ \t]*(?P<name>[A-Z][\w'’-]+(?: +(?:van|de|der|den|het|'t|ter|ten|von|le|la|du|el|al|ben|bin|da|di|dos"
    r"|[A-Z][\w'’.-]*)){1,4})"
    r"[ \t]*(?:\n|$)"
)
# Under a closing, these say a team, department or company signs, not a private person.
_NOT_A_PERSON = re.compile(
    r"\b(?:team|klantenservice|klantendienst|afdeling|service|support|desk|department|customer|care|sales"
    r"|administratie|directie|management|b\.?v\.?|n\.?v\.?|vof|ltd|inc|gmbh|bvba|srl|sa|nv|groep|group"
    r"|webshop|winkel|store|shop)\b",
    re.IGNORECASE,
)


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


def _national_number_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _BSN_CANDIDATE.finditer(text) if bsn.is_valid(m.group(0))]
    spans += [
        (m.start(), m.end()) for m in _BELGIAN_NN_CANDIDATE.finditer(text)
        if belgian_national_number.is_valid(m.group(0))
    ]
    return spans


def _address_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _STREET_ADDRESS.finditer(text):
        if not _BUSINESS_PLACE.search(text[max(0, match.start() - 60):match.start()]):
            spans.append((match.start(), match.end()))
    return spans


def _postcode_spans(text: str) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end()) for m in _POSTCODE_WITH_NUMBER.finditer(text)
        if not _BUSINESS_PLACE.search(text[max(0, m.start() - 60):m.start()])
    ]


def _signature_name_spans(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    kept = {name.strip().casefold() for name in keep if name and name.strip()}
    spans = []
    for closing in _CLOSING.finditer(text):
        match = _NAME.match(text, closing.end())
        if match is None:
            continue
        name = match.group("name")
        if _NOT_A_PERSON.search(name) or name.casefold() in kept or any(part in kept for part in _parts(name)):
            continue
        spans.append((match.start("name"), match.end("name")))
    return spans


def _parts(name: str) -> list[str]:
    words = name.casefold().split()
    return [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1) if j - i > 1]


def find_personal_data(text: str, *, keep: Iterable[str] = ()) -> list[PersonalData]:
    """Every piece of personal data in `text`, in order; overlapping finds are kept once, the first
    kind winning. `keep`: names not to treat as a private person's (the company's own)."""
    if not text:
        return []
    found: list[tuple[int, int, str]] = []
    if "@" in text:
        found += [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]
    lowered = text.casefold()
    if any(word in lowered for word in _CLOSING_WORDS):
        found += [(start, end, NAME) for start, end in _signature_name_spans(text, keep)]
    # Every other kind holds a digit; most sentences hold none.
    if _DIGIT.search(text):
        if _MANY_DIGITS.search(text):
            # IBANs and national numbers before phones: their digit runs can look like a phone number.
            found += [(start, end, BANK_ACCOUNT) for start, end in _iban_spans(text)]
            found += [(start, end, NATIONAL_NUMBER) for start, end in _national_number_spans(text)]
            found += [(start, end, PHONE) for start, end in _phone_spans(text)]
            found += [(m.start(), m.end(), PHONE) for m in _DUTCH_MOBILE.finditer(text)]
        found += [(start, end, ADDRESS) for start, end in _address_spans(text)]
        found += [(start, end, POSTCODE) for start, end in _postcode_spans(text)]
        if any(word in lowered for word in _NUMBER_WORDS):
            found += [(m.start("number"), m.end("number"), CUSTOMER_NUMBER) for m in _CUSTOMER_NUMBER.finditer(text)]
    return [PersonalData(kind, start, end) for start, end, kind in _without_overlaps(found)]


def _without_overlaps(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The finds that do not overlap an earlier one (in the order found, so the first kind wins),
    then merged by position."""
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if not any(start < k_end and k_start < end for k_start, k_end, _kind in kept):
            kept.append((start, end, kind))
    return sorted(kept)


def _markers() -> dict[str, str]:
    return {
        EMAIL: _("[e-mail address removed]"),
        PHONE: _("[phone number removed]"),
        BANK_ACCOUNT: _("[bank account removed]"),
        NATIONAL_NUMBER: _("[national number removed]"),
        POSTCODE: _("[address removed]"),
        ADDRESS: _("[address removed]"),
        CUSTOMER_NUMBER: _("[number removed]"),
        NAME: _("[name removed]"),
    }


def redact(text: str, *, keep: Iterable[str] = ()) -> str:
    """`text` with its personal data replaced by a marker. `keep`: names not to treat as a private
    person's (the company's own)."""
    found = find_personal_data(text, keep=keep)
    if not found:
        return text
    markers = _markers()
    pieces = []
    position = 0
    for piece in found:
        pieces.append(text[position:piece.start])
        pieces.append(markers[piece.kind])
        position = piece.end
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
