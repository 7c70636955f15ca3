"""Mail settings from URLs in the environment, parsed strictly (no Django imports: settings use it).

``EMAIL_URL`` says how we send:

- ``smtp://user:pass@host:25``: plain SMTP (a relay on the same network);
- ``submission://user:pass@host:587`` (also ``smtp+starttls://``): SMTP with STARTTLS;
- ``smtps://user:pass@host:465``: SMTP over TLS from the first byte;
- ``console:``: print every mail; ``file:///path``: one file per mail; ``locmem:``, ``dummy:``.

Query parameters: ``timeout`` (seconds, default 30). Empty: the file backend into the data folder.

``IMAP_URL`` says where the poller reads: ``imaps://user:pass@host:993/INBOX`` or
``imap://user:pass@host:143/INBOX`` (``?starttls=true`` to upgrade the plain connection).
User names and passwords are percent-encoded (``@`` as ``%40``).
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from gehoord.env import ConfigurationError

_SMTP_SCHEMES = {
    "smtp": (25, False, False),
    "submission": (587, True, False),
    "smtp+starttls": (587, True, False),
    "smtps": (465, False, True),
}
_SIMPLE_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
DEFAULT_TIMEOUT = 30


@dataclass(frozen=True)
class EmailSettings:
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: int = DEFAULT_TIMEOUT
    file_path: str = ""


def parse_email_url(url: str, *, default_file_path: Path | str) -> EmailSettings:
    """Django's EMAIL_* settings from EMAIL_URL; raises ConfigurationError on anything unclear."""
    url = (url or "").strip()
    if not url:
        return EmailSettings(backend="django.core.mail.backends.filebased.EmailBackend", file_path=str(default_file_path))
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port
    except ValueError as problem:
        raise ConfigurationError(f"EMAIL_URL is not a valid URL: {problem}") from None
    options = _options(parts.query, {"timeout"}, "EMAIL_URL")
    timeout = _positive(options.get("timeout", str(DEFAULT_TIMEOUT)), "EMAIL_URL timeout")
    if scheme in _SIMPLE_BACKENDS:
        if parts.netloc or parts.path:
            raise ConfigurationError(f"EMAIL_URL {scheme}: takes no host or path")
        return EmailSettings(backend=_SIMPLE_BACKENDS[scheme], timeout=timeout)
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise ConfigurationError("EMAIL_URL file: needs an absolute path, as in file:///var/lib/gehoord/mail")
        return EmailSettings(backend="django.core.mail.backends.filebased.EmailBackend", file_path=unquote(parts.path))
    if scheme not in _SMTP_SCHEMES:
        known = ", ".join([*_SMTP_SCHEMES, *_SIMPLE_BACKENDS, "file"])
        raise ConfigurationError(f"EMAIL_URL scheme {scheme!r} is not one of {known}")
    if not parts.hostname:
        raise ConfigurationError("EMAIL_URL needs a host, as in smtp://relay.example:25")
    if parts.path not in ("", "/"):
        raise ConfigurationError("EMAIL_URL for SMTP takes no path")
    default_port, starttls, implicit_tls = _SMTP_SCHEMES[scheme]
    if parts.password is not None and not parts.username:
        raise ConfigurationError("EMAIL_URL has a password without a user name")
    return EmailSettings(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host=parts.hostname,
        port=port or default_port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=starttls,
        use_ssl=implicit_tls,
        timeout=timeout,
    )


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    mailbox: str = "INBOX"
    use_ssl: bool = True
    starttls: bool = False
    timeout: int = DEFAULT_TIMEOUT


def parse_imap_url(url: str) -> ImapSettings:
    """The poller's mailbox from IMAP_URL; raises ConfigurationError on anything unclear."""
    try:
        parts = urlsplit((url or "").strip())
        scheme = parts.scheme.lower()
        port = parts.port
    except ValueError as problem:
        raise ConfigurationError(f"IMAP_URL is not a valid URL: {problem}") from None
    if scheme not in ("imap", "imaps"):
        raise ConfigurationError("IMAP_URL must look like imaps://user:password@host:993/INBOX")
    if not parts.hostname or not parts.username or parts.password is None:
        raise ConfigurationError("IMAP_URL needs a host, a user name and a password")
    options = _options(parts.query, {"timeout", "starttls"}, "IMAP_URL")
    starttls = options.get("starttls", "false").lower()
    if starttls not in ("true", "false"):
        raise ConfigurationError("IMAP_URL starttls must be true or false")
    if scheme == "imaps" and starttls == "true":
        raise ConfigurationError("IMAP_URL: starttls is for imap://, imaps:// is encrypted already")
    return ImapSettings(
        host=parts.hostname,
        port=port or (993 if scheme == "imaps" else 143),
        user=unquote(parts.username),
        password=unquote(parts.password),
        mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
        use_ssl=scheme == "imaps",
        starttls=starttls == "true",
        timeout=_positive(options.get("timeout", str(DEFAULT_TIMEOUT)), "IMAP_URL timeout"),
    )


def _options(query: str, allowed: set[str], name: str) -> dict[str, str]:
    try:
        values = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ConfigurationError(f"{name} has an unreadable query string: {query!r}") from None
    unknown = set(values) - allowed
    if unknown:
        raise ConfigurationError(f"{name} has unknown options {sorted(unknown)}; known: {sorted(allowed)}")
    if any(len(value) > 1 for value in values.values()):
        raise ConfigurationError(f"{name} gives an option twice")
    return {key: value[0] for key, value in values.items()}


def _positive(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number of seconds, not {value!r}") from None
    if number < 1:
        raise ConfigurationError(f"{name} must be at least 1")
    return number
