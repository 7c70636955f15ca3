"""Filing a new complaint: the one entry point for web form, API, staff intake (phone, letter) and e-mail."""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gehoord.complaints import actions, attachments, references, timeline
from gehoord.complaints.actors import Actor
from gehoord.complaints.events import EventKind
from gehoord.complaints.attachments import CheckedUpload, Upload
from gehoord.complaints.text import clean_text
from gehoord.complaints.models import OPEN_STATUSES, Channel, Complaint, Publication, Status, Visibility
from gehoord.errors import DuplicateOrderNumber, InvalidInput
from gehoord.organisations.category_fields import clean_field_values
from gehoord.organisations.models import Language, Organisation
from gehoord.policies import deadlines
from gehoord.policies.models import PolicyVersion

MAX_DESCRIPTION = 20_000
REFERENCE_ATTEMPTS = 10
TEXT_FIELDS = (
    "description", "contact_name", "contact_email", "contact_phone", "order_number", "product", "desired_solution"
)


@dataclass(frozen=True)
class NewComplaint:
    description: str
    contact_name: str
    contact_email: str = ""
    contact_phone: str = ""
    contact_language: str = Language.DUTCH
    category: str = ""
    field_values: dict[str, Any] = field(default_factory=dict)
    order_number: str = ""
    product: str = ""
    purchase_date: datetime.date | None = None
    desired_solution: str = ""
    visibility: str = Visibility.PRIVATE
    # Filed on the public platform (seed 004): a public one waits for screening before it is published.
    platform: bool = False


def file_complaint(
    organisation: Organisation,
    new: NewComplaint,
    *,
    channel: str,
    by: Actor,
    uploads: list[Upload | CheckedUpload] = (),
    received_at: datetime.datetime | None = None,
    consumer=None,
) -> Complaint:
    """Validate, store and acknowledge (when the policy says so) a new complaint.

    `consumer`: the platform account (a user) filing it, shown in their "my complaints".

    Raises InvalidInput naming every wrong field, or DuplicateOrderNumber pointing to the open
    complaint about the same order when the order number is the reference.
    """
    policy = PolicyVersion.objects.current(organisation)
    complaint = _validated(organisation, new, channel)
    checked = attachments.check_uploads(list(uploads))
    uploaded_keys = {upload.field_key for upload in checked if upload.field_key}
    if complaint.category is not None:
        complaint.field_values = clean_field_values(complaint.category.fields.all(), new.field_values, uploaded_keys)
    # In UTC, as the database gives it back: the acknowledgement on receipt tells it from this object.
    complaint.received_at = (received_at or timezone.now()).astimezone(datetime.UTC)
    complaint.policy = policy
    complaint.consumer = consumer
    received_deadlines = deadlines.plan_receipt(complaint)
    with attachments.atomic():
        _save_with_reference(complaint, use_order_number=policy.spec.order_number_is_reference)
        for upload in checked:
            attachments.store(complaint, upload)
        deadlines.start(received_deadlines)
        timeline.record(
            complaint, EventKind.RECEIVED, by, channel=channel, attachments=len(checked)
        )
        if policy.spec.auto_acknowledge:
            complaint = actions.acknowledge(complaint, by=Actor.system(), on_receipt=True)
    return complaint


def _validated(organisation: Organisation, new: NewComplaint, channel: str) -> Complaint:
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        if clean_text(getattr(new, name)) is None:
            errors[name] = _("The text contains characters that cannot be stored.")
    for key, value in new.field_values.items():
        if isinstance(value, str) and clean_text(value) is None:
            errors[f"fields.{key}"] = _("The text contains characters that cannot be stored.")
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    description = (new.description or "").strip()
    if not description:
        errors["description"] = _("Describe your complaint.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("At most %(limit)d characters.") % {"limit": MAX_DESCRIPTION}
    name = (new.contact_name or "").strip()
    if not name:
        errors["contact_name"] = _("Your name is required.")
    email = (new.contact_email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = _("Enter a valid e-mail address.")
        else:
            # Mail to an IP literal (a@[127.0.0.1]) or a bare host name reaches no consumer, only our own
            # network: refused, as the mail we would send would be.
            domain = email.rpartition("@")[2]
            if domain.startswith("[") or "." not in domain:
                errors["contact_email"] = _("Enter an e-mail address with a domain name, such as name@example.nl.")
    phone = (new.contact_phone or "").strip()
    if not email and not phone:
        errors["contact_email"] = _("Give an e-mail address (or, for a phone complaint, a phone number).")
    if channel in (Channel.WEB, Channel.API, Channel.EMAIL) and not email:
        errors["contact_email"] = _("An e-mail address is required to follow the complaint.")
    if new.contact_language not in Language.values:
        errors["contact_language"] = _("Choose nl or en.")
    if new.visibility not in Visibility.values:
        errors["visibility"] = _("Choose private or public.")
    order_number = references.normalise_order_number(new.order_number)
    if order_number and not references.is_order_number(order_number):
        errors["order_number"] = _(
            "An order number consists of letters, digits, hyphens, dots and underscores (for example BO-55501), "
            "at most %(limit)d characters."
        ) % {"limit": references.ORDER_NUMBER_LENGTH}
    if new.purchase_date and new.purchase_date > timezone.localdate(timezone=zoneinfo.ZoneInfo(organisation.time_zone)):
        errors["purchase_date"] = _("The purchase date cannot be in the future.")
    category = None
    categories = organisation.categories.filter(active=True)
    if new.category:
        category = categories.select_related("route_to_team", "route_to_user").filter(slug=new.category).first()
        if category is None:
            errors["category"] = _("Unknown category %(slug)s.") % {"slug": new.category}
    elif channel != Channel.EMAIL and categories.exists():
        # A mail to the complaint address has no category yet: staff choose one while handling it.
        errors["category"] = _("Choose a category.")
    # The columns' lengths (an address may pass validate_email at up to 320 characters).
    for key, limit in (("product", 200), ("contact_phone", 40), ("contact_name", 200), ("contact_email", 254)):
        if len((getattr(new, key) or "").strip()) > limit:
            errors[key] = _("At most %(limit)d characters.") % {"limit": limit}
    if errors:
        raise InvalidInput(errors)
    return Complaint(
        organisation=organisation,
        channel=channel,
        category=category,
        team=category.route_to_team if category else None,
        handler=category.route_to_user if category else None,
        description=description,
        order_number=order_number,
        product=(new.product or "").strip(),
        purchase_date=new.purchase_date,
        desired_solution=(new.desired_solution or "").strip(),
        contact_name=name,
        contact_email=email,
        contact_phone=phone,
        contact_language=new.contact_language,
        visibility=new.visibility,
        platform=new.platform,
        # Only the platform publishes, and never before a moderator has screened the text.
        publication=Publication.PENDING if new.platform and new.visibility == Visibility.PUBLIC else Publication.PRIVATE,
    )


def _save_with_reference(complaint: Complaint, *, use_order_number: bool) -> None:
    """Give the complaint a unique reference; the unique constraints settle races between writers."""
    if use_order_number and not complaint.order_number:
        raise InvalidInput({"order_number": _("Your order number is required: it is the reference of your complaint.")})
    year = timezone.localtime(complaint.received_at).year
    for _attempt in range(REFERENCE_ATTEMPTS):
        complaint.public_id = references.new_reference(year)
        complaint.reference = complaint.public_id
        if use_order_number:
            complaint.reference = _order_number_reference(complaint)
            complaint.tracking_code = references.new_tracking_code()
        try:
            with transaction.atomic():
                complaint.save(force_insert=True)
            return
        except IntegrityError:
            complaint.pk = None
            continue
    raise RuntimeError("Could not find a free reference; the reference space needs a longer code")


def _order_number_reference(complaint: Complaint) -> str:
    earlier = Complaint.objects.filter(organisation=complaint.organisation, order_number=complaint.order_number)
    # Count on past any reference already taken, e.g. by a complaint about an order that is
    # literally numbered "<order>-2"; otherwise every attempt would collide with it.
    taken = set(
        Complaint.objects.filter(organisation=complaint.organisation, reference__startswith=complaint.order_number)
        .values_list("reference", flat=True)
    )
    count = earlier.count()
    while (reference := references.order_reference(complaint.order_number, count)) in taken:
        count += 1
    # Checked last: under READ COMMITTED each query sees what has committed by then, so a rival
    # complaint that the queries above already counted is certainly seen here as well.
    still_open = earlier.filter(status__in=OPEN_STATUSES | {Status.RESOLVED}).first()
    if still_open is not None:
        raise DuplicateOrderNumber(
            _("There is already an open complaint about order %(order)s: %(reference)s. Add to that one instead.")
            % {"order": complaint.order_number, "reference": still_open.reference},
            existing_reference=still_open.reference,
        )
    return reference
