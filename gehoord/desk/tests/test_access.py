"""Who may open the staff desk: staff of the organisation only; everyone else is sent to log in
or finds nothing there (404, as if the page did not exist)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import carol_complaint, make_organisation
from gehoord.complaints import actions
from gehoord.complaints.attachments import Upload
from gehoord.complaints.models import Event
from gehoord.desk.tests.conftest import PDF, action_url, assert_no_inline_code, browser, page_url
from gehoord.organisations.models import PlatformMembership, PlatformRole, Role


@pytest.fixture
def carols(acme):
    return carol_complaint(acme, uploads=[Upload.from_bytes("bon.pdf", PDF)])


def acme_pages(complaint):
    attachment = complaint.attachments.get()
    return {
        "queue": reverse("desk:queue", args=["acme"]),
        "intake": reverse("desk:intake", args=["acme"]),
        "complaint": page_url(complaint),
        "attachment": page_url(complaint, "desk:attachment", attachment.pk),
    }


@pytest.mark.parametrize("page", ["queue", "intake", "complaint", "attachment"])
def test_anonymous_visitors_are_sent_to_log_in(client, carols, page):
    url = acme_pages(carols)[page]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_posts_change_nothing_and_ask_to_log_in(client, carols):
    response = client.post(action_url(carols, "withdraw"), {"withdraw-reason": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    carols.refresh_from_db()
    assert carols.status == "acknowledged"


def test_the_desk_home_asks_to_log_in(client):
    response = client.get(reverse("desk:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["queue", "intake", "complaint", "attachment"])
def test_oscar_of_another_organisation_finds_nothing_at_acme(as_oscar_browser, carols, page):
    response = as_oscar_browser.get(acme_pages(carols)[page])

    assert response.status_code == 404


def test_oscar_cannot_act_or_write_on_acmes_complaint(as_oscar_browser, carols):
    events = Event.objects.filter(complaint=carols).count()

    refused_action = as_oscar_browser.post(action_url(carols, "withdraw"), {"withdraw-reason": "weg"})
    refused_message = as_oscar_browser.post(
        page_url(carols, "desk:message"), {"kind": "message", "message-body": "Hallo"}
    )

    assert refused_action.status_code == 404
    assert refused_message.status_code == 404
    carols.refresh_from_db()
    assert carols.status == "acknowledged"
    assert Event.objects.filter(complaint=carols).count() == events
    assert not carols.messages.exists()


def test_oscar_cannot_reach_his_own_complaint_through_acmes_address(alice, as_alice_browser, other, oscar):
    """The organisation in the address scopes every lookup: another organisation's reference is not found."""
    others = carol_complaint(other)

    response = as_alice_browser.get(reverse("desk:complaint", args=["acme", others.reference]))

    assert response.status_code == 404


def test_a_company_admin_without_a_handling_role_does_not_see_complaints(ada, carols):
    """Admins edit the organisation; reading complaints (personal data) is for those who handle them."""
    admin = browser(ada)

    assert admin.get(reverse("desk:queue", args=["acme"])).status_code == 404
    assert admin.get(page_url(carols)).status_code == 404
    assert not Event.objects.filter(complaint=carols, kind="personal_data_viewed").exists()


def test_the_action_address_shows_the_form_on_get_and_changes_nothing(as_alice_browser, carols):
    page = as_alice_browser.get(action_url(carols, "withdraw"))
    fragment = as_alice_browser.get(action_url(carols, "withdraw"), headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert re.search(r'<details class="action[^"]*" id="action-withdraw" open>', page.content.decode())
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith("<form") and 'name="withdraw-reason"' in fragment.content.decode()
    carols.refresh_from_db()
    assert carols.status == "acknowledged"


def test_a_form_that_is_no_longer_possible_says_so(as_alice_browser, carols, as_alice):
    actions.withdraw(carols, by=as_alice, reason="Opgelost")

    fragment = as_alice_browser.get(action_url(carols, "withdraw"), headers={"HX-Request": "true"})

    assert "no longer possible" in fragment.content.decode() and "<form" not in fragment.content.decode()


def test_the_action_address_takes_no_put(as_alice_browser, carols):
    assert as_alice_browser.put(action_url(carols, "withdraw")).status_code == 405


def test_an_unknown_action_is_not_found(as_alice_browser, carols):
    response = as_alice_browser.post(action_url(carols, "delete_everything"))

    assert response.status_code == 404


def test_alice_goes_straight_to_her_organisations_queue(as_alice_browser, acme):
    response = as_alice_browser.get(reverse("desk:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:queue", args=["acme"])


def test_a_company_admin_goes_to_the_settings(ada, acme):
    response = browser(ada).get(reverse("desk:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:settings", args=["acme"])


def test_staff_of_several_organisations_choose_one(alice, acme):
    second = make_organisation("second")
    alice.memberships.create(organisation=second, role=Role.AGENT)

    response = browser(alice).get(reverse("desk:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("desk:queue", args=["acme"]) in html
    assert reverse("desk:queue", args=["second"]) in html


def test_an_account_without_an_organisation_gets_a_friendly_page(db):
    nobody = get_user_model().objects.create_user(username="nobody", password="secret-pass-123")

    response = browser(nobody).get(reverse("desk:home"))

    assert response.status_code == 200
    assert "does not handle complaints for any organisation" in response.content.decode()


def test_alice_logs_in_and_lands_on_her_queue(alice, acme):
    client = Client()

    form = client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "alice", "password": "secret-pass-123"}, follow=True)

    assert form.status_code == 200
    assert 'for="id_username"' in form.content.decode()
    assert_no_inline_code(form.content.decode())
    assert response.redirect_chain[-1][0] == reverse("desk:queue", args=["acme"])
    assert response.status_code == 200


def test_a_wrong_password_is_told_and_the_username_kept(alice):
    response = Client().post(reverse("login"), {"username": "alice", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert 'value="alice"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"), [(PlatformRole.MODERATOR, "/moderatie/"), (PlatformRole.LEGAL_ADVISOR, "/rechtshulp/")]
)
def test_the_desk_home_takes_the_platforms_own_staff_to_their_work(client, role, url):
    user = get_user_model().objects.create_user(username="pat", password="x-pass-2026-long")
    PlatformMembership.objects.create(user=user, role=role)
    client.force_login(user)
    assert client.get("/desk/").headers["Location"] == url


MENU_LINK = re.compile(r'<(?:nav|header)[\s\S]*?</(?:nav|header)>')


@pytest.mark.parametrize("persona", ["alice", "manon", "bert", "ada"])
def test_the_menu_offers_only_pages_the_role_can_open(request, acme, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    entry = client.get(reverse("desk:home"), follow=True)
    assert entry.status_code == 200
    menu = MENU_LINK.search(entry.content.decode()).group(0)
    links = set(re.findall(r'href="(/desk/[^"#]*)"', menu.replace("&amp;", "&")))
    assert links, "the menu links to the desk"
    for link in links:
        assert client.get(link, follow=True).status_code == 200, link
    if persona == "ada":  # a company admin who handles no complaints: the settings and the reports, no queue
        assert links <= {reverse("desk:home"), reverse("desk:settings", args=["acme"]), reverse("desk:reports", args=["acme"])}
        assert reverse("desk:reports", args=["acme"]) in links
