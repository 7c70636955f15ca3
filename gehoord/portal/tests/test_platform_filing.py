"""Filing on the platform (seed 004): /bedrijven/<slug>/klacht/, about any company in the registry.

Carol files about Bakkerij Brood, an e-mail-only company, as she would on a company's own form, and
chooses public or private. A public complaint waits for screening; a private one is never published.
A connected company (Acme) gets it in its desk under its own policy. Nobody mails the company here.
"""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gehoord.complaints.models import Complaint, Publication, Visibility
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Organisation
from gehoord.platform.tests.accounts_support import consumer, email_only_company
from gehoord.policies.models import PolicyVersion
from gehoord.portal.tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def bakery():
    return email_only_company()


def form_url(organisation) -> str:
    return reverse("portal:platform_complaint_form", kwargs={"org": organisation.slug})


def browser(address="198.51.100.7") -> Client:
    return Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=address)


def carol(**overrides):
    values = {
        "visibility": "public",
        "description": "Het brood van zaterdag was beschimmeld.",
        "product": "Volkorenbrood",
        "desired_solution": "Mijn geld terug.",
        "contact_name": "Carol de Vries",
        "contact_email": "carol@example.nl",
        "contact_language": "nl",
        "homepage": "",
    }
    values.update(overrides)
    return values


def photo(name="schimmel.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def file(client, organisation, **overrides):
    return client.post(form_url(organisation), carol(**overrides))



def test_the_form_asks_public_or_private_and_explains_what_public_means(bakery):
    page = browser().get(form_url(bakery)).content.decode()

    for name in ("description", "product", "purchase_date", "desired_solution", "attachments", "contact_name",
                 "contact_email", "contact_language", "submission"):
        assert f'name="{name}"' in page, name
    assert 'type="radio" name="visibility" value="public"' in page
    assert 'type="radio" name="visibility" value="private"' in page
    assert "published after a moderator has checked it" in page
    assert "The company&#x27;s replies to a public complaint are public too" in page
    assert f'action="{form_url(bakery)}"' in page
    # An e-mail-only company without a procedure gets the platform's.
    assert PolicyVersion.objects.get(organisation=bakery).preset == "platform"


def test_a_public_complaint_with_a_photo_waits_for_screening_and_the_company_is_not_mailed(bakery):
    client = browser()

    answer = client.post(form_url(bakery), {**carol(), "attachments": [photo()]})

    assert answer["Location"] == reverse("portal:platform_confirmation", kwargs={"org": bakery.slug})
    complaint = Complaint.objects.get()
    assert (complaint.organisation, complaint.platform, complaint.visibility, complaint.publication) == (
        bakery, True, Visibility.PUBLIC, Publication.PENDING
    )
    assert complaint.consumer is None and complaint.policy.preset == "platform"
    assert [a.original_name for a in complaint.attachments.all()] == ["schimmel.png"]
    assert not Complaint.objects.public().exists()
    assert not OutboundMail.objects.filter(to_address=bakery.complaint_email).exists()
    assert complaint.company_notified_at is None

    confirmation = client.get(answer["Location"]).content.decode()
    assert complaint.reference in confirmation
    assert "a moderator checks it first" in confirmation
    assert "We send your complaint to Bakkerij Brood by e-mail once it has been checked" in confirmation


def test_a_private_complaint_is_never_pending_or_published(bakery):
    client = browser()

    answer = file(client, bakery, visibility="private")

    complaint = Complaint.objects.get()
    assert (complaint.visibility, complaint.publication) == (Visibility.PRIVATE, Publication.PRIVATE)
    assert not Complaint.objects.public().exists()
    confirmation = client.get(answer["Location"]).content.decode()
    assert "You chose a private complaint: it is never published" in confirmation
    tracking = client.get(reverse("portal:tracking", args=[complaint.public_id])).content.decode()
    assert "Private: your complaint is not published" in tracking


@pytest.mark.parametrize("visibility", ["", "published", "pending", "<b>public</b>"])
def test_without_a_valid_choice_of_public_or_private_nothing_is_filed(bakery, visibility):
    answer = file(browser(), bakery, visibility=visibility)

    assert answer.status_code == 200 and "Public or private?" in answer.content.decode()
    assert not Complaint.objects.exists()


def test_a_logged_in_consumer_finds_her_details_filled_in_and_the_complaint_in_her_account(bakery):
    carol_account = consumer(email="carol@example.nl", name="Carol de Vries", language="en")
    client = browser()
    client.force_login(carol_account)

    page = client.get(form_url(bakery)).content.decode()
    assert 'value="Carol de Vries"' in page and 'value="carol@example.nl"' in page
    assert '<option value="en" selected>' in page

    file(client, bakery)

    complaint = Complaint.objects.get()
    assert complaint.consumer == carol_account
    assert complaint.reference in client.get(reverse("portal:account_home")).content.decode()


def test_an_anonymous_complaint_is_followed_by_reference_and_address_as_before(bakery):
    file(browser(), bakery)
    complaint = Complaint.objects.get()

    other = browser("198.51.100.99")
    found = other.post(reverse("portal:track"), {"reference": complaint.reference, "email": "carol@example.nl"})

    assert found["Location"] == reverse("portal:tracking", args=[complaint.public_id])
    assert "Waiting for screening" in other.get(found["Location"]).content.decode()


def test_a_connected_company_gets_it_under_its_own_policy(acme):
    acme.connected = True
    acme.save()

    file(browser(), acme, category="delivery")

    complaint = Complaint.objects.get()
    assert complaint.platform and complaint.organisation == acme
    assert complaint.policy == PolicyVersion.objects.current(acme) and complaint.policy.preset == "vxhome"
    assert complaint.publication == Publication.PENDING


def test_a_merged_entry_leads_to_the_entry_that_survived(bakery):
    duplicate = Organisation.objects.create(name="Bakkerij Brood BV", slug="bakkerij-brood-bv", merged_into=bakery)

    answer = browser().get(form_url(duplicate))

    assert answer.status_code == 301 and answer["Location"] == form_url(bakery)


def test_an_unknown_company_is_not_found():
    assert browser().get("/bedrijven/bestaat-niet/klacht/").status_code == 404


def test_html_in_every_field_is_stored_as_text_and_shown_escaped(bakery):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client = browser()
    answer = client.post(form_url(bakery), carol(
        description=script, product=script[:190], desired_solution=script, contact_name=script[:190],
    ))
    assert answer.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.description == script and complaint.contact_name == script[:190]

    for page in (client.get(answer["Location"]), client.get(reverse("portal:tracking", args=[complaint.public_id]))):
        text = page.content.decode()
        assert "<script>alert" not in text and "<img src=x" not in text
    assert html.escape(script) in client.get(reverse("portal:tracking", args=[complaint.public_id])).content.decode()


def test_oversized_texts_are_refused_and_nothing_is_stored(bakery):
    for field, size in (("description", 20_001), ("contact_name", 201), ("desired_solution", 5001), ("product", 201)):
        answer = file(browser(), bakery, **{field: "x" * size})
        assert answer.status_code == 200, field
    assert not Complaint.objects.exists()


def test_the_same_form_sent_twice_files_once(bakery):
    client = browser()
    token = "platform-token-0001-abcdefghijklmnop"

    first = file(client, bakery, submission=token)
    second = file(client, bakery, submission=token)

    assert first["Location"] == second["Location"]
    assert Complaint.objects.count() == 1


def test_many_complaints_from_one_address_are_refused_with_what_was_typed_kept(bakery):
    statuses = [file(browser(f"198.51.100.{n}"), bakery).status_code for n in range(6)]

    assert statuses == [302] * 5 + [200]
    assert Complaint.objects.count() == 5


def test_a_robot_filling_the_honeypot_files_nothing(bakery):
    answer = file(browser(), bakery, homepage="http://spam.example")

    assert answer.status_code == 302
    assert not Complaint.objects.exists()


class TestThePublicationStateOnTheTrackingPage:
    def tracking_page(self, client, complaint):
        return client.get(reverse("portal:tracking", args=[complaint.public_id])).content.decode()

    def test_published_links_to_the_public_page_and_withheld_gives_the_reason(self, bakery):
        client = browser()
        file(client, bakery)
        complaint = Complaint.objects.get()
        assert "Waiting for screening" in self.tracking_page(client, complaint)

        Complaint.objects.filter(pk=complaint.pk).update(publication=Publication.PUBLISHED)
        page = self.tracking_page(client, complaint)
        assert "Published: everyone can read your complaint" in page
        assert f'href="/klachten/{complaint.public_id}/"' in page

        Complaint.objects.filter(pk=complaint.pk).update(
            publication=Publication.WITHHELD, withheld_reason="<b>Bevat</b> een naam."
        )
        page = self.tracking_page(client, complaint)
        assert "Not published" in page and "&lt;b&gt;Bevat&lt;/b&gt; een naam." in page

    def test_a_company_s_own_form_shows_no_publication_block(self, vxhome):
        client = browser()
        client.post(reverse("portal:complaint_form", kwargs={"org": vxhome.slug}), {
            **carol(), "category": "levering", "order_number": "VX1"
        })
        complaint = Complaint.objects.get()
        assert not complaint.platform and complaint.publication == Publication.PRIVATE
        assert "Publication on the platform" not in self.tracking_page(client, complaint)
