"""The staff's notifications (issue 15): who is told what, at the bell and by mail, and never the one
who caused it. Acme runs seed 000 (vxhome): Alice is an agent, Manon the complaint manager (who also
handles the escalation stage), Bert the board; Carol the consumer; Oscar works at another company."""

import pytest
from django.test import Client
from django.utils import translation

from conftest import carol_complaint, make_organisation
from gehoord.complaints import actions
from gehoord.complaints.actors import Actor
from gehoord.complaints.intake import NewComplaint, file_complaint
from gehoord.complaints.sweep import sweep
from gehoord.mail import staff_notifications
from gehoord.mail.models import AutomaticMailCount, NotificationKind, OutboundMail, StaffNotification
from gehoord.errors import InvalidInput
from gehoord.organisations.models import Category, Membership, Role, Team
from gehoord.policies.models import Deadline
from gehoord.policies.tests.support import RECEIVED, make_company, travel

Kind = NotificationKind


def told(complaint, **filters) -> list[tuple[str, str]]:
    """(recipient, kind) of the complaint's notifications, in the order they were written."""
    rows = StaffNotification.objects.filter(complaint=complaint, **filters).order_by("id")
    return [(row.recipient.username, row.kind) for row in rows.select_related("recipient")]


def pending(complaint) -> list[Deadline]:
    return list(Deadline.objects.filter(complaint=complaint, met_at__isnull=True, cancelled_at__isnull=True))


def event_kinds(complaint) -> list[str]:
    return list(complaint.events.order_by("id").values_list("kind", flat=True))


@pytest.fixture
def staff(alice, manon, bert):
    return {"alice": alice, "manon": manon, "bert": bert}


@pytest.fixture
def handled(acme, staff, as_manon, alice):
    """Carol's complaint, which Manon gave to Alice; the notifications of getting there cleared."""
    complaint = actions.assign(carol_complaint(acme), by=as_manon, handler=alice)
    StaffNotification.objects.all().delete()
    OutboundMail.objects.exclude(to_address="carol@example.nl").delete()
    AutomaticMailCount.objects.all().delete()
    return complaint


# --- who is told what -------------------------------------------------------------------------


def test_a_new_complaint_without_a_team_goes_to_the_first_line_at_the_bell_only(acme, staff):
    complaint = carol_complaint(acme)

    assert told(complaint) == [("alice", Kind.NEW_COMPLAINT), ("manon", Kind.NEW_COMPLAINT)]
    assert not OutboundMail.objects.exclude(to_address="carol@example.nl").exists()  # bell only by default


def test_a_new_complaint_routed_to_a_team_and_a_person(acme, staff, alice, manon):
    team = Team.objects.create(organisation=acme, name="Bezorging")
    team.members.add(manon)
    Category.objects.filter(organisation=acme, slug="delivery").update(route_to_team=team, route_to_user=alice)

    complaint = carol_complaint(acme)

    assert told(complaint) == [("alice", Kind.ASSIGNED), ("manon", Kind.NEW_COMPLAINT)]
    [mail] = OutboundMail.objects.filter(kind=Kind.ASSIGNED)
    assert mail.to_address == alice.email


def test_staff_who_file_a_phone_complaint_are_not_told_of_it(acme, staff, as_alice):
    complaint = file_complaint(
        acme, NewComplaint(description="Telefonisch: de boxspring is kapot.", contact_name="Carol de Vries",
                           contact_email="carol@example.nl", category="delivery"),
        channel="phone", by=as_alice,
    )

    assert told(complaint) == [("manon", Kind.NEW_COMPLAINT)]


def test_an_assignment_tells_the_new_handler_but_not_who_takes_it_herself(complaint, staff, as_manon, as_alice, alice):
    StaffNotification.objects.all().delete()
    actions.assign(complaint, by=as_manon, handler=alice)
    assert told(complaint) == [("alice", Kind.ASSIGNED)]

    StaffNotification.objects.all().delete()
    actions.assign(complaint, by=as_alice, handler=alice)
    assert told(complaint) == []


def test_the_consumers_answer_and_evidence_go_to_the_handler(handled, as_alice):
    carol = Actor.consumer(handled)
    actions.start(handled, by=as_alice)
    actions.ask_info(handled, by=as_alice, question="Kunt u een foto van de schade sturen?")

    actions.add_message(handled, by=carol, body="Hierbij de foto van de schade.")
    actions.add_message(handled, by=carol, body="En nog een opmerking achteraf.")
    actions.add_message(handled, by=as_alice, body="Intern: foto's ontvangen.", internal=True)

    assert event_kinds(handled)[-3:] == ["information_received", "message_added", "note_added"]
    assert told(handled) == [("alice", Kind.CONSUMER_ANSWERED), ("alice", Kind.CONSUMER_ANSWERED)]


def test_without_a_handler_the_consumers_answer_goes_to_the_managers(complaint, staff):
    StaffNotification.objects.all().delete()
    actions.add_message(complaint, by=Actor.consumer(complaint), body="Is er al nieuws?")

    assert told(complaint) == [("manon", Kind.CONSUMER_ANSWERED)]


def test_a_rejected_proposal_and_an_escalation(handled, as_alice):
    carol = Actor.consumer(handled)
    actions.start(handled, by=as_alice)
    actions.propose_resolution(handled, by=as_alice, kinds=["replacement"], text="We sturen een nieuwe boxspring.")
    actions.reject(handled, by=carol, comment="Ik wil mijn geld terug.")
    assert told(handled) == [("alice", Kind.PROPOSAL_REJECTED)]

    StaffNotification.objects.all().delete()
    actions.escalate(handled, by=carol, reason="Ik ben het er niet mee eens.")

    # Alice, who handled it, hears Carol asked; Manon, who handles the manager's stage, that it arrived.
    assert told(handled) == [("alice", Kind.ESCALATION_REQUESTED), ("manon", Kind.ESCALATION_ARRIVED)]


def test_an_escalation_by_staff_is_not_told_to_who_escalated(handled, as_alice, as_manon, manon):
    actions.start(handled, by=as_alice)
    actions.escalate(handled, by=as_manon, reason="Dit moet de manager beslissen.")

    assert told(handled) == []  # Manon escalated it to her own stage; Alice hears nothing Carol asked


def test_an_escalation_to_the_board_goes_to_the_board(alice, manon, bert):
    shop = make_organisation("shop", preset="webshop-board", country="GB", time_zone="Europe/London")
    for user, role in ((alice, Role.AGENT), (manon, Role.MANAGER), (bert, Role.BOARD)):
        Membership.objects.create(user=user, organisation=shop, role=role)
    complaint = carol_complaint(shop, order_number="100234")
    as_alice = Actor.staff(alice, shop)
    actions.assign(complaint, by=as_alice, handler=alice)
    actions.acknowledge(complaint, by=as_alice)
    actions.start(complaint, by=as_alice)

    actions.escalate(complaint, by=Actor.consumer(complaint), reason="Ik wil de directie spreken.")

    assert told(complaint, kind=Kind.ESCALATION_ARRIVED) == [("bert", Kind.ESCALATION_ARRIVED)]


def test_people_who_left_the_staff_are_not_told(complaint, staff, manon):
    Membership.objects.filter(user=manon).delete()
    StaffNotification.objects.all().delete()

    actions.add_message(complaint, by=Actor.consumer(complaint), body="Is er al nieuws?")

    assert told(complaint) == []


# --- deadlines --------------------------------------------------------------------------------


def test_a_deadline_near_goes_to_the_handler_with_a_link(handled, alice):
    deadline = Deadline.objects.filter(complaint=handled, remind_at__isnull=False).order_by("remind_at").first()

    assert sweep(now=deadline.remind_at).reminded == 1

    assert told(handled) == [("alice", Kind.DEADLINE_REMINDER)]
    [mail] = OutboundMail.objects.filter(kind=Kind.DEADLINE_REMINDER)
    notification = StaffNotification.objects.get()
    assert mail.to_address == alice.email and notification.mail == mail
    assert f"/desk/acme/notifications/{notification.pk}/" in mail.body_text
    assert handled.reference in mail.subject


@pytest.fixture
def welzo(db):
    """Welzo (seed 002, in English): Carol's complaint, handled by Alice, resolution due in ten working days."""
    welzo = make_company("welzo")
    with travel(RECEIVED["welzo"]):
        complaint = welzo.file()
        actions.assign(complaint, by=welzo.as_manon, handler=welzo.alice)
    StaffNotification.objects.all().delete()
    OutboundMail.objects.all().delete()
    return welzo, complaint, Deadline.objects.get(complaint=complaint, kind="resolve")


def test_a_missed_deadline_goes_to_the_handler_and_the_managers(welzo):
    welzo, complaint, resolve = welzo

    sweep(now=resolve.due_at)

    assert told(complaint) == [("alice-welzo", Kind.DEADLINE_MISSED), ("manon-welzo", Kind.DEADLINE_MISSED)]
    mails = OutboundMail.objects.filter(kind=Kind.DEADLINE_MISSED).order_by("id")
    assert [mail.to_address for mail in mails] == [welzo.alice.email, welzo.manon.email]
    assert all("passed on" in mail.body_text and "/desk/welzo/notifications/" in mail.body_text for mail in mails)


def test_the_mail_is_in_the_recipients_language(welzo):
    welzo, complaint, resolve = welzo
    staff_notifications.save_settings(welzo.alice, by_mail=Kind.values, language="nl")

    sweep(now=resolve.remind_at)

    dutch = OutboundMail.objects.get(kind=Kind.DEADLINE_REMINDER)
    assert dutch.language == "nl"
    with translation.override("nl"):
        assert translation.gettext("Deadline coming up: %(kind)s") % {"kind": translation.gettext("resolution")} in dutch.subject
    sweep(now=resolve.due_at)
    english = OutboundMail.objects.get(kind=Kind.DEADLINE_MISSED, to_address=welzo.manon.email)
    assert english.language == "en"  # Manon has no settings: Welzo's language
    assert "Deadline missed: resolution" in english.subject


# --- mail: preferences, language, caps, delivery ------------------------------------------------


def test_each_person_chooses_which_kinds_come_by_mail(handled, alice, manon):
    staff_notifications.save_settings(alice, by_mail=[Kind.NEW_COMPLAINT], language="")
    carol = Actor.consumer(handled)

    actions.add_message(handled, by=carol, body="Is er al nieuws?")
    newer = carol_complaint(handled.organisation, contact_email="dave@example.nl", contact_name="Dave")

    assert told(handled) == [("alice", Kind.CONSUMER_ANSWERED)]  # at the bell all the same
    staff_mails = OutboundMail.objects.exclude(to_address__endswith="@example.nl")
    assert [(mail.kind, mail.to_address, mail.complaint_id) for mail in staff_mails] == [
        (Kind.NEW_COMPLAINT, alice.email, newer.pk)
    ]


def test_the_daily_cap_holds_back_the_mail_not_the_bell(handled, alice, settings):
    settings.GEHOORD_AUTOMATIC_MAILS_PER_DAY = 1
    carol = Actor.consumer(handled)

    actions.add_message(handled, by=carol, body="Is er al nieuws?")
    actions.add_message(handled, by=carol, body="Hallo?")

    assert told(handled) == [("alice", Kind.CONSUMER_ANSWERED)] * 2
    states = list(OutboundMail.objects.filter(to_address=alice.email).order_by("id").values_list("state", flat=True))
    assert states == [OutboundMail.State.QUEUED, OutboundMail.State.SUPPRESSED]


def test_the_mail_reaches_the_smtp_server_after_commit_and_its_link_opens_the_complaint(
    handled, alice, sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_message(handled, by=Actor.consumer(handled), body="Hierbij de foto.")
        assert sink.messages == []  # nothing leaves inside the transaction

    sink.wait_for(1)
    [message] = sink.parsed()
    assert message["To"] == alice.email
    assert message["Subject"].startswith(f"[{handled.reference}] ")
    assert message["Reply-To"] is None
    notification = StaffNotification.objects.get()
    link = next(line for line in message.get_body(("plain",)).get_content().splitlines() if "/notifications/" in line)
    assert link == f"http://127.0.0.1:8000/desk/acme/notifications/{notification.pk}/"

    browser = Client()
    browser.force_login(alice)
    response = browser.get(link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 302
    assert response["Location"] == f"/desk/acme/k/{handled.reference}/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_holds_back_nothing_when_the_action_is_refused(handled, as_alice):
    with pytest.raises(InvalidInput):
        actions.add_message(handled, by=Actor.consumer(handled), body="")
    assert told(handled) == []


def test_the_smtp_server_gets_what_the_daily_cap_allows_and_no_more(
    handled, alice, sink, settings, django_capture_on_commit_callbacks
):
    settings.GEHOORD_AUTOMATIC_MAILS_PER_DAY = 1
    carol = Actor.consumer(handled)
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_message(handled, by=carol, body="Is er al nieuws?")
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_message(handled, by=carol, body="Hallo?")

    # Delivery runs inline once each transaction commits (the tests' task backend): all is sent by now.
    assert [recipients for _sender, recipients, _raw in sink.messages] == [[alice.email]]
    assert len(told(handled)) == 2


def test_the_smtp_server_gets_nothing_a_person_chose_not_to_receive(
    handled, alice, sink, django_capture_on_commit_callbacks
):
    staff_notifications.save_settings(alice, by_mail=[Kind.DEADLINE_MISSED], language="")
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_message(handled, by=Actor.consumer(handled), body="Is er al nieuws?")

    assert sink.messages == []
    assert told(handled) == [("alice", Kind.CONSUMER_ANSWERED)]
