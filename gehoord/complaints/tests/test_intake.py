"""Filing a complaint (SPEC 2, 3): the one entry point for web form, API, staff intake and e-mail.

Carol files at Acme (`vxhome`; categories product, with a required serial number SN-dddd, and
delivery) and at a web shop on `webshop-board`, where her order number is the reference.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from conftest import carol_complaint, make_organisation
from gehoord.complaints import actions, references
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.models import Attachment, Complaint, Event, Status, Visibility
from gehoord.errors import DuplicateOrderNumber, InvalidInput
from gehoord.organisations.models import Category, CategoryField, FieldType, Membership, Role, Team
from gehoord.policies.models import PolicyVersion

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def in_english():
    """Error messages are asserted as written in English; the interface's default language is Dutch."""
    with translation.override("en"):
        yield


@pytest.fixture
def billing(acme):
    """A category with a choice, a number and a date field."""
    category = Category.objects.create(organisation=acme, slug="billing", name="Billing")
    CategoryField.objects.create(
        category=category, key="payment_method", label="Payment method", field_type=FieldType.CHOICE,
        choices=["iDEAL", "creditcard"],
    )
    CategoryField.objects.create(category=category, key="amount", label="Amount", field_type=FieldType.NUMBER)
    CategoryField.objects.create(category=category, key="invoice_date", label="Invoice date", field_type=FieldType.DATE)
    return category


@pytest.fixture
def damage(acme):
    """A category that asks for a photo as a file field."""
    category = Category.objects.create(organisation=acme, slug="damage", name="Damage")
    CategoryField.objects.create(
        category=category, key="photo", label="Photo of the damage", field_type=FieldType.FILE, required=True
    )
    return category


@pytest.fixture
def shop(db):
    """A web shop on `webshop-board` (seed 001): the order number is the complaint's reference."""
    return make_organisation("shop", preset="webshop-board", country="GB", time_zone="Europe/London")


def nothing_stored():
    return not Complaint.objects.exists() and not Event.objects.exists() and not Attachment.objects.exists()


# --- what is stored --------------------------------------------------------------------------


def test_carols_complaint_is_stored_as_she_typed_it(acme):
    complaint = carol_complaint(
        acme,
        category="product",
        field_values={"serial_number": " SN-1234 "},
        description="  De lade klemt.  ",
        contact_email=" Carol@Example.NL ",
        contact_phone="06 12345678",
        contact_language="en",
        order_number=" 100234 ",
        product="Boxspring Deluxe",
        purchase_date=datetime.date(2025, 12, 1),
        desired_solution="Een nieuwe lade.",
        visibility=Visibility.PUBLIC,
        channel="api",
    )

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.organisation == acme
    assert (complaint.channel, complaint.category.slug) == ("api", "product")
    assert complaint.field_values == {"serial_number": "SN-1234"}
    assert complaint.description == "De lade klemt."
    assert (complaint.contact_name, complaint.contact_email, complaint.contact_phone) == (
        "Carol de Vries", "carol@example.nl", "06 12345678"
    )
    assert (complaint.contact_language, complaint.visibility) == ("en", Visibility.PUBLIC)
    assert (complaint.order_number, complaint.product, complaint.purchase_date) == (
        "100234", "Boxspring Deluxe", datetime.date(2025, 12, 1)
    )
    assert complaint.desired_solution == "Een nieuwe lade."
    assert complaint.policy == PolicyVersion.objects.current(acme)
    # vxhome does not use the order number as the reference: Carol gets one of ours.
    assert complaint.reference == complaint.public_id
    assert references.looks_like_reference(complaint.reference)
    received = complaint.events.first()
    assert (received.kind, received.consumer_visible) == ("received", True)
    assert received.data == {"channel": "api", "attachments": 0}


def test_a_receipt_instant_given_in_local_time_is_stored_and_told_as_that_instant(acme):
    """A letter that arrived at 10:00 in Amsterdam, entered later by staff."""
    arrived = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
    new = NewComplaint(
        description="Per brief: de lade klemt.", contact_name="Carol de Vries", contact_email="carol@example.nl",
        category="delivery",
    )

    filed = file_complaint(acme, new, channel="letter", by=Actor.system(), received_at=arrived)

    stored = Complaint.objects.get(pk=filed.pk)
    assert stored.received_at == stored.acknowledged_at == arrived
    assert filed.events.get(kind="acknowledged").data["received_at"] == "2026-03-02T09:00:00+00:00"


def test_a_phone_complaint_needs_a_phone_number_instead_of_an_address(acme):
    complaint = carol_complaint(acme, contact_email="", contact_phone="+31 6 12345678", channel="phone")

    assert Complaint.objects.get(pk=complaint.pk).contact_phone == "+31 6 12345678"
    assert complaint.status == Status.ACKNOWLEDGED


def test_cleaned_category_values_are_stored_as_plain_json(acme, billing):
    complaint = carol_complaint(
        acme, category="billing", field_values={"payment_method": "iDEAL", "amount": "12,50", "invoice_date": "2025-12-31"}
    )

    assert Complaint.objects.get(pk=complaint.pk).field_values == {
        "payment_method": "iDEAL", "amount": "12.50", "invoice_date": "2025-12-31"
    }


def test_a_file_field_is_satisfied_by_an_upload_tagged_with_its_key(acme, damage):
    with pytest.raises(InvalidInput) as refused:
        carol_complaint(acme, category="damage", uploads=[Upload.from_bytes("bon.pdf", PDF)])
    assert set(refused.value.errors) == {"fields.photo"}
    assert nothing_stored()

    complaint = carol_complaint(acme, category="damage", uploads=[Upload.from_bytes("foto.pdf", PDF, field_key="photo")])

    assert complaint.attachments.get().field_key == "photo"


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, field",
    [
        ({"description": ""}, "description"),
        ({"description": "   \n "}, "description"),
        ({"description": "x" * 20_001}, "description"),
        ({"contact_name": "  "}, "contact_name"),
        ({"contact_name": "x" * 201}, "contact_name"),
        ({"contact_email": "carol@"}, "contact_email"),
        ({"contact_email": ("a" * 64) + "@" + ".".join(["b" * 63] * 3) + ".nl"}, "contact_email"),
        ({"contact_email": ""}, "contact_email"),
        ({"contact_email": "", "contact_phone": "0612345678", "channel": "email"}, "contact_email"),
        ({"contact_email": "", "contact_phone": "", "channel": "letter"}, "contact_email"),
        ({"contact_phone": "0" * 41}, "contact_phone"),
        ({"contact_language": "de"}, "contact_language"),
        ({"visibility": "secret"}, "visibility"),
        ({"channel": "fax"}, "channel"),
        ({"order_number": "1" * 65}, "order_number"),
        ({"product": "x" * 201}, "product"),
        ({"category": "furniture"}, "category"),
        ({"category": ""}, "category"),
        ({"category": "product"}, "fields.serial_number"),
        ({"category": "product", "field_values": {"serial_number": "  "}}, "fields.serial_number"),
        ({"category": "product", "field_values": {"serial_number": "12345"}}, "fields.serial_number"),
        ({"category": "product", "field_values": {"serial_number": "SN-12345"}}, "fields.serial_number"),
        ({"category": "product", "field_values": {"serial_number": "SN-1234", "colour": "rood"}}, "fields.colour"),
        ({"category": "billing", "field_values": {"payment_method": "contant"}}, "fields.payment_method"),
        ({"category": "billing", "field_values": {"amount": "veel"}}, "fields.amount"),
        ({"category": "billing", "field_values": {"amount": "Infinity"}}, "fields.amount"),
        ({"category": "billing", "field_values": {"amount": "1e999999999"}}, "fields.amount"),
        ({"category": "billing", "field_values": {"invoice_date": "31-12-2025"}}, "fields.invoice_date"),
    ],
    ids=[
        "no-description", "blank-description", "description-too-long", "no-name", "name-too-long",
        "invalid-email", "email-too-long-for-the-column", "web-without-email", "email-channel-without-email",
        "letter-without-any-contact", "phone-too-long", "unknown-language", "unknown-visibility",
        "unknown-channel", "order-number-too-long", "product-too-long", "unknown-category", "no-category",
        "required-field-missing", "required-field-blank", "pattern", "pattern-must-match-entirely",
        "unknown-field-key", "choice", "number", "infinite-number", "absurdly-large-number", "date",
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_stored(acme, billing, typed, field):
    with pytest.raises(InvalidInput) as refused:
        carol_complaint(acme, **typed)

    assert set(refused.value.errors) == {field}
    assert str(refused.value).startswith(f"{field}: ")
    assert nothing_stored()


def test_the_category_field_error_names_the_field_and_the_rule(acme, billing):
    with pytest.raises(InvalidInput) as refused:
        carol_complaint(acme, category="product", field_values={"serial_number": "12345"})
    assert refused.value.errors["fields.serial_number"] == "Serial number: does not have the expected format"

    with pytest.raises(InvalidInput) as refused:
        carol_complaint(acme, category="billing", field_values={"payment_method": "contant"})
    assert refused.value.errors["fields.payment_method"] == "Payment method: must be one of: iDEAL, creditcard"


def test_every_wrong_common_field_is_named_at_once(acme):
    with pytest.raises(InvalidInput) as refused:
        carol_complaint(acme, description="", contact_name="", contact_email="carol", category="furniture")

    assert set(refused.value.errors) == {"description", "contact_name", "contact_email", "category"}
    assert nothing_stored()


def test_an_inactive_category_cannot_be_chosen(acme):
    Category.objects.filter(organisation=acme, slug="delivery").update(active=False)

    with pytest.raises(InvalidInput) as refused:
        carol_complaint(acme, category="delivery")

    assert set(refused.value.errors) == {"category"}
    assert nothing_stored()


def test_an_organisation_without_categories_needs_none(shop):
    complaint = carol_complaint(shop, order_number="100234")

    assert complaint.category is None


def test_the_purchase_date_cannot_be_in_the_future(acme, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)

    with pytest.raises(InvalidInput) as refused:
        carol_complaint(acme, purchase_date=datetime.date(2026, 3, 3))
    assert set(refused.value.errors) == {"purchase_date"}
    assert nothing_stored()

    assert carol_complaint(acme, purchase_date=datetime.date(2026, 3, 2)).purchase_date == datetime.date(2026, 3, 2)


# --- routing ---------------------------------------------------------------------------------


def test_a_category_routes_the_complaint_to_its_team_and_person(acme, alice):
    """Seed 003: service complaints go to the service team, product complaints to the technical team."""
    technical = Team.objects.create(organisation=acme, name="Technisch team")
    Category.objects.filter(organisation=acme, slug="product").update(route_to_team=technical, route_to_user=alice)

    complaint = carol_complaint(acme, category="product", field_values={"serial_number": "SN-1234"})

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.team, complaint.handler) == (technical, alice)
    # The acknowledgement tells Carol who handles her complaint.
    assert complaint.events.get(kind="acknowledged").data["handler"] == "Alice"


def test_a_category_without_routing_leaves_the_complaint_unassigned(acme):
    complaint = carol_complaint(acme, category="delivery")

    assert (complaint.team, complaint.handler) == (None, None)


# --- the order number as the reference (seed 001) --------------------------------------------


def test_the_order_number_is_the_reference_and_ours_is_kept_as_the_internal_id(shop):
    complaint = carol_complaint(shop, order_number=" 100234 ")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.reference == "100234"
    assert complaint.order_number == "100234"
    assert references.looks_like_reference(complaint.public_id)
    assert complaint.status == Status.RECEIVED  # webshop-board: a person acknowledges


def test_the_order_number_is_required_when_it_is_the_reference(shop):
    with pytest.raises(InvalidInput) as refused:
        carol_complaint(shop, order_number="  ")

    assert set(refused.value.errors) == {"order_number"}
    assert nothing_stored()


def test_a_second_open_complaint_about_the_same_order_points_to_the_first(shop):
    first = carol_complaint(shop, order_number="100234")

    with pytest.raises(DuplicateOrderNumber) as refused:
        carol_complaint(shop, order_number="100234", description="En de poten ontbreken ook.")

    assert refused.value.details["existing_reference"] == first.reference == "100234"
    assert "100234" in refused.value.message
    assert refused.value.code == "duplicate_order_number"
    assert list(Complaint.objects.all()) == [first]


@pytest.mark.parametrize("address", ["carol@[127.0.0.1]", "carol@[IPv6:::1]", "carol@localhost"])
def test_an_address_at_an_ip_literal_or_a_bare_host_is_refused(acme, address):
    with pytest.raises(InvalidInput) as refused:
        carol_complaint(acme, contact_email=address)

    assert set(refused.value.errors) == {"contact_email"}
    assert nothing_stored()


def test_the_same_order_typed_differently_is_the_same_order(shop):
    """`bo-55501 ` beside `BO-55501`: trimmed, folded (also full-width digits) and upper-cased once, at intake."""
    first = carol_complaint(shop, order_number="bo-55501 ")

    with pytest.raises(DuplicateOrderNumber) as refused:
        carol_complaint(shop, order_number="ＢＯ-５５５０１")

    assert first.reference == first.order_number == "BO-55501"
    assert refused.value.details["existing_reference"] == "BO-55501"
    assert list(Complaint.objects.all()) == [first]


@pytest.mark.parametrize(
    "typed", ["REPRO/1", "../../x", "BO-1\r\nBcc: x@example.nl", "BO 55501", "-55501", "<b>1</b>", "1" * 65, "BO-1\u202e"],
)
def test_an_order_number_outside_the_safe_characters_is_refused_and_nothing_is_stored(shop, typed):
    """A "/" broke every staff queue link and a line break every mail about the complaint."""
    typed = typed.encode().decode("unicode_escape")
    with pytest.raises(InvalidInput) as refused:
        carol_complaint(shop, order_number=typed)

    assert set(refused.value.errors) == {"order_number"}
    assert "letters, digits, hyphens" in refused.value.errors["order_number"]
    assert nothing_stored()


@pytest.fixture
def shop_staff(shop, alice):
    Membership.objects.create(user=alice, organisation=shop, role=Role.AGENT)
    return Actor.staff(alice, shop)


def close_with_letter(complaint, staff):
    complaint = actions.acknowledge(complaint, by=staff)
    letter = actions.LetterInput(actions_taken="Onderzocht.", conclusions="Geen fout gevonden.", decision="Afgewezen.")
    return actions.close(complaint, by=staff, letter=letter)


def resolve(complaint, staff):
    complaint = actions.acknowledge(complaint, by=staff)
    complaint = actions.propose_resolution(complaint, by=staff, kinds=["apology"], text="Excuses.")
    return actions.accept(complaint, by=Actor.consumer(complaint))


ENDINGS = {
    "closed": close_with_letter,
    "withdrawn": lambda complaint, staff: actions.withdraw(complaint, by=Actor.consumer(complaint)),
    "rejected": lambda complaint, staff: actions.reject_as_spam(complaint, by=staff, reason="Spam."),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_once_the_first_complaint_has_ended_a_new_one_gets_a_numbered_reference(shop, shop_staff, ending):
    first = carol_complaint(shop, order_number="100234")
    ENDINGS[ending](first, shop_staff)

    second = carol_complaint(shop, order_number="100234", description="Het probleem is terug.")

    assert (second.reference, second.order_number) == ("100234-2", "100234")
    assert second.public_id != first.public_id

    actions.withdraw(second, by=Actor.consumer(second))
    assert carol_complaint(shop, order_number="100234").reference == "100234-3"


def test_a_resolved_complaint_still_holds_its_order_number(shop, shop_staff):
    """Resolved is not yet closed: Carol may still close it with feedback, so a new one would be a duplicate."""
    first = resolve(carol_complaint(shop, order_number="100234"), shop_staff)
    assert first.status == Status.RESOLVED

    with pytest.raises(DuplicateOrderNumber):
        carol_complaint(shop, order_number="100234")


def test_a_numbered_reference_skips_an_order_number_that_looks_like_it(shop, shop_staff):
    """Order 100234-2 exists in its own right; the second complaint on order 100234 must not collide with it."""
    carol_complaint(shop, order_number="100234-2", contact_email="daan@example.nl")
    first = carol_complaint(shop, order_number="100234")
    actions.withdraw(first, by=Actor.consumer(first))

    second = carol_complaint(shop, order_number="100234")

    assert second.reference == "100234-3"
    assert Complaint.objects.filter(organisation=shop).count() == 3


def test_the_same_order_number_at_two_shops_is_no_conflict(shop):
    other_shop = make_organisation("other-shop", preset="webshop-board")

    here = carol_complaint(shop, order_number="100234")
    there = carol_complaint(other_shop, order_number="100234")

    assert here.reference == there.reference == "100234"
    assert here.public_id != there.public_id
