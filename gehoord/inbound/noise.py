"""Telling auto-replies and bounces from mail a person wrote.

Noise is recorded but never answered and never reopens a complaint, so the signals here lean
towards precision: a human answer taken for noise would be silently ignored.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from gehoord.mail.parsing import ParsedMail


class NoiseKind(StrEnum):
    NONE = "none"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"


@dataclass(frozen=True)
class Noise:
    kind: NoiseKind
    reason: str = ""
    failed_recipients: tuple[str, ...] = ()
    status: str = ""  # the DSN status code of a bounce, e.g. "5.1.1"
    permanent: bool = False  # a bounce with a 5.x.x status: stop sending to the address
    original_message_id: str = ""  # the bounced message's Message-ID, when the bounce returns it

    @property
    def is_noise(self) -> bool:
        return self.kind is not NoiseKind.NONE


NOT_NOISE = Noise(NoiseKind.NONE)

_REPORT_TYPES = {"message/delivery-status", "message/global-delivery-status"}
_RETURNED_TYPES = {"message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers"}


def classify(mail: ParsedMail) -> Noise:
    """Classify a parsed message as a person's mail, an auto-reply or a bounce."""
    headers = {
        "auto-submitted": mail.auto_submitted,
        "precedence": mail.precedence,
        "x-autoreply": mail.x_autoreply,
        "x-autorespond": mail.x_autorespond,
        "x-auto-response-suppress": mail.x_auto_response_suppress,
        "x-failed-recipients": ", ".join(mail.x_failed_recipients),
        "content-type": mail.content_type + (f"; report-type={mail.report_type}" if mail.report_type else ""),
        "from": mail.from_address,
    }
    if mail.return_path is not None:
        headers["return-path"] = f"<{mail.return_path}>"
    reports = [
        attachment.payload.decode("utf-8", "replace")
        for attachment in mail.attachments
        if attachment.content_type in _REPORT_TYPES
    ]
    returned = [
        attachment.payload[:65536].decode("utf-8", "replace")
        for attachment in mail.attachments
        if attachment.content_type in _RETURNED_TYPES
    ]
    return classify_headers(
        headers, subject=mail.subject, body=mail.text_full, delivery_status="\n\n".join(reports), returned=returned
    )


def classify_headers(
    headers: Mapping[str, str],
    *,
    subject: str | None = None,
    body: str = "",
    delivery_status: str = "",
    returned: Sequence[str] = (),
) -> Noise:
    """Classify from header values (any case of names) for callers without a ParsedMail.

    ``delivery_status`` is the text of a message/delivery-status part, ``returned`` the texts of
    returned messages or headers in a bounce, ``body`` its human-readable text.
    """
    values = {name.lower(): " ".join(str(value).split()) for name, value in headers.items()}
    subject = values.get("subject", "") if subject is None else " ".join(subject.split())
    return _bounce(values, subject, body, delivery_status, returned) or _auto_reply(values, subject) or NOT_NOISE


# -- bounces ---------------------------------------------------------------------------------

_BOUNCE_SUBJECT = re.compile(
    r"undeliver(?:ed|able)|delivery status notification|delivery (?:failure|has failed|failed|incomplete|delayed)"
    r"|returned mail|mail delivery (?:failed|failure|system)|failure notice|delayed mail"
    r"|warning: message .{0,80} delayed|onbestelbaar|niet (?:afgeleverd|bezorgd)|bezorging mislukt"
    r"|non remis|unzustellbar",
    re.IGNORECASE,
)
_DELAY_SUBJECT = re.compile(r"\bdela(?:y|yed)\b|still being retried|vertraagd|verzögert|retardé", re.IGNORECASE)
_DAEMON_LOCAL_PARTS = {"mailer-daemon", "mail-daemon", "postmaster", "maildaemon", "mail-delivery-system"}
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


@dataclass(frozen=True)
class RecipientReport:
    """One per-recipient block of a delivery status notification (RFC 3464)."""

    recipient: str
    action: str
    status: str
    diagnostic: str


def parse_delivery_status(text: str) -> list[RecipientReport]:
    """The per-recipient blocks of a message/delivery-status body."""
    reports: list[RecipientReport] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        name = ""
        for line in block.split("\n"):
            if line[:1] in (" ", "\t") and name:
                fields[name] += " " + line.strip()
            elif ":" in line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                fields[name] = value.strip()
        recipient = fields.get("original-recipient") or fields.get("final-recipient")
        if not recipient:
            continue
        diagnostic = fields.get("diagnostic-code", "")
        status = _STATUS.search(fields.get("status", "")) or _STATUS.search(diagnostic)
        reports.append(
            RecipientReport(
                recipient=_dsn_address(recipient),
                action=fields.get("action", "").lower(),
                status=status.group(0) if status else "",
                diagnostic=diagnostic,
            )
        )
    return reports


def _dsn_address(value: str) -> str:
    """"rfc822; Bob@Example.com" -> "bob@example.com"."""
    _, _, address = value.rpartition(";")
    return address.strip().strip("<>").lower()


def _bounce(
    values: Mapping[str, str], subject: str, body: str, delivery_status: str, returned: Sequence[str]
) -> Noise | None:
    content_type = values.get("content-type", "").lower()
    is_report = content_type.startswith("multipart/report") and "delivery-status" in content_type
    reports = parse_delivery_status(delivery_status) if delivery_status else []
    failed = [
        report for report in reports if report.action in ("failed", "delayed") or report.status.startswith(("4", "5"))
    ]
    x_failed = [
        address.strip().lower() for address in values.get("x-failed-recipients", "").split(",") if "@" in address
    ]
    sender_local = values.get("from", "").rpartition("<")[2].strip(">").partition("@")[0].lower()
    from_daemon = sender_local in _DAEMON_LOCAL_PARTS or sender_local.startswith("microsoftexchange")
    null_sender = values.get("return-path", "x").strip() == "<>"
    bounce_subject = bool(_BOUNCE_SUBJECT.search(subject))

    if is_report or failed:
        if reports and not failed:
            return Noise(NoiseKind.AUTO_REPLY, reason="delivery report without failures")
        reason = "delivery status notification"
    elif x_failed:
        reason = "X-Failed-Recipients"
    elif bounce_subject and (from_daemon or null_sender):
        reason = "bounce from " + ("mailer daemon" if from_daemon else "null sender")
    else:
        return None

    recipients = [report.recipient for report in failed] or x_failed or _addresses_in_bounce_text(body)
    statuses = [report.status for report in failed if report.status]
    if not statuses:
        statuses = [match.group(0) for match in _STATUS.finditer(body[:4000])]
    if statuses:
        permanent = any(status.startswith("5") for status in statuses)
    elif failed:
        permanent = any(report.action == "failed" for report in failed)
    else:
        permanent = not _DELAY_SUBJECT.search(subject)
    status = next((status for status in statuses if status.startswith("5")), statuses[0] if statuses else "")
    return Noise(
        NoiseKind.BOUNCE,
        reason=f"{reason}: {subject}" if subject else reason,
        failed_recipients=tuple(dict.fromkeys(recipients)),
        status=status,
        permanent=permanent,
        original_message_id=_original_message_id(returned),
    )


def _addresses_in_bounce_text(body: str) -> list[str]:
    """Failed addresses of a bounce without a DSN part: Postfix and qmail write "<bob@x>:" lines."""
    found = re.findall(r"^\s*<([^<>\s@]+@[^<>\s@]+)>:", body[:8000], re.MULTILINE)
    return [address.lower() for address in found]


def _original_message_id(returned: Sequence[str]) -> str:
    for text in returned:
        headers = re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]
        match = re.search(r"^Message-ID:\s*<([^<>\s]+)>", headers, re.IGNORECASE | re.MULTILINE)
        if match:
            return match.group(1)
    return ""


# -- auto-replies ----------------------------------------------------------------------------

_LEADING_TAGS = r"^(?:\[[^\[\]]{0,64}\]\s*)*"
# "Afwezig" and "Niet aanwezig" also start real complaint subjects ("Afwezig bij afspraak"), so
# they count only as the whole subject or followed by a colon or a period of absence.
_ABSENCE_TAIL = r"(?=\s*(?::|$|tot\b|t/m\b|tot en met\b|van \d|wegens\b|until\b|from \d))"
_OUT_OF_OFFICE = re.compile(
    _LEADING_TAGS + r"(?:automatisch antwoord|automatisch bericht|automatic reply|automatic response"
    r"|auto[- ]?reply|auto[- ]?response|autoreply|out of (?:the )?office|out-of-office|ooo\b"
    r"|afwezigheidsmelding|afwezigheidsbericht|abwesenheitsnotiz|réponse automatique|message d'absence"
    rf"|(?:afwezig|niet aanwezig|absent|away){_ABSENCE_TAIL})",
    re.IGNORECASE,
)
_ACKNOWLEDGEMENT_START = re.compile(
    _LEADING_TAGS + r"(?:request received|ticket received|support ticket opened|ticket (?:opened|created)\b"
    r"|new ticket created|case (?:opened|created)\b|ontvangstbevestiging|bevestiging van ontvangst)",
    re.IGNORECASE,
)
_ACKNOWLEDGEMENT_ANYWHERE = re.compile(
    r"\bwe(?:'ve| have)? received your (?:request|message|e-?mail|ticket|enquiry|inquiry|complaint)"
    r"|\byour (?:request|ticket|message|case|complaint)(?: \(?#?\d+\)?)? has been (?:received|created|opened|logged)"
    r"|\b(?:wij|we) hebben (?:uw|je|jouw) (?:bericht|e-?mail|mail|vraag|verzoek|klacht|aanvraag|melding)"
    r" (?:in goede orde )?ontvangen"
    r"|\b(?:uw|je|jouw) (?:verzoek|vraag|bericht|e-?mail|klacht|melding|ticket|aanvraag)"
    r" is (?:in goede orde )?ontvangen",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(_LEADING_TAGS + r"(?:re|aw|antw|sv|vs)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_NEGATIVE_VALUES = {"", "no", "false", "0", "off"}


def _auto_reply(values: Mapping[str, str], subject: str) -> Noise | None:
    auto_submitted = values.get("auto-submitted", "").partition(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return Noise(NoiseKind.AUTO_REPLY, reason=f"Auto-Submitted: {auto_submitted}")
    precedence = values.get("precedence", "").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return Noise(NoiseKind.AUTO_REPLY, reason=f"Precedence: {precedence}")
    for header in ("x-autoreply", "x-autorespond", "x-autogenerated"):
        if values.get(header, "").strip().lower() not in _NEGATIVE_VALUES:
            return Noise(NoiseKind.AUTO_REPLY, reason=f"{header}: {values[header]}")
    # X-Auto-Response-Suppress alone says nothing: Outlook sets it on ordinary mail too.
    content_type = values.get("content-type", "").lower()
    if content_type.startswith("multipart/report") and "disposition-notification" in content_type:
        return Noise(NoiseKind.AUTO_REPLY, reason="read receipt (disposition notification)")
    if match := _OUT_OF_OFFICE.search(subject):
        return Noise(NoiseKind.AUTO_REPLY, reason=f"out-of-office subject: {match.group(0).strip()}")
    if match := _ACKNOWLEDGEMENT_START.search(subject):
        return Noise(NoiseKind.AUTO_REPLY, reason=f"helpdesk acknowledgement: {match.group(0).strip()}")
    # "Re: Uw klacht is ontvangen" is a person answering such a mail, so only without a reply prefix.
    if not _REPLY_PREFIX.match(subject) and (match := _ACKNOWLEDGEMENT_ANYWHERE.search(subject)):
        return Noise(NoiseKind.AUTO_REPLY, reason=f"helpdesk acknowledgement: {match.group(0).strip()}")
    return None
