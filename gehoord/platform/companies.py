"""E-mail-only companies of the platform (seed 004): the complaint mailed to the company, and
confirming that a reply from an unknown address is the company's.

A platform complaint of a company that is not connected (it has no desk staff) is mailed once to
the company's registry address as soon as screening has decided on it (its publication is no
longer pending). Who decides, and when, is the filing's and the screening's business: `notify_due`
picks such complaints up by their state, from the sweep and from the task those parts enqueue
(`send_when_committed`). Safe with several workers: the complaint is claimed by setting
`company_notified_at` in a conditional UPDATE, in the transaction that records the mail, so it
is mailed once whoever gets there first, and a failure leaves it to be picked up again.
"""

import datetime
import hashlib
import logging
import secrets

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from gehoord.complaints import actions, lifecycle, notices, timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.lifecycle import ALL_STATES, CONSUMER, MODERATOR
from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.complaints.notices import Notice
from gehoord.errors import ActionNotAllowed, InvalidInput
from gehoord.organisations import invitations
from gehoord.organisations.models import Invitation, Organisation, Role

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Why a reply the consumer or a moderator says is not the company's stays off every page.
NOT_THE_COMPANY = "not confirmed as the company's"


def _due():
    return (
        Complaint.objects.filter(platform=True, organisation__connected=False, company_notified_at__isnull=True)
        .exclude(publication=Publication.PENDING)
        .exclude(organisation__complaint_email="")
    )


def send_when_committed(complaint: Complaint) -> None:
    """Have the complaint mailed to its company once the caller's transaction commits (filing and
    screening call this when they decide; the sweep catches any that were missed)."""
    complaint_id = complaint.pk
    # robust: the row is committed and the sweep hands it on, so a task queue that is down (a broker
    # out of reach) is logged rather than failing a request whose change has already committed.
    transaction.on_commit(lambda: notify_company.enqueue(complaint_id), robust=True)


@task()
def notify_company(complaint_id: int) -> bool:
    return notify(complaint_id)


def notify(complaint_id: int) -> bool:
    """Mail the complaint to its company if it is due and no one else has; True if this call did."""
    with transaction.atomic():
        if not _due().filter(pk=complaint_id).exists():
            return False
        # The claim filters on the complaint's own columns only: a filter across the organisation
        # becomes a subquery, which PostgreSQL does not check again once the row lock is granted.
        claimed = (
            Complaint.objects.filter(pk=complaint_id, platform=True, company_notified_at__isnull=True)
            .exclude(publication=Publication.PENDING)
            .update(company_notified_at=timezone.now())
        )
        if not claimed:
            return False
        complaint = Complaint.objects.select_related("organisation").get(pk=complaint_id)
        mail = notices.tell(complaint, Notice.COMPANY_COMPLAINT)
        timeline.record(
            complaint, EventKind.COMPANY_NOTIFIED, Actor.system(),
            public=complaint.publication == Publication.PUBLISHED, outbound_id=mail.pk if mail else None,
        )
    return True


def notify_due(limit: int = BATCH_SIZE) -> int:
    """The sweep's step: mail every complaint that is due to its company; returns how many were mailed."""
    mailed = 0
    for complaint_id in list(_due().order_by("received_at").values_list("pk", flat=True)[:limit]):
        try:
            mailed += notify(complaint_id)
        except Exception:  # one complaint's failure must not hold up the others
            logger.exception("Complaint %s could not be mailed to its company", complaint_id)
    return mailed


def is_registry_address(complaint: Complaint, address: str) -> bool:
    """Whether `address` is the company's registry complaint address (case does not matter)."""
    registry = (complaint.organisation.complaint_email or "").strip().lower()
    return bool(registry) and (address or "").strip().lower() == registry


def _has_reply_to_confirm(complaint: Complaint, actor: Actor) -> str | None:
    if not waiting_for_confirmation(complaint).exists():
        return _("No reply is waiting for confirmation.")
    return None


@lifecycle.action(
    label=gettext_lazy("confirm the sender of a reply"),
    sources=ALL_STATES,
    target=None,
    who={CONSUMER, MODERATOR},
    parameters=("message_id", "confirmed"),
    guard=_has_reply_to_confirm,
)
def confirm_sender(complaint: Complaint, *, by: Actor, message_id: int, confirmed: bool) -> Complaint:
    """The consumer (or a moderator) says whether a reply from an address other than the company's
    registry address is the company's. Confirmed, it counts as the company's reply from then on
    (forwarded, counted, published with the complaint); denied, it stays off every page."""
    with actions._performing("confirm_sender", complaint, by) as complaint:
        message = (
            Message.objects.select_for_update()
            .filter(complaint=complaint, pk=message_id, kind=Message.Kind.COMPANY, sender_confirmed=False)
            .exclude(publication=Publication.WITHHELD)
            .first()
        )
        if message is None:
            raise InvalidInput({"message_id": _("There is no reply waiting for confirmation with this id.")})
        if confirmed:
            message.sender_confirmed = True
            message.save(update_fields=["sender_confirmed"])
            actions.company_reply_confirmed(complaint, message)
        else:
            message.publication = Publication.WITHHELD
            message.withheld_reason = NOT_THE_COMPANY
            message.save(update_fields=["publication", "withheld_reason"])
        timeline.record(
            complaint, EventKind.SENDER_CONFIRMED, by, message_id=message.pk, confirmed=bool(confirmed),
            sender=message.sender_email,
        )
    return complaint


def waiting_for_confirmation(complaint: Complaint):
    """The company replies of `complaint` from an unknown address that no one has decided on yet."""
    return _unconfirmed(complaint.messages.all())


def all_waiting_for_confirmation():
    """Every such reply on the platform, oldest first: the moderators' list."""
    return _unconfirmed(Message.objects.filter(complaint__platform=True)).select_related(
        "complaint__organisation"
    ).order_by("created_at", "pk")


def _unconfirmed(messages):
    return messages.filter(kind=Message.Kind.COMPANY, sender_confirmed=False).exclude(publication=Publication.WITHHELD)


# -- the company's dashboard: login links and claiming ---------------------------------------------

LOGIN_LINK_LIFETIME = datetime.timedelta(hours=1)
_LOGIN_SALT = "gehoord.platform.company-login"


def entries_with_address(address: str):
    """The e-mail-only registry entries whose complaint address is `address` (case does not matter)."""
    address = (address or "").strip()
    if not address:
        return Organisation.objects.none()
    return Organisation.objects.in_registry().filter(connected=False, complaint_email__iexact=address).order_by("name")


def login_token(organisation: Organisation) -> str:
    """A signed, expiring token for one login; the registry address is part of what is signed, so
    changing the entry's address ends every link sent to the old one."""
    value = f"{organisation.pk}:{secrets.token_urlsafe(12)}"
    return signing.TimestampSigner(salt=_LOGIN_SALT + organisation.complaint_email.lower()).sign(value)


def organisation_for_login(token: str, *, use: bool) -> Organisation | None:
    """The entry a login token is for while it is genuine, unexpired and unused; with `use` it is
    spent (once only, even with two requests at the same instant)."""
    organisation_id, _sep, _nonce = token.partition(":")
    if not organisation_id.isdigit():
        return None
    organisation = Organisation.objects.in_registry().filter(pk=int(organisation_id), connected=False).first()
    if organisation is None:
        return None
    try:
        signing.TimestampSigner(salt=_LOGIN_SALT + organisation.complaint_email.lower()).unsign(
            token, max_age=LOGIN_LINK_LIFETIME
        )
    except signing.BadSignature:  # SignatureExpired is one
        return None
    spent_key = "company-login-spent:" + hashlib.sha256(token.encode()).hexdigest()
    if use:
        # `add` inserts under the table's primary key: of two concurrent uses one fails.
        if not cache.add(spent_key, 1, timeout=int(LOGIN_LINK_LIFETIME.total_seconds()) + 60):
            return None
    elif cache.get(spent_key):
        return None
    return organisation


def claim(organisation: Organisation, *, email: str) -> tuple[Invitation, str]:
    """The company claims its entry: it becomes connected (a tenant with desk staff) and verified,
    and `email` is invited to become its admin. Its complaints and their history stay as they are.
    The caller mails the invitation in the same transaction (as the desk does)."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.connected:
            raise ActionNotAllowed(_("This company has been claimed already."))
        invitation, token = invitations.invite(locked, email=email, roles=[Role.ADMIN, Role.MANAGER], by=None)
        locked.connected = True
        locked.verified = True
        locked.save(update_fields=["connected", "verified"])
    return invitation, token
