"""The dashboard of an e-mail-only company: a login link mailed to its registry address, its own
complaints only, its score card, answering there, and claiming the entry.

Shop (klachten@shop.example) and Market (klachten@market.example) are e-mail-only companies.
"""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from conftest import carol_complaint, make_organisation
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Message, Publication
from gehoord.complaints.tracking import tracking_url
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Invitation, Role
from gehoord.platform import companies
from gehoord.platform.models import CompanyScore

pytestmark = pytest.mark.django_db

LOGIN = "/bedrijf/inloggen/"


@pytest.fixture
def shop(db):
    return make_organisation("shop", preset="platform", name="Shop", connected=False)


@pytest.fixture
def market(db):
    return make_organisation("market", preset="platform", name="Market", connected=False)


def sent_complaint(organisation, publication=Publication.PUBLISHED, **overrides):
    complaint = carol_complaint(organisation, **overrides)
    Complaint.objects.filter(pk=complaint.pk).update(platform=True, publication=publication)
    companies.notify(complaint.pk)
    complaint.refresh_from_db()
    return complaint


def login_link_mailed_to(address: str) -> str:
    mail = OutboundMail.objects.filter(kind="company_login", to_address=address).latest("created_at")
    return re.search(r"https?://\S+/bedrijf/link/\S+/", mail.body_text).group(0).partition("://")[2].partition("/")[2]


def log_in(client, address: str):
    client.post(LOGIN, {"email": address})
    path = "/" + login_link_mailed_to(address)
    return client.post(path)


def test_the_login_link_goes_to_the_registry_address_and_logs_the_company_in(client, shop):
    answer = client.post(LOGIN, {"email": "KLACHTEN@shop.example"}, follow=True)

    assert "we have sent a login link" in answer.content.decode()
    [mail] = OutboundMail.objects.filter(kind="company_login")
    assert mail.to_address == "klachten@shop.example"
    path = "/" + login_link_mailed_to("klachten@shop.example")

    shown = client.get(path)  # a mail scanner opening the link spends nothing
    assert shown.status_code == 200 and "Log in as Shop" in shown.content.decode()
    assert client.post(path).url == "/bedrijf/"
    assert client.get("/bedrijf/").status_code == 200


def test_the_same_answer_whatever_was_entered_and_no_mail_for_an_unknown_address(client, shop):
    known = client.post(LOGIN, {"email": "klachten@shop.example"}, follow=True).content.decode()
    unknown = client.post(LOGIN, {"email": "iemand@elders.example"}, follow=True).content.decode()

    message = "If this is the complaint address of a company on the platform"
    assert message in known and message in unknown
    assert OutboundMail.objects.filter(kind="company_login").count() == 1


def test_a_login_link_works_once(client, shop):
    client.post(LOGIN, {"email": "klachten@shop.example"})
    path = "/" + login_link_mailed_to("klachten@shop.example")

    assert client.post(path).url == "/bedrijf/"
    client.post("/bedrijf/uitloggen/")
    assert client.post(path).url == LOGIN
    assert client.get("/bedrijf/").url == LOGIN


def test_an_expired_or_forged_link_logs_no_one_in(client, shop):
    token = companies.login_token(shop)
    later = timezone.now() + companies.LOGIN_LINK_LIFETIME + datetime.timedelta(minutes=1)

    with time_machine.travel(later):
        assert client.post(f"/bedrijf/link/{token}/").url == LOGIN
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.post(f"/bedrijf/link/{forged}/").url == LOGIN
    assert client.post(f"/bedrijf/link/{shop.pk}:x:y:z/").url == LOGIN
    assert client.get("/bedrijf/").url == LOGIN


def test_login_requests_are_rate_limited_per_address(client, shop):
    for _ in range(6):
        client.post(LOGIN, {"email": "klachten@shop.example"})

    assert OutboundMail.objects.filter(kind="company_login").count() == 3


def test_a_company_sees_its_own_complaints_and_never_another_companys(client, shop, market):
    own = sent_complaint(shop, description="Mijn boxspring is kapot.")
    answered = sent_complaint(shop, description="Al beantwoord.")
    Complaint.objects.filter(pk=answered.pk).update(first_reply_at=timezone.now())
    waiting = carol_complaint(shop, description="Nog niet gescreend.")
    Complaint.objects.filter(pk=waiting.pk).update(platform=True, publication=Publication.PENDING)
    theirs = sent_complaint(market, description="Geheim van Market.")
    log_in(client, "klachten@shop.example")

    page = client.get("/bedrijf/").content.decode()

    assert own.reference in page and answered.reference in page
    assert page.count("Not answered yet") == 1
    assert waiting.reference not in page  # not sent to the company yet
    assert theirs.reference not in page
    assert client.get(f"/bedrijf/klachten/{own.public_id}/").status_code == 200
    assert client.get(f"/bedrijf/klachten/{theirs.public_id}/").status_code == 404
    assert client.get(f"/bedrijf/klachten/{waiting.public_id}/").status_code == 404


def test_the_score_card_shows_when_there_is_one(client, shop):
    log_in(client, "klachten@shop.example")
    assert "Not enough complaints yet" in client.get("/bedrijf/").content.decode()

    today = timezone.now().date()
    CompanyScore.objects.create(
        organisation=shop, period_start=today, period_end=today, complaints=12, replied=9, response_rate=0.75,
        resolution_rate=0.5, median_reply_hours=30, score=61.4, computed_at=timezone.now(),
    )
    page = client.get("/bedrijf/").content.decode()
    assert "61 / 100" in page and "75%" in page and "50%" in page


def test_an_answer_on_the_dashboard_is_the_companys_confirmed_reply(client, shop):
    complaint = sent_complaint(shop)
    log_in(client, "klachten@shop.example")

    answer = client.post(f"/bedrijf/klachten/{complaint.public_id}/", {"body": "Wij sturen een nieuwe."})

    assert answer.status_code == 302
    message = Message.objects.get(complaint=complaint, kind=Message.Kind.COMPANY)
    assert (message.sender_confirmed, message.publication, message.body) == (True, Publication.PENDING, "Wij sturen een nieuwe.")
    assert OutboundMail.objects.filter(complaint=complaint, kind="company_reply", to_address="carol@example.nl").exists()
    complaint.refresh_from_db()
    assert complaint.first_reply_at is not None
    assert "Wij sturen een nieuwe." in client.get(f"/bedrijf/klachten/{complaint.public_id}/").content.decode()


def test_an_empty_answer_changes_nothing(client, shop):
    complaint = sent_complaint(shop)
    log_in(client, "klachten@shop.example")

    answer = client.post(f"/bedrijf/klachten/{complaint.public_id}/", {"body": "   "})

    assert answer.status_code == 400
    assert not Message.objects.filter(complaint=complaint, kind=Message.Kind.COMPANY).exists()


def test_claiming_connects_and_verifies_the_company_and_invites_its_admin(client, shop):
    complaint = sent_complaint(shop)
    events_before = complaint.events.count()
    log_in(client, "klachten@shop.example")

    answer = client.post("/bedrijf/claimen/", {"email": "Ellen@Shop.example"})

    assert answer.status_code == 200 and "ellen@shop.example" in answer.content.decode()
    shop.refresh_from_db()
    assert (shop.connected, shop.verified) == (True, True)
    invitation = Invitation.objects.get(organisation=shop)
    assert invitation.email == "ellen@shop.example" and Role.ADMIN in invitation.roles
    invitation_mail = OutboundMail.objects.get(kind="staff_invitation")
    assert invitation_mail.to_address == "ellen@shop.example"
    assert f"/desk/{shop.slug}/invitation/" in invitation_mail.body_text
    complaint.refresh_from_db()
    assert complaint.organisation_id == shop.pk and complaint.events.count() == events_before
    # A connected company works in the desk: the dashboard session has ended.
    assert client.get("/bedrijf/").url == LOGIN


def test_a_claim_with_a_bad_address_changes_nothing(client, shop):
    log_in(client, "klachten@shop.example")

    answer = client.post("/bedrijf/claimen/", {"email": "geen-adres"})

    assert answer.status_code == 400
    shop.refresh_from_db()
    assert (shop.connected, shop.verified) == (False, False)
    assert not Invitation.objects.exists()


# -- the consumer confirms a reply from an unknown address (tracking page) ------------------------


def test_the_consumer_confirms_on_the_tracking_page_that_a_reply_is_the_companys(client, shop):
    complaint = sent_complaint(shop)
    reply = actions.add_message(
        complaint, by=Actor.company(shop, via="jan@helpdesk.example"), body="Wij kijken ernaar.",
        sender="jan@helpdesk.example",
    )
    client.get("/" + tracking_url(complaint).partition("://")[2].partition("/")[2])

    page = client.get(f"/volgen/{complaint.public_id}/").content.decode()
    assert "Is this reply from Shop?" in page and "jan@helpdesk.example" in page

    answer = client.post(
        f"/volgen/{complaint.public_id}/confirm_sender/",
        {"confirm_sender-message_id": reply.pk, "confirm_sender-confirmed": "yes"},
    )

    assert answer.status_code == 302
    reply.refresh_from_db()
    assert reply.sender_confirmed is True
    assert OutboundMail.objects.filter(complaint=complaint, kind="company_reply").exists()
    assert "Is this reply from Shop?" not in client.get(f"/volgen/{complaint.public_id}/").content.decode()


def test_no_confirmation_is_asked_without_a_reply_waiting(client, shop):
    complaint = sent_complaint(shop)
    client.get("/" + tracking_url(complaint).partition("://")[2].partition("/")[2])

    answer = client.post(
        f"/volgen/{complaint.public_id}/confirm_sender/",
        {"confirm_sender-message_id": 1, "confirm_sender-confirmed": "yes"},
    )
    assert answer.status_code == 302  # stale: nothing to confirm, nothing changed
    assert "Is this reply from" not in client.get(f"/volgen/{complaint.public_id}/").content.decode()


def test_an_unconfirmed_reply_is_not_shown_as_the_companys_on_the_timeline(client, shop):
    complaint = sent_complaint(shop)
    actions.add_message(
        complaint, by=Actor.company(shop, via="x@spoof.example"), body="Klik op deze link.", sender="x@spoof.example",
    )
    client.get("/" + tracking_url(complaint).partition("://")[2].partition("/")[2])

    page = client.get(f"/volgen/{complaint.public_id}/").content.decode()
    assert page.count("Klik op deze link.") == 1  # only in the question, with its sender

    reply = Message.objects.get(complaint=complaint, kind=Message.Kind.COMPANY)
    client.post(
        f"/volgen/{complaint.public_id}/confirm_sender/",
        {"confirm_sender-message_id": reply.pk, "confirm_sender-confirmed": "no"},
    )
    assert "Klik op deze link." not in client.get(f"/volgen/{complaint.public_id}/").content.decode()
