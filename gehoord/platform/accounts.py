"""Consumer accounts on the platform (seed 004): sign-up, the verified address, login links.

An account is a Django user (its username is the e-mail address) with a `ConsumerAccount`, and
never a membership: a consumer's login opens no desk. Links are signed and expire; a login link
also carries the user's last login, so the login it makes spends it (single use). The doors mail
the links (the mail layer sits above this one): these functions say what to mail.
"""

import datetime
import enum
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gehoord.complaints.models import Complaint
from gehoord.errors import InvalidInput
from gehoord.organisations.models import ConsumerAccount, Language

VERIFICATION_VALID = datetime.timedelta(days=3)
LOGIN_LINK_VALID = datetime.timedelta(minutes=30)
_VERIFICATION_SALT = "gehoord.platform.accounts.verify"
_LOGIN_SALT = "gehoord.platform.accounts.login"
# The username column's length: an address longer than this cannot be an account's.
MAX_EMAIL = 150
MAX_NAME = 150


class SignUpResult(enum.Enum):
    CREATED = "created"  # a new account: mail it the verification link
    EXISTS = "exists"  # the address has an account: tell its owner, never the person signing up


@dataclass(frozen=True)
class SignUp:
    result: SignUpResult
    user: object


class LinkInvalid(Exception):
    """A verification or login link that is forged, expired or spent."""


def normalised_email(email: str) -> str:
    return (email or "").strip().lower()


def account_of(email: str):
    """The user with this address (any account: a staff address signs up to nothing new), or None."""
    return get_user_model().objects.filter(email__iexact=normalised_email(email)).first()


def sign_up(*, name: str, email: str, password: str, language: str) -> SignUp:
    """Create an unverified consumer account, or say that the address has one already."""
    email = normalised_email(email)
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = _("Give your name, at most %(limit)d characters.") % {"limit": MAX_NAME}
    if not email or len(email) > MAX_EMAIL:
        errors["email"] = _("Give an e-mail address of at most %(limit)d characters.") % {"limit": MAX_EMAIL}
    if language not in Language.values:
        errors["language"] = _("Choose nl or en.")
    if errors:
        raise InvalidInput(errors)
    user_model = get_user_model()
    # The password is judged before the address is looked up: a weak one is refused alike for a
    # new address and a known one, so the answer never tells whether an address has an account.
    try:
        validate_password(password, user_model(username=email, email=email, first_name=name))
    except ValidationError as problem:
        raise InvalidInput({"password": " ".join(problem.messages)}) from None
    if (existing := account_of(email)) is not None:
        # Hashed all the same: a new account's slow hash would otherwise tell a known address by its timing.
        make_password(password)
        return SignUp(SignUpResult.EXISTS, existing)
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(username=email, email=email, password=password, first_name=name)
            ConsumerAccount.objects.create(user=user, language=language)
    except IntegrityError:  # the same address signed up at the same moment
        return SignUp(SignUpResult.EXISTS, account_of(email))
    return SignUp(SignUpResult.CREATED, user)


def language_of(user) -> str:
    account = getattr(user, "consumer_account", None)
    return account.language if account else Language.DUTCH


def verification_token(user) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=_VERIFICATION_SALT, compress=True)


def verify(token: str) -> tuple[object, bool]:
    """Mark the address of the token's account verified; returns the user and whether it was
    unverified until now. Raises LinkInvalid."""
    data = _load(token, _VERIFICATION_SALT, VERIFICATION_VALID)
    account = ConsumerAccount.objects.select_related("user").filter(user_id=data.get("user")).first()
    if account is None or account.user.email != data.get("email"):
        raise LinkInvalid
    newly_verified = account.email_verified_at is None
    if newly_verified:
        account.email_verified_at = timezone.now()
        account.save(update_fields=["email_verified_at"])
    return account.user, newly_verified


def login_token(user) -> str:
    return signing.dumps(
        {"user": user.pk, "last_login": _instant(user.last_login)}, salt=_LOGIN_SALT, compress=True
    )


def user_for_login_link(token: str):
    """The consumer a login link is for, while it is unspent; following it proves the address.
    The caller logs the user in, which changes `last_login` and so spends the link."""
    data = _load(token, _LOGIN_SALT, LOGIN_LINK_VALID)
    account = ConsumerAccount.objects.select_related("user").filter(user_id=data.get("user")).first()
    if account is None or not account.user.is_active or _instant(account.user.last_login) != data.get("last_login"):
        raise LinkInvalid
    if account.email_verified_at is None:
        account.email_verified_at = timezone.now()
        account.save(update_fields=["email_verified_at"])
    return account.user


def complaints_of(user):
    """Every complaint filed with this account, at any company, newest first."""
    return Complaint.objects.filter(consumer=user).select_related("organisation").order_by("-received_at", "-pk")


def consumer_of(user):
    """The user's consumer account, or None (staff, anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ConsumerAccount.objects.filter(user=user).first()


def update_settings(user, *, name: str, language: str) -> None:
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > MAX_NAME:
        errors["name"] = _("Give your name, at most %(limit)d characters.") % {"limit": MAX_NAME}
    if language not in Language.values:
        errors["language"] = _("Choose nl or en.")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        user.first_name = name
        user.save(update_fields=["first_name"])
        ConsumerAccount.objects.filter(user=user).update(language=language)


def _instant(value) -> str:
    return value.isoformat() if value else ""


def _load(token: str, salt: str, valid: datetime.timedelta) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=valid)
    except signing.BadSignature:  # SignatureExpired is one too
        raise LinkInvalid from None
    if not isinstance(data, dict):
        raise LinkInvalid
    return data
