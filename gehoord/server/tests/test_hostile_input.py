"""What a hostile visitor sends, through every door at once: the consumer's form, the staff intake,
the API and inbound mail. Each payload is refused with a clear error and changes nothing, or is
stored as harmless text; none becomes live HTML in the company's mail, a broken staff page, a
stalled worker or a mail to a stranger.

(The doors' own test modules go deeper; this one holds the line across them.)
"""

import base64
import io
import json
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from conftest import make_organisation, make_staff
from gehoord.complaints.models import Complaint
from gehoord.mail.models import InboundMail, OutboundMail
from gehoord.mail.tests.support import deliver_raw, make_mail
from gehoord.organisations.models import ApiToken, Category, CategoryField, FieldType, Role

pytestmark = pytest.mark.django_db

PHISHING_NAME = '</p><h1>Actie vereist</h1><a href="https://evil.example/login">Log in</a>'
UNSAFE_ORDER_NUMBERS = ["REPRO/1", "../../x", "BO-1\r\nBcc: victim@example.nl"]


@pytest.fixture
def shop():
    """A web shop whose order numbers are the references (seed 001), with a category whose serial
    number has a pattern, a member of staff and an API token."""
    organisation = make_organisation("shop", preset="webshop-board")
    category = Category.objects.create(organisation=organisation, slug="product", name="Product")
    CategoryField.objects.create(
        category=category, key="serial", label="Serienummer", field_type=FieldType.SERIAL, pattern=r"SN-\d{4}"
    )
    make_staff(organisation, "alice", Role.AGENT, Role.MANAGER)
    return organisation


@pytest.fixture
def api(shop):
    _token, plaintext = ApiToken.issue(shop, "hostile test")
    return lambda path, body: Client().post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers={"Authorization": f"Bearer {plaintext}"}
    )


@pytest.fixture
def staff(shop):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(shop.memberships.first().user)
    return client


def filed(**values) -> dict:
    return {
        "category": "product", "description": "De lamp is kapot.", "order_number": "BO-55501",
        "contact_name": "Carol", "contact_email": "carol@example.nl", "contact_language": "nl", **values,
    }


def through_the_portal(shop, **values):
    return Client().post(reverse("portal:complaint_form", args=[shop.slug]), {**filed(**values), "homepage": ""})


def through_the_desk(staff, shop, **values):
    return staff.post(reverse("desk:intake", args=[shop.slug]), {**filed(**values), "channel": "phone"})


def through_the_api(api, **values):
    values = filed(**values)
    values["fields"] = {key.removeprefix("field_"): values.pop(key) for key in list(values) if key.startswith("field_")}
    return api("/complaints", values)


@pytest.mark.parametrize("order_number", UNSAFE_ORDER_NUMBERS)
def test_an_order_number_that_would_break_links_or_headers_is_refused_at_every_door(shop, staff, api, order_number):
    portal = through_the_portal(shop, order_number=order_number)
    desk = through_the_desk(staff, shop, order_number=order_number)
    by_api = through_the_api(api, order_number=order_number)

    assert portal.status_code == 200 and "order_number" in portal.content.decode()
    assert desk.status_code == 422 and 'id="id_order_number_error"' in desk.content.decode()
    assert by_api.status_code == 422 and "order_number" in by_api.json()["errors"]
    assert not Complaint.objects.exists()
    assert staff.get(reverse("desk:queue", args=[shop.slug])).status_code == 200


def test_a_name_made_of_html_stays_text_in_every_mail_whichever_door_it_came_through(shop, staff, api):
    through_the_portal(shop, contact_name=PHISHING_NAME, order_number="BO-1")
    through_the_desk(staff, shop, contact_name=PHISHING_NAME, order_number="BO-2", contact_email="dave@example.nl")
    through_the_api(api, contact_name=PHISHING_NAME, order_number="BO-3", contact_email="erin@example.nl")
    # By mail, at an organisation with its own references (the web shop needs the order number).
    desk = make_organisation("desk", preset="vxhome")
    in_a_header = PHISHING_NAME.replace('"', "")  # a display name cannot hold the quotes
    deliver_raw(make_mail(sender=f'"{in_a_header}" <frank@example.nl>', to=desk.complaint_email, subject="Klacht"))
    for complaint in Complaint.objects.all():
        staff.post(reverse("desk:action", args=[shop.slug, complaint.reference, "acknowledge"]))

    mails = OutboundMail.objects.exclude(body_html="")
    assert mails.count() >= 4
    for mail in mails:
        assert "<h1>" not in mail.body_html and "&lt;h1&gt;" in mail.body_html
        assert not re.search(r"<a [^>]*evil\.example", mail.body_html)


def test_a_value_against_a_pattern_is_answered_in_bounded_time_at_every_door(shop, staff, api):
    CategoryField.objects.filter(key="serial").update(pattern=r"(a+)+$")  # stored before patterns were checked
    hostile = "a" * 40 + "!"
    started = time.monotonic()

    portal = through_the_portal(shop, field_serial=hostile)
    desk = through_the_desk(staff, shop, field_serial=hostile)
    by_api = through_the_api(api, field_serial=hostile)

    assert time.monotonic() - started < 10
    assert portal.status_code == 200 and desk.status_code == 422 and by_api.status_code == 422
    assert not Complaint.objects.exists()


def test_an_image_bomb_is_refused_from_its_header_at_every_door(shop, staff, api):
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, format="PNG")  # 81 megapixels in a few kilobytes
    bomb = bomb.getvalue()

    def upload():
        return io.BytesIO(bomb), "bom.png"

    portal = Client().post(reverse("portal:complaint_form", args=[shop.slug]), {**filed(), "attachments": upload()[0]})
    desk = staff.post(reverse("desk:intake", args=[shop.slug]), {**filed(), "channel": "phone", "attachments": upload()[0]})
    by_api = through_the_api(api, attachments=[{"filename": "bom.png", "content_base64": base64.b64encode(bomb).decode()}])

    assert "megapixels" in portal.content.decode() and "megapixels" in desk.content.decode()
    assert by_api.status_code == 422 and "megapixels" in json.dumps(by_api.json())
    assert not Complaint.objects.exists()


def test_a_mail_naming_a_victim_in_reply_to_mails_nobody(shop):
    raw = make_mail(
        sender="Mallory <mallory@evil.example>", to=shop.complaint_email, subject="Klacht",
        headers={"Reply-To": "victim@example.nl"},
    )

    stored = deliver_raw(raw)

    assert stored.state == InboundMail.State.TRIAGE
    assert not Complaint.objects.exists()
    assert not OutboundMail.objects.filter(to_address="victim@example.nl").exists()

