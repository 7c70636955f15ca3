"""The keys the company registry is searched by, computed the same way for an entry and for a query.

Plain functions, no Django: a name folds to lower case without accents or punctuation; a registry
id (KvK, KBO, Companies House) drops spaces, dots, dashes and a leading country code (BE 0403.170.701
and 0403170701 are one number); a website is compared by its host alone (https://www.Example.nl/x
and example.nl are one site).
"""

import re
import unicodedata
from urllib.parse import urlsplit

# Country codes written before a registry number (BE 0403..., NL 1234...). Not every two letters:
# a Companies House number such as SC123456 starts with letters that are part of it.
_COUNTRY_PREFIXES = ("BE", "NL", "GB", "UK", "DE", "FR", "LU")
# KvK and KBO numbers are digits; a Companies House number may start with two letters (SC123456).
_REGISTRY_NUMBER = re.compile(r"[A-Z]{0,2}[0-9]{4,20}")
_ID_SEPARATORS = re.compile(r"[\s.\-/:]+")
# The register's name typed before the number ("KvK 12345678", "KBO-nr. 0403...").
_REGISTER_LABEL = re.compile(r"^\s*(kvk|kbo|bce|crn)(\s*-?\s*(nr|nummer|no|number)\b)?[\s.:#-]*", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ı": "i"})
# What a company calls its legal form says nothing about which company it is.
LEGAL_FORMS = frozenset(
    {"bv", "nv", "vof", "cv", "bvba", "bvb", "srl", "sprl", "sa", "vzw", "ltd", "limited", "plc", "llp",
     "inc", "gmbh", "holding", "the", "de", "het"}
)


def fold_name(text: str) -> str:
    """`text` in lower case, accents and punctuation gone, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().translate(_UNDECOMPOSED)
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def core_name(text: str) -> str:
    """The folded name without its legal form ("Bol.com B.V." → "bol com"); similar names share it."""
    words: list[str] = []
    single_letters = False
    for word in fold_name(text).split():
        # "B.V." folds to "b v": single letters in a row are one abbreviation.
        if len(word) == 1 and single_letters:
            words[-1] += word
        else:
            words.append(word)
            single_letters = len(word) == 1
    core = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(core or words)


def registry_key(text: str) -> str:
    """A registry id without separators or leading country code, upper case; "" when it has no digit."""
    compact = _ID_SEPARATORS.sub("", _REGISTER_LABEL.sub("", text or "").upper())
    if compact[:2] in _COUNTRY_PREFIXES and compact[2:3].isdigit():
        compact = compact[2:]
    return compact if _REGISTRY_NUMBER.fullmatch(compact) else ""


def web_host(text: str) -> str:
    """The host of a website or bare domain, lower case, without www. and port; "" when there is none."""
    text = (text or "").strip()
    if not text or any(char.isspace() for char in text):
        return ""
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".").removeprefix("www.")
    return host[:253] if "." in host else ""
