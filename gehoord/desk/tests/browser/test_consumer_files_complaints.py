"""Carol files a complaint with a photo on the form of each seed organisation, in a real browser.

Choosing a category makes htmx fetch that category's own questions into the form; the
confirmation shows the reference, the date of receipt and when an answer can be expected. Each
form and confirmation is photographed in both languages (the language switch in the header).
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gehoord.complaints.models import Complaint
from gehoord.desk.tests.browser.support import (
    OTHER_LANGUAGE,
    by_label,
    details,
    label,
    local,
    photo,
    seed_organisation,
    switch_language,
    tr,
)
from gehoord.organisations.models import CategoryField, Organisation
from gehoord.policies import deadlines
from gehoord.portal.forms import ComplaintForm

CAROL = {"contact_name": "Carol de Vries", "contact_email": "carol@example.nl", "contact_phone": "+31 6 12345678"}


@dataclass(frozen=True)
class Filing:
    """What Carol files at one seed organisation, and the language her browser asks for."""

    name: str
    organisation: str
    category: str
    lang: str
    description: str
    fields: dict[str, str] = field(default_factory=dict)  # category field key → value
    order_number: str = ""
    product: str = ""


FILINGS = [
    Filing(
        "vxhome", "vxhome", "levering", "nl",
        "De boxspring kwam beschadigd aan: de verpakking was ingedeukt en er zit een scheur in de zijkant.",
        order_number="VX100231", product="Boxspring Oslo 160x200",
    ),
    Filing(
        # Seed 001: the order number is the complaint's reference.
        "webshop-board", "webshop-board", "faulty-item", "en",
        "The tent arrived with a bent pole and a torn flysheet.",
        order_number="BS100245", product="Trail tent 3P",
    ),
    Filing(
        "welzo", "welzo", "billing", "nl",
        "Ik ben twee keer gefactureerd voor dezelfde vitamine D-test.",
        order_number="WE100288", product="Vitamin D test kit",
    ),
    Filing(
        "inverter-service", "inverter", "service", "en",
        "The engineer did not come to the appointment and the inverter still shows error 302.",
        fields={"ticket_number": "T-104233", "serial_number": "SW36-2201-0042"}, product="SW-3600 TL",
    ),
    Filing(
        "inverter-product", "inverter", "product", "nl",
        "Na drie weken gebruik valt de omvormer elke middag uit. Het display blijft zwart.",
        fields={"inverter_model": "SW-5000 TL", "serial_number": "SW50-2304-0007"},
    ),
]


@pytest.fixture
def organisations():
    """The four seed organisations, so the home page lists them all."""
    return {slug: seed_organisation(slug) for slug in ("vxhome", "webshop-board", "welzo", "inverter")}


def category_fields(organisation: Organisation, category: str) -> list[CategoryField]:
    return list(CategoryField.objects.filter(category__organisation=organisation, category__slug=category))


def choose_category(page, lang: str, slug: str) -> None:
    """Pick the subject; htmx fetches its questions into the form (this also proves htmx loaded)."""
    with page.expect_response(lambda response: "/klacht/velden/" in response.url) as fetched:
        by_label(page, label(lang, ComplaintForm, "category")).select_option(slug)
    assert fetched.value.ok
    assert fetched.value.request.headers.get("hx-request") == "true"


def fill_category_fields(page, organisation: Organisation, filing: Filing) -> None:
    for spec in category_fields(organisation, filing.category):
        value = filing.fields.get(spec.key)
        if value is None:
            continue
        input_ = by_label(page.locator("#category-fields"), spec.label)
        expect(input_).to_be_visible()
        if spec.field_type == "choice":
            input_.select_option(value)
        else:
            input_.fill(value)


def fill_complaint(page, lang: str, filing: Filing, *, purchase_date: datetime.date) -> None:
    def fill(name, value):
        by_label(page, label(lang, ComplaintForm, name)).fill(value)

    fill("description", filing.description)
    if filing.order_number:
        fill("order_number", filing.order_number)
    if filing.product:
        fill("product", filing.product)
    fill("purchase_date", purchase_date.isoformat())
    fill("desired_solution", "Graag een vervangend exemplaar." if lang == "nl" else "Please send a replacement.")
    by_label(page, label(lang, ComplaintForm, "attachments")).set_input_files(photo())
    for name, value in CAROL.items():
        fill(name, value)


@pytest.mark.parametrize("filing", FILINGS, ids=[filing.name for filing in FILINGS])
def test_carol_files_a_complaint_with_a_photo(browse, screenshot, organisations, filing):
    organisation = organisations[filing.organisation]
    lang, other = filing.lang, OTHER_LANGUAGE[filing.lang]
    purchase_date = timezone.localdate() - datetime.timedelta(days=20)
    carol = browse(lang)

    carol.goto("/")
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(lang, "Submit a complaint"))
    if filing.name in ("vxhome", "webshop-board"):
        screenshot(carol, "portal-home")
    carol.get_by_role("link", name=organisation.name, exact=True).click()
    expect(carol.get_by_role("heading", level=1)).to_have_text(
        tr(lang, "Your complaint about %(name)s", name=organisation.name)
    )

    choose_category(carol, lang, filing.category)
    for spec in category_fields(organisation, filing.category):
        expect(by_label(carol.locator("#category-fields"), spec.label)).to_be_visible()
    fill_category_fields(carol, organisation, filing)
    fill_complaint(carol, lang, filing, purchase_date=purchase_date)
    screenshot(carol, f"portal-complaint-form-{filing.name}")
    carol.get_by_role("button", name=tr(lang, "Send complaint"), exact=True).click()

    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(lang, "Thank you. We have received your complaint."))
    reference = carol.locator("strong.reference").inner_text()
    complaint = Complaint.objects.get(organisation=organisation, reference=reference)
    expected = deadlines.expected_answer_by(complaint)
    assert expected is not None
    shown = details(carol)
    assert shown[tr(lang, "Reference")] == reference
    assert shown[tr(lang, "Received on")] == local(lang, organisation, complaint.received_at, "DATETIME_FORMAT")
    assert shown[tr(lang, "Answer expected by")] == local(lang, organisation, expected)
    assert shown[tr(lang, "Organisation")] == organisation.name
    screenshot(carol, f"portal-confirmation-{filing.name}")

    # What was stored is what Carol typed, with her photo.
    if filing.organisation == "webshop-board":
        assert reference == filing.order_number
    assert complaint.category.slug == filing.category
    assert complaint.field_values == filing.fields
    assert complaint.description == filing.description
    assert (complaint.order_number, complaint.product) == (filing.order_number, filing.product)
    assert complaint.purchase_date == purchase_date
    assert (complaint.contact_name, complaint.contact_email) == (CAROL["contact_name"], CAROL["contact_email"])
    assert complaint.contact_language == lang
    assert complaint.channel == "web"
    assert [(a.original_name, a.content_type) for a in complaint.attachments.all()] == [("schade.png", "image/png")]

    # The same confirmation in the other language, through the switch in the header.
    switch_language(carol, lang, other)
    expect(carol.locator("html")).to_have_attribute("lang", other)
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr(other, "Thank you. We have received your complaint."))
    assert details(carol)[tr(other, "Answer expected by")] == local(other, organisation, expected)
    screenshot(carol, f"portal-confirmation-{filing.name}")

    # And the form with the category's questions in that language (not sent again).
    carol.goto(f"/o/{organisation.slug}/klacht/")
    choose_category(carol, other, filing.category)
    fill_category_fields(carol, organisation, filing)
    by_label(carol, label(other, ComplaintForm, "description")).fill(filing.description)
    screenshot(carol, f"portal-complaint-form-{filing.name}")


def test_a_refused_serial_number_keeps_what_carol_typed(browse, screenshot, organisations):
    """The browser checks the serial number's pattern first; a browser that does not (or a changed
    pattern) gets the server's answer: the form again, everything typed kept, the error at the field."""
    inverter = organisations["inverter"]
    filing = Filing(
        "inverter-service", "inverter", "service", "nl",
        "De monteur is niet gekomen en de omvormer geeft nog steeds fout 302.",
        fields={"ticket_number": "T-104233", "serial_number": "sw 36/2201"},
    )
    serial = CategoryField.objects.get(category__organisation=inverter, category__slug="service", key="serial_number")
    carol = browse("nl")
    carol.goto("/o/inverter/klacht/")
    choose_category(carol, "nl", "service")
    fill_category_fields(carol, inverter, filing)
    fill_complaint(carol, "nl", filing, purchase_date=timezone.localdate() - datetime.timedelta(days=3))
    send = carol.get_by_role("button", name=tr("nl", "Send complaint"), exact=True)

    send.click()
    serial_input = by_label(carol, serial.label)
    assert serial_input.evaluate("input => input.validity.patternMismatch")
    assert carol.url.endswith("/o/inverter/klacht/")  # not sent: the browser stopped it
    assert not Complaint.objects.exists()

    carol.locator("form.complaint-form").evaluate("form => { form.noValidate = true; }")
    send.click()
    problem = f"{serial.label}: {tr('nl', 'does not have the expected format')}"
    expect(carol.locator("#form-errors")).to_contain_text(problem)
    expect(carol.locator(".field.has-errors")).to_contain_text(problem)
    expect(serial_input).to_have_value("sw 36/2201")
    expect(serial_input).to_have_attribute("aria-invalid", "true")
    expect(by_label(carol, "Ticketnummer")).to_have_value("T-104233")
    expect(by_label(carol, label("nl", ComplaintForm, "category"))).to_have_value("service")
    expect(by_label(carol, label("nl", ComplaintForm, "description"))).to_have_value(filing.description)
    expect(by_label(carol, label("nl", ComplaintForm, "contact_email"))).to_have_value(CAROL["contact_email"])
    expect(carol.get_by_text(tr("nl", "For your safety the browser does not keep chosen files: please choose them again."))).to_be_visible()
    screenshot(carol, "portal-complaint-form-refused")
    assert not Complaint.objects.exists()

    serial_input.fill("SW36-2201-0042")
    by_label(carol, label("nl", ComplaintForm, "attachments")).set_input_files(photo())
    send.click()
    expect(carol.get_by_role("heading", level=1)).to_have_text(tr("nl", "Thank you. We have received your complaint."))
    complaint = Complaint.objects.get(organisation=inverter)
    assert complaint.field_values == {"ticket_number": "T-104233", "serial_number": "SW36-2201-0042"}
    assert complaint.attachments.count() == 1
