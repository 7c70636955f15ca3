"""Consumer accounts (seed 004): sign-up, the confirmed address, single-use login links."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model

from gehoord.errors import InvalidInput
from gehoord.organisations.models import ConsumerAccount, Membership, PlatformMembership
from gehoord.platform import accounts
from gehoord.platform.accounts import LinkInvalid, SignUpResult
from gehoord.platform.tests.accounts_support import PASSWORD, consumer

pytestmark = pytest.mark.django_db


def sign_up(email="carol@example.nl", password=PASSWORD, **overrides):
    values = {"name": "Carol de Vries", "email": email, "password": password, "language": "nl", **overrides}
    return accounts.sign_up(**values)


class TestSigningUp:
    def test_a_new_address_gets_an_unverified_consumer_account_and_no_desk_role(self):
        signed_up = sign_up(email="  Carol@Example.NL ")

        assert signed_up.result == SignUpResult.CREATED
        user = signed_up.user
        assert (user.username, user.email, user.first_name) == ("carol@example.nl", "carol@example.nl", "Carol de Vries")
        assert user.check_password(PASSWORD) and not user.is_staff and not user.is_superuser
        account = ConsumerAccount.objects.get(user=user)
        assert (account.language, account.subscriber, account.email_verified_at) == ("nl", False, None)
        assert not Membership.objects.filter(user=user).exists()
        assert not PlatformMembership.objects.filter(user=user).exists()

    def test_an_address_with_an_account_is_not_signed_up_again(self):
        carol = consumer()

        signed_up = sign_up(email="CAROL@example.nl", name="Someone else")

        assert signed_up == accounts.SignUp(SignUpResult.EXISTS, carol)
        assert get_user_model().objects.count() == 1
        carol.refresh_from_db()
        assert carol.first_name == "Carol" and carol.check_password(PASSWORD)

    def test_a_weak_password_is_refused_for_a_new_and_a_known_address_alike(self):
        consumer()
        for email in ("carol@example.nl", "new@example.nl"):
            with pytest.raises(InvalidInput) as refused:
                sign_up(email=email, password="123")
            assert set(refused.value.errors) == {"password"}
        assert get_user_model().objects.count() == 1

    @pytest.mark.parametrize("field, value", [("name", ""), ("name", "x" * 151), ("email", "a" * 140 + "@example.nl"),
                                              ("language", "fr")])
    def test_wrong_values_are_refused_and_nothing_is_stored(self, field, value):
        with pytest.raises(InvalidInput) as refused:
            sign_up(**{field: value})
        assert field in refused.value.errors
        assert not get_user_model().objects.exists()


class TestConfirmingTheAddress:
    def test_the_link_confirms_once_and_stays_harmless_after(self):
        user = sign_up().user
        token = accounts.verification_token(user)

        assert accounts.verify(token) == (user, True)
        assert ConsumerAccount.objects.get(user=user).email_verified_at is not None
        assert accounts.verify(token) == (user, False)

    def test_a_forged_or_expired_link_confirms_nothing(self):
        user = sign_up().user
        token = accounts.verification_token(user)

        with pytest.raises(LinkInvalid):
            accounts.verify(token[:-2] + "xx")
        with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + accounts.VERIFICATION_VALID + datetime.timedelta(minutes=1)):
            with pytest.raises(LinkInvalid):
                accounts.verify(token)
        assert ConsumerAccount.objects.get(user=user).email_verified_at is None

    def test_a_link_for_an_address_that_changed_since_confirms_nothing(self):
        user = sign_up().user
        token = accounts.verification_token(user)
        user.email = "carol@elsewhere.example"
        user.save()

        with pytest.raises(LinkInvalid):
            accounts.verify(token)


class TestLoginLinks:
    def test_a_link_logs_in_once(self, client):
        carol = consumer()
        token = accounts.login_token(carol)

        assert accounts.user_for_login_link(token) == carol
        client.force_login(carol)  # logging in sets last_login, which the link was signed with

        with pytest.raises(LinkInvalid):
            accounts.user_for_login_link(token)

    def test_a_link_expires_after_half_an_hour(self):
        token = accounts.login_token(consumer())
        later = datetime.datetime.now(tz=datetime.UTC) + accounts.LOGIN_LINK_VALID + datetime.timedelta(seconds=5)
        with time_machine.travel(later):
            with pytest.raises(LinkInvalid):
                accounts.user_for_login_link(token)

    def test_following_a_link_proves_the_address(self):
        carol = consumer(verified=False)

        accounts.user_for_login_link(accounts.login_token(carol))

        assert ConsumerAccount.objects.get(user=carol).email_verified_at is not None

    def test_a_staff_member_gets_no_consumer_login_link(self, alice):
        with pytest.raises(LinkInvalid):
            accounts.user_for_login_link(accounts.login_token(alice))

    def test_a_verification_link_is_no_login_link_and_the_other_way_round(self):
        carol = consumer(verified=False)
        with pytest.raises(LinkInvalid):
            accounts.user_for_login_link(accounts.verification_token(carol))
        with pytest.raises(LinkInvalid):
            accounts.verify(accounts.login_token(carol))


def test_settings_change_name_and_language_but_never_the_subscriber_status():
    carol = consumer(subscriber=True)

    accounts.update_settings(carol, name="Carol V.", language="en")

    carol.refresh_from_db()
    account = ConsumerAccount.objects.get(user=carol)
    assert (carol.first_name, account.language, account.subscriber) == ("Carol V.", "en", True)
    with pytest.raises(InvalidInput):
        accounts.update_settings(carol, name="", language="en")
