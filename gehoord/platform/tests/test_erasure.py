"""Erasure (GDPR): after `gehoord erase` nothing in the whole database names the person (every
table's text, JSON and bytes searched), their files are gone, their account is unusable, and the
company's score card and the register's counts are what they were."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import carol_complaint
from gehoord.api.tests.conftest import ApiClient, carol_payload
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.attachments import Upload
from gehoord.complaints.events import EventKind
from gehoord.complaints.models import Complaint, Event
from gehoord.inbound import pipeline
from gehoord.organisations.models import ConsumerAccount
from gehoord.platform import privacy, scores
from gehoord.platform.models import CompanyScore
from gehoord.platform.tests.endings_support import email_only_company, platform_complaint
from gehoord.portal.account_views import LOGIN_LINKS_PER_EMAIL
from gehoord.portal.tests.conftest import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

NAME, EMAIL, PHONE = "Femke Zonneveld", "femke.zonneveld@example.nl", "06-12345678"
# Every way the person may be written down.
TRACES = ("femke", "zonneveld", EMAIL, "0612345678", PHONE, "06 1234 5678")


def everything_in_the_database() -> str:
    """Every value of every column of every table, as text (bytes read as Latin-1)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode("latin-1")
                    found.append(f"{table}: {value}")
    return "\n".join(found).lower()


def traces_left() -> list[str]:
    dump = everything_in_the_database()
    return [line for line in dump.splitlines() if any(trace.lower() in line for trace in TRACES)]


@pytest.fixture
def femke():
    user = get_user_model().objects.create_user(username=EMAIL, email=EMAIL, password="zonnig-weer-2026", first_name="Femke",
                                                last_name="Zonneveld")
    ConsumerAccount.objects.create(user=user)
    return user


@pytest.fixture
def company():
    return email_only_company(name="Zeepwinkel B.V.")


@pytest.fixture
def femkes_complaints(femke, company):
    first = platform_complaint(
        company, consumer=femke, days_ago=40, contact_name=NAME, contact_email=EMAIL, contact_phone=PHONE,
        description=f"Ik ben Femke Zonneveld, bel me op 06 1234 5678 of mail {EMAIL}. De zeep gaf uitslag.",
        desired_solution="Geld terug naar rekening van F. Zonneveld.",
        uploads=[Upload.from_bytes("femke-zonneveld-bon.png", png_bytes())],
    )
    by = Actor.consumer(first)
    actions.add_message(first, by=by, body="Groet, Femke (0612345678)")
    actions.perform("close_unanswered", first, by=by)
    second = platform_complaint(company, days_ago=3, contact_name=NAME, contact_email=EMAIL.upper(),
                                description="Nog een klacht, van Femke.")
    # Her reply by mail, stored raw and parsed.
    raw = (
        f"From: {NAME} <{EMAIL}>\r\nTo: klachten@gehoord.example\r\nSubject: Klacht {second.reference}\r\n"
        f"Message-ID: <femke-1@example.nl>\r\n\r\nMet vriendelijke groet, {NAME}, {PHONE}\r\n"
    ).encode()
    received = pipeline.receive(raw, source="smtp", envelope_from=EMAIL, enqueue=False)
    pipeline.process(received.inbound.pk)
    LOGIN_LINKS_PER_EMAIL.take(EMAIL)
    # A wrong password and a right one: django-axes logs both under her address.
    for password in ("verkeerd", "zonnig-weer-2026"):
        Client(REMOTE_ADDR="198.51.100.7").post(reverse("portal:account_login"), {"email": EMAIL, "password": password})
    cache.set(f"login-link:{EMAIL}", 1)
    return [first, second]


def score_card(company):
    scores.refresh([company.pk])
    row = CompanyScore.objects.get(organisation=company)
    return {f: getattr(row, f) for f in ("complaints", "replied", "unanswered", "closed", "resolved", "score",
                                         "response_rate", "resolution_rate")}


def register(company):
    return sorted(Complaint.objects.filter(organisation=company).values_list("status", "outcome", "received_at",
                                                                             "closed_at", "first_reply_at"))


def test_after_erasure_nothing_in_the_database_names_the_person(femkes_complaints, company, femke):
    files = [a.file.name for c in femkes_complaints for a in c.attachments.all()]
    assert files and all(default_storage.exists(name) for name in files)
    assert traces_left(), "the search must find the person before the erasure"
    assert any(line.startswith("axes_") for line in traces_left())
    card, counts = score_card(company), register(company)

    call_command("erase", EMAIL)

    assert traces_left() == []
    assert not any(default_storage.exists(name) for name in files)
    assert score_card(company) == card
    assert register(company) == counts
    femke.refresh_from_db()
    assert not femke.is_active and not femke.has_usable_password()
    for complaint in femkes_complaints:
        complaint.refresh_from_db()
        assert complaint.anonymised_at is not None
        assert "De zeep gaf uitslag" in complaint.description or "Nog een klacht" in complaint.description
        assert list(Event.objects.filter(complaint=complaint, kind=EventKind.ANONYMISED).values_list("data", flat=True)) == [
            {"why": "erasure"}
        ]


def test_erasing_twice_changes_nothing_more(femkes_complaints):
    assert privacy.erase(EMAIL).complaints == 2
    events = list(Event.objects.values_list("pk", "data", "actor_label"))

    assert privacy.erase(EMAIL).complaints == 0
    assert list(Event.objects.values_list("pk", "data", "actor_label")) == events


def test_events_lose_exactly_their_personal_keys(company):
    complaint = platform_complaint(company, contact_name=NAME, contact_email=EMAIL)
    actions.perform("withdraw", complaint, by=Actor.consumer(complaint), reason="Femke heeft het zelf opgelost")
    withdrawn = Event.objects.get(complaint=complaint, kind=EventKind.WITHDRAWN)
    assert withdrawn.data == {"reason": "Femke heeft het zelf opgelost"} and withdrawn.actor_label == NAME

    privacy.erase(EMAIL)

    withdrawn = Event.objects.get(pk=withdrawn.pk)
    assert withdrawn.data == {"reason": None} and withdrawn.actor_label == ""
    received = Event.objects.get(complaint=complaint, kind=EventKind.RECEIVED)
    assert received.data["channel"] == "web"


def test_events_cannot_be_changed_any_other_way(company):
    complaint = platform_complaint(company)
    event = Event.objects.filter(complaint=complaint).first()
    event.data = {}
    with pytest.raises(TypeError):
        event.save()


def test_a_complaint_filed_through_the_api_leaves_nothing_either(acme, acme_token):
    api = ApiClient(acme_token)
    filed = api.post("/complaints", carol_payload(contact_name=NAME, contact_email=EMAIL, contact_phone=PHONE),
                     headers={"Idempotency-Key": "femke-1"})
    assert filed.status_code == 201, filed.content
    assert traces_left()

    privacy.erase(EMAIL)

    assert traces_left() == []
    assert Complaint.objects.get(organisation=acme).anonymised_at is not None


def test_a_whole_procedure_at_a_connected_company_leaves_nothing(acme, alice, manon):
    """Staff texts that name her (a note, a proposal, her rejection and escalation) lose her name too."""
    complaint = carol_complaint(acme, contact_name=NAME, contact_email=EMAIL, contact_phone=PHONE)
    staff, femke = Actor.staff(alice, acme), Actor.consumer(complaint)
    actions.assign(complaint, by=Actor.staff(manon, acme), handler=alice)
    actions.start(complaint, by=staff)
    actions.add_message(complaint, by=staff, body="Femke Zonneveld belde, ze is boos.", internal=True)
    actions.propose_resolution(complaint, by=staff, kinds=["apology"], text="Beste mevrouw Zonneveld, excuses.")
    actions.reject(complaint, by=femke, comment="Nee, Femke wil meer.")
    actions.escalate(complaint, by=femke, reason=f"Bel {PHONE}.")
    assert traces_left()
    counts = register(acme)

    privacy.erase(EMAIL)

    assert traces_left() == []
    assert register(acme) == counts
    assert Event.objects.filter(complaint=complaint, kind=EventKind.ESCALATED).get().data["reason"] is None
