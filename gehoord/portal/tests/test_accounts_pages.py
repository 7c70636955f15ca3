"""The consumer's account pages (seed 004): /account/aanmelden/, /account/inloggen/, /account/, ...

Carol signs up, confirms her address with the link from the outbox, logs in with her password or a
mailed link, and sees her complaints at any company. Nobody can learn from these pages whether an
address has an account; wrong passwords and link requests are throttled; a consumer's login opens
no desk.
"""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from gehoord.complaints.models import Complaint
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import ConsumerAccount
from gehoord.platform.tests.accounts_support import PASSWORD, consumer, email_only_company, file_platform_complaint

pytestmark = pytest.mark.django_db

BASE = "https://klachten.example"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.GEHOORD_BASE_URL = BASE


def browser(address="198.51.100.7") -> Client:
    return Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=address)


def sign_up(client, **overrides):
    values = {"name": "Carol de Vries", "email": "carol@example.nl", "password": PASSWORD, "language": "nl", **overrides}
    return client.post(reverse("portal:account_sign_up"), values)


def link_in(mail: OutboundMail, path_prefix: str) -> str:
    found = re.search(rf"^{re.escape(BASE)}({re.escape(path_prefix)}\S+)$", mail.body_text, re.MULTILINE)
    assert found, mail.body_text
    return found.group(1)


def logged_in_user(client):
    return client.get(reverse("portal:account_home")).wsgi_request.user


class TestSigningUp:
    def test_carol_signs_up_confirms_by_the_mailed_link_and_is_logged_in(self, django_capture_on_commit_callbacks):
        client = browser()
        with django_capture_on_commit_callbacks(execute=True):
            answer = sign_up(client)

        assert answer.status_code == 302 and answer["Location"] == reverse("portal:account_signed_up")
        assert "carol@example.nl" in client.get(answer["Location"]).content.decode()
        mail = OutboundMail.objects.get()
        assert (mail.kind, mail.to_address, mail.language, mail.state) == ("account_verification", "carol@example.nl", "nl", "sent")
        assert not logged_in_user(client).is_authenticated

        confirmed = client.get(link_in(mail, "/account/bevestigen/"))

        assert confirmed["Location"] == reverse("portal:account_home")
        assert ConsumerAccount.objects.get(user__email="carol@example.nl").email_verified_at is not None
        assert logged_in_user(client).email == "carol@example.nl"

    def test_a_second_click_on_the_link_does_not_log_in_again(self):
        sign_up(browser())
        path = link_in(OutboundMail.objects.get(), "/account/bevestigen/")
        browser().get(path)

        later = browser()
        answer = later.get(path)

        assert answer["Location"] == reverse("portal:account_login")
        assert not logged_in_user(later).is_authenticated

    def test_a_known_address_sees_the_same_page_and_its_owner_gets_the_mail(self):
        carol = consumer()
        new_visitor, someone = browser("198.51.100.8"), browser("198.51.100.9")

        for_new = sign_up(new_visitor, email="new@example.nl")
        for_known = sign_up(someone, email="Carol@Example.nl", name="Mallory")

        assert (for_new.status_code, for_new["Location"]) == (for_known.status_code, for_known["Location"])
        page_new = new_visitor.get(for_new["Location"]).content.decode().replace("new@example.nl", "ADDRESS")
        page_known = someone.get(for_known["Location"]).content.decode().replace("Carol@Example.nl", "ADDRESS")
        strip = lambda page: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", page)
        assert strip(page_new) == strip(page_known)
        told = OutboundMail.objects.get(to_address="carol@example.nl")
        assert told.kind == "account_exists" and "/account/inloglink/" in told.body_text
        assert get_user_model().objects.filter(email="carol@example.nl").get() == carol
        carol.refresh_from_db()
        assert carol.first_name == "Carol"

    def test_a_weak_password_is_refused_on_the_form_alike_for_any_address(self):
        consumer()
        for email in ("carol@example.nl", "new@example.nl"):
            answer = sign_up(browser(), email=email, password="12345678")
            assert answer.status_code == 200 and "too common" in answer.content.decode()
        assert not OutboundMail.objects.exists()

    def test_script_in_the_name_is_stored_as_text_and_shown_escaped(self):
        script = '<script>alert("x")</script>'
        sign_up(browser(), name=script)
        user = get_user_model().objects.get(email="carol@example.nl")
        assert user.first_name == script

        client = browser()
        client.force_login(user)
        page = client.get(reverse("portal:account_settings")).content.decode()
        assert script not in page and html.escape(script, quote=True) in page

    def test_oversized_input_is_refused_and_nothing_is_stored(self):
        for overrides in ({"name": "x" * 151}, {"email": "a" * 150 + "@example.nl"}, {"password": "p" * 200},
                          {"language": "de"}):
            answer = sign_up(browser(), **overrides)
            assert answer.status_code == 200, overrides
        assert not get_user_model().objects.exists() and not OutboundMail.objects.exists()

    def test_sign_ups_for_one_address_are_throttled(self):
        statuses = [sign_up(browser(f"198.51.100.{n}")).status_code for n in range(4)]
        assert statuses == [302, 302, 302, 429]
        assert OutboundMail.objects.count() == 3


class TestLoggingIn:
    def login(self, client, email="carol@example.nl", password=PASSWORD, next_url=""):
        return client.post(reverse("portal:account_login"), {"email": email, "password": password, "next": next_url})

    def test_carol_logs_in_with_her_password(self):
        carol = consumer()
        client = browser()

        answer = self.login(client, email="CAROL@example.nl")

        assert answer["Location"] == reverse("portal:account_home")
        assert logged_in_user(client) == carol

    def test_a_safe_next_page_is_followed_and_another_site_is_not(self):
        consumer()
        form_page = "/bedrijven/bakkerij-brood/klacht/"
        assert self.login(browser(), next_url=form_page)["Location"] == form_page
        assert self.login(browser(), next_url="https://evil.example/")["Location"] == reverse("portal:account_home")

    def test_a_wrong_password_an_unknown_address_and_a_staff_login_get_the_same_answer(self, alice):
        consumer()
        answers = [
            self.login(browser(), password="wrong-password"),
            self.login(browser(), email="nobody@example.nl"),
            self.login(browser(), email="alice@acme.example", password="secret-pass-123"),
        ]
        texts = {"This e-mail address and password do not match an account." in a.content.decode() for a in answers}
        assert texts == {True} and {a.status_code for a in answers} == {200}

    def test_an_unconfirmed_account_gets_a_new_confirmation_link_instead(self):
        consumer(verified=False)
        client = browser()

        answer = self.login(client)

        assert "Confirm your e-mail address first" in answer.content.decode()
        assert not logged_in_user(client).is_authenticated
        assert OutboundMail.objects.get().kind == "account_verification"

    def test_ten_wrong_passwords_lock_the_account_from_that_address(self):
        consumer()
        client = browser()
        statuses = [self.login(client, password=f"wrong-{n}").status_code for n in range(11)]

        assert statuses[:9] == [200] * 9 and statuses[-1] == 429
        assert self.login(client).status_code == 429  # even the right password, until the cool-off ends
        assert not logged_in_user(client).is_authenticated

    def test_logging_out(self):
        client = browser()
        client.force_login(consumer())
        assert client.post(reverse("portal:account_logout"))["Location"] == reverse("portal:home")
        assert not logged_in_user(client).is_authenticated


class TestLoginLinks:
    def ask(self, client, email="carol@example.nl"):
        return client.post(reverse("portal:account_ask_login_link"), {"email": email})

    def test_the_mailed_link_logs_in_once_after_a_confirming_click(self):
        carol = consumer()
        self.ask(browser())
        path = link_in(OutboundMail.objects.get(kind="login_link"), "/account/inloglink/")

        client = browser()
        shown = client.get(path)  # a mail scanner opening the link spends nothing
        assert shown.status_code == 200 and "carol@example.nl" in shown.content.decode()
        assert client.post(path)["Location"] == reverse("portal:account_home")
        assert logged_in_user(client) == carol

        again = browser()
        assert again.post(path)["Location"] == reverse("portal:account_login")
        assert not logged_in_user(again).is_authenticated

    def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(self, alice):
        consumer()
        answers = [self.ask(browser(), email) for email in ("carol@example.nl", "nobody@example.nl", "alice@acme.example")]

        assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("portal:account_login"))}
        assert list(OutboundMail.objects.values_list("to_address", flat=True)) == ["carol@example.nl"]

    def test_requests_are_throttled_per_address(self):
        consumer()
        statuses = [self.ask(browser(f"198.51.100.{n}")).status_code for n in range(4)]
        assert statuses == [302, 302, 302, 429]

    def test_a_forged_link_logs_in_nobody(self):
        client = browser()
        assert client.get("/account/inloglink/forged:token/")["Location"] == reverse("portal:account_login")
        assert client.post("/account/inloglink/forged:token/")["Location"] == reverse("portal:account_login")


class TestMyComplaints:
    def test_carol_sees_every_complaint_of_her_account_newest_first_and_follows_one(self, acme):
        carol = consumer()
        bakery = email_only_company()
        garage = email_only_company(slug="garage-west", name="Garage West")
        first = file_platform_complaint(bakery, public=True, user=carol)
        second = file_platform_complaint(garage, public=False, user=carol)
        someone_elses = file_platform_complaint(bakery, public=True, description="Niet van Carol.")
        client = browser()
        client.force_login(carol)

        page = client.get(reverse("portal:account_home")).content.decode()

        assert page.index(second.reference) < page.index(first.reference)
        assert someone_elses.reference not in page
        assert "Garage West" in page and "Bakkerij Brood" in page
        assert "waiting for screening" in page and "private" in page
        followed = client.get(reverse("portal:account_complaint", args=[first.public_id]))
        assert followed["Location"] == reverse("portal:tracking", args=[first.public_id])
        assert client.get(followed["Location"]).status_code == 200
        assert client.get(reverse("portal:account_complaint", args=[someone_elses.public_id])).status_code == 404
        assert client.get(reverse("portal:tracking", args=[someone_elses.public_id]))["Location"] == reverse("portal:track")

    def test_the_pages_ask_to_log_in_first(self):
        for name in ("portal:account_home", "portal:account_settings"):
            answer = browser().get(reverse(name))
            assert answer["Location"].startswith(reverse("portal:account_login") + "?next=")


class TestSettings:
    def test_carol_changes_her_name_and_language_but_not_her_subscription(self):
        carol = consumer()
        client = browser()
        client.force_login(carol)
        assert "No. Subscribers can hand" in client.get(reverse("portal:account_settings")).content.decode()

        answer = client.post(reverse("portal:account_settings"), {"name": "Carol V.", "language": "en", "subscriber": "on"})

        assert answer["Location"] == reverse("portal:account_settings")
        account = ConsumerAccount.objects.select_related("user").get(user=carol)
        assert (account.user.first_name, account.language, account.subscriber) == ("Carol V.", "en", False)


class TestNoDeskForConsumers:
    def test_a_consumer_login_opens_no_desk_and_no_moderation(self, acme):
        carol = consumer()
        client = browser()
        client.force_login(carol)

        assert "desk/no_organisation.html" in [t.name for t in client.get(reverse("desk:home")).templates]
        assert client.get(reverse("desk:queue", args=[acme.slug])).status_code == 404
        assert client.get(reverse("moderation:home")).status_code == 404
        assert client.get(reverse("moderation:screening")).status_code == 404

    def test_a_staff_member_has_no_consumer_pages(self, alice):
        client = browser()
        client.force_login(alice)
        assert client.get(reverse("portal:account_home")).status_code == 404
        assert not Complaint.objects.exists()
