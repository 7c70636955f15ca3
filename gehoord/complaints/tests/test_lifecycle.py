"""The complaint lifecycle (SPEC 4): every action of `lifecycle.ACTIONS`, its effects and its refusals.

Carol's complaint at Acme runs on the `vxhome` procedure (acknowledged on receipt; stage 2 is the
complaint manager, then nothing further). The web shop runs on `webshop-board` (a person
acknowledges; the order number is the reference; the only escalation stage is the board, 3).
Alice is an agent, Manon the complaint manager and Bert a board member at both; Oscar works for
another organisation; Daan is a consumer with a complaint of his own; Ada is only Acme's admin.
"""

import sys
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation

from conftest import carol_complaint, make_organisation
from gehoord.complaints import actions, lifecycle
from gehoord.complaints.actors import Actor
from gehoord.complaints.models import Complaint, Message, Outcome, OutcomeLetter, Resolution, Stage, Status
from gehoord.errors import ActionNotAllowed, InvalidInput, NotPermitted
from gehoord.mail.models import OutboundMail
from gehoord.organisations.models import Category, CategoryField, FieldType, Membership, Role, Team
from gehoord.policies.models import Deadline

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def in_english():
    """Error messages are asserted as written in English; the interface's default language is Dutch."""
    with translation.override("en"):
        yield

LETTER = actions.LetterInput(
    actions_taken="We bekeken de foto's en het rapport van de vervoerder.",
    conclusions="De schade is na de levering ontstaan.",
    changes="Vervoerders fotograferen voortaan elke levering.",
    decision="We vervangen de boxspring niet.",
)


# --- the cast and the road to each state ------------------------------------------------------


@pytest.fixture
def shop(alice, manon, bert):
    """A web shop on the `webshop-board` procedure (seed 001), where Alice, Manon and Bert also work."""
    organisation = make_organisation("shop", preset="webshop-board", country="GB", time_zone="Europe/London")
    for user, role in ((alice, Role.AGENT), (manon, Role.MANAGER), (bert, Role.BOARD)):
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return organisation


@pytest.fixture
def carol(complaint):
    return Actor.consumer(complaint)


class Cast(dict):
    """Everyone who might try to act on Carol's complaint at Acme, by name.

    Daan files his own complaint only when a test asks for him.
    """

    def __init__(self, acme, **actors):
        super().__init__(**actors)
        self.acme = acme

    def __missing__(self, name):
        if name != "daan":
            raise KeyError(name)
        daans_complaint = carol_complaint(self.acme, contact_name="Daan Jansen", contact_email="daan@example.nl")
        self["daan"] = Actor.consumer(daans_complaint)
        return self["daan"]


CAST = ("carol", "daan", "alice", "manon", "bert", "ada", "oscar", "system")


@pytest.fixture
def cast(acme, carol, as_alice, as_manon, as_bert, ada, as_oscar):
    return Cast(
        acme, carol=carol, alice=as_alice, manon=as_manon, bert=as_bert, ada=Actor.staff(ada, acme),
        oscar=as_oscar, system=Actor.system(),
    )


def valid_arguments(action, alice):
    """Arguments that pass each action's own validation, so only the state or the party can fail it."""
    return {
        "assign": {"handler": alice},
        "acknowledge": {},
        "start": {},
        "ask_info": {"question": "Kunt u een foto van de schade sturen?"},
        "info_received": {"answer": "Hierbij de foto."},
        "propose_resolution": {"kinds": ["replacement"], "text": "We sturen u een nieuwe boxspring."},
        "accept": {},
        "reject": {},
        "escalate": {},
        "decide": {"decision": Outcome.UPHELD},
        "close": {"letter": LETTER},
        "refer": {"body": "WebwinkelKeur"},
        "extend_deadline": {
            "kind": "respond",
            "due_at": datetime(2030, 1, 31, 17, 0, tzinfo=AMSTERDAM),
            "reason": "Wachten op de vervoerder.",
        },
        "withdraw": {},
        "reject_as_spam": {"reason": "Reclame voor een casino."},
    }[action]


# How Carol's Acme complaint gets to each state, as (action, by) steps from "acknowledged".
ROADS = {
    "acknowledged": [],
    "investigating": [("start", "alice")],
    "awaiting_consumer": [("start", "alice"), ("ask_info", "alice")],
    "resolution_proposed": [("start", "alice"), ("propose_resolution", "alice")],
    "resolved": [("start", "alice"), ("propose_resolution", "alice"), ("accept", "carol")],
    "closed": [("start", "alice"), ("close", "alice")],
    "closed_in_favour": [("start", "alice"), ("propose_resolution", "alice"), ("accept", "carol"), ("close", "carol")],
    "escalated": [("start", "alice"), ("escalate", "carol")],
    "escalation_acknowledged": [("start", "alice"), ("escalate", "carol"), ("acknowledge", "manon")],
    "referred": [("start", "alice"), ("close", "alice"), ("refer", "carol")],
    "withdrawn": [("withdraw", "carol")],
    "rejected": [("reject_as_spam", "alice")],
}


@pytest.fixture
def reach(complaint, cast, alice):
    """reach("investigating") walks Carol's complaint there through the real actions."""

    def walk(road):
        current = complaint
        for action, who in ROADS[road]:
            # Carol closes only a resolved complaint, with no outcome letter.
            arguments = {} if (action, who) == ("close", "carol") else valid_arguments(action, alice)
            current = actions.perform(action, current, by=cast[who], **arguments)
        return Complaint.objects.get(pk=complaint.pk)

    return walk


def stored(complaint):
    """Everything stored about a complaint, fresh from the database (to prove nothing changed)."""
    fresh = Complaint.objects.get(pk=complaint.pk)
    fields = {field.attname: getattr(fresh, field.attname) for field in Complaint._meta.concrete_fields}
    del fields["updated_at"]
    return fields | {
        "events": list(fresh.events.values_list("id", flat=True)),
        "resolutions": list(fresh.resolutions.values_list("id", "response")),
        "outcome_letters": list(fresh.outcome_letters.values_list("id", flat=True)),
        "messages": list(fresh.messages.values_list("id", flat=True)),
        "mails": list(fresh.outbound_mails.values_list("id", flat=True)),
        "deadlines": list(
            Deadline.objects.filter(complaint=fresh).values_list("id", "due_at", "met_at", "paused_at", "cancelled_at")
        ),
    }


def last_event(complaint):
    # By id, not by time: some tests travel in time after the complaint was filed.
    return complaint.events.order_by("id").last()


def mails(complaint, kind):
    return list(OutboundMail.objects.filter(complaint=complaint, kind=kind))


# --- the table itself -------------------------------------------------------------------------


def test_every_lifecycle_action_has_exactly_one_entry_point():
    # The complaint's actions live in actions.py, the platform's in gehoord/platform/ (seed 004).
    for name, declared in lifecycle.ACTIONS.items():
        module = sys.modules[declared.function.__module__]
        assert module is actions or module.__name__.startswith("gehoord.platform."), name
        assert getattr(module, name) is declared.function
    assert all(declared.function.__name__ == name for name, declared in lifecycle.ACTIONS.items())


def test_an_action_cannot_be_declared_twice_or_with_parameters_it_does_not_take():
    with pytest.raises(TypeError):
        lifecycle.action(label="", sources=(), target=None, who=())(actions.start)
    with pytest.raises(TypeError):
        lifecycle.action(label="", sources=(), target=None, who=(), parameters=("colour",))(lambda complaint, *, by: None)


def test_a_door_passes_only_the_parameters_an_action_declares(complaint, as_alice):
    with pytest.raises(InvalidInput) as refused:
        actions.perform("start", complaint, by=as_alice, question="Waarom?")
    assert set(refused.value.errors) == {"question"}
    with pytest.raises(InvalidInput) as missing:
        actions.perform("ask_info", complaint, by=as_alice)
    assert set(missing.value.errors) == {"question"}
    with pytest.raises(ActionNotAllowed):  # only the sweep runs it, directly
        actions.perform("mark_missed", complaint, by=as_alice)


def test_an_unknown_action_is_refused(complaint, as_alice):
    with pytest.raises(ActionNotAllowed, match="no action"):
        lifecycle.check("reopen", complaint, as_alice)


# --- acknowledge ------------------------------------------------------------------------------


def test_vxhome_acknowledges_on_receipt_with_the_expected_answer_date(acme, time_machine):
    """Seed 000: acknowledged at once, telling the reference, the date and when to expect an answer."""
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)

    complaint = carol_complaint(acme)

    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.acknowledged_at == datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
    assert [event.kind for event in complaint.events.all()] == ["received", "acknowledged"]
    acknowledged = last_event(complaint)
    assert acknowledged.actor_kind == "system"
    assert acknowledged.consumer_visible
    # The respond term: the end of the 14th calendar day after receipt, Amsterdam time.
    assert acknowledged.data == {
        "reference": complaint.reference,
        "received_at": "2026-03-02T09:00:00+00:00",
        "handler": "",
        "expected_answer_by": "2026-03-16T22:59:59+00:00",
        "stage": 1,
    }
    [mail] = mails(complaint, "acknowledgement")
    assert mail.to_address == "carol@example.nl"
    assert mail.subject.startswith(f"[{complaint.reference}] ")
    # Nobody assigned and no team: the general wording still names who handles it (seed 001).
    assert "Uw klacht wordt behandeld door onze klantenservice." in mail.body_text
    assert mail.state == OutboundMail.State.QUEUED
    assert complaint.reference in mail.body_text
    assert "2 maart 2026" in mail.body_text
    assert "16 maart 2026" in mail.body_text


def test_a_person_acknowledges_naming_the_handler_and_the_expected_answer(shop, alice, manon, time_machine):
    """Seed 001: the acknowledgement states who handles the complaint and when an answer can be expected."""
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON), tick=False)
    complaint = carol_complaint(shop, order_number="100234")
    assert complaint.status == Status.RECEIVED
    complaint = actions.assign(complaint, by=Actor.staff(manon, shop), handler=alice)
    time_machine.move_to(datetime(2026, 3, 3, 9, 30, tzinfo=LONDON), tick=False)

    complaint = actions.acknowledge(complaint, by=Actor.staff(alice, shop))

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.stage == Stage.FIRST_LINE
    assert complaint.acknowledged_at == datetime(2026, 3, 3, 9, 30, tzinfo=LONDON)
    event = last_event(complaint)
    assert (event.kind, event.actor, event.consumer_visible) == ("acknowledged", alice, True)
    # The resolve term: 14 calendar days from receipt, London time (GMT in March).
    assert event.data == {
        "reference": "100234",
        "received_at": "2026-03-02T10:00:00+00:00",
        "handler": "Alice",
        "expected_answer_by": "2026-03-16T23:59:59+00:00",
        "stage": 1,
    }
    assert Deadline.objects.get(complaint=complaint, kind="acknowledge").met_at == complaint.acknowledged_at
    [mail] = mails(complaint, "acknowledgement")
    assert mail.subject.startswith("[100234] ")
    assert "Alice" in mail.body_text
    assert "16 maart 2026" in mail.body_text


def test_an_unassigned_complaint_is_acknowledged_naming_its_team(shop, alice):
    """Seed 001: never nobody: without a handler the team the category routes to is named."""
    team = Team.objects.create(organisation=shop, name="Team bezorging")
    category = Category.objects.create(organisation=shop, slug="bezorging", name="Bezorging", route_to_team=team)
    complaint = carol_complaint(shop, order_number="100235", category=category.slug)

    actions.acknowledge(complaint, by=Actor.staff(alice, shop))

    assert last_event(complaint).data["handler"] == "Team bezorging"
    [mail] = mails(complaint, "acknowledgement")
    assert "Uw klacht wordt behandeld door Team bezorging." in mail.body_text


def test_the_acknowledgement_is_delivered_once_the_transaction_commits(
    shop, alice, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = carol_complaint(shop, order_number="100234")

    with django_capture_on_commit_callbacks(execute=True):
        actions.acknowledge(complaint, by=Actor.staff(alice, shop))
        assert mailoutbox == []

    [sent] = mailoutbox
    assert sent.to == ["carol@example.nl"]
    assert sent.subject.startswith("[100234] ")
    assert mails(complaint, "acknowledgement")[0].state == OutboundMail.State.SENT


def test_the_escalation_stage_acknowledges_the_escalation(reach, as_manon, manon, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)
    complaint = reach("escalated")
    first_acknowledgement = complaint.acknowledged_at
    time_machine.move_to(datetime(2026, 3, 4, 11, 0, tzinfo=AMSTERDAM), tick=False)

    complaint = actions.acknowledge(complaint, by=as_manon)

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.stage) == (Status.ACKNOWLEDGED, Stage.MANAGER)
    assert complaint.acknowledged_at == first_acknowledgement
    event = last_event(complaint)
    assert (event.kind, event.actor) == ("escalation_acknowledged", manon)
    # vxhome states no escalation term, so no expected answer date is promised.
    assert event.data == {
        "reference": complaint.reference,
        "received_at": "2026-03-02T09:00:00+00:00",
        "handler": "Leidinggevende of manager",  # the stage's body, as the policy names it
        "expected_answer_by": None,
        "stage": 2,
    }
    [mail] = mails(complaint, "escalation_acknowledgement")
    assert "Leidinggevende of manager" in mail.body_text


# --- assign -----------------------------------------------------------------------------------


def test_the_manager_assigns_a_handler(complaint, as_manon, alice, manon):
    complaint = actions.assign(complaint, by=as_manon, handler=alice)

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.handler == alice
    assert complaint.status == Status.ACKNOWLEDGED
    event = last_event(complaint)
    assert (event.kind, event.actor, event.consumer_visible) == ("assigned", manon, True)
    assert event.data == {"handler": "Alice", "handler_id": alice.pk, "previous_handler_id": None}

    complaint = actions.assign(complaint, by=as_manon, handler=manon)

    assert Complaint.objects.get(pk=complaint.pk).handler == manon
    assert last_event(complaint).data == {"handler": "Manon", "handler_id": manon.pk, "previous_handler_id": alice.pk}


def test_an_agent_takes_a_complaint_herself_but_assigns_nobody_else(complaint, as_alice, alice, manon):
    before = stored(complaint)
    with pytest.raises(NotPermitted):
        actions.assign(complaint, by=as_alice, handler=manon)
    assert stored(complaint) == before

    actions.assign(complaint, by=as_alice, handler=alice)

    assert Complaint.objects.get(pk=complaint.pk).handler == alice


@pytest.mark.parametrize("handler", ["ada", "oscar", None], ids=["admin-only", "other-organisation", "nobody"])
def test_the_handler_must_be_staff_of_the_organisation(complaint, as_manon, handler, request):
    """Ada only administers Acme; Oscar works elsewhere."""
    user = request.getfixturevalue(handler) if handler else None
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.assign(complaint, by=as_manon, handler=user)

    assert set(refused.value.errors) == {"handler"}
    assert stored(complaint) == before


def test_assigning_meets_the_assign_deadline(shop, manon, alice):
    """Seed 001: the complaint reaches the manager or a handler within a week."""
    complaint = carol_complaint(shop, order_number="100234")
    assert Deadline.objects.get(complaint=complaint, kind="assign").met_at is None

    actions.assign(complaint, by=Actor.staff(manon, shop), handler=alice)

    assert Deadline.objects.get(complaint=complaint, kind="assign").met_at is not None


# --- start, ask_info, info_received -----------------------------------------------------------


def test_start_begins_the_investigation(complaint, as_alice, alice):
    complaint = actions.start(complaint, by=as_alice)

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.INVESTIGATING
    event = last_event(complaint)
    assert (event.kind, event.actor, event.consumer_visible, event.data) == ("investigation_started", alice, True, {})


def test_asking_carol_for_information_sends_her_the_question_and_pauses_the_clock(reach, as_alice, alice):
    complaint = reach("investigating")

    complaint = actions.ask_info(complaint, by=as_alice, question="  Kunt u een foto van de schade sturen?  ")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.AWAITING_CONSUMER
    [message] = complaint.messages.all()
    assert (message.kind, message.author, message.body) == (
        Message.Kind.STAFF, alice, "Kunt u een foto van de schade sturen?"
    )
    event = last_event(complaint)
    assert (event.kind, event.consumer_visible, event.data) == ("information_requested", True, {"message_id": message.pk})
    [mail] = mails(complaint, "information_request")
    assert "Kunt u een foto van de schade sturen?" in mail.body_text
    assert Deadline.objects.get(complaint=complaint, kind="respond").paused_at is not None


def test_an_empty_question_is_refused(reach, as_alice):
    complaint = reach("investigating")
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.ask_info(complaint, by=as_alice, question="   ")

    assert set(refused.value.errors) == {"question"}
    assert stored(complaint) == before


def test_carols_answer_resumes_the_investigation_and_moves_the_deadline_by_the_days_she_took(
    acme, as_alice, time_machine
):
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)
    complaint = carol_complaint(acme)
    carol = Actor.consumer(complaint)
    complaint = actions.start(complaint, by=as_alice)
    complaint = actions.ask_info(complaint, by=as_alice, question="Welk ordernummer?")
    time_machine.move_to(datetime(2026, 3, 5, 10, 0, tzinfo=AMSTERDAM), tick=False)

    complaint = actions.info_received(complaint, by=carol, answer="Order 100234.")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.INVESTIGATING
    answer = complaint.messages.last()
    assert (answer.kind, answer.body, answer.author_name) == (Message.Kind.CONSUMER, "Order 100234.", "Carol de Vries")
    event = last_event(complaint)
    assert (event.kind, event.actor_kind, event.data) == ("information_received", "consumer", {"message_id": answer.pk})
    respond = Deadline.objects.get(complaint=complaint, kind="respond")
    assert respond.paused_at is None
    # Three calendar days began while Carol was asked: due on the 19th instead of the 16th.
    assert respond.due_at == datetime(2026, 3, 19, 23, 59, 59, tzinfo=AMSTERDAM)


def test_staff_record_an_answer_given_by_phone_without_text(reach, as_alice):
    complaint = reach("awaiting_consumer")

    complaint = actions.info_received(complaint, by=as_alice)

    assert Complaint.objects.get(pk=complaint.pk).status == Status.INVESTIGATING
    assert last_event(complaint).data == {"message_id": None}


def test_carol_cannot_answer_with_nothing(reach, carol):
    complaint = reach("awaiting_consumer")
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.info_received(complaint, by=carol, answer=" ")

    assert set(refused.value.errors) == {"answer"}
    assert stored(complaint) == before


# --- propose_resolution, accept, reject -------------------------------------------------------


def test_alice_proposes_a_refund_with_an_apology(reach, as_alice, alice):
    complaint = reach("investigating")

    complaint = actions.propose_resolution(
        complaint, by=as_alice, kinds=["refund", "apology", "refund"], refund_amount="25.50",
        text="Onze excuses; we betalen de bezorgkosten terug.",
    )

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.RESOLUTION_PROPOSED
    [resolution] = complaint.resolutions.all()
    assert resolution.kinds == ["refund", "apology"]
    assert resolution.refund_amount == Decimal("25.50")
    assert resolution.compensation_amount is None
    assert (resolution.stage, resolution.proposed_by, resolution.response) == (1, alice, "")
    assert resolution.text == "Onze excuses; we betalen de bezorgkosten terug."
    event = last_event(complaint)
    assert (event.kind, event.consumer_visible) == ("resolution_proposed", True)
    assert event.data == {"resolution_id": resolution.pk}
    [mail] = mails(complaint, "resolution_proposal")
    assert "Onze excuses; we betalen de bezorgkosten terug." in mail.body_text
    assert "EUR 25,50" in mail.body_text
    # The proposal is the substantive answer of seed 000's 14-day term.
    assert Deadline.objects.get(complaint=complaint, kind="respond").met_at is not None


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"kinds": []}, "kinds"),
        ({"kinds": ["voucher"]}, "kinds"),
        ({"kinds": ["refund"]}, "refund_amount"),
        ({"kinds": ["compensation"]}, "compensation_amount"),
        ({"kinds": ["refund"], "refund_amount": "-5"}, "refund_amount"),
        ({"kinds": ["refund"], "refund_amount": "12.345"}, "refund_amount"),
        ({"kinds": ["refund"], "refund_amount": "twaalf"}, "refund_amount"),
        ({"kinds": ["refund"], "refund_amount": "NaN"}, "refund_amount"),
        ({"kinds": ["compensation"], "compensation_amount": "1e9"}, "compensation_amount"),
        ({"kinds": ["apology"], "text": "  "}, "text"),
    ],
    ids=[
        "no-kind", "unknown-kind", "refund-without-amount", "compensation-without-amount", "negative",
        "three-decimals", "not-a-number", "nan", "too-large", "no-text",
    ],
)
def test_a_proposal_that_fails_validation_leaves_no_trace(reach, as_alice, arguments, field):
    """Refused halfway through: no Resolution row, no event, no mail, status unchanged."""
    complaint = reach("investigating")
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.propose_resolution(complaint, by=as_alice, **({"text": "Een voorstel."} | arguments))

    assert set(refused.value.errors) == {field}
    assert stored(complaint) == before
    assert not Resolution.objects.filter(complaint=complaint).exists()


def test_carol_accepts_the_proposal(reach, carol):
    complaint = reach("resolution_proposed")

    complaint = actions.accept(complaint, by=carol, comment="Prima, dank u.")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.outcome) == (Status.RESOLVED, Outcome.ACCEPTED)
    assert complaint.resolved_in_favour
    resolution = complaint.resolutions.get()
    assert (resolution.response, resolution.response_comment) == (Resolution.Response.ACCEPTED, "Prima, dank u.")
    assert complaint.resolved_at == resolution.responded_at is not None
    event = last_event(complaint)
    assert (event.kind, event.actor_kind) == ("resolution_accepted", "consumer")
    assert event.data == {"resolution_id": resolution.pk}


def test_carol_rejects_the_proposal_and_is_offered_escalation(reach, carol):
    complaint = reach("resolution_proposed")

    complaint = actions.reject(complaint, by=carol, comment="Ik wil een nieuwe boxspring.")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.outcome) == (Status.INVESTIGATING, "")
    resolution = complaint.resolutions.get()
    assert resolution.response == Resolution.Response.REJECTED
    assert resolution.response_comment == "Ik wil een nieuwe boxspring."
    assert resolution.responded_at is not None
    event = last_event(complaint)
    assert event.kind == "resolution_rejected"
    assert event.data == {"resolution_id": resolution.pk, "escalation_possible": True}
    assert "escalate" in lifecycle.allowed_actions(complaint, carol)


def test_at_the_last_stage_a_rejection_offers_no_further_escalation(reach, carol, as_manon):
    complaint = reach("escalation_acknowledged")
    complaint = actions.propose_resolution(
        complaint, by=as_manon, kinds=["compensation"], compensation_amount=50, text="Een tegoedbon."
    )
    assert complaint.resolutions.last().stage == Stage.MANAGER

    complaint = actions.reject(complaint, by=carol)

    assert last_event(complaint).data["escalation_possible"] is False
    assert "escalate" not in lifecycle.allowed_actions(complaint, carol)


# --- escalate ---------------------------------------------------------------------------------


def test_carol_escalates_to_the_complaint_manager(reach, carol, as_alice, alice):
    complaint = reach("investigating")
    complaint = actions.assign(complaint, by=as_alice, handler=alice)

    complaint = actions.escalate(complaint, by=carol, reason="Ik krijg geen antwoord.")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.stage) == (Status.ESCALATED, Stage.MANAGER)
    assert complaint.handler is None
    assert complaint.escalation_requested_at is not None
    event = last_event(complaint)
    assert (event.kind, event.actor_kind, event.consumer_visible) == ("escalated", "consumer", True)
    assert event.data == {"from_stage": 1, "to_stage": 2, "previous_handler_id": alice.pk, "reason": "Ik krijg geen antwoord."}
    [told] = mails(complaint, "escalation_received")
    # vxhome sets no term for the manager: Carol is told so plainly, and who will answer her.
    with translation.override(complaint.contact_language):
        no_term = translation.gettext(
            "The complaint procedure sets no term for this stage, so we cannot give you a date. You will hear from us "
            "as soon as %(handler)s has reviewed your complaint, and we will tell you if that takes longer than expected."
        ) % {"handler": "Leidinggevende of manager"}
    assert no_term in " ".join(told.body_text.split())
    # The first line's clock stops: its answer is no longer awaited.
    assert Deadline.objects.get(complaint=complaint, kind="respond").cancelled_at == complaint.escalation_requested_at


@pytest.mark.parametrize(
    "preset, escalation_stage, reviewer",
    [("vxhome", Stage.MANAGER, "manon"), ("webshop-board", Stage.BOARD, "bert")],
)
def test_escalation_follows_the_policys_stages(preset, escalation_stage, reviewer, alice, manon, bert):
    """vxhome: first line → manager, then no further. webshop-board: first line → straight to the board."""
    organisation = make_organisation("webshop", preset=preset)
    people = {"alice": alice, "manon": manon, "bert": bert}
    for name, role in (("alice", Role.AGENT), ("manon", Role.MANAGER), ("bert", Role.BOARD)):
        Membership.objects.create(user=people[name], organisation=organisation, role=role)
    complaint = carol_complaint(organisation, order_number="100234")
    if complaint.status == Status.RECEIVED:
        complaint = actions.acknowledge(complaint, by=Actor.staff(alice, organisation))
    carol = Actor.consumer(complaint)

    complaint = actions.escalate(complaint, by=carol)

    assert (complaint.status, complaint.stage) == (Status.ESCALATED, escalation_stage)
    assert last_event(complaint).data["to_stage"] == escalation_stage
    if preset == "webshop-board":  # the board answers within a week: Carol is given the date
        [told] = mails(complaint, "escalation_received")
        due = Deadline.objects.get(complaint=complaint, kind="escalation_resolve").due_at
        with translation.override(complaint.contact_language):
            expected = translation.gettext("You can expect an answer by %(due)s at the latest.") % {
                "due": formats.date_format(due.astimezone(ZoneInfo(organisation.time_zone)), "DATE_FORMAT")
            }
        assert expected in told.body_text
    complaint = actions.acknowledge(complaint, by=Actor.staff(people[reviewer], organisation))
    with pytest.raises(ActionNotAllowed, match="no further internal stage"):
        actions.escalate(complaint, by=carol)
    assert Complaint.objects.get(pk=complaint.pk).stage == escalation_stage


def test_staff_may_escalate_too(reach, as_alice):
    complaint = reach("investigating")

    complaint = actions.escalate(complaint, by=as_alice)

    assert (complaint.status, complaint.stage) == (Status.ESCALATED, Stage.MANAGER)
    assert last_event(complaint).actor_kind == "staff"


@pytest.mark.parametrize(
    "road, may_escalate",
    [("closed", True), ("closed_in_favour", False)],
    ids=["closed-against-carol", "closed-in-her-favour"],
)
def test_a_closed_complaint_is_escalated_only_when_not_resolved_in_carols_favour(reach, carol, road, may_escalate):
    complaint = reach(road)
    before = stored(complaint)

    if may_escalate:
        complaint = actions.escalate(complaint, by=carol)
        complaint = Complaint.objects.get(pk=complaint.pk)
        assert (complaint.status, complaint.stage, complaint.outcome, complaint.closed_at) == (
            Status.ESCALATED, Stage.MANAGER, "", None
        )
    else:
        with pytest.raises(ActionNotAllowed, match="favour"):
            actions.escalate(complaint, by=carol)
        assert stored(complaint) == before


# --- decide -----------------------------------------------------------------------------------


def test_the_manager_decides_against_carol_with_an_outcome_letter(reach, as_manon, manon):
    complaint = reach("escalation_acknowledged")

    complaint = actions.decide(complaint, by=as_manon, decision=Outcome.NOT_UPHELD, letter=LETTER)

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.outcome, complaint.stage) == (Status.CLOSED, Outcome.NOT_UPHELD, Stage.MANAGER)
    assert complaint.closed_at is not None
    letter = complaint.outcome_letters.get()
    assert (letter.stage, letter.written_by) == (Stage.MANAGER, manon)
    assert (letter.actions_taken, letter.conclusions, letter.changes, letter.decision) == (
        LETTER.actions_taken, LETTER.conclusions, LETTER.changes, LETTER.decision
    )
    event = last_event(complaint)
    assert (event.kind, event.actor, event.consumer_visible) == ("decided", manon, True)
    assert event.data == {"decision": "not_upheld", "stage": 2, "letter_id": letter.pk}
    [mail] = mails(complaint, "outcome")
    for part in (LETTER.actions_taken, LETTER.conclusions, LETTER.changes, LETTER.decision):
        assert part in mail.body_text
    # The last internal stage has decided, so the letter names where Carol can go next (vxhome).
    assert "WebwinkelKeur (https://www.webwinkelkeur.nl/kennisbank/consumenten/geschil)" in mail.body_text
    assert "De Geschillencommissie" in mail.body_text


def test_an_outcome_at_the_first_line_names_the_escalation_as_the_next_step(reach, as_alice):
    complaint = actions.close(reach("investigating"), by=as_alice, letter=LETTER, outcome=Outcome.NOT_UPHELD)

    [mail] = mails(complaint, "outcome")
    with translation.override(complaint.contact_language):
        assert translation.gettext("Not satisfied with this outcome? Reply to this e-mail or use the link below to ask for your complaint to be escalated.") in mail.body_text
    assert "WebwinkelKeur" not in mail.body_text


def test_a_decision_that_upholds_the_complaint_needs_no_letter(reach, as_manon):
    complaint = reach("escalated")

    complaint = actions.decide(complaint, by=as_manon, decision=Outcome.UPHELD)

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.outcome) == (Status.CLOSED, Outcome.UPHELD)
    assert complaint.resolved_in_favour
    assert not complaint.outcome_letters.exists()
    assert last_event(complaint).data == {"decision": "upheld", "stage": 2, "letter_id": None}
    [mail] = mails(complaint, "outcome")
    assert mail.subject.startswith(f"[{complaint.reference}] ")


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"decision": Outcome.NOT_UPHELD}, "letter"),
        ({"decision": Outcome.PARTIALLY_UPHELD}, "letter"),
        ({"decision": Outcome.ACCEPTED, "letter": LETTER}, "decision"),
        ({"decision": "maybe", "letter": LETTER}, "decision"),
        (
            {
                "decision": Outcome.NOT_UPHELD,
                "letter": actions.LetterInput(actions_taken="x", conclusions=" ", decision="y"),
            },
            "letter.conclusions",
        ),
    ],
    ids=[
        "not-upheld-without-letter", "partially-upheld-without-letter", "accepted-is-no-decision", "unknown",
        "empty-conclusions",
    ],
)
def test_a_refused_decision_changes_nothing(reach, as_manon, arguments, field):
    complaint = reach("escalated")
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.decide(complaint, by=as_manon, **arguments)

    assert set(refused.value.errors) == {field}
    assert stored(complaint) == before
    assert not OutcomeLetter.objects.exists()


def test_a_first_line_complaint_is_closed_not_decided(reach, as_manon):
    complaint = reach("investigating")
    before = stored(complaint)

    with pytest.raises(ActionNotAllowed, match="escalated"):
        actions.decide(complaint, by=as_manon, decision=Outcome.UPHELD)

    assert stored(complaint) == before


def test_only_the_board_decides_at_the_board_stage(shop, alice, manon, bert):
    """webshop-board's only escalation stage is the board: the complaint manager does not decide there."""
    complaint = carol_complaint(shop, order_number="100234")
    complaint = actions.acknowledge(complaint, by=Actor.staff(alice, shop))
    complaint = actions.escalate(complaint, by=Actor.consumer(complaint))
    assert complaint.stage == Stage.BOARD
    before = stored(complaint)

    for refused in (manon, alice):
        with pytest.raises(NotPermitted):
            actions.decide(complaint, by=Actor.staff(refused, shop), decision=Outcome.UPHELD)
    assert stored(complaint) == before

    complaint = actions.decide(complaint, by=Actor.staff(bert, shop), decision=Outcome.PARTIALLY_UPHELD, letter=LETTER)

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.outcome) == (Status.CLOSED, Outcome.PARTIALLY_UPHELD)
    assert complaint.outcome_letters.get().stage == Stage.BOARD
    assert last_event(complaint).actor == bert


# --- close ------------------------------------------------------------------------------------


def test_alice_closes_a_complaint_not_resolved_in_carols_favour_with_an_outcome_letter(reach, as_alice, alice):
    complaint = reach("investigating")

    complaint = actions.close(complaint, by=as_alice, letter=LETTER, outcome=Outcome.PARTIALLY_UPHELD)

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.outcome) == (Status.CLOSED, Outcome.PARTIALLY_UPHELD)
    assert complaint.closed_at is not None
    letter = complaint.outcome_letters.get()
    assert (letter.stage, letter.written_by, letter.decision) == (Stage.FIRST_LINE, alice, LETTER.decision)
    event = last_event(complaint)
    assert (event.kind, event.actor, event.consumer_visible) == ("closed", alice, True)
    assert event.data == {"outcome": "partially_upheld", "letter_id": letter.pk, "feedback_resolved": None}
    [mail] = mails(complaint, "outcome")
    assert LETTER.conclusions in mail.body_text
    assert not Deadline.objects.pending().filter(complaint=complaint).exists()


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({}, "letter"),
        ({"letter": None, "outcome": Outcome.NOT_UPHELD}, "letter"),
        ({"letter": LETTER, "outcome": Outcome.UPHELD}, "outcome"),
        ({"letter": actions.LetterInput(actions_taken="", conclusions="c", decision="d")}, "letter.actions_taken"),
        ({"letter": actions.LetterInput(actions_taken="a", conclusions="c", decision="")}, "letter.decision"),
    ],
    ids=["no-letter", "explicit-no-letter", "upheld-is-not-a-closing-outcome", "no-actions-taken", "no-decision"],
)
def test_closing_an_unresolved_complaint_without_a_proper_outcome_letter_is_refused(reach, as_alice, arguments, field):
    complaint = reach("investigating")
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.close(complaint, by=as_alice, **arguments)

    assert set(refused.value.errors) == {field}
    assert stored(complaint) == before
    assert not OutcomeLetter.objects.exists()


def test_carol_closes_her_resolved_complaint_with_feedback(reach, carol):
    complaint = reach("resolved")

    complaint = actions.close(
        complaint, by=carol, feedback=actions.FeedbackInput(resolved=True, satisfaction=4, comment=" Snel geholpen. ")
    )

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.outcome) == (Status.CLOSED, Outcome.ACCEPTED)
    assert (complaint.feedback_resolved, complaint.feedback_satisfaction, complaint.feedback_comment) == (
        True, 4, "Snel geholpen."
    )
    assert complaint.feedback_at is not None and complaint.closed_at is not None
    assert not complaint.outcome_letters.exists()
    event = last_event(complaint)
    assert (event.kind, event.actor_kind) == ("closed", "consumer")
    assert event.data == {"outcome": "accepted", "letter_id": None, "feedback_resolved": True}


def test_staff_closing_a_resolved_complaint_tell_carol(reach, as_alice):
    complaint = reach("resolved")

    complaint = actions.close(complaint, by=as_alice)

    assert Complaint.objects.get(pk=complaint.pk).status == Status.CLOSED
    assert len(mails(complaint, "closing")) == 1


@pytest.mark.parametrize("satisfaction", [0, 6, -1, 4.5])
def test_satisfaction_outside_one_to_five_is_refused(reach, carol, satisfaction):
    complaint = reach("resolved")
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.close(complaint, by=carol, feedback=actions.FeedbackInput(resolved=False, satisfaction=satisfaction))

    assert set(refused.value.errors) == {"feedback.satisfaction"}
    assert stored(complaint) == before


def test_only_carol_gives_feedback(reach, as_alice):
    complaint = reach("resolved")
    before = stored(complaint)

    with pytest.raises(NotPermitted):
        actions.close(complaint, by=as_alice, feedback=actions.FeedbackInput(resolved=True, satisfaction=5))

    assert stored(complaint) == before


def test_carol_closes_only_a_resolved_complaint(reach, carol):
    """Otherwise she withdraws it: closing an open complaint is the company's word, with a letter."""
    complaint = reach("investigating")
    before = stored(complaint)

    with pytest.raises(ActionNotAllowed, match="withdraw"):
        actions.close(complaint, by=carol, feedback=actions.FeedbackInput(resolved=False, satisfaction=1))

    assert stored(complaint) == before


# --- refer ------------------------------------------------------------------------------------


def test_carol_refers_her_complaint_to_an_external_body(reach, carol):
    complaint = reach("closed")

    complaint = actions.refer(complaint, by=carol, body="  WebwinkelKeur  ")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.stage, complaint.referred_to) == (Status.REFERRED, Stage.EXTERNAL, "WebwinkelKeur")
    event = last_event(complaint)
    assert (event.kind, event.actor_kind, event.consumer_visible, event.data) == (
        "referred", "consumer", True, {"body": "WebwinkelKeur"}
    )
    [mail] = mails(complaint, "referral")
    assert mail.to_address == complaint.contact_email
    assert "WebwinkelKeur" in mail.subject
    assert "https://www.webwinkelkeur.nl/kennisbank/consumenten/geschil" in mail.body_text
    assert "Bemiddelt kosteloos" in mail.body_text  # Carol reads Dutch


def test_a_referral_mail_is_in_the_consumer_language(reach, carol):
    complaint = reach("closed")
    Complaint.objects.filter(pk=complaint.pk).update(contact_language="en")

    actions.refer(Complaint.objects.get(pk=complaint.pk), by=carol, body="De Geschillencommissie")

    [mail] = mails(complaint, "referral")
    assert "Your complaint has been referred to De Geschillencommissie" in mail.subject
    assert "The independent disputes committee" in mail.body_text


@pytest.mark.parametrize(
    "outcome, may_refer",
    [
        (Outcome.NOT_UPHELD, True),
        (Outcome.PARTIALLY_UPHELD, True),
        (Outcome.UPHELD, False),
        (Outcome.ACCEPTED, False),
    ],
)
def test_a_complaint_is_referred_only_when_not_resolved_in_carols_favour(
    reach, carol, as_alice, as_manon, outcome, may_refer
):
    if outcome == Outcome.ACCEPTED:
        complaint = reach("closed_in_favour")
    elif outcome == Outcome.UPHELD:
        complaint = actions.decide(reach("escalated"), by=as_manon, decision=outcome)
    else:
        complaint = actions.close(reach("investigating"), by=as_alice, letter=LETTER, outcome=outcome)
    assert (complaint.status, complaint.outcome) == (Status.CLOSED, outcome)
    before = stored(complaint)

    if may_refer:
        assert actions.refer(complaint, by=carol, body="Geschillencommissie").status == Status.REFERRED
    else:
        with pytest.raises(ActionNotAllowed, match="favour"):
            actions.refer(complaint, by=carol, body="Geschillencommissie")
        assert stored(complaint) == before


@pytest.mark.parametrize("body", ["", "x" * 201], ids=["empty", "too-long"])
def test_the_body_referred_to_must_be_named(reach, carol, body):
    complaint = reach("closed")
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.refer(complaint, by=carol, body=body)

    assert set(refused.value.errors) == {"body"}
    assert stored(complaint) == before


# --- extend_deadline --------------------------------------------------------------------------


def test_manon_extends_a_deadline_and_carol_is_told_the_reason_and_the_new_date(acme, as_manon, manon, time_machine):
    """Seeds 002, 003: the consumer hears the reason and the new date at once."""
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)
    complaint = carol_complaint(acme)
    new_date = datetime(2026, 3, 30, 17, 0, tzinfo=AMSTERDAM)

    complaint = actions.extend_deadline(
        complaint, by=as_manon, kind="respond", due_at=new_date, reason="  We wachten op het rapport van de vervoerder.  "
    )

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.ACKNOWLEDGED
    respond = Deadline.objects.get(complaint=complaint, kind="respond")
    assert respond.due_at == new_date
    assert respond.original_due_at == datetime(2026, 3, 16, 23, 59, 59, tzinfo=AMSTERDAM)
    assert respond.extension_reason == "We wachten op het rapport van de vervoerder."
    event = last_event(complaint)
    assert (event.kind, event.actor, event.consumer_visible) == ("deadline_extended", manon, True)
    told = dict(event.data)
    assert datetime.fromisoformat(told.pop("due_at")) == new_date
    assert datetime.fromisoformat(told.pop("original_due_at")) == datetime(2026, 3, 16, 23, 59, 59, tzinfo=AMSTERDAM)
    assert told == {"deadline_kind": "respond", "stage": 1, "reason": "We wachten op het rapport van de vervoerder."}
    [mail] = mails(complaint, "deadline_extension")
    assert "We wachten op het rapport van de vervoerder." in mail.body_text
    assert "30 maart 2026" in mail.body_text


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"due_at": datetime(2026, 3, 10, 17, 0, tzinfo=AMSTERDAM)}, "due_at"),
        ({"due_at": datetime(2026, 3, 30, 17, 0)}, "due_at"),
        ({"due_at": None}, "due_at"),
        ({"reason": " "}, "reason"),
        ({"kind": "resolve"}, "kind"),
    ],
    ids=["earlier-than-the-deadline", "naive-datetime", "no-date", "no-reason", "no-such-deadline"],
)
def test_a_refused_extension_changes_nothing(acme, as_manon, time_machine, arguments, field):
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)
    complaint = carol_complaint(acme)
    before = stored(complaint)
    extension = {"kind": "respond", "due_at": datetime(2026, 3, 30, 17, 0, tzinfo=AMSTERDAM), "reason": "Drukte."}

    with pytest.raises(InvalidInput) as refused:
        actions.extend_deadline(complaint, by=as_manon, **(extension | arguments))

    assert set(refused.value.errors) == {field}
    assert stored(complaint) == before


# --- withdraw, reject_as_spam -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["carol", "alice"], ids=["carol-herself", "alice-on-the-phone"])
def test_a_complaint_is_withdrawn(reach, cast, who):
    complaint = reach("investigating")

    complaint = actions.withdraw(complaint, by=cast[who], reason="Opgelost met de bezorger.")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.WITHDRAWN
    assert complaint.closed_at is not None
    event = last_event(complaint)
    assert (event.kind, event.actor_label, event.consumer_visible) == ("withdrawn", cast[who].label, True)
    assert event.data == {"reason": "Opgelost met de bezorger."}
    assert not Deadline.objects.pending().filter(complaint=complaint).exists()


def test_alice_rejects_a_spam_complaint(complaint, as_alice, alice):
    complaint = actions.reject_as_spam(complaint, by=as_alice, reason="Reclame voor een casino.")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.rejection_reason) == (Status.REJECTED, "Reclame voor een casino.")
    assert complaint.closed_at is not None
    event = last_event(complaint)
    assert (event.kind, event.actor, event.data) == ("rejected_as_spam", alice, {"reason": "Reclame voor een casino."})
    assert not event.consumer_visible
    assert not Deadline.objects.pending().filter(complaint=complaint).exists()


def test_spam_is_rejected_with_a_reason(complaint, as_alice):
    before = stored(complaint)

    with pytest.raises(InvalidInput) as refused:
        actions.reject_as_spam(complaint, by=as_alice, reason="")

    assert set(refused.value.errors) == {"reason"}
    assert stored(complaint) == before


# --- refusals, table-driven -------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, road, who",
    [
        ("assign", "withdrawn", "manon"),
        ("assign", "referred", "manon"),
        ("acknowledge", "investigating", "alice"),
        ("acknowledge", "resolved", "system"),
        ("start", "investigating", "alice"),
        ("start", "awaiting_consumer", "alice"),
        ("ask_info", "resolution_proposed", "alice"),
        ("ask_info", "awaiting_consumer", "alice"),
        ("info_received", "investigating", "carol"),
        ("propose_resolution", "awaiting_consumer", "alice"),
        ("propose_resolution", "resolution_proposed", "alice"),
        ("accept", "investigating", "carol"),
        ("accept", "resolved", "carol"),
        ("reject", "resolved", "carol"),
        ("escalate", "resolved", "carol"),
        ("escalate", "withdrawn", "carol"),
        ("decide", "withdrawn", "manon"),
        ("decide", "closed", "manon"),
        ("close", "closed", "alice"),
        ("close", "rejected", "alice"),
        ("refer", "investigating", "carol"),
        ("refer", "referred", "carol"),
        ("extend_deadline", "closed", "manon"),
        ("extend_deadline", "resolved", "manon"),
        ("withdraw", "closed", "carol"),
        ("withdraw", "rejected", "alice"),
        ("reject_as_spam", "investigating", "alice"),
    ],
)
def test_an_action_from_a_wrong_state_is_refused_and_changes_nothing(reach, cast, alice, action, road, who):
    complaint = reach(road)
    before = stored(complaint)

    with pytest.raises(ActionNotAllowed) as refused:
        actions.perform(action, complaint, by=cast[who], **valid_arguments(action, alice))

    assert refused.value.details["action"] == action
    assert stored(complaint) == before


@pytest.mark.parametrize(
    "action, road, who",
    [
        ("propose_resolution", "investigating", "carol"),
        ("start", "acknowledged", "carol"),
        ("ask_info", "investigating", "carol"),
        ("assign", "investigating", "carol"),
        ("reject_as_spam", "acknowledged", "carol"),
        ("decide", "escalated", "carol"),
        ("accept", "resolution_proposed", "alice"),
        ("reject", "resolution_proposed", "manon"),
        ("decide", "escalated", "alice"),
        ("acknowledge", "escalated", "alice"),
        ("propose_resolution", "escalation_acknowledged", "alice"),
        ("close", "escalation_acknowledged", "alice"),
        ("start", "acknowledged", "bert"),
        ("start", "acknowledged", "ada"),
        ("start", "acknowledged", "system"),
        ("start", "acknowledged", "oscar"),
        ("withdraw", "investigating", "oscar"),
        ("assign", "investigating", "oscar"),
        ("refer", "closed", "oscar"),
        ("accept", "resolution_proposed", "daan"),
        ("escalate", "investigating", "daan"),
        ("withdraw", "investigating", "daan"),
        ("refer", "closed", "daan"),
        ("extend_deadline", "investigating", "alice"),
        ("extend_deadline", "investigating", "carol"),
        ("extend_deadline", "investigating", "oscar"),
    ],
)
def test_an_action_by_the_wrong_party_is_refused_and_changes_nothing(reach, cast, alice, action, road, who):
    """Consumers don't do staff work; staff don't answer for Carol; stage 2 is the manager's;
    Oscar works for another organisation; Daan's tracking credential opens only his own complaint."""
    complaint = reach(road)
    before = stored(complaint)

    with pytest.raises(NotPermitted):
        actions.perform(action, complaint, by=cast[who], **valid_arguments(action, alice))

    assert stored(complaint) == before


def test_a_received_complaint_must_be_acknowledged_before_anything_else(shop, alice):
    complaint = carol_complaint(shop, order_number="100234")
    as_alice = Actor.staff(alice, shop)
    before = stored(complaint)

    for action in ("start", "ask_info", "propose_resolution", "close", "escalate"):
        with pytest.raises(ActionNotAllowed):
            actions.perform(action, complaint, by=as_alice, **valid_arguments(action, alice))

    assert stored(complaint) == before
    assert lifecycle.allowed_actions(complaint, as_alice) == ["assign", "acknowledge", "withdraw", "reject_as_spam"]


def test_an_action_checks_the_stored_state_not_the_callers_copy(complaint, as_alice):
    """Two people on the same complaint: the second click works on what is stored now."""
    stale_copy = Complaint.objects.get(pk=complaint.pk)
    actions.start(complaint, by=as_alice)

    with pytest.raises(ActionNotAllowed):
        actions.start(stale_copy, by=as_alice)

    assert complaint.events.filter(kind="investigation_started").count() == 1


# --- what the doors offer ---------------------------------------------------------------------


def passes_check(action, complaint, actor):
    try:
        lifecycle.check(action, complaint, actor)
    except (ActionNotAllowed, NotPermitted):
        return False
    return True


@pytest.mark.parametrize(
    "road", ["acknowledged", "investigating", "awaiting_consumer", "resolution_proposed", "resolved",
             "escalated", "escalation_acknowledged", "closed", "closed_in_favour", "referred", "withdrawn"],
)
def test_allowed_actions_offers_exactly_what_check_allows(reach, cast, road):
    complaint = reach(road)

    for name in CAST:
        actor = cast[name]
        expected = [action for action in lifecycle.ACTIONS if passes_check(action, complaint, actor)]
        assert lifecycle.allowed_actions(complaint, actor) == expected, name


@pytest.mark.parametrize(
    "road, who, offered",
    [
        ("investigating", "alice", {"assign", "set_category", "ask_info", "propose_resolution", "escalate", "close", "withdraw"}),
        ("awaiting_consumer", "carol", {"info_received", "escalate", "withdraw"}),
        ("resolution_proposed", "carol", {"accept", "reject", "escalate", "withdraw"}),
        ("resolved", "carol", {"close", "withdraw"}),
        # vxhome sets stage 2 no term: there is no deadline to extend.
        ("escalated", "manon", {"assign", "acknowledge", "decide", "withdraw"}),
        ("investigating", "manon", {"assign", "set_category", "ask_info", "propose_resolution", "escalate", "close", "extend_deadline", "withdraw"}),
        ("escalated", "alice", set()),
        ("closed", "carol", {"escalate", "refer"}),
        ("closed_in_favour", "carol", set()),
        ("investigating", "oscar", set()),
        ("investigating", "daan", set()),
    ],
)
def test_what_each_party_is_offered(reach, cast, road, who, offered):
    assert set(lifecycle.allowed_actions(reach(road), cast[who])) == offered


# --- the category, set while handling (seed 003: complaints come by mail, without one) -----------


@pytest.fixture
def solarwave(alice, manon):
    """Seed 003's inverter maker: service complaints go to the service team and need a ticket and a
    serial number; a person acknowledges."""
    organisation = make_organisation("solarwave", preset="inverter")
    for user, role in ((alice, Role.AGENT), (manon, Role.MANAGER)):
        Membership.objects.create(user=user, organisation=organisation, role=role)
    service_team = Team.objects.create(organisation=organisation, name="Serviceteam")
    service = Category.objects.create(organisation=organisation, slug="service", name="Service", route_to_team=service_team)
    for position, (key, label) in enumerate((("ticket_number", "Ticketnummer"), ("serial_number", "Serienummer"))):
        CategoryField.objects.create(
            category=service, key=key, label=label, field_type=FieldType.SERIAL, required=True, position=position
        )
    Category.objects.create(organisation=organisation, slug="product", name="Product")
    return organisation


def mailed_complaint(organisation):
    return carol_complaint(organisation, channel="email", category="")


def test_staff_set_the_category_of_a_mailed_complaint_and_its_fields_are_asked(solarwave, alice):
    complaint = mailed_complaint(solarwave)
    as_alice = Actor.staff(alice, solarwave)
    actions.acknowledge(complaint, by=as_alice)

    actions.set_category(complaint, by=as_alice, category="service")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.category.slug, complaint.team.name) == ("service", "Serviceteam")  # its routing applies
    assert complaint.status == Status.AWAITING_CONSUMER
    set_event, asked = complaint.events.order_by("id")[2:4]
    assert (set_event.kind, set_event.actor) == ("category_set", alice)
    assert set_event.data == {"category": "service", "previous_category": "", "missing_fields": ["ticket_number", "serial_number"]}
    assert asked.kind == "information_requested"
    [mail] = mails(complaint, "information_request")
    assert "Ticketnummer, Serienummer" in mail.body_text


def test_a_category_set_before_the_acknowledgement_waits_for_staff_to_ask(solarwave, alice):
    complaint = mailed_complaint(solarwave)

    actions.set_category(complaint, by=Actor.staff(alice, solarwave), category="service")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.RECEIVED
    assert not mails(complaint, "information_request")
    assert [field.key for field in actions.missing_fields(complaint)] == ["ticket_number", "serial_number"]
    assert "Ticketnummer, Serienummer" in actions.missing_fields_question(complaint, actions.missing_fields(complaint))


def test_an_unknown_or_the_same_category_is_refused_and_changes_nothing(solarwave, alice):
    complaint = mailed_complaint(solarwave)
    as_alice = Actor.staff(alice, solarwave)
    actions.set_category(complaint, by=as_alice, category="product")
    before = stored(complaint)

    for typed in ("bestaat-niet", "product"):
        with pytest.raises(InvalidInput) as refused:
            actions.set_category(complaint, by=as_alice, category=typed)
        assert set(refused.value.errors) == {"category"}

    assert stored(complaint) == before
