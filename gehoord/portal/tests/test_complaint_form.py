"""The complaint form of an organisation: /o/<org>/klacht/ (SPEC 2, 3; the consumer's side of intake)."""

import datetime
import logging
import time
import zoneinfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from gehoord.complaints.models import Attachment, Complaint, Status
from gehoord.policies import deadlines
from gehoord.complaints.tests.test_references import concurrent_writers, run_at_once
from gehoord.portal import ratelimit
from gehoord.portal.models import RateCount
from gehoord.portal.tests.conftest import inline_scripts, inline_styles, png_bytes

pytestmark = pytest.mark.django_db


def form_url(organisation):
    return reverse("portal:complaint_form", kwargs={"org": organisation.slug})


def carol(**overrides):
    values = {
        "description": "The boxspring arrived damaged: the side is torn.",
        "order_number": "VX100234",
        "product": "Boxspring Oslo 160x200",
        "purchase_date": "2026-01-05",
        "desired_solution": "Please send a new one.",
        "contact_name": "Carol de Vries",
        "contact_email": "carol@example.nl",
        "contact_phone": "",
        "contact_language": "nl",
        "homepage": "",
    }
    values.update(overrides)
    return values


def photo(name="damage.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


class TestTheFormPerOrganisation:
    def test_a_web_shop_form_asks_the_common_questions_and_its_categories(self, client, vxhome):
        page = client.get(form_url(vxhome))
        html = page.content.decode()
        assert page.status_code == 200
        for name in ("category", "description", "order_number", "product", "purchase_date", "desired_solution",
                     "contact_name", "contact_email", "contact_phone", "contact_language", "attachments"):
            assert f'name="{name}"' in html, name
        assert '<option value="levering">Levering</option>' in html
        assert 'type="date"' in html
        assert 'multiple' in html and 'accept="image/*,video/*,application/pdf"' in html
        assert "<progress data-upload-progress hidden" in html
        assert 'enctype="multipart/form-data"' in html
        assert 'name="visibility"' not in html  # private on the desk; not asked

    def test_the_honeypot_is_hidden_labelled_and_out_of_the_tab_order(self, client, vxhome):
        html = client.get(form_url(vxhome)).content.decode()
        assert '<div class="honeypot">' in html
        assert "Leave this empty" in html
        assert 'name="homepage"' in html and 'tabindex="-1"' in html and 'autocomplete="off"' in html

    def test_the_language_defaults_to_the_page_language(self, client, vxhome):
        html = client.get(form_url(vxhome), headers={"accept-language": "en"}).content.decode()
        assert '<option value="en" selected>English</option>' in html

    def test_when_the_order_number_is_the_reference_it_is_required_and_explained(self, client, webshop_board):
        html = client.get(form_url(webshop_board)).content.decode()
        assert "Your order number is the reference of your complaint" in html
        assert 'name="order_number" maxlength="64" required' in html

    def test_an_organisation_without_categories_asks_no_category(self, client, welzo):
        html = client.get(form_url(welzo)).content.decode()
        assert 'name="category"' not in html
        assert 'name="description"' in html

    def test_the_category_select_fetches_its_fields_with_htmx_and_works_without(self, client, inverter):
        html = client.get(form_url(inverter)).content.decode()
        fields_url = reverse("portal:category_fields", kwargs={"org": "inverter"})
        assert f'hx-get="{fields_url}"' in html and 'hx-target="#category-fields"' in html
        assert "<noscript>" in html and 'name="show_fields"' in html and "formnovalidate" in html

    def test_an_unknown_organisation_is_not_found(self, client, db):
        assert client.get("/o/nobody/klacht/").status_code == 404

    def test_the_page_has_no_inline_script_or_style(self, client, inverter):
        html = client.get(form_url(inverter) + "?category=service").content.decode()
        assert inline_scripts(html) == []
        assert inline_styles(html) == []


class TestCategoryFields:
    def test_the_partial_gives_the_service_fields(self, client, inverter):
        url = reverse("portal:category_fields", kwargs={"org": "inverter"})
        page = client.get(url, {"category": "service"}, headers={"HX-Request": "true"})
        html = page.content.decode()
        assert page.status_code == 200
        assert "<html" not in html  # only the fields
        assert 'name="field_ticket_number"' in html and 'name="field_serial_number"' in html
        assert 'pattern="T-?\\d{4,8}"' in html
        assert "E.g. T-104233" in html
        assert 'aria-describedby="id_field_ticket_number_helptext"' in html
        assert "required" in html

    def test_the_partial_gives_the_product_fields(self, client, inverter):
        url = reverse("portal:category_fields", kwargs={"org": "inverter"})
        html = client.get(url, {"category": "product"}, headers={"HX-Request": "true"}).content.decode()
        assert '<select name="field_inverter_model"' in html
        assert '<option value="SW-5000 TL">SW-5000 TL</option>' in html
        assert "Serial number (if available)" in html and "(optional)" in html
        assert "ticket_number" not in html

    def test_without_htmx_the_partial_url_leads_to_the_whole_form(self, client, inverter):
        url = reverse("portal:category_fields", kwargs={"org": "inverter"})
        page = client.get(url, {"category": "service"})
        assert page.status_code == 302 and page["Location"] == form_url(inverter) + "?category=service"

    def test_a_plain_get_parameter_shows_the_fields(self, client, inverter):
        html = client.get(form_url(inverter), {"category": "service"}).content.decode()
        assert '<option value="service" selected>Service</option>' in html
        assert 'name="field_ticket_number"' in html

    def test_the_noscript_button_reloads_with_the_fields_and_keeps_what_was_typed(self, client, inverter):
        page = client.post(form_url(inverter), {**carol(description="Mijn omvormer piept."), "category": "product",
                                                "show_fields": "1"})
        html = page.content.decode()
        assert page.status_code == 200
        assert 'name="field_inverter_model"' in html
        assert "Mijn omvormer piept." in html and 'value="carol@example.nl"' in html
        assert "errorlist" not in html  # not a submission: nothing is wrong yet
        assert not Complaint.objects.exists()


class TestFiling:
    def test_a_valid_complaint_with_a_photo_is_filed_and_confirmed(self, client, vxhome):
        data = {**carol(), "category": "levering", "attachments": [photo(), photo("box.png")]}
        page = client.post(form_url(vxhome), data)
        assert page.status_code == 302
        assert page["Location"] == reverse("portal:confirmation", kwargs={"org": "vxhome"})
        complaint = Complaint.objects.get()
        assert complaint.channel == "web"
        assert complaint.category.slug == "levering"
        assert complaint.contact_email == "carol@example.nl"
        assert complaint.purchase_date == datetime.date(2026, 1, 5)
        assert complaint.status == Status.ACKNOWLEDGED  # vxhome acknowledges on receipt
        assert sorted(complaint.attachments.values_list("original_name", flat=True)) == ["box.png", "damage.png"]
        assert complaint.attachments.first().content_type == "image/png"
        received = complaint.events.get(kind="received")
        assert received.actor_kind == "consumer" and received.data["channel"] == "web"

        confirmation = client.get(page["Location"])
        html = confirmation.content.decode()
        assert confirmation.status_code == 200
        assert complaint.reference in html
        expected = deadlines.expected_answer_by(complaint)
        assert expected - complaint.received_at > datetime.timedelta(days=13)  # vxhome: 14 calendar days
        with translation.override("en"):
            local = timezone.localtime(expected, zoneinfo.ZoneInfo("Europe/Amsterdam"))
            shown = formats.date_format(local, "DATE_FORMAT")
        assert f"<dt>Answer expected by</dt>\n    <dd>{shown}</dd>" in html
        assert "/volgen/link/" in html  # the signed tracking link
        assert inline_scripts(html) == []

    def test_the_confirmation_names_the_handler_and_when_receipt_is_confirmed(self, client, inverter):
        from conftest import make_staff

        alice = make_staff(inverter, "alice", "agent", first_name="Alice")
        inverter.categories.filter(slug="service").update(route_to_user=alice)
        client.post(form_url(inverter), {**carol(), "category": "service", "field_ticket_number": "T-104233",
                                         "field_serial_number": "SW36-2201-0042"})
        complaint = Complaint.objects.get()
        assert complaint.field_values == {"ticket_number": "T-104233", "serial_number": "SW36-2201-0042"}
        html = client.get(reverse("portal:confirmation", kwargs={"org": "inverter"})).content.decode()
        assert "Handled by" in html and "Alice" in html
        assert "confirms receipt by e-mail, by" in html  # a person acknowledges, within 7 working days

    def test_the_confirmation_url_alone_shows_no_complaint(self, client, vxhome):
        client.post(form_url(vxhome), {**carol(), "category": "levering"})
        reference = Complaint.objects.get().reference
        stranger = type(client)(HTTP_ACCEPT_LANGUAGE="en")
        html = stranger.get(reverse("portal:confirmation", kwargs={"org": "vxhome"})).content.decode()
        assert reference not in html
        assert "Your complaint has been sent" in html

    def test_a_first_filing_stores_one_session_and_a_session_from_before_gets_a_new_key(self, client, vxhome):
        from django.contrib.sessions.models import Session

        client.post(form_url(vxhome), {**carol(), "category": "levering"})
        [session] = Session.objects.all()
        assert client.cookies["sessionid"].value == session.session_key
        assert Complaint.objects.get().reference in client.get(reverse("portal:confirmation", args=["vxhome"])).content.decode()

        # A session id planted in the browser before (session fixation) does not carry the new access.
        planted = session.session_key
        client.post(form_url(vxhome), {**carol(), "category": "levering", "order_number": "VX100235"})
        assert client.cookies["sessionid"].value != planted
        assert not Session.objects.filter(session_key=planted).exists()

    def test_the_acknowledgement_mail_goes_out(self, client, vxhome):
        client.post(form_url(vxhome), {**carol(), "category": "levering"})
        from gehoord.mail.models import OutboundMail

        assert OutboundMail.objects.filter(complaint=Complaint.objects.get()).exists() or mail.outbox


class TestAFailedSubmission:
    def test_keeps_everything_typed_and_names_each_wrong_field(self, client, inverter):
        page = client.post(
            form_url(inverter),
            {**carol(contact_email="carol@", description="Mijn omvormer piept."), "category": "service",
             "field_ticket_number": "104233-X", "field_serial_number": "",
             "attachments": [photo()]},
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert not Complaint.objects.exists()
        # What was typed is still there.
        assert "Mijn omvormer piept." in html
        assert 'value="104233-X"' in html and 'value="Carol de Vries"' in html and 'value="carol@"' in html
        assert '<option value="service" selected>Service</option>' in html
        # Each wrong field says what is wrong, tied to its input.
        assert 'id="id_contact_email_error"' in html
        assert 'aria-invalid="true"' in html
        assert 'aria-describedby="id_contact_email_helptext id_contact_email_error"' in html
        assert "Enter a valid email address." in html
        assert "Ticket number: does not have the expected format" in html
        assert 'id="id_field_serial_number_error"' in html
        # The summary links to each field.
        assert 'href="#id_field_ticket_number"' in html and 'href="#id_contact_email"' in html
        # Files cannot be kept by a browser: said next to the field and in the summary.
        assert 'id="id_attachments_again"' in html
        assert "choose them again" in html

    def test_a_refused_upload_says_which_file_and_why(self, client, vxhome):
        fake = SimpleUploadedFile("invoice.pdf", b"this is not a pdf at all", content_type="application/pdf")
        page = client.post(form_url(vxhome), {**carol(), "category": "levering", "attachments": [photo(), fake]})
        html = page.content.decode()
        assert page.status_code == 200
        assert "invoice.pdf: this type of file is not accepted" in html
        assert 'id="id_attachments_error"' in html
        assert not Complaint.objects.exists() and not Attachment.objects.exists()

    def test_a_purchase_date_in_the_future_is_refused_by_the_domain_and_shown_on_the_field(self, client, vxhome):
        tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
        page = client.post(form_url(vxhome), {**carol(purchase_date=tomorrow), "category": "levering"})
        html = page.content.decode()
        assert page.status_code == 200
        assert 'id="id_purchase_date_error"' in html and "cannot be in the future" in html
        assert f'value="{tomorrow}"' in html

    def test_a_category_is_required_when_there_are_categories(self, client, vxhome):
        page = client.post(form_url(vxhome), carol())
        assert page.status_code == 200
        assert 'id="id_category_error"' in page.content.decode()

    def test_the_order_number_is_required_when_it_is_the_reference(self, client, webshop_board):
        page = client.post(form_url(webshop_board), {**carol(order_number=""), "category": "delivery"})
        assert page.status_code == 200
        assert 'id="id_order_number_error"' in page.content.decode()


class TestDuplicateOrderNumber:
    def test_a_second_open_complaint_on_an_order_points_to_the_first(self, client, webshop_board):
        first = client.post(form_url(webshop_board), {**carol(order_number="BS100200"), "category": "delivery"})
        assert first.status_code == 302
        assert Complaint.objects.get().reference == "BS100200"
        again = client.post(form_url(webshop_board), {**carol(order_number="BS100200", description="Still nothing."),
                                                      "category": "delivery"})
        html = again.content.decode()
        assert again.status_code == 200
        assert Complaint.objects.count() == 1
        assert 'id="id_order_number_error"' in html
        assert "There is already an open complaint about order BS100200" in html
        assert f'<a href="{reverse("portal:track")}?reference=BS100200">' in html
        assert "Still nothing." in html


class TestSpamProtection:
    def test_a_filled_honeypot_looks_fine_but_stores_nothing(self, client, vxhome, caplog):
        with caplog.at_level(logging.WARNING, logger="gehoord.portal.views"):
            page = client.post(form_url(vxhome), {**carol(), "category": "levering", "homepage": "http://spam.example"})
        assert page.status_code == 302
        assert page["Location"] == reverse("portal:confirmation", kwargs={"org": "vxhome"})
        assert not Complaint.objects.exists()
        assert "Honeypot" in caplog.text
        html = client.get(page["Location"]).content.decode()
        assert "Thank you" in html

    def test_a_sixth_complaint_from_one_address_within_the_hour_is_held_back_kindly(self, client, vxhome):
        for number in range(ratelimit.FILING_PER_EMAIL.limit):
            page = client.post(form_url(vxhome), {**carol(order_number=f"VX{number}"), "category": "levering"})
            assert page.status_code == 302
        page = client.post(form_url(vxhome), {**carol(description="One more thing."), "category": "levering"})
        html = page.content.decode()
        assert page.status_code == 200
        assert "Please wait an hour" in html
        assert "One more thing." in html
        assert Complaint.objects.count() == ratelimit.FILING_PER_EMAIL.limit

    def test_typing_mistakes_do_not_use_up_the_limit(self, client, vxhome):
        for _attempt in range(ratelimit.FILING_PER_EMAIL.limit + 2):
            client.post(form_url(vxhome), {**carol(description=""), "category": "levering"})
        assert client.post(form_url(vxhome), {**carol(), "category": "levering"}).status_code == 302

    def test_every_attempt_from_one_address_counts_even_an_invalid_one(self, client, vxhome):
        for _attempt in range(ratelimit.FILING_ATTEMPTS_PER_IP.limit):
            client.post(form_url(vxhome), {**carol(description=""), "category": "levering"})

        page = client.post(form_url(vxhome), {**carol(contact_email="new@example.nl"), "category": "levering"})

        assert page.status_code == 429
        html = page.content.decode()
        assert "Please wait an hour" in html and "The boxspring arrived damaged" in html  # what was typed
        assert not Complaint.objects.exists()

    def test_behind_a_proxy_the_limit_counts_the_consumers_address_not_the_proxys(self, client, vxhome, settings):
        settings.GEHOORD_PROXY_COUNT = 1
        for number in range(ratelimit.FILING_ATTEMPTS_PER_IP.limit):
            ratelimit.FILING_ATTEMPTS_PER_IP.hit("203.0.113.7")
        # The consumer's own X-Forwarded-For entry (left of the proxy's) is not believed.
        forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7"}
        other = {"HTTP_X_FORWARDED_FOR": "203.0.113.8"}

        held = client.post(form_url(vxhome), {**carol(contact_email="a@example.nl"), "category": "levering"}, **forged)
        filed = client.post(form_url(vxhome), {**carol(contact_email="b@example.nl"), "category": "levering"}, **other)

        assert held.status_code == 429
        assert filed.status_code == 302
        assert Complaint.objects.get().contact_email == "b@example.nl"

    def test_the_limits_are_counted_in_the_database_so_every_web_process_shares_them(self, vxhome):
        ratelimit.FILING_ATTEMPTS_PER_IP.hit("192.0.2.1")
        ratelimit.FILING_ATTEMPTS_PER_IP.hit("192.0.2.1")

        assert RateCount.objects.get().count == 2
        assert "192.0.2.1" not in str(RateCount.objects.values_list())  # only a digest is kept

    def test_the_same_form_sent_twice_files_once(self, client, vxhome):
        """A double click, a reload: the second sending finds the complaint the first one filed."""
        token = client.get(form_url(vxhome)).content.decode().split('name="submission" value="')[1].split('"')[0]
        sent = {**carol(), "category": "levering", "submission": token}

        first = client.post(form_url(vxhome), sent)
        second = client.post(form_url(vxhome), sent)

        assert first.status_code == second.status_code == 302
        assert second["Location"] == first["Location"]
        assert Complaint.objects.count() == 1
        assert "Thank you" in client.get(second["Location"]).content.decode()

    @concurrent_writers
    def test_fifteen_sendings_at_once_file_five(self, vxhome):
        """The limit is counted and checked in one statement: concurrent filings cannot pass it together."""
        statuses = []

        def send(number):
            sent = {**carol(order_number=f"VX{number}"), "category": "levering"}
            statuses.append(Client().post(form_url(vxhome), sent).status_code)

        assert run_at_once(15, send) == []
        assert Complaint.objects.count() == ratelimit.FILING_PER_EMAIL.limit
        assert statuses.count(302) == ratelimit.FILING_PER_EMAIL.limit

    @concurrent_writers
    def test_one_form_sent_several_times_at_once_files_once(self, vxhome):
        sent = {**carol(), "category": "levering", "submission": "double-click-token-1"}
        statuses = []

        assert run_at_once(4, lambda _number: statuses.append(Client().post(form_url(vxhome), sent).status_code)) == []
        assert Complaint.objects.count() == 1
        assert statuses == [302] * 4


class TestFieldPatterns:
    """A category field's pattern is checked in the browser (the `pattern` attribute) and on the server,
    and no pattern, however it got into the database, can keep a worker busy."""

    HOSTILE = "a" * 39 + "!"

    def service(self, client, inverter, **fields):
        return client.post(form_url(inverter), {**carol(), "category": "service", **fields})

    def test_ordinary_patterns_work_in_the_browser_and_on_the_server(self, client, inverter):
        inverter.categories.get(slug="service").fields.filter(key="ticket_number").update(pattern=r"SN-\d{4}")
        inverter.categories.get(slug="service").fields.filter(key="serial_number").update(pattern=r"[A-Z]{2}\d{6}")
        html = client.get(form_url(inverter), {"category": "service"}).content.decode()
        assert 'pattern="SN-\\d{4}"' in html and 'pattern="[A-Z]{2}\\d{6}"' in html

        refused = self.service(client, inverter, field_ticket_number="SN-12", field_serial_number="AB12345")
        html = refused.content.decode()
        assert "Ticket number: does not have the expected format" in html
        assert "Serial number: does not have the expected format" in html
        assert not Complaint.objects.exists()

        filed = self.service(client, inverter, field_ticket_number="SN-1234", field_serial_number="AB123456")
        assert filed.status_code == 302
        assert Complaint.objects.get().field_values == {"ticket_number": "SN-1234", "serial_number": "AB123456"}

    @pytest.mark.parametrize(
        "pattern, problem",
        [
            (r"(a+)+$", "Ticket number: does not have the expected format"),
            (r"(a|a)+$", "Ticket number: could not be checked: the format set for this field is faulty."),
        ],
    )
    def test_a_stored_pattern_that_backtracks_answers_in_bounded_time(self, client, inverter, pattern, problem):
        # Stored before saving checked patterns (or by a way around the check): straight into the database.
        inverter.categories.get(slug="service").fields.filter(key="ticket_number").update(pattern=pattern)
        html = client.get(form_url(inverter), {"category": "service"}).content.decode()
        assert 'name="field_ticket_number"' in html and 'pattern="(a' not in html  # nor freezes the browser

        started = time.monotonic()
        page = self.service(client, inverter, field_ticket_number=self.HOSTILE, field_serial_number="SW36-2201-0042")
        elapsed = time.monotonic() - started

        assert elapsed < 2, elapsed
        assert page.status_code == 200
        assert problem in page.content.decode()
        assert not Complaint.objects.exists()
