"""Removing quoted history from the plain text of a reply.

Conservative by design: it is better to show a little of an old quote than to cut the author's
own words, and when in doubt the text is kept. The full body is always stored elsewhere.
"""

import re

_ATTRIBUTION_MAX_LINES = 3
_ATTRIBUTION_MAX_CHARS = 300

# Attribution lines that introduce quoted history: Gmail, Apple Mail, Thunderbird and most mobile
# clients, in Dutch, English, French and German. A time of day or an address must be in the
# line, so the author's own "Op 3 januari schreef de winkel:" is not taken for one.
_STAMP = r"(?=.*(?:\d{1,2}[:.]\d{2}|@))"
_ATTRIBUTIONS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "On Mon, 5 Jan 2026 at 10:00, Name <a@b> wrote:" / "On 05-01-2026 10:00, Name wrote:"
        rf"^On\b{_STAMP}.{{4,250}}\bwrote\s*:$",
        # "Op ma 5 jan 2026 om 10:00 schreef Naam <a@b>:" / "Op 05-01-2026 om 10:00 schreef Naam:"
        # and Apple Mail's "Op 5 jan 2026 om 10:00 heeft Naam <a@b> het volgende geschreven:"
        rf"^Op\b{_STAMP}.{{4,250}}?\b(?:schreef|geschreven)\b.{{0,150}}:$",
        rf"^Le\b{_STAMP}.{{4,250}}\ba\s+écrit\s*:$",
        rf"^Am\b{_STAMP}.{{4,250}}\bschrieb\b.{{0,150}}:$",
    )
)
# "Carol Jansen <carol@example.nl> wrote:" without a date: only taken when '>' lines follow.
_BARE_ATTRIBUTION = re.compile(r"^\S.{0,150}\b(?:wrote|schreef|a écrit|schrieb)\s*:$", re.IGNORECASE)

_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Oorspronkelijk bericht|Origineel bericht|Oorspronkelijk e-?mailbericht"
    r"|Message d'origine|Ursprüngliche Nachricht|Original-Nachricht)\s*-{2,}$",
    re.IGNORECASE,
)
_FORWARD_MARKER = re.compile(
    r"^(?:-{2,}\s*(?:Forwarded message|Forwarded Message|Doorgestuurd bericht|Message transféré"
    r"|Weitergeleitete Nachricht)\s*-{2,}"
    r"|(?:Begin forwarded message|Begin doorgestuurd bericht|Début du message réexpédié"
    r"|Anfang der weitergeleiteten Nachricht)\s*:)$",
    re.IGNORECASE,
)

# Outlook's header block: "From: … / Sent: … / To: … / Subject: …", Dutch "Van: … / Verzonden: …
# / Aan: … / Onderwerp: …". Gmail shows Outlook's bold labels as "*From:*".
_HEADER_LABEL = re.compile(r"^\*?\s*(?P<label>[^\W\d_][\w-]{0,14})\s*:\*?(?:\s|$)")
_FROM_LABELS = {"from", "van", "de", "von"}
_DATE_LABELS = {"sent", "date", "verzonden", "verstuurd", "datum", "envoyé", "gesendet"}
_TO_OR_SUBJECT_LABELS = {"to", "aan", "à", "an", "subject", "onderwerp", "objet", "betreff", "cc"}
_OUTLOOK_ONE_LINE = re.compile(
    r"^\*?(?:From|Van|De|Von)\s*:.+\b(?:Sent|Date|Verzonden|Datum|Envoyé|Gesendet)\s*:.+"
    r"\b(?:To|Aan|À|An|Subject|Onderwerp|Objet|Betreff)\s*:",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^(?:_{10,}|-{10,})$")

_DEVICE_SIGNATURE = re.compile(
    r"^(?:Sent from my \w[\w .-]{0,40}|Sent from (?:Mail|Outlook) for \w+"
    r"|(?:Verzonden|Verstuurd) (?:vanaf|met|vanuit|via) (?:mijn|de) \w[\w .-]{0,40}"
    r"|Get Outlook for (?:iOS|Android)|Outlook voor (?:iOS|Android) downloaden"
    r"|Download Outlook for (?:iOS|Android)|Envoyé de mon \w[\w .-]{0,40})"
    r"\s*(?:<https?://\S+>)?\.?$",
    re.IGNORECASE,
)


def strip_quoted(text: str, *, forwarded: bool = False) -> str:
    """The text with its quoted history and a trailing "Sent from my iPhone" line removed.

    With ``forwarded`` (the subject says Fwd:/FW:/Doorst:) the forwarded content is the message,
    so only the device signature goes. Returns ``text`` unchanged when stripping would leave
    nothing.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not forwarded:
        cut = _find_quote_start(lines)
        if cut is not None:
            lines = lines[:cut]
        lines = _drop_trailing_quote(lines)
    lines = _drop_device_signature(lines)
    stripped = "\n".join(lines).strip("\n").rstrip()
    return stripped if stripped.strip() else text


def _find_quote_start(lines: list[str]) -> int | None:
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith(">"):
            continue
        if _FORWARD_MARKER.match(line):
            # Someone forwards a mail: what follows is the content, and any reply headers inside
            # the forwarded mail belong to it.
            return None
        if _ORIGINAL_MESSAGE.match(line):
            return index
        if _is_outlook_header(lines, index):
            return _include_separator(lines, index)
        end = _attribution_end(lines, index)
        if end is not None:
            if _quoted_lines_follow(lines, end) and not _only_quotes_follow(lines, end):
                # An inline (interleaved) or bottom-posted answer: the author's words come after
                # the attribution, so nothing is cut here; the trailing quote goes later.
                continue
            return index
    return None


def _attribution_end(lines: list[str], index: int) -> int | None:
    """The last line of an attribution starting at ``index`` (Gmail wraps it over two lines)."""
    first = lines[index].strip()
    if re.search(r"[.!?]$", first):
        return None
    joined = first
    for end in range(index, min(index + _ATTRIBUTION_MAX_LINES, len(lines))):
        if end > index:
            continuation = lines[end].strip()
            if not continuation or continuation.startswith(">"):
                return None
            joined = f"{joined} {continuation}"
        if len(joined) > _ATTRIBUTION_MAX_CHARS:
            return None
        if any(pattern.match(joined) for pattern in _ATTRIBUTIONS):
            return end
    if _BARE_ATTRIBUTION.match(first) and _quoted_lines_follow(lines, index):
        return index
    return None


def _is_outlook_header(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _OUTLOOK_ONE_LINE.match(line):
        return True
    match = _HEADER_LABEL.match(line)
    if not match or match.group("label").lower() not in _FROM_LABELS:
        return False
    labels: set[str] = set()
    for following in lines[index + 1 : index + 8]:
        label = _HEADER_LABEL.match(following.strip())
        if label:
            labels.add(label.group("label").lower())
    return bool(labels & _DATE_LABELS) and bool(labels & _TO_OR_SUBJECT_LABELS)


def _include_separator(lines: list[str], index: int) -> int:
    """Move the cut up to Outlook's "______" line right above the header block, if there is one."""
    above = index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above >= 0 and _SEPARATOR.match(lines[above].strip()):
        return above
    return index


def _quoted_lines_follow(lines: list[str], end: int) -> bool:
    following = next((line.strip() for line in lines[end + 1 :] if line.strip()), "")
    return following.startswith(">")


def _only_quotes_follow(lines: list[str], end: int) -> bool:
    return all(
        not line.strip() or line.lstrip().startswith(">") or _DEVICE_SIGNATURE.match(line.strip())
        for line in lines[end + 1 :]
    )


def _drop_trailing_quote(lines: list[str]) -> list[str]:
    """Drop a block of '>' lines (and blank lines) at the bottom, if the author wrote above it."""
    end = len(lines)
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(">")):
        end -= 1
    if end == len(lines) or end == 0:
        return lines
    if any(_FORWARD_MARKER.match(line.lstrip("> \t").strip()) for line in lines[end:]):
        return lines  # Apple Mail quotes a forwarded mail with '>' too: it is content
    kept = lines[:end]
    # An attribution right above the '>' block goes with it.
    last = len(kept) - 1
    if _attribution_end(lines, last) is not None or _BARE_ATTRIBUTION.match(kept[last].strip()):
        return kept[:last] if any(line.strip() for line in kept[:last]) else kept
    return kept


def _drop_device_signature(lines: list[str]) -> list[str]:
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    if end > 0 and _DEVICE_SIGNATURE.match(lines[end - 1].strip()):
        if any(line.strip() for line in lines[: end - 1]):
            return lines[: end - 1]
    return lines
