"""Raw inbound mail to plain values, without Django.

``parse_message`` never raises for bad input and never drops content: what it cannot read is kept
as an attachment or noted in ``defects``, and the caller stores the raw bytes regardless.
"""

import codecs
import hashlib
import html
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import compat32
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import unquote

import nh3

from gehoord.mail.quotes import strip_quoted
from gehoord.mail.tags import is_forward_subject

# Headers read from the source are written back unchanged when a part is saved as an .eml.
_POLICY = default_policy.clone(refold_source="none")
SYNTHETIC_ID_DOMAIN = "synthetic.gehoord.invalid"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    payload: bytes = field(repr=False)
    content_id: str = ""
    inline: bool = False
    is_forwarded_message: bool = False

    @property
    def size(self) -> int:
        return len(self.payload)


@dataclass(frozen=True)
class ParsedMail:
    """One inbound message as plain values. Addresses are lower-cased addr-specs; message ids
    have no angle brackets."""

    message_id: str
    message_id_synthetic: bool
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_address: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    reply_to: tuple[str, ...]
    date: datetime | None
    text_full: str
    text_visible: str
    html_sanitised: str
    attachments: tuple[Attachment, ...]
    auto_submitted: str
    precedence: str
    x_autoreply: str
    x_autorespond: str
    x_auto_response_suppress: str
    x_failed_recipients: tuple[str, ...]
    list_id: str
    return_path: str | None  # None: no header; "": the null sender "<>" of bounces
    content_type: str
    report_type: str
    user_agent: str
    defects: tuple[str, ...]
    malformed: bool

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every address the message was delivered to: To, Cc and the envelope (Delivered-To)."""
        return tuple(dict.fromkeys((*self.to, *self.cc, *self.delivered_to)))

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message ids this mail answers, most recent first: In-Reply-To, then References."""
        return tuple(dict.fromkeys((*self.in_reply_to, *reversed(self.references))))


def parse_message(raw: bytes) -> ParsedMail:
    """Parse one raw RFC 5322 message. Never raises for bad input."""
    raw = bytes(raw)
    try:
        return _parse(raw)
    except Exception as problem:  # the email package has crashed on odd input; keep what we can
        return _unparseable(raw, problem)


_HEADER_BLOCK_END = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID_HEADER = re.compile(rb"^message-id[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def message_id_of(raw: bytes) -> tuple[str, bool]:
    """(Message-ID, synthetic) without parsing the whole message: what a door needs to store once.

    Reads the first Message-ID header of the header block; without one, the whole message is
    parsed (a repaired header block may still hold one) and else the id is the synthetic one
    ``parse_message`` gives, from the bytes. The same bytes always give the same id.
    """
    raw = bytes(raw)
    end = _HEADER_BLOCK_END.search(raw)
    head = raw[: end.start()] if end else raw
    match = _MESSAGE_ID_HEADER.search(head)
    if match:
        ids = _message_ids(decode_header_text(match.group(1).decode("utf-8", "surrogateescape")))
        if ids:
            return ids[0], False
    parsed = parse_message(raw)
    return parsed.message_id, parsed.message_id_synthetic


# -- the message -----------------------------------------------------------------------------

_SERIOUS_DEFECTS = (
    errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect,
    errors.FirstHeaderLineIsContinuationDefect,
    errors.MisplacedEnvelopeHeaderDefect,
    errors.MissingHeaderBodySeparatorDefect,
    errors.MultipartInvariantViolationDefect,
    errors.NoBoundaryInMultipartDefect,
    errors.InvalidMultipartContentTransferEncodingDefect,
    errors.InvalidBase64PaddingDefect,
    errors.InvalidBase64CharactersDefect,
    errors.InvalidBase64LengthDefect,
)


def _parse(raw: bytes) -> ParsedMail:
    message, repairs = _read(raw)
    headers = _Headers(message)
    body = _Body()
    body.defects.extend(repairs)
    body.malformed = bool(repairs)
    segments = body.segments(message)

    message_ids = _message_ids(headers.text("message-id"))
    subject = headers.text("subject")
    from_name, from_address = next(iter(headers.addresses("from")), ("", ""))
    if not headers.raw:
        body.defects.append("no headers")
        body.malformed = True
    elif not from_address:
        body.defects.append("no From address")
    text_full = "\n\n".join(segment.as_text() for segment in segments).strip("\n")
    return ParsedMail(
        message_id=message_ids[0] if message_ids else _synthetic_id(raw),
        message_id_synthetic=not message_ids,
        in_reply_to=tuple(_message_ids(headers.text("in-reply-to"))),
        references=tuple(_message_ids(headers.text("references"))),
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        to=_only_addresses(headers.addresses("to")),
        cc=_only_addresses(headers.addresses("cc")),
        delivered_to=_only_addresses(headers.envelope_addresses("delivered-to", "x-original-to", "envelope-to")),
        reply_to=_only_addresses(headers.addresses("reply-to")),
        date=headers.date(body.defects),
        text_full=text_full,
        text_visible=strip_quoted(text_full, forwarded=is_forward_subject(subject)),
        html_sanitised=_segments_html(segments, body.defects),
        attachments=tuple(body.attachments),
        auto_submitted=headers.text("auto-submitted"),
        precedence=headers.text("precedence"),
        x_autoreply=headers.text("x-autoreply"),
        x_autorespond=headers.text("x-autorespond"),
        x_auto_response_suppress=headers.text("x-auto-response-suppress"),
        x_failed_recipients=_only_addresses(headers.envelope_addresses("x-failed-recipients")),
        list_id=headers.text("list-id"),
        return_path=headers.return_path(),
        content_type=_content_type(message),
        report_type=_param(message, "report-type").lower(),
        user_agent=headers.text("user-agent") or headers.text("x-mailer"),
        defects=tuple(dict.fromkeys(body.defects + headers.defects)),
        malformed=body.malformed,
    )


class _ReceivedMessage(EmailMessage):
    """An EmailMessage that parses each header once.

    The default policy parses a header anew on every ``get``, and ``get_content_type``,
    ``get_param``, ``get_filename``… each call ``get``: the walk over one text part parsed its
    Content-Type about ten times, most of the parsing time. Changed headers (the generator may add
    a boundary) start a fresh cache.
    """

    _MISSING = object()

    def __init__(self, policy=_POLICY) -> None:
        super().__init__(policy)
        self._parsed_for: tuple = ()
        self._parsed: dict[str, object] = {}

    def get(self, name, failobj=None):
        headers = tuple(self._headers)
        if headers != self._parsed_for:
            self._parsed_for, self._parsed = headers, {}
        key = name.lower()
        if key not in self._parsed:
            self._parsed[key] = super().get(key, self._MISSING)
        value = self._parsed[key]
        return failobj if value is self._MISSING else value


def _read(raw: bytes) -> tuple[EmailMessage, list[str]]:
    """Parse, repairing a header block that holds a line which is not a header.

    The email package takes such a line as the start of the body, so every header after it
    (Content-Type!) would be read as text.
    """
    message = BytesParser(_ReceivedMessage, policy=_POLICY).parsebytes(raw)
    if not any(isinstance(defect, errors.MissingHeaderBodySeparatorDefect) for defect in message.defects):
        return message, []
    repaired, notes = _repair_header_block(raw)
    if not notes:
        return message, []
    retry = BytesParser(_ReceivedMessage, policy=_POLICY).parsebytes(repaired)
    if any(isinstance(defect, errors.MissingHeaderBodySeparatorDefect) for defect in retry.defects):
        return message, []
    return retry, notes


_HEADER_LINE = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:")
_CONTINUATION_LINE = re.compile(rb"^[ \t]")


def _repair_header_block(raw: bytes) -> tuple[bytes, list[str]]:
    separator = re.search(rb"\r?\n\r?\n", raw)
    end = separator.start() + (2 if separator.group(0).startswith(b"\r") else 1) if separator else len(raw)
    head, rest = raw[:end], raw[end:]
    lines = head.splitlines(keepends=True)
    kept: list[bytes] = []
    notes: list[str] = []
    for index, line in enumerate(lines):
        if (index == 0 and line.startswith(b"From ")) or (_CONTINUATION_LINE.match(line) and kept):
            kept.append(line)
        elif match := _HEADER_LINE.match(line):
            kept.append(match.group(1) + b":" + line[match.end() :])
        elif any(_HEADER_LINE.match(later) for later in lines[index + 1 :]):
            notes.append(f"garbage header line ignored: {line.decode('latin-1').strip()[:120]!r}")
        else:
            # No header follows: the sender left out the blank line before the body.
            notes.append("no blank line between headers and body")
            kept.append(b"\r\n" if line.endswith(b"\r\n") else b"\n")
            kept.extend(lines[index:])
            break
    return b"".join(kept) + rest, notes


def _unparseable(raw: bytes, problem: Exception) -> ParsedMail:
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    text = decode_bytes(body or head, None)[0].replace("\x00", "\ufffd")
    return ParsedMail(
        message_id=_synthetic_id(raw),
        message_id_synthetic=True,
        in_reply_to=(),
        references=(),
        subject="",
        from_address="",
        from_name="",
        to=(),
        cc=(),
        delivered_to=(),
        reply_to=(),
        date=None,
        text_full=text,
        text_visible=text,
        html_sanitised="",
        attachments=(),
        auto_submitted="",
        precedence="",
        x_autoreply="",
        x_autorespond="",
        x_auto_response_suppress="",
        x_failed_recipients=(),
        list_id="",
        return_path=None,
        content_type="",
        report_type="",
        user_agent="",
        defects=(f"unparseable: {type(problem).__name__}: {problem}",),
        malformed=True,
    )


def _synthetic_id(raw: bytes) -> str:
    return f"{hashlib.sha256(raw).hexdigest()}@{SYNTHETIC_ID_DOMAIN}"


def _message_ids(value: str) -> list[str]:
    ids = re.findall(r"<\s*([^<>\s]+?)\s*>", value)
    if not ids:
        # Some senders leave out the angle brackets.
        ids = [token.strip("<>,;") for token in value.split() if "@" in token]
    return list(dict.fromkeys(filter(None, ids)))


def _only_addresses(pairs: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(address for _, address in pairs if address))


def _content_type(message: Message) -> str:
    try:
        return message.get_content_type()
    except Exception:
        return "text/plain"


def _param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):  # an RFC 2231 (charset, language, value) triple
        value = value[2]
    return str(value or "").strip()


# -- headers ---------------------------------------------------------------------------------


class _Headers:
    """Header values from the raw source, decoded leniently (RFC 2047, raw 8-bit, odd charsets)."""

    def __init__(self, message: EmailMessage) -> None:
        self.message = message
        self.defects: list[str] = []
        self.raw: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            self.raw.setdefault(name.lower(), []).append(str(value))

    def text(self, name: str) -> str:
        values = self.raw.get(name)
        return decode_header_text(values[0]) if values else ""

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, lower-cased addr-spec) pairs of an address header, all occurrences."""
        found: list[tuple[str, str]] = []
        for index, raw in enumerate(self.raw.get(name, [])):
            try:
                header = self.message.get_all(name)[index]
                parsed = [(address.display_name, address.addr_spec) for address in header.addresses]
                self.defects.extend(f"{name}: {defect}" for defect in header.defects)
            except Exception:
                self.defects.append(f"{name}: could not be parsed strictly")
                parsed = getaddresses([_unsurrogate(_unfold(raw))])
            for display_name, addr_spec in parsed:
                address = addr_spec.strip().strip("<>").lower()
                if "@" in address:
                    found.append((decode_header_text(display_name).strip(), address))
        return found

    def envelope_addresses(self, *names: str) -> list[tuple[str, str]]:
        """Addresses of headers that are not address headers to the email package (Delivered-To)."""
        values = [_unsurrogate(_unfold(raw)) for name in names for raw in self.raw.get(name, [])]
        return [("", address.strip().lower()) for _, address in getaddresses(values) if "@" in address]

    def return_path(self) -> str | None:
        values = self.raw.get("return-path")
        if not values:
            return None
        value = _unfold(values[0]).strip()
        match = re.search(r"<([^<>]*)>", value)
        return (match.group(1) if match else value).strip().lower()

    def date(self, defects: list[str]) -> datetime | None:
        value = self.text("date")
        if not value:
            return None
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            defects.append(f"unreadable Date: {value[:80]!r}")
            return None
        # "-0000" means the sender's zone is unknown; the instant is still UTC.
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def decode_header_text(raw: str) -> str:
    """A header value as text: RFC 2047 words in any charset, raw UTF-8 or Latin-1, unfolded."""
    value = _unsurrogate(_unfold(raw))
    try:
        chunks = decode_header(value)
    except Exception:
        return _clean_header(value)
    words: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            words.append(chunk)
        elif charset is None:
            # decode_header hands unencoded stretches back as raw-unicode-escape bytes.
            try:
                words.append(chunk.decode("raw-unicode-escape"))
            except UnicodeDecodeError:
                words.append(chunk.decode("latin-1"))
        else:
            words.append(decode_bytes(chunk, charset)[0])
    return _clean_header("".join(words))


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")


def _unsurrogate(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes; read them as UTF-8 (or Latin-1)."""
    if not re.search("[\udc80-\udcff]", value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None)[0]


def _clean_header(value: str) -> str:
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value).strip()


# -- charsets --------------------------------------------------------------------------------

_CHARSET_ALIASES = {
    "x-unknown": None,
    "unknown": None,
    "unknown-8bit": None,
    "x-user-defined": None,
    "default": None,
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "unicode-1-1-utf-7": "utf-7",
    "ks_c_5601-1987": "cp949",
    "x-sjis": "shift_jis",
    "cp-850": "cp850",
}


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Decode text of a declared charset leniently; returns (text, defect or None).

    US-ASCII and ISO-8859-1 labels are read as UTF-8 or Windows-1252 when the bytes say so (mail
    programs label Windows text "iso-8859-1" all the time); an unknown label falls back to UTF-8,
    then Windows-1252, then Latin-1, which reads every byte.
    """
    label = (charset or "").strip().strip("\"'").lower()
    codec = _codec(label)
    defect: str | None = None
    if not label or codec == "ascii":
        candidates = ["ascii", "utf-8", "cp1252", "latin-1"]
    elif codec == "iso8859-1":
        candidates = ["cp1252", "latin-1"]
    elif codec is None:
        defect = f"unknown charset {label!r}"
        candidates = ["utf-8", "cp1252", "latin-1"]
    elif codec == "utf-8":
        candidates = ["utf-8", "cp1252"]
    else:
        candidates = [codec]
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if codec and candidate != candidates[0] and codec not in ("ascii", "iso8859-1"):
            defect = f"text is not valid {label}; read as {candidate}"
        return text, defect
    return data.decode(codec or "utf-8", errors="replace"), defect or f"text is not valid {label}"


def _codec(label: str) -> str | None:
    if label in _CHARSET_ALIASES:
        return _CHARSET_ALIASES[label]
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # codecs.lookup also knows bytes-to-bytes codecs ("base64", "zlib"); those are no charset.
    return info.name if getattr(info, "_is_text_encoding", True) else None


# -- the body --------------------------------------------------------------------------------


@dataclass
class _Segment:
    plain: str | None = None
    html: str | None = None

    def as_text(self) -> str:
        return self.plain if self.plain is not None else html_to_text(self.html or "")


_MAX_DEPTH = 30  # real mail nests a handful of levels; deeper is a MIME bomb


class _Body:
    """Walks the MIME tree: text and HTML parts become segments, everything else attachments."""

    def __init__(self) -> None:
        self.attachments: list[Attachment] = []
        self.defects: list[str] = []
        self.malformed = False

    def note_defects(self, part: Message, where: str = "") -> None:
        for defect in getattr(part, "defects", []):
            description = f"{where}{type(defect).__name__}" + (f": {defect}" if str(defect) else "")
            self.defects.append(description)
            if isinstance(defect, _SERIOUS_DEFECTS):
                self.malformed = True

    def segments(self, part: Message, depth: int = 0) -> list[_Segment]:
        try:
            return self._segments(part, depth)
        except Exception as problem:  # one unreadable part must not cost the rest of the message
            self.defects.append(f"unreadable part: {type(problem).__name__}: {problem}")
            self.malformed = True
            self._keep_raw(part)
            return []
        finally:
            # After the walk: decoding a part (bad base64) adds to its defects.
            self.note_defects(part, f"{_content_type(part)} part: " if depth else "")

    def _segments(self, part: Message, depth: int) -> list[_Segment]:
        if depth > _MAX_DEPTH:
            raise ValueError("MIME parts nested too deep")
        content_type = _content_type(part)
        if content_type in ("message/rfc822", "message/global"):
            self._add_forwarded(part)
            return []
        if part.is_multipart():
            if content_type.startswith("message/"):  # delivery-status, disposition-notification
                self._add_report(part, content_type)
                return []
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            if content_type == "multipart/alternative":
                return self._alternative(children, depth)
            return [segment for child in children for segment in self.segments(child, depth + 1)]
        if content_type.startswith("multipart/"):
            # A multipart without a usable boundary: the payload is all we have, read it as text.
            return [_Segment(plain=self._text(part))]
        if self._is_body_text(part, content_type):
            text = self._text(part)
            return [_Segment(html=text)] if content_type == "text/html" else [_Segment(plain=text)]
        self._add_attachment(part, content_type)
        return []

    def _alternative(self, children: list[Message], depth: int) -> list[_Segment]:
        plain: str | None = None
        html_text: str | None = None
        for child in children:
            segments = self.segments(child, depth + 1)
            texts = [segment.plain for segment in segments if segment.plain is not None]
            # Some senders put an empty text part next to the real HTML one.
            if plain is None and any(text.strip() for text in texts):
                plain = "\n\n".join(texts)
            htmls = [segment.html for segment in segments if segment.html is not None]
            if htmls:
                html_text = "\n".join(htmls)  # the last alternative is the richest
        if plain is None and html_text is None:
            return []
        return [_Segment(plain=plain, html=html_text)]

    @staticmethod
    def _is_body_text(part: Message, content_type: str) -> bool:
        if content_type not in ("text/plain", "text/html"):
            return False
        return _disposition(part) != "attachment" and not _filename(part)

    def _text(self, part: Message) -> str:
        payload = _payload_bytes(part)
        charset = _param(part, "charset") or None
        if _content_type(part) == "text/html" and not charset:
            charset = _meta_charset(payload)
        text, defect = decode_bytes(payload, charset)
        if defect:
            self.defects.append(defect)
        # PostgreSQL text cannot hold NUL characters.
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
        if _content_type(part) == "text/plain" and _param(part, "format").lower() == "flowed":
            text = unflow(text, delsp=_param(part, "delsp").lower() == "yes")
        return text

    def _add_attachment(self, part: Message, content_type: str) -> None:
        content_id = _content_id(part)
        disposition = _disposition(part)
        self.attachments.append(
            Attachment(
                filename=_filename(part) or self._generated_name(content_type),
                content_type=content_type,
                payload=_payload_bytes(part),
                content_id=content_id,
                inline=disposition == "inline" or (disposition is None and bool(content_id)),
            )
        )

    def _add_forwarded(self, part: Message) -> None:
        inner = part.get_payload(0) if part.is_multipart() else None
        if isinstance(inner, Message):
            payload = _message_bytes(inner)
            subject = decode_header_text(str(next((v for k, v in inner.raw_items() if k.lower() == "subject"), "")))
        else:
            payload, subject = _payload_bytes(part), ""
        self.attachments.append(
            Attachment(
                filename=_filename(part) or f"{_safe_filename(subject) or 'forwarded-message'}.eml",
                content_type="message/rfc822",
                payload=payload,
                content_id=_content_id(part),
                inline=False,
                is_forwarded_message=True,
            )
        )

    def _add_report(self, part: Message, content_type: str) -> None:
        blocks = [block for block in part.get_payload() if isinstance(block, Message)]
        payload = b"".join(_message_bytes(block) for block in blocks)
        name = content_type.partition("/")[2] or "report"
        self.attachments.append(
            Attachment(filename=_filename(part) or f"{name}.txt", content_type=content_type, payload=payload)
        )

    def _keep_raw(self, part: Message) -> None:
        try:
            payload = _message_bytes(part)
        except Exception:
            return
        content_type = "application/octet-stream"
        self.attachments.append(
            Attachment(filename=self._generated_name(content_type), content_type=content_type, payload=payload)
        )

    def _generated_name(self, content_type: str) -> str:
        stem = "image" if content_type.startswith("image/") else "attachment"
        if content_type == "text/rfc822-headers":
            return "original-headers.txt"
        return f"{stem}-{len(self.attachments) + 1}{_extension(content_type)}"


def _payload_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _message_bytes(message: Message) -> bytes:
    """A (sub)message as bytes: as received where the email package can, else as compat32 writes it."""
    for policy in (None, compat32):
        try:
            return message.as_bytes(policy=policy) if policy else message.as_bytes()
        except Exception:
            continue
    return str(message).encode("utf-8", "surrogateescape")


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or _param(part, "name")
    except Exception:
        name = _param(part, "name")
    name = _unsurrogate(str(name or ""))
    if "=?" in name:
        # Outlook and Gmail put RFC 2047 words inside the quoted filename (not allowed, common).
        name = decode_header_text(name)
    return _safe_filename(name)


def _safe_filename(name: str) -> str:
    name = re.split(r"[\\/]", name)[-1]  # "C:\fakepath\bon.pdf"
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    return name.strip().strip(".")[:200].strip()


def _content_id(part: Message) -> str:
    value = _unfold(str(next((v for k, v in part.raw_items() if k.lower() == "content-id"), "")))
    return value.strip().strip("<>").strip()


_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "message/rfc822": ".eml",
}


def _extension(content_type: str) -> str:
    known = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type)
    return known or (".txt" if content_type.startswith("text/") else ".bin")


def _meta_charset(payload: bytes) -> str | None:
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", payload[:4096], re.IGNORECASE)
    return match.group(1).decode("ascii") if match else None


def unflow(text: str, *, delsp: bool = False) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676), keeping its quote depth."""
    lines: list[str] = []
    current: str | None = None
    current_depth = 0
    flowing = False
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        soft = content.endswith(" ") and content != "-- "
        piece = content[:-1] if soft and delsp else content
        if current is not None and flowing and depth == current_depth:
            current += piece
        else:
            if current is not None:
                lines.append(_quoted(current, current_depth))
            current, current_depth = piece, depth
        flowing = soft
    if current is not None:
        lines.append(_quoted(current, current_depth))
    return "\n".join(lines)


def _quoted(text: str, depth: int) -> str:
    return f"{'>' * depth} {text}".rstrip(" ") if depth else text


# -- HTML ------------------------------------------------------------------------------------

_CID_SOURCE = re.compile(r"""(<img\b[^>]*?\s)src\s*=\s*(["']?)\s*cid:([^"'\s>]+)\2""", re.IGNORECASE)
_IMAGE_WITHOUT_CID = re.compile(r"<img\b(?![^>]*\bdata-cid=)[^>]*>", re.IGNORECASE)


def sanitise_html(markup: str) -> str:
    """Clean HTML for display: no scripts, styles or remote images (tracking pixels).

    Inline images keep their Content-ID as ``data-cid="…"`` so the caller can point them at the
    stored attachment.
    """
    markup = _CID_SOURCE.sub(
        lambda match: f'{match.group(1)}data-cid="{html.escape(unquote(match.group(3)))}"', markup
    )
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes.setdefault("img", set()).add("data-cid")
    cleaned = nh3.clean(
        markup,
        attributes=attributes,
        attribute_filter=_drop_image_sources,
        clean_content_tags={"script", "style", "title", "template", "noscript"},
        link_rel="noopener noreferrer nofollow",
    )
    return _IMAGE_WITHOUT_CID.sub("", cleaned).strip()


def _drop_image_sources(tag: str, attribute: str, value: str) -> str | None:
    return None if tag == "img" and attribute in ("src", "srcset") else value


def _segments_html(segments: list[_Segment], defects: list[str]) -> str:
    if not any(segment.html is not None for segment in segments):
        return ""
    parts = [
        segment.html if segment.html is not None else f"<pre>{html.escape(segment.plain or '')}</pre>"
        for segment in segments
    ]
    try:
        return sanitise_html("\n".join(parts))
    except Exception as problem:
        defects.append(f"HTML could not be sanitised: {type(problem).__name__}")
        return ""


_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre"}
_SKIPPED_TAGS = {"head", "style", "script", "title", "template", "noscript"}


class _TextRenderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buffer: list[str] = []
        self.quote_depth = 0
        self.skipping = 0
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "br":
            self._flush(keep_empty=True)
        elif tag in ("td", "th"):
            self.buffer.append(" ")
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag in _PARAGRAPH_TAGS:
                self._blank()
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.preformatted += 1
            elif tag == "li":
                self.buffer.append("- ")
            elif tag == "hr":
                self.lines.append(self._prefix() + "-" * 20)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.preformatted = max(0, self.preformatted - 1)
            if tag in _PARAGRAPH_TAGS:
                self._blank()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.buffer.append(data)

    def text(self) -> str:
        self._flush()
        lines = [line.rstrip() for line in self.lines]
        while lines and not lines[-1].strip(" >"):
            lines.pop()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")

    def _prefix(self) -> str:
        return "> " * self.quote_depth

    def _blank(self) -> None:
        if self.lines and self.lines[-1].strip(" >"):
            self.lines.append(self._prefix().rstrip())

    def _flush(self, keep_empty: bool = False) -> None:
        text = "".join(self.buffer).replace("\xa0", " ")
        self.buffer = []
        if self.preformatted:
            lines = text.split("\n")
        else:
            lines = [" ".join(text.split())]
        for line in lines:
            if line or keep_empty:
                self.lines.append(self._prefix() + line)


def html_to_text(markup: str) -> str:
    """A readable plain-text rendering of HTML; blockquotes become '>' lines like a text reply."""
    renderer = _TextRenderer()
    try:
        renderer.feed(markup)
        renderer.close()
    except Exception:  # HTMLParser is lenient, but never let a rendering problem lose the text
        return re.sub(r"<[^>]*>", " ", markup)
    return renderer.text()
