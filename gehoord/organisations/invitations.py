"""Staff join an organisation by invitation (SPEC 1, 10).

A company admin gives an e-mail address and the roles; the invitee opens the link of the mail and
either accepts with the account they are logged in with (its address must be the invited one) or
makes an account with a name and a password. The link works once and for INVITATION_LIFETIME.

Nothing the admin sees depends on whether the address has an account at this installation, or on
any other organisation: inviting reads only this organisation's own staff and invitations. Only
the person holding the link (who got the mail, so owns the address) is told that their address
has an account already, when they try to make a second one.

The caller sends the mail (the desk, with `gehoord.mail.outbound.send_staff_invitation`) inside
the same transaction as `invite`, so an invitation exists exactly when its mail is in the outbox.
"""

import datetime
import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gehoord.errors import ActionNotAllowed, InvalidInput, NotFound, NotPermitted
from gehoord.organisations.models import Invitation, Membership, Organisation, Role, token_digest
from gehoord.organisations.settings import roles_of, staff_of

INVITATION_LIFETIME = datetime.timedelta(days=7)
# The invited address becomes the username of a new account: Django's username holds 150 characters.
MAX_EMAIL_LENGTH = 150


def pending_invitations(organisation: Organisation) -> QuerySet:
    return organisation.invitations.pending().select_related("invited_by")


def invite(organisation: Organisation, *, email: str, roles: Iterable[str], by) -> tuple[Invitation, str]:
    """A new invitation and its token (returned once, for the link; only its digest is stored).

    A pending invitation to the same address is replaced, so inviting again sends a fresh link.
    """
    email = email.strip().lower()
    roles = frozenset(roles)
    errors: dict[str, str] = {}
    if not _valid_address(email):
        errors["email"] = _("Enter a valid e-mail address, such as name@example.com.")
    elif len(email) > MAX_EMAIL_LENGTH:
        errors["email"] = _("At most %(limit)d characters.") % {"limit": MAX_EMAIL_LENGTH}
    elif staff_of(organisation).filter(email__iexact=email).exists():
        errors["email"] = _("Someone on the staff already has this address; change their roles instead.")
    if unknown := roles - set(Role.values):
        errors["roles"] = _("Unknown role %(role)s.") % {"role": ", ".join(sorted(unknown))}
    elif not roles:
        errors["roles"] = _("Choose at least one role.")
    if errors:
        raise InvalidInput(errors)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        organisation.invitations.pending(now).filter(email=email).update(revoked_at=now)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            roles=[role for role in Role.values if role in roles],
            digest=token_digest(token),
            invited_by=by,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
    return invitation, token


def revoke_invitation(organisation: Organisation, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation: its link stops working at once."""
    with transaction.atomic():
        invitation = organisation.invitations.pending().select_for_update().filter(pk=invitation_id).first()
        if invitation is None:
            raise NotFound(_("No such invitation."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for(token: str, *, organisation_slug: str | None = None) -> Invitation:
    """The pending invitation of a link's token (at the organisation of the link, when it names one);
    otherwise an error that says why it cannot be used."""
    found = Invitation.objects.select_related("organisation", "invited_by").filter(digest=token_digest(token))
    if organisation_slug is not None:
        found = found.filter(organisation__slug=organisation_slug)
    invitation = found.first() if token else None
    if invitation is None:
        raise NotFound(
            _(
                "This invitation link is not valid. Check that you opened the whole link from the e-mail, or ask "
                "the organisation for a new invitation."
            )
        )
    if invitation.accepted_at is not None:
        raise ActionNotAllowed(_("This invitation has been accepted already. Log in to reach the staff desk."))
    if invitation.revoked_at is not None:
        raise ActionNotAllowed(
            _("This invitation was withdrawn by the organisation. Ask them for a new one if you still need access.")
        )
    if invitation.expires_at <= timezone.now():
        raise ActionNotAllowed(_("This invitation has expired. Ask the organisation for a new one."))
    return invitation


def is_for(invitation: Invitation, user) -> bool:
    return bool(user.email) and user.email.strip().lower() == invitation.email


def accept(token: str, user) -> Invitation:
    """The logged-in `user`, whose address is the invited one, joins the staff with the invitation's roles."""
    with transaction.atomic():
        invitation = invitation_for(token)
        if not is_for(invitation, user):
            raise NotPermitted(
                _(
                    "This invitation is for another e-mail address than the one of your account. Log out and open "
                    "the link again, or ask for an invitation to your account's address."
                )
            )
        _take(invitation, user)
    return invitation


def accept_with_new_account(token: str, *, first_name: str, last_name: str, password: str):
    """Make an account for the invited address (also its username) and give it the invitation's roles."""
    User = get_user_model()
    first_name, last_name = first_name.strip(), last_name.strip()
    with transaction.atomic():
        invitation = invitation_for(token)
        email = invitation.email
        errors: dict[str, str] = {}
        if not first_name:
            errors["first_name"] = _("Give your first name.")
        elif len(first_name) > 150:
            errors["first_name"] = _("At most %(limit)d characters.") % {"limit": 150}
        if len(last_name) > 150:
            errors["last_name"] = _("At most %(limit)d characters.") % {"limit": 150}
        try:
            validate_password(password, user=User(username=email, email=email, first_name=first_name, last_name=last_name))
        except ValidationError as problems:
            errors["password"] = " ".join(problems.messages)
        if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
            errors["__all__"] = _(
                "There is an account with this e-mail address already. Log in with it to accept the invitation "
                "(or reset its password from the login page)."
            )
        if errors:
            raise InvalidInput(errors)
        user = User.objects.create_user(
            username=email, email=email, password=password, first_name=first_name, last_name=last_name
        )
        _take(invitation, user)
    return user


def _take(invitation: Invitation, user) -> None:
    """Mark the invitation used, once (a second tab or a race loses), and grant its roles."""
    now = timezone.now()
    taken = Invitation.objects.pending(now).filter(pk=invitation.pk).update(accepted_at=now, accepted_by=user)
    if not taken:
        raise ActionNotAllowed(_("This invitation has been accepted already. Log in to reach the staff desk."))
    missing = set(invitation.roles) - roles_of(invitation.organisation, user)
    Membership.objects.bulk_create(
        [Membership(organisation=invitation.organisation, user=user, role=role) for role in sorted(missing)]
    )


def _valid_address(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    # Django accepts a literal IP as the domain (a@[127.0.0.1]); nobody reads staff mail there.
    return not email.rpartition("@")[2].startswith("[")
