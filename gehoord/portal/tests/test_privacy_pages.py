"""The consumer's data pages: /account/gegevens/ (download, erase with a confirmation step) and
/gegevens/ (a download link mailed to the address: the same answer whatever was typed,
rate-limited, signed and expiring, asking before it downloads)."""

import io
import json
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import reverse

from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Event
from gehoord.mail.models import OutboundMail
from gehoord.platform.tests.accounts_support import consumer, email_only_company, file_platform_complaint

pytestmark = pytest.mark.django_db

BASE = "https://klachten.example"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.GEHOORD_BASE_URL = BASE


def browser(address="198.51.100.7") -> Client:
    return Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=address)


def zip_data(answer) -> dict:
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert 'attachment; filename="gehoord-gegevens.zip"' in answer["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as archive:
        return json.loads(archive.read("data.json"))


def main(answer) -> str:
    return answer.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def carol():
    return consumer()


@pytest.fixture
def carols_complaint(carol):
    return file_platform_complaint(email_only_company(), user=carol, description="Het brood was beschimmeld.")


class TestTheAccountsDataPage:
    def test_carol_downloads_her_data(self, carol, carols_complaint):
        client = browser()
        client.force_login(carol)
        assert f'href="{reverse("portal:account_data")}"' in client.get(reverse("portal:account_home")).content.decode()
        page = client.get(reverse("portal:account_data"))
        assert page.status_code == 200 and "Download my data" in page.content.decode()

        data = zip_data(client.post(reverse("portal:account_data_download")))

        assert [c["description"] for c in data["complaints"]] == ["Het brood was beschimmeld."]
        assert Event.objects.get(kind=EventKind.DATA_EXPORTED).data == {"format": "zip", "purpose": "account"}

    def test_downloading_takes_a_post(self, carol, carols_complaint):
        client = browser()
        client.force_login(carol)
        assert client.get(reverse("portal:account_data_download")).status_code == 405

    def test_erasing_asks_for_confirmation_first(self, carol, carols_complaint):
        client = browser()
        client.force_login(carol)
        assert "cannot be undone" in client.get(reverse("portal:account_data_erase")).content.decode()

        refused = client.post(reverse("portal:account_data_erase"), {})

        assert refused.status_code == 400 and "Tick the box to confirm." in refused.content.decode()
        carols_complaint.refresh_from_db()
        assert carols_complaint.anonymised_at is None and carols_complaint.contact_email == "carol@example.nl"

    def test_carol_erases_her_data_and_is_logged_out(self, carol, carols_complaint):
        client = browser()
        client.force_login(carol)

        answer = client.post(reverse("portal:account_data_erase"), {"confirm": "on"})

        assert answer.status_code == 302 and answer["Location"] == reverse("portal:home")
        carols_complaint.refresh_from_db()
        assert carols_complaint.anonymised_at is not None and carols_complaint.contact_email == ""
        assert not get_user_model().objects.filter(email="carol@example.nl").exists()
        assert client.get(reverse("portal:account_data")).status_code == 302  # to the login page

    def test_a_visitor_is_sent_to_log_in(self):
        answer = browser().get(reverse("portal:account_data"))
        assert answer.status_code == 302 and reverse("portal:account_login") in answer["Location"]


class TestTheMailedLink:
    def ask(self, client, email):
        return client.post(reverse("portal:data_ask_link"), {"email": email})

    def test_someone_without_an_account_gets_a_link_and_downloads(self, django_capture_on_commit_callbacks):
        complaint = file_platform_complaint(email_only_company())
        client = browser()
        with django_capture_on_commit_callbacks(execute=True):
            answer = self.ask(client, "Carol@Example.nl")
        assert answer.status_code == 200 and "Check your mail" in answer.content.decode()

        mail = OutboundMail.objects.get(kind="data_export_link")
        assert mail.to_address == "carol@example.nl"
        link = re.search(rf"^{re.escape(BASE)}(/\S+)$", mail.body_text, re.MULTILINE).group(1)
        opened = client.get(link)
        assert opened.status_code == 200 and not Event.objects.filter(kind=EventKind.DATA_EXPORTED).exists()

        data = zip_data(client.post(link))

        assert [c["reference"] for c in data["complaints"]] == [complaint.reference]
        assert Event.objects.get(kind=EventKind.DATA_EXPORTED).data["purpose"] == "mailed_link"

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self):
        file_platform_complaint(email_only_company())
        known, unknown = self.ask(browser(), "carol@example.nl"), self.ask(browser("203.0.113.9"), "nobody@example.nl")
        assert known.status_code == unknown.status_code == 200
        assert main(known).replace("carol@example.nl", "X") == main(unknown).replace("nobody@example.nl", "X")
        assert list(OutboundMail.objects.values_list("to_address", flat=True).filter(kind="data_export_link")) == [
            "carol@example.nl"
        ]

    def test_requests_are_rate_limited_per_address(self):
        file_platform_complaint(email_only_company())
        for n in range(3):
            assert self.ask(browser(f"198.51.100.{n + 1}"), "carol@example.nl").status_code == 200
        assert self.ask(browser("198.51.100.99"), "carol@example.nl").status_code == 429
        assert OutboundMail.objects.filter(kind="data_export_link").count() == 3

    def test_a_bad_address_is_refused_and_nothing_is_sent(self):
        answer = self.ask(browser(), "not an address")
        assert answer.status_code == 400
        assert not OutboundMail.objects.exists()

    def test_a_forged_or_expired_link_downloads_nothing(self, settings):
        file_platform_complaint(email_only_company())
        forged = signing.dumps({"email": "carol@example.nl"}, salt="something else")
        answer = browser().post(reverse("portal:data_link", kwargs={"token": forged}))
        assert answer.status_code == 302 and answer["Location"] == reverse("portal:data_ask_link")
        assert not Event.objects.filter(kind=EventKind.DATA_EXPORTED).exists()
        assert Complaint.objects.count() == 1
