"""Login throttling on the staff desk's and the admin's login pages (django-axes, settings.py).

Ten wrong passwords for one account from one client address lock that pair for 15 minutes, even
against the right password; the account's owner elsewhere, and other accounts from the same
address, still log in. An address that fails for many accounts is locked as a whole. The client
address is the one the consumer pages' rate limits count (GEHOORD_PROXY_COUNT).
"""

import datetime

import time_machine
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse

ATTACKER = "203.0.113.66"
ALICE_AT_HOME = "198.51.100.20"
PASSWORD = "secret-pass-123"  # conftest.make_staff


def log_in(username: str, password: str, address: str, page: str = "login") -> tuple[int, Client]:
    client = Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=address)
    response = client.post(reverse(page), {"username": username, "password": password})
    return response.status_code, client


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def fail(username: str, times: int, address: str = ATTACKER, page: str = "login") -> list[int]:
    return [log_in(username, "not-the-password", address, page)[0] for _ in range(times)]


def test_the_eleventh_try_for_an_account_from_one_address_is_refused_even_with_the_right_password(alice):
    assert fail("alice", 9) == [200] * 9  # the form again, with its error
    assert fail("alice", 1) == [429]  # the tenth failure locks the pair

    status, client = log_in("alice", PASSWORD, ATTACKER)

    assert status == 429 and not logged_in(client)


def test_the_lockout_page_says_how_long_it_lasts_and_offers_a_new_password(alice):
    fail("alice", 10)

    client = Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=ATTACKER)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 429
    page = response.content.decode()
    assert "Logging in is paused" in page
    assert "logging in is paused for 15 minutes" in page
    assert f'href="{reverse("password_reset")}"' in page


def test_alice_still_logs_in_from_her_own_address_while_an_attacker_is_locked_out(alice):
    fail("alice", 10)

    status, client = log_in("alice", PASSWORD, ALICE_AT_HOME)

    assert status == 302 and logged_in(client)


def test_another_account_from_the_same_address_still_works_up_to_its_own_limit(alice, manon):
    fail("alice", 10)

    assert fail("manon", 9) == [200] * 9
    status, client = log_in("manon", PASSWORD, ATTACKER)

    assert status == 302 and logged_in(client)


def test_after_the_cool_off_the_account_works_again_from_the_same_address(alice):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        fail("alice", 10)
        clock.shift(datetime.timedelta(minutes=14))
        assert log_in("alice", PASSWORD, ATTACKER)[0] == 429
        clock.shift(datetime.timedelta(minutes=2))

        status, client = log_in("alice", PASSWORD, ATTACKER)

        assert status == 302 and logged_in(client)


def test_an_address_that_fails_for_many_accounts_is_locked_as_a_whole(manon):
    for number in range(10):
        assert fail(f"guess-{number}", 5) == [200] * 5  # 50 failures, no account near its own limit

    status, client = log_in("manon", PASSWORD, ATTACKER)

    assert status == 429 and not logged_in(client)
    assert log_in("manon", PASSWORD, ALICE_AT_HOME)[0] == 302


def test_the_admin_login_is_throttled_too(db):
    get_user_model().objects.create_superuser("root", "root@gehoord.example", PASSWORD)

    assert fail("root", 10, page="admin:login")[-1] == 429
    status, client = log_in("root", PASSWORD, ATTACKER, page="admin:login")

    assert status == 429 and not logged_in(client)
    assert log_in("root", PASSWORD, ALICE_AT_HOME, page="admin:login")[0] == 302


def test_behind_a_proxy_the_address_the_proxy_saw_is_counted(alice, settings):
    settings.GEHOORD_PROXY_COUNT = 1
    balancer = "10.0.0.2"

    def through_the_balancer(password: str, client_address: str) -> tuple[int, Client]:
        client = Client(REMOTE_ADDR=balancer, headers={"X-Forwarded-For": f"1.2.3.4, {client_address}"})
        response = client.post(reverse("login"), {"username": "alice", "password": password})
        return response.status_code, client

    assert [through_the_balancer("wrong", ATTACKER)[0] for _ in range(10)][-1] == 429

    status, client = through_the_balancer(PASSWORD, ALICE_AT_HOME)

    assert status == 302 and logged_in(client)  # the balancer's own address is not what was locked


def test_a_client_address_that_is_not_an_ip_address_does_not_break_the_login(alice, settings):
    settings.GEHOORD_PROXY_COUNT = 1  # a proxy that passes on what the client wrote (misconfigured)
    client = Client(REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": "not-an-address"})

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302 and logged_in(client)
