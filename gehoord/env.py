"""Strict parsing of the few settings that come from the environment.

A wrong value raises at start-up with the variable's name, instead of surfacing later as odd behaviour.
"""

import os
import secrets
import urllib.parse
from pathlib import Path


class ConfigurationError(Exception):
    pass


def text(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def boolean(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}")


def integer(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {number}")
    return number


def choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return lowered


def redis_url(name: str) -> str:
    """A Redis address (redis://, rediss:// or unix://), required: there is no sensible default broker."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"{name} must be set, e.g. redis://127.0.0.1:6379/0")
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigurationError(f"{name} must start with redis://, rediss:// or unix://, not {value!r}")
    if parts.scheme != "unix":
        try:
            parts.port  # noqa: B018 (it raises on a port that is not a number)
        except ValueError:
            raise ConfigurationError(f"{name} has a port that is not a number: {value!r}") from None
        if not parts.hostname:
            raise ConfigurationError(f"{name} names no host: {value!r}")
        database = parts.path.strip("/")
        if database and not database.isdigit():
            raise ConfigurationError(f"{name} must end in a database number (/0 … /15), not {value!r}")
    return value


def word_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into the data folder."""
    value = os.environ.get("SECRET_KEY")
    if value:
        if len(value) < 32:
            raise ConfigurationError("SECRET_KEY must be at least 32 characters long")
        return value
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not each write a different key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()
