"""Phone and letter intake: staff file a complaint on the consumer's behalf, through the same
`file_complaint` as the web form, with the category's own fields."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gehoord.complaints.forms import ComplaintFormBase
from gehoord.complaints.models import Complaint, Event
from gehoord.desk.forms import IntakeForm
from gehoord.desk.tests.conftest import PDF, assert_no_inline_code, page_url
from gehoord.portal.forms import ComplaintForm

INTAKE = reverse("desk:intake", args=["acme"])


def phone_call(**overrides):
    values = {
        "channel": "phone",
        "category": "delivery",
        "description": "Carol belde: de boxspring kwam beschadigd aan.",
        "contact_name": "Carol de Vries",
        "contact_phone": "+31 6 1234 5678",
        "contact_email": "",
        "contact_language": "nl",
    }
    values.update(overrides)
    return values


def test_the_form_offers_phone_and_letter_and_the_categories(as_alice_browser, acme):
    response = as_alice_browser.get(INTAKE)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="phone"' in html and 'value="letter"' in html
    assert '<option value="product">Product</option>' in html
    assert '<label for="id_contact_email">' in html
    assert_no_inline_code(html)


def test_alice_files_carols_phone_complaint_without_an_email_address(as_alice_browser, alice, acme):
    response = as_alice_browser.post(INTAKE, phone_call())

    complaint = Complaint.objects.get(organisation=acme)
    assert response.status_code == 302
    assert response["Location"] == page_url(complaint)
    assert complaint.channel == "phone"
    assert complaint.contact_phone == "+31 6 1234 5678"
    assert complaint.contact_email == ""
    assert complaint.category.slug == "delivery"
    received = Event.objects.get(complaint=complaint, kind="received")
    assert (received.actor, received.data["channel"]) == (alice, "phone")


def test_a_letter_with_its_scan_and_the_category_fields(as_alice_browser, acme):
    response = as_alice_browser.post(
        INTAKE,
        phone_call(
            channel="letter", category="product", field_serial_number="SN-1234", contact_email="carol@example.nl",
            contact_phone="", attachments=[SimpleUploadedFile("brief.pdf", PDF)], order_number="VX-77",
        ),
    )

    assert response.status_code == 302
    complaint = Complaint.objects.get(organisation=acme)
    assert complaint.channel == "letter"
    assert complaint.field_values == {"serial_number": "SN-1234"}
    assert complaint.order_number == "VX-77"
    assert [a.original_name for a in complaint.attachments.all()] == ["brief.pdf"]


def test_a_missing_category_field_is_named_at_its_input_and_everything_typed_is_kept(as_alice_browser, acme):
    response = as_alice_browser.post(INTAKE, phone_call(category="product", field_serial_number="12"))

    html = response.content.decode()
    assert response.status_code == 422
    assert re.search(r'id="id_field_serial_number_error"><li>Serial number: does not have the expected format', html)
    assert 'aria-invalid="true"' in html
    assert 'value="12"' in html
    assert "Carol belde: de boxspring kwam beschadigd aan.</textarea>" in html
    assert 'value="+31 6 1234 5678"' in html
    assert not Complaint.objects.exists()


def test_a_phone_number_or_an_email_address_is_needed(as_alice_browser, acme):
    response = as_alice_browser.post(INTAKE, phone_call(contact_phone=""))

    assert response.status_code == 422
    assert 'id="id_contact_phone_error"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_htmx_loads_the_fields_of_the_chosen_category(as_alice_browser, acme):
    response = as_alice_browser.get(INTAKE, {"category": "product"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert 'name="field_serial_number"' in html
    assert 'name="description"' not in html


def test_without_javascript_choosing_a_category_reloads_the_form_with_its_fields(as_alice_browser, acme):
    response = as_alice_browser.post(INTAKE, phone_call(category="product", refresh="1"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="field_serial_number"' in html
    assert "Carol belde: de boxspring kwam beschadigd aan.</textarea>" in html
    assert "errorlist" not in html
    assert not Complaint.objects.exists()


@pytest.fixture
def shop_with_open_order(shop):
    from conftest import carol_complaint

    return carol_complaint(shop, order_number="ORD-500", category="")


def test_a_second_open_complaint_on_the_same_order_points_to_the_first(as_alice_browser, shop_with_open_order):
    response = as_alice_browser.post(
        reverse("desk:intake", args=["shop"]),
        phone_call(category="", order_number="ORD-500", contact_language="en"),
    )

    assert response.status_code == 422
    error = re.search(r'id="id_order_number_error"><li>(.*?)</li>', response.content.decode()).group(1)
    assert "ORD-500" in error
    assert Complaint.objects.filter(organisation__slug="shop").count() == 1


def test_the_serial_field_carries_its_pattern_as_the_consumers_form_does(as_alice_browser, acme):
    """One complaint form for both doors: the desk's intake has the category fields' patterns and
    checks every upload and value before filing, as the portal does."""
    html = as_alice_browser.get(INTAKE, {"category": "product"}).content.decode()

    assert re.search(r'<input[^>]+name="field_serial_number"[^>]+pattern="SN-\\d\{4\}"', html)
    assert 'spellcheck="false"' in html and 'autocapitalize="characters"' in html


def test_a_refused_upload_is_named_before_anything_is_filed(as_alice_browser, acme):
    fake = SimpleUploadedFile("foto.png", b"not an image at all")

    response = as_alice_browser.post(INTAKE, phone_call(attachments=[fake]))

    assert response.status_code == 422
    assert re.search(r'id="id_attachments_error"><li>foto.png: ', response.content.decode())
    assert not Complaint.objects.exists()


def test_both_complaint_forms_share_one_base_and_differ_only_where_stated():
    assert issubclass(IntakeForm, ComplaintFormBase) and issubclass(ComplaintForm, ComplaintFormBase)
    assert set(IntakeForm.base_fields) - {"channel"} == set(ComplaintForm.base_fields) - {"homepage", "submission"}
