"""The page an invitation's link opens: Eve (no account yet) and Dave (an account at the invited
address) join Acme's staff; a wrong, used, withdrawn or expired link says so and changes nothing."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from gehoord.mail.tests.support import Sink
from gehoord.organisations import invitations
from gehoord.organisations.models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db


def roles(organisation, user):
    return set(Membership.objects.filter(organisation=organisation, user=user).values_list("role", flat=True))


def link(organisation, token):
    return reverse("desk:invitation", args=[organisation.slug, token])


def english(user=None) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def dave(db):
    """Has a login at this installation (at another address's case), no role at Acme."""
    return get_user_model().objects.create_user(username="dave", email="Dave@Example.nl", password="secret-pass-123")


@pytest.fixture
def sink(settings):
    server = Sink()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.controller.stop()


def invite(organisation, by, email="eve@example.nl", roles=(Role.AGENT, Role.MANAGER)):
    return invitations.invite(organisation, email=email, roles=roles, by=by)


def eve_account(**overrides):
    values = {"first_name": "Eve", "last_name": "Jansen", "password": "tijdelijk-wachtwoord-7",
              "password_again": "tijdelijk-wachtwoord-7"}
    values.update(overrides)
    return values


def test_eve_follows_the_link_in_the_mail_makes_her_account_and_lands_in_the_desk(
    acme, ada, sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        english(ada).post(reverse("desk:settings_staff_invite", args=["acme"]),
                          {"email": "eve@example.nl", "roles": [Role.AGENT, Role.MANAGER]})
    [message] = sink.parsed()
    assert message["To"] == "eve@example.nl"
    text = message.get_body(("plain",)).get_content()
    [url] = re.findall(r"http://127\.0\.0\.1:8000(/desk/acme/invitation/[\w-]+/)", text)

    eve = english()
    page = eve.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Join the staff of Acme" in html and "complaint manager" in html and "eve@example.nl" in html
    assert "Log in, then accept the invitation" in html and 'name="password_again"' in html

    response = eve.post(url, eve_account())

    assert response.status_code == 302 and response["Location"] == reverse("desk:home")
    account = get_user_model().objects.get(email="eve@example.nl")
    assert (account.username, account.first_name, account.last_name) == ("eve@example.nl", "Eve", "Jansen")
    assert account.check_password("tijdelijk-wachtwoord-7")
    assert roles(acme, account) == {Role.AGENT, Role.MANAGER}
    assert eve.get(reverse("desk:home"))["Location"] == reverse("desk:queue", args=["acme"])  # logged in
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == account and invitation.accepted_at is not None

    again = english().post(url, eve_account(first_name="Mallory"))
    assert again.status_code == 409
    assert "This invitation has been accepted already." in again.content.decode()
    assert get_user_model().objects.filter(email="eve@example.nl").count() == 1


def test_opening_the_link_changes_nothing_only_the_button_accepts(acme, ada, dave):
    _invitation, token = invite(acme, ada, email="dave@example.nl", roles=[Role.BOARD])
    as_dave = english(dave)

    page = as_dave.get(link(acme, token))
    assert "Accept the invitation" in page.content.decode()
    assert roles(acme, dave) == set()

    response = as_dave.post(link(acme, token))
    assert response.status_code == 302
    assert roles(acme, dave) == {Role.BOARD}


def test_staff_of_acme_invited_again_keep_their_roles_and_gain_the_new_ones(acme, ada, alice):
    _invitation, token = invite(acme, ada, email="alice@other-address.example", roles=[Role.MANAGER])
    alice.email = "alice@other-address.example"
    alice.save(update_fields=["email"])
    english(alice).post(link(acme, token))
    assert roles(acme, alice) == {Role.AGENT, Role.MANAGER}


def test_someone_logged_in_with_another_address_cannot_accept(acme, ada, oscar):
    _invitation, token = invite(acme, ada, email="dave@example.nl")
    as_oscar = english(oscar)

    response = as_oscar.post(link(acme, token))

    assert response.status_code == 200
    assert "whose e-mail address is not the invited one" in response.content.decode()
    assert roles(acme, oscar) == set()
    assert Invitation.objects.get().accepted_at is None


def test_a_new_account_needs_a_name_and_a_good_password_twice_and_nothing_changes_otherwise(acme, ada):
    _invitation, token = invite(acme, ada)
    eve = english()
    for wrong, field in (
        (eve_account(first_name=""), "first_name"),
        (eve_account(password="123", password_again="123"), "password"),
        (eve_account(password_again="something-else-8"), "password_again"),
    ):
        response = eve.post(link(acme, token), wrong)
        assert response.status_code == 200
        assert response.context["form"].errors[field], field
    assert not get_user_model().objects.filter(email="eve@example.nl").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_address_with_an_account_is_sent_to_log_in_rather_than_make_a_second(acme, ada, dave):
    _invitation, token = invite(acme, ada, email="dave@example.nl")

    response = english().post(link(acme, token), eve_account(first_name="Dave"))

    assert response.status_code == 200
    assert "There is an account with this e-mail address already. Log in with it" in response.content.decode()
    assert get_user_model().objects.filter(email__iexact="dave@example.nl").count() == 1
    assert roles(acme, dave) == set()


def wrong_token(acme, other, ada, token):
    return link(acme, token[:-1] + ("A" if token[-1] != "A" else "B"))


def used(acme, other, ada, token):
    dave = get_user_model().objects.create_user(username="eve", email="eve@example.nl")
    invitations.accept(token, dave)
    return link(acme, token)


def withdrawn(acme, other, ada, token):
    invitations.revoke_invitation(acme, Invitation.objects.get().pk)
    return link(acme, token)


def under_another_organisation(acme, other, ada, token):
    return link(other, token)


@pytest.mark.parametrize(
    "make_link, status, problem",
    [
        (wrong_token, 404, "This invitation link is not valid."),
        (used, 409, "This invitation has been accepted already."),
        (withdrawn, 409, "This invitation was withdrawn by the organisation."),
        (under_another_organisation, 404, "This invitation link is not valid."),
    ],
)
def test_a_link_that_cannot_be_used_says_why_and_changes_nothing(acme, other, ada, make_link, status, problem):
    _invitation, token = invite(acme, ada)
    url = make_link(acme, other, ada, token)
    before = sorted(Membership.objects.values_list("user_id", "organisation_id", "role"))
    users = get_user_model().objects.count()

    for response in (english().get(url), english().post(url, eve_account(first_name="Mallory"))):
        assert response.status_code == status
        assert problem in response.content.decode()

    assert sorted(Membership.objects.values_list("user_id", "organisation_id", "role")) == before
    assert get_user_model().objects.count() == users


def test_a_link_expires_after_seven_days(acme, ada):
    _invitation, token = invite(acme, ada)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7, minutes=1)):
        response = english().post(link(acme, token), eve_account())
    assert response.status_code == 409
    assert "This invitation has expired. Ask the organisation for a new one." in response.content.decode()
    assert not get_user_model().objects.filter(email="eve@example.nl").exists()
